/**
 * A held-out set a maintainer prepares from real photos to calibrate a pack (`scripts/calibrate-pack.ts`):
 *
 *   <set>/photos/...                the photos (any layout)
 *   <set>/queries.json              [{ "query": "dog on a beach", "relevant": ["photos/a.jpg", ...] }, ...]
 *   <set>/faces/<person>/<photos>   optional: labelled faces
 *
 * Read and checked here; every problem is refused with a message that names it.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { isPhotoFile } from '../main/engine/media/formats.js';

/** Queries (with a relevant photo) a set needs at least: fewer fit a five-number model to noise. */
export const MIN_QUERIES = 20;

export class CalibrationError extends Error {
  override name = 'CalibrationError';
}

export interface HeldOutSet {
  dir: string;
  /** The set folder's name, as `calibratedOn` names it. */
  name: string;
  photosDir: string;
  /** The photos, relative to the set folder with forward slashes ("photos/a.jpg"), sorted. */
  photos: string[];
  queries: Array<{ query: string; relevant: string[] }>;
  /** `<set>/faces` when it exists. */
  facesDir: string | null;
}

const queriesSchema = z.array(z.object({ query: z.string().trim().min(1), relevant: z.array(z.string().min(1)) }));

function photosUnder(dir: string, setDir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...photosUnder(path, setDir));
    else if (isPhotoFile(entry.name)) out.push(relative(setDir, path).split(sep).join('/'));
  }
  return out;
}

/** The set at `dir`, checked: its photos, its queries (each relevant photo in the set), at least MIN_QUERIES of them. */
export function readHeldOutSet(dir: string): HeldOutSet {
  const setDir = resolve(dir);
  if (!existsSync(setDir) || !statSync(setDir).isDirectory()) throw new CalibrationError(`the held-out set ${setDir} is not a folder`);
  const photosDir = join(setDir, 'photos');
  if (!existsSync(photosDir) || !statSync(photosDir).isDirectory()) throw new CalibrationError(`the held-out set has no photos folder: ${photosDir} is missing`);
  const photos = photosUnder(photosDir, setDir).sort();
  if (photos.length === 0) throw new CalibrationError(`${photosDir} holds no photos`);
  const queriesFile = join(setDir, 'queries.json');
  if (!existsSync(queriesFile))
    throw new CalibrationError(`the held-out set has no queries: ${queriesFile} is missing (a list of { "query": "...", "relevant": ["photos/...", ...] })`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(queriesFile, 'utf8'));
  } catch (error) {
    throw new CalibrationError(`${queriesFile} is not valid JSON (${(error as Error).message})`);
  }
  const parsed = queriesSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CalibrationError(
      `${queriesFile} is not a list of { "query": "...", "relevant": ["photos/...", ...] }${issue.path.length ? ` (at ${issue.path.join('.')})` : ''}: ${issue.message}`,
    );
  }
  const inSet = new Set(photos);
  const queries = parsed.data.map((q) => ({ query: q.query, relevant: [...new Set(q.relevant.map((p) => p.replace(/\\/g, '/').replace(/^\.\//, '')))] }));
  for (const q of queries)
    for (const path of q.relevant)
      if (!inSet.has(path)) {
        const hint = inSet.has(`photos/${path}`) ? ` (paths are relative to the set folder: "photos/${path}")` : '';
        throw new CalibrationError(`query "${q.query}" names ${path}, which is not a photo of the set${hint}`);
      }
  const usable = queries.filter((q) => q.relevant.length > 0).length;
  if (usable < MIN_QUERIES)
    throw new CalibrationError(
      `${queriesFile} has ${usable} ${usable === 1 ? 'query' : 'queries'} with a relevant photo; calibration needs at least ${MIN_QUERIES} (queries that match nothing are kept, and do not count)`,
    );
  const facesDir = join(setDir, 'faces');
  return { dir: setDir, name: basename(setDir), photosDir, photos, queries, facesDir: existsSync(facesDir) && statSync(facesDir).isDirectory() ? facesDir : null };
}
