import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { DEVICE_PREFERENCES } from './device-preference.js';
import { errorText } from '../../../shared/error-text.js';

export const settingsSchema = z.object({
  model: z.string().default('tiny-coca'),
  device: z.enum(DEVICE_PREFERENCES).default('auto'),
  captions: z.boolean().default(true),
  /** Read the text in photos (OCR) while indexing, and in photos indexed before it was on. */
  ocr: z.boolean().default(true),
  /** Find faces in photos and group them into people (all on this computer); off deletes them. */
  people: z.boolean().default(true),
  /**
   * The smallest image indexed as a photo, in pixels on its shorter side: smaller ones (icons, sprites,
   * glyphs, emoji) are listed as skipped. 0 indexes every image.
   */
  minPhotoSide: z.number().int().min(0).max(10_000).default(64),
  /** A pack the library is being switched to (its vectors are still being made); `model` is in use meanwhile. */
  nextModel: z.string().optional(),
});
export type Settings = z.infer<typeof settingsSchema>;

/**
 * The saved settings. A file that cannot be used is never silently replaced: it is renamed aside
 * (`settings.json.broken-<time>`) so nothing the user wrote is lost, and the notice says so.
 */
export function loadSettings(dataDir: string): { settings: Settings; notice: string | null } {
  const file = join(dataDir, 'settings.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { settings: settingsSchema.parse({}), notice: null };
    return { settings: settingsSchema.parse({}), notice: `${file} could not be read (${errorText(error)}); the default settings are in use this time` };
  }
  try {
    return { settings: settingsSchema.parse(JSON.parse(text)), notice: null };
  } catch (error) {
    const why = error instanceof z.ZodError ? error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; ') : errorText(error);
    const aside = `${file}.broken-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      renameSync(file, aside);
    } catch {
      // another process moved it first
    }
    return { settings: settingsSchema.parse({}), notice: `settings.json could not be used (${why}); it was kept as ${basename(aside)} and the default settings are in use` };
  }
}

export function readSettings(dataDir: string): Settings {
  return loadSettings(dataDir).settings;
}

export function writeSettings(dataDir: string, settings: Settings): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'settings.json'), JSON.stringify(settings, null, 2));
}
