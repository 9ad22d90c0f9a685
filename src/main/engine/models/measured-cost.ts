// What each pack's image encoder has cost on this computer, measured while it indexed the library:
// the model manager shows it beside the figure measured on the reference machine. A small JSON file in
// the data folder's models/ (rewritten whole, through a temporary file), keyed by pack id.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const FILE = 'measured-costs.json';
/** Fewer images say little (the first run of a session also pays for planning). */
export const MIN_IMAGES = 8;
/** The estimate follows the latest photos: a new computer, a GPU or another setting shows within this many. */
const WINDOW = 2000;

const costSchema = z.object({ msPerPhoto: z.number().positive(), photos: z.number().int().positive(), measuredAt: z.string() });
export type MeasuredCost = z.infer<typeof costSchema>;

/** The costs measured so far, by pack id; an unreadable file is no measurements (it is written again). */
export function measuredCosts(dataDir: string): Record<string, MeasuredCost> {
  try {
    const parsed = z.record(z.string(), costSchema).safeParse(JSON.parse(readFileSync(join(dataDir, 'models', FILE), 'utf8')));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** Adds one indexing run's image-encoder time over `images` images to the pack's estimate. */
export function recordCost(dataDir: string, packId: string, inferenceMs: number, images: number, now = new Date()): void {
  if (images < MIN_IMAGES || !(inferenceMs > 0)) return;
  const costs = measuredCosts(dataDir);
  const before = costs[packId];
  const kept = before ? Math.min(before.photos, Math.max(0, WINDOW - images)) : 0;
  const ms = before && kept > 0 ? (before.msPerPhoto * kept + inferenceMs) / (kept + images) : inferenceMs / images;
  costs[packId] = { msPerPhoto: ms, photos: Math.min(WINDOW, kept + images), measuredAt: now.toISOString() };
  const dir = join(dataDir, 'models');
  mkdirSync(dir, { recursive: true });
  const partial = join(dir, `${FILE}.${process.pid}.partial`);
  writeFileSync(partial, JSON.stringify(costs, null, 2));
  renameSync(partial, join(dir, FILE));
}
