/**
 * The face models as a pack: a manifest (models/faces/faces.json) that names the detector and the
 * recogniser, their tensors and preprocessing, the detector's anchors and thresholds, the placeholders
 * grouping is calibrated with, and every file's size, SHA-256, source and licence. The files live in the
 * repository beside the manifest (scripts/export-face-models.py builds them), so nothing is downloaded.
 */
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { bundledPacksDir } from '../models/store.js';
import { sha256File } from '../core/file-hash.js';

const fileName = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'), 'must be a path inside the pack');
const fraction = z.number().min(0).max(1);

export const faceManifestSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  name: z.string(),
  description: z.string().default(''),
  /** Photos are decoded at up to this many pixels on their longer side for finding faces. */
  readSide: z.number().int().positive(),
  /** At most this many faces are kept per photo, the detector's surest first. */
  maxFaces: z.number().int().positive(),
  detector: z.object({
    file: fileName,
    input: z.string(),
    output: z.string(),
    /** The input is [1, 3, inputSize, inputSize], RGB as (x - mean) / std. */
    inputSize: z.number().int().positive(),
    mean: z.number(),
    std: z.number().positive(),
    /** MediaPipe's SSD anchor options: one grid per distinct stride, `anchorsPerLayer` summed over layers of one stride. */
    anchors: z.object({
      strides: z.array(z.number().int().positive()).min(1),
      anchorsPerLayer: z.array(z.number().int().positive()).min(1),
      offset: z.number(),
    }),
    /** Key points each detection has, in the detector's order. */
    keypoints: z.array(z.string()).min(4),
    /**
     * The whole photo is shown to the detector inside a black border this wide on every side (a fraction
     * of the photo's longer side), the same for every photo: BlazeFace misses faces that fill its input.
     */
    margin: z.number().min(0).max(1),
    /**
     * Tiles of this fraction of the photo's longer side are looked at too (absent: none), so faces too small
     * for the whole view are found; overlap is the least fraction adjacent tiles share.
     */
    tiles: z.object({ side: fraction, overlap: fraction, maxPerAxis: z.number().int().positive() }).optional(),
    minScore: fraction,
    /** Boxes overlapping more than this (intersection over union) are one face: the surer is kept. */
    nmsIou: fraction,
  }),
  recogniser: z.object({
    file: fileName,
    input: z.string(),
    output: z.string(),
    /** The aligned face chip's side: the input is [N, 3, size, size], RGB as (x - mean) / divisor. */
    size: z.number().int().positive(),
    mean: z.tuple([z.number(), z.number(), z.number()]),
    divisor: z.number().positive(),
    /** dlib's get_face_chip_details padding: the chip shows this fraction of the face's template size around it. */
    padding: z.number().min(0),
    dimensions: z.number().int().positive(),
    /** Maximum faces per recogniser run. */
    batch: z.number().int().positive(),
  }),
  /** How faces are grouped into people (faces/grouping.ts), calibrated on labelled real faces with `bench/faces.ts --calibrate`. */
  grouping: z.object({
    /** Faces at most this far apart (Euclidean distance of descriptors) may be the same person. */
    maxDistance: z.number().positive(),
    /** A person needs at least this many faces. */
    minFaces: z.number().int().positive(),
    /** Faces that found a person: at least this many pixels on the box's shorter side in the photo as decoded at readSide. */
    minFaceSide: z.number().nonnegative(),
    /** ...at least this sharp (variance of the Laplacian on the aligned grey chip, grey levels 0..255 squared). */
    minSharpness: z.number().nonnegative(),
    /** ...and at least this frontal (0..1). */
    minFrontal: fraction,
  }),
  files: z
    .array(
      z.object({
        path: fileName,
        bytes: z.number().int().positive(),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        /** Where the weights came from: a package at a version and its path, as exported by `exportedBy`. */
        source: z.string(),
        exportedBy: z.string(),
        licence: z.string(),
      }),
    )
    .min(1),
});
export type FaceManifest = z.infer<typeof faceManifestSchema>;

export class FacePackError extends Error {
  override name = 'FacePackError';
}

/** The folder that holds faces.json and the models. */
export function facePackDir(): string {
  return join(bundledPacksDir(), 'faces');
}

export async function readFaceManifest(dir = facePackDir()): Promise<FaceManifest> {
  const file = join(dir, 'faces.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new FacePackError(`the face models have no readable manifest at ${file} (${(error as Error).message})`);
  }
  return parseFaceManifest(text, file);
}

/** The manifest, read synchronously (status, and grouping without opening the models). */
export function readFaceManifestSync(dir = facePackDir()): FaceManifest {
  const file = join(dir, 'faces.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new FacePackError(`the face models have no readable manifest at ${file} (${(error as Error).message})`);
  }
  return parseFaceManifest(text, file);
}

export function parseFaceManifest(text: string, file = 'faces.json'): FaceManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new FacePackError(`${file} is not JSON (${(error as Error).message})`);
  }
  const parsed = faceManifestSchema.safeParse(json);
  if (!parsed.success) throw new FacePackError(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const m = parsed.data;
  const named = new Set(m.files.map((f) => f.path));
  for (const needed of [m.detector.file, m.recogniser.file]) if (!named.has(needed)) throw new FacePackError(`${file}: ${needed} is not among its files`);
  if (m.detector.anchors.strides.length !== m.detector.anchors.anchorsPerLayer.length)
    throw new FacePackError(`${file}: detector.anchors needs one anchorsPerLayer for each stride`);
  return m;
}

/**
 * Problems with the pack's files in `dir` (empty when every file has the manifest's size and, with
 * `hashes`, its SHA-256). Sizes are cheap and checked on every open; hashes on request (tests, installs).
 */
export async function verifyFaceFiles(dir: string, manifest: FaceManifest, hashes = false): Promise<string[]> {
  const problems: string[] = [];
  for (const f of manifest.files) {
    const size = await stat(join(dir, f.path)).then(
      (s) => s.size,
      () => -1,
    );
    if (size !== f.bytes) {
      problems.push(size < 0 ? `${f.path} is missing` : `${f.path} has ${size} bytes, not ${f.bytes}`);
      continue;
    }
    if (hashes) {
      const actual = await sha256File(join(dir, f.path));
      if (actual !== f.sha256) problems.push(`${f.path} has SHA-256 ${actual}, not ${f.sha256}`);
    }
  }
  return problems;
}
