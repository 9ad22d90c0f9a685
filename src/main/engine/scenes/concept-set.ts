/**
 * Concepts the bundled model has no single word for, with their ground truth in the scene world, and
 * a held-out library to teach them on (bench/concepts.ts, test/main/engine/concepts/quality.test.ts).
 * The library's seeds are far from the training seeds (1,000,003 x {1, 7} + i) and from the search
 * benchmark's (70M, 80M).
 */
import { type Background, type Scene, randomScene } from './scene.js';

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
