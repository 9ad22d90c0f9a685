/**
 * The OCR models as a pack: a manifest (models/ocr/<id>.json) that names the detector, recogniser and
 * orientation classifier, their tensors and preprocessing, the character set, and every file's size
 * and SHA-256. The files come from the npm package the manifest names (installed with Glimpse), or from
 * `<data>/models/<id>/` where a mirror download puts them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_BASE_URL, type DownloadOptions, downloadFiles } from '../models/download.js';
import { bundledPacksDir } from '../models/store.js';
import { sha256File } from '../core/file-hash.js';

const rgb = z.tuple([z.number(), z.number(), z.number()]);
const fileName = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'), 'must be a path inside the pack');
const normalisation = { mean: rgb, std: rgb, channelOrder: z.enum(['rgb', 'bgr']) };

export const ocrManifestSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  name: z.string(),
  description: z.string().default(''),
  licence: z.string(),
  /** Scripts the recogniser reads (ISO 639-1). */
  languages: z.array(z.string()).default([]),
  source: z.object({ npm: z.string(), version: z.string(), dir: z.string() }),
  /**
   * Where a model mirror (Hugging Face's `<repo>/resolve/<revision>/<path>` layout, the one the search
   * packs download from: GLIMPSE_MODEL_BASE_URL) keeps the same files, for a machine without the npm
   * package. The files are pinned by SHA-256 below, so any server that has them will do.
   */
  mirror: z.object({ repo: z.string(), revision: z.string() }).optional(),
  /** Photos are decoded at up to this many pixels on their longer side for reading: lines are cut from that copy. */
  readSide: z.number().int().positive(),
  detector: z.object({
    file: fileName,
    input: z.string(),
    output: z.string(),
    /** The photo is scaled so its longer side is at most this before detection. */
    maxSide: z.number().int().positive(),
    /**
     * A first look at the photo this small (absent: none): when no `glanceMinPixels` pixels together look
     * like text there, the photo is taken to have none and the full-size detection is skipped.
     */
    glanceSide: z.number().int().positive().optional(),
    glanceMinPixels: z.number().int().positive().default(6),
    /** The network's stride: both sides are rounded to a multiple of it. */
    multiple: z.number().int().positive(),
    ...normalisation,
    threshold: z.number().min(0).max(1),
    boxThreshold: z.number().min(0).max(1),
    unclipRatio: z.number().positive(),
    minSize: z.number().nonnegative(),
    maxCandidates: z.number().int().positive(),
  }),
  recogniser: z.object({
    file: fileName,
    input: z.string(),
    output: z.string(),
    height: z.number().int().positive(),
    maxWidth: z.number().int().positive(),
    ...normalisation,
    /** One character per line; class k is line k - 1, class 0 is CTC's blank. */
    charset: fileName,
    /** The last class is a space (PaddleOCR's use_space_char). */
    spaceClass: z.boolean(),
  }),
  classifier: z
    .object({
      file: fileName,
      input: z.string(),
      output: z.string(),
      height: z.number().int().positive(),
      width: z.number().int().positive(),
      ...normalisation,
      /** A line is turned over when the classifier says "upside down" with at least this probability. */
      threshold: z.number().min(0).max(1),
    })
    .optional(),
  files: z.array(z.object({ path: fileName, size: z.number().int().positive(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })).min(1),
});
export type OcrManifest = z.infer<typeof ocrManifestSchema>;

export class OcrPackError extends Error {
  override name = 'OcrPackError';
}

export const DEFAULT_OCR_PACK = 'ppocr-v4';

export async function readOcrManifest(id = DEFAULT_OCR_PACK): Promise<OcrManifest> {
  const file = join(bundledPacksDir(), 'ocr', `${id}.json`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new OcrPackError(`the OCR pack ${id} has no readable manifest at ${file} (${(error as Error).message})`);
  }
  return parseOcrManifest(text, file);
}

/** The same, read synchronously (status reports the pack's name without opening anything). */
export function readOcrManifestSync(id = DEFAULT_OCR_PACK): OcrManifest {
  const file = join(bundledPacksDir(), 'ocr', `${id}.json`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new OcrPackError(`the OCR pack ${id} has no readable manifest at ${file} (${(error as Error).message})`);
  }
  return parseOcrManifest(text, file);
}

function parseOcrManifest(text: string, file: string): OcrManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new OcrPackError(`${file} is not JSON (${(error as Error).message})`);
  }
  const parsed = ocrManifestSchema.safeParse(json);
  if (!parsed.success) throw new OcrPackError(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** Where the npm package the manifest names keeps the files, if it is installed. */
function npmDir(manifest: OcrManifest): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    // The package exports only an entry point; its folder is that file's folder.
    const entry = require.resolve(`${manifest.source.npm}/node`);
    return join(dirname(entry), manifest.source.dir);
  } catch {
    return undefined;
  }
}

/** The folder a download from a mirror installs the pack into. */
export function ocrPackDownloadDir(modelsDir: string, manifest: OcrManifest): string {
  return join(modelsDir, manifest.id);
}

/**
 * The folder that holds the pack's files, each of the manifest's size: the npm package's, else the
 * downloaded copy. Sizes are checked on every open (cheap); hashes when installing (`verifyOcrFiles`).
 */
export async function locateOcrPack(manifest: OcrManifest, modelsDir?: string): Promise<string> {
  const candidates = [npmDir(manifest), modelsDir ? ocrPackDownloadDir(modelsDir, manifest) : undefined].filter((d): d is string => d !== undefined && existsSync(d));
  const problems: string[] = [];
  for (const dir of candidates) {
    const wrong = await wrongSizes(dir, manifest);
    if (wrong.length === 0) return dir;
    problems.push(`${dir}: ${wrong.join(', ')}`);
  }
  throw new OcrPackError(
    `the OCR models (${manifest.id}) are not installed${problems.length ? ` whole (${problems.join('; ')})` : ''}: reinstall Glimpse's npm packages (${manifest.source.npm}@${manifest.source.version}) or download them from a mirror`,
  );
}

async function wrongSizes(dir: string, manifest: OcrManifest): Promise<string[]> {
  const wrong: string[] = [];
  for (const f of manifest.files) {
    const size = await stat(join(dir, f.path)).then(
      (s) => s.size,
      () => -1,
    );
    if (size !== f.size) wrong.push(size < 0 ? `${f.path} is missing` : `${f.path} has ${size} bytes, not ${f.size}`);
  }
  return wrong;
}

/** The manifest a downloaded copy carries beside its files. */
export const OCR_MANIFEST_FILE = 'ocr-pack.json';

/**
 * Downloads the OCR pack's files from a model mirror into `<modelsDir>/<id>`, through the same
 * downloader as the search packs (resumed, each file verified against the manifest's SHA-256, installed
 * by one rename).
 */
export async function downloadOcrPack(
  manifest: OcrManifest,
  options: { modelsDir: string; baseUrl?: string | undefined; onProgress?: DownloadOptions['onProgress'] },
): Promise<string> {
  const mirror = manifest.mirror;
  if (!mirror) throw new OcrPackError(`the OCR pack ${manifest.id} names no mirror repository; install it with npm (${manifest.source.npm}@${manifest.source.version})`);
  const baseUrl = (options.baseUrl ?? process.env.GLIMPSE_MODEL_BASE_URL ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  return downloadFiles(
    {
      id: manifest.id,
      files: manifest.files,
      urlOf: (file) => `${baseUrl}/${mirror.repo}/resolve/${encodeURIComponent(mirror.revision)}/${file.path.split('/').map(encodeURIComponent).join('/')}`,
      manifest: () => ({ name: OCR_MANIFEST_FILE, json: manifest }),
    },
    { packsDir: options.modelsDir, ...(options.onProgress ? { onProgress: options.onProgress } : {}) },
  );
}

/** Files of the folder that do not match the manifest's size and SHA-256 (empty when all do). */
export async function verifyOcrFiles(dir: string, manifest: OcrManifest): Promise<string[]> {
  const problems = await wrongSizes(dir, manifest);
  if (problems.length > 0) return problems;
  for (const f of manifest.files) {
    const actual = await sha256File(join(dir, f.path));
    if (actual !== f.sha256) problems.push(`${f.path} has SHA-256 ${actual}, not ${f.sha256}`);
  }
  return problems;
}
