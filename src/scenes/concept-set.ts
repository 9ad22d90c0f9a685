/**
 * Concepts the bundled model has no single word for, with their ground truth in the scene world, and
 * a held-out library to teach them on (bench/concepts.ts, test/main/engine/concepts/quality.test.ts).
 * The library's seeds are far from the training seeds (1,000,003 x {1, 7} + i) and from the search
 * benchmark's (70M, 80M).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderScene } from './render.js';
import { type Background, type Scene, randomScene, seededRandom } from './scene.js';

export interface ConceptCase {
  name: string;
  /** Whether a scene is the concept. */
  truth: (scene: Scene) => boolean;
  /**
   * Linearly separable in tiny-coca's embedding: logistic regression on every photo's label tells them
   * apart (training F1 >= 0.98 on the 480-photo library; "exactly two objects" reaches only 0.86).
   */
  separable: boolean;
}

const objects = (s: Scene) => s.groups.reduce((n, g) => n + g.count, 0);

export const CONCEPT_CASES: readonly ConceptCase[] = [
  { name: 'purple things on sand', truth: (s) => s.background === 'sand' && s.groups.some((g) => g.colour === 'purple'), separable: true },
  { name: 'a star at night', truth: (s) => s.background === 'night' && s.groups.some((g) => g.shape === 'star'), separable: true },
  { name: 'something red on grass', truth: (s) => s.background === 'grass' && s.groups.some((g) => g.colour === 'red'), separable: true },
  { name: 'exactly two objects', truth: (s) => objects(s) === 2, separable: false },
  { name: 'a sign with a word', truth: (s) => s.word !== null, separable: true },
];

export const CONCEPT_LIBRARY_SEED = 90_000_000;

/**
 * The held-out library: half random scenes, the rest with a sand, night or grass background (so each
 * concept has enough photos to be found), each scene by its seed.
 */
export function conceptLibrary(count: number, seedBase = CONCEPT_LIBRARY_SEED): Scene[] {
  const forced: Array<Background | undefined> = [undefined, 'sand', undefined, 'night', undefined, 'grass'];
  return Array.from({ length: count }, (_, i) => {
    const background = forced[i % forced.length];
    return randomScene(seedBase + i, background ? { background } : {});
  });
}

/** Writes the held-out library as 320x240 JPEGs (once: a finished folder is kept); the paths in scene order. */
export async function writeConceptLibrary(dir: string, count: number): Promise<Array<{ path: string; scene: Scene }>> {
  const photos = conceptLibrary(count).map((scene, i) => ({ path: join(dir, `scene-${String(i).padStart(4, '0')}.jpg`), scene }));
  if (!existsSync(join(dir, '.complete'))) {
    mkdirSync(dir, { recursive: true });
    for (const p of photos) writeFileSync(p.path, await renderScene(p.scene, { width: 320, height: 240, quality: 85 }));
    writeFileSync(join(dir, '.complete'), '');
  }
  return photos;
}

export interface Scores {
  precision: number;
  recall: number;
  f1: number;
}

/** Precision, recall and F1 of the photos shown, against the truth, counted over `among` (the photos that were not examples). */
export function scores(shown: ReadonlySet<number>, truth: ReadonlySet<number>, among: readonly number[]): Scores {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const id of among) {
    const s = shown.has(id);
    const t = truth.has(id);
    if (s && t) tp++;
    else if (s) fp++;
    else if (t) fn++;
  }
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  return { precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) };
}

/** `k` distinct items of `items`, from the seed: the examples of one draw. */
export function draw<T>(items: readonly T[], k: number, seed: number): T[] {
  const random = seededRandom(seed);
  const pool = [...items];
  const out: T[] = [];
  while (out.length < k && pool.length > 0) out.push(pool.splice(Math.floor(random() * pool.length), 1)[0]!);
  return out;
}

/** The examples of draw `d` with `k` examples, as the benchmark and the test pick them. */
export function exampleDraw(positives: readonly number[], k: number, d: number): number[] {
  return draw(
    [...positives].sort((a, b) => a - b),
    k,
    1000 * k + d,
  );
}
