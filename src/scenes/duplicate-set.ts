/**
 * A library of near-duplicates with its ground truth, for measuring stacks (bench/stacks.ts,
 * test/main/engine/stacks/quality.test.ts): each original (a scene of the synthetic world, or a real
 * photograph) comes with an exact copy, a re-encode at another JPEG quality, a resize, a crop of up to
 * 10% and a small rotation; scenes also get an unrelated look-alike (the same objects on the same
 * background in another picture of them), which must not join their stack.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { renderScene } from './render.js';
import { POSITIONS, randomScene, seededRandom } from './scene.js';

export const VARIANT_KINDS = ['copy', 'reencode', 'resize', 'crop', 'rotate'] as const;
export type VariantKind = (typeof VARIANT_KINDS)[number];

export interface DuplicateFile {
  path: string;
  /** The original this file was made from: files with the same group are one shot. */
  group: string;
  kind: 'original' | VariantKind | 'lookalike';
  /** Scene or real photograph. */
  source: 'scene' | 'photo';
}

export interface DuplicateSetOptions {
  scenes: number;
  /** Folder of real JPEG photographs (darknet's), of which up to `photos` are used; none when absent. */
  photosDir?: string | undefined;
  photos?: number;
  seed?: number;
}

/** The seeds of the set's scenes are far from training (1,000,003 x k + i), search (70M, 80M) and concepts (90M). */
export const DUPLICATE_SET_SEED = 110_000_000;

async function variant(original: Buffer, kind: VariantKind, random: () => number): Promise<Buffer> {
  const image = sharp(original);
  const { width = 0, height = 0 } = await image.metadata();
  switch (kind) {
    case 'copy':
      return original;
    case 'reencode':
      return image.jpeg({ quality: [35, 50, 65][Math.floor(random() * 3)]! }).toBuffer();
    case 'resize': {
      const scale = 0.3 + random() * 0.4;
      return image
        .resize(Math.round(width * scale))
        .jpeg({ quality: 85 })
        .toBuffer();
    }
    case 'crop': {
      // Up to 10% of each side's length cut, split unevenly between its two edges.
      const cutX = Math.round(width * (0.04 + random() * 0.06));
      const cutY = Math.round(height * (0.04 + random() * 0.06));
      const left = Math.round(cutX * random());
      const top = Math.round(cutY * random());
      return image
        .extract({ left, top, width: width - cutX, height: height - cutY })
        .jpeg({ quality: 88 })
        .toBuffer();
    }
    case 'rotate': {
      // 1-3 degrees either way, then cut to the original's size so no blank corners show (as editors do).
      const degrees = (1 + random() * 2) * (random() < 0.5 ? -1 : 1);
      const rotated = await image.rotate(degrees, { background: '#808080' }).toBuffer({ resolveWithObject: true });
      const radians = (Math.abs(degrees) * Math.PI) / 180;
      const keepW = Math.floor(width * Math.cos(radians) - height * Math.sin(radians));
      const keepH = Math.floor(height * Math.cos(radians) - width * Math.sin(radians));
      return sharp(rotated.data)
        .extract({ left: Math.floor((rotated.info.width - keepW) / 2), top: Math.floor((rotated.info.height - keepH) / 2), width: keepW, height: keepH })
        .jpeg({ quality: 88 })
        .toBuffer();
    }
  }
}

/** Writes the set into `dir` (one folder per original, look-alikes in their own) and returns its truth. */
export async function writeDuplicateSet(dir: string, options: DuplicateSetOptions): Promise<DuplicateFile[]> {
  const seed = options.seed ?? DUPLICATE_SET_SEED;
  const random = seededRandom(seed);
  const files: DuplicateFile[] = [];
  const write = (group: string, name: string, bytes: Buffer, kind: DuplicateFile['kind'], source: DuplicateFile['source']) => {
    const folder = join(dir, group);
    mkdirSync(folder, { recursive: true });
    const path = join(folder, name);
    writeFileSync(path, bytes);
    files.push({ path, group, kind, source });
  };
  const originals: Array<{ group: string; bytes: Buffer; source: DuplicateFile['source'] }> = [];
  for (let i = 0; i < options.scenes; i++) {
    const scene = randomScene(seed + i, { singleGroupShare: 0.4, wordShare: 0 });
    const group = `scene-${i}`;
    originals.push({ group, bytes: await renderScene(scene, { width: 1200, height: 900, quality: 90 }), source: 'scene' });
    // The look-alike: the same objects on the same background, another picture of them: laid out anew,
    // and a single group elsewhere in the frame (in the same place, a new layout is what a burst's next
    // frame is: the same shot).
    const position = scene.position ? POSITIONS[(POSITIONS.indexOf(scene.position) + 1 + Math.floor(random() * (POSITIONS.length - 1))) % POSITIONS.length]! : null;
    const lookalike = await renderScene({ ...scene, position, layoutSeed: scene.layoutSeed + 1 }, { width: 1200, height: 900, quality: 90 });
    write(`lookalike-${i}`, 'lookalike.jpg', lookalike, 'lookalike', 'scene');
  }
  if (options.photosDir) {
    const names = readdirSync(options.photosDir)
      .filter((f) => f.endsWith('.jpg'))
      .sort()
      .slice(0, options.photos ?? Infinity);
    for (const name of names) originals.push({ group: `photo-${name.replace(/\.jpg$/, '')}`, bytes: readFileSync(join(options.photosDir, name)), source: 'photo' });
  }
  for (const o of originals) {
    write(o.group, 'original.jpg', o.bytes, 'original', o.source);
    for (const kind of VARIANT_KINDS) write(o.group, `${kind}.jpg`, await variant(o.bytes, kind, random), kind, o.source);
  }
  return files;
}

export interface GroupingScore {
  /** Pairs of one shot that were grouped, of all such pairs. */
  recall: number;
  /** Grouped pairs that are one shot, of all grouped pairs. */
  precision: number;
  truePairs: number;
  predictedPairs: number;
  /** Per kind of copy: the share of (original, copy) pairs grouped; for look-alikes, how many were wrongly stacked with their scene. */
  byKind: Record<string, { pairs: number; grouped: number }>;
}

/** Pairwise precision and recall of `groups` (lists of paths; a path in none is alone) against the truth. */
export function scoreGrouping(truth: readonly DuplicateFile[], groups: ReadonlyArray<readonly string[]>): GroupingScore {
  const groupOf = new Map<string, number>();
  groups.forEach((g, i) => g.forEach((p) => groupOf.set(p, i)));
  const together = (a: string, b: string) => groupOf.has(a) && groupOf.get(a) === groupOf.get(b);
  let truePairs = 0;
  let predictedPairs = 0;
  let correct = 0;
  for (let i = 0; i < truth.length; i++)
    for (let j = i + 1; j < truth.length; j++) {
      const same = truth[i]!.group === truth[j]!.group;
      const grouped = together(truth[i]!.path, truth[j]!.path);
      if (same) truePairs++;
      if (grouped) predictedPairs++;
      if (same && grouped) correct++;
    }
  const byKind: GroupingScore['byKind'] = {};
  const originals = new Map(truth.filter((f) => f.kind === 'original').map((f) => [f.group, f.path]));
  for (const f of truth) {
    if (f.kind === 'original') continue;
    const key = `${f.kind} (${f.source})`;
    const entry = (byKind[key] ??= { pairs: 0, grouped: 0 });
    const original = f.kind === 'lookalike' ? originals.get(f.group.replace('lookalike-', 'scene-')) : originals.get(f.group);
    if (!original) continue;
    entry.pairs++;
    if (together(original, f.path)) entry.grouped++;
  }
  return { recall: truePairs ? correct / truePairs : 1, precision: predictedPairs ? correct / predictedPairs : 1, truePairs, predictedPairs, byKind };
}
