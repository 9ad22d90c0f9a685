/**
 * Held-out search queries over the scene world, phrased the ways people type them, each with its ground
 * truth (which scenes match). The benchmark scores search with them as a user sees results (top-1,
 * precision@5, and the precision and recall of the shown set), and the calibration script fits each
 * pack's relevance cutoff on one seed range while the tests measure it on another.
 */
import { BACKGROUNDS, COLOURS, type Colour, SHAPES, type Scene, type Shape, WORDS, seededRandom } from './scene.js';

export interface LabelledQuery {
  text: string;
  kind: 'colour' | 'shape' | 'colour-shape' | 'reordered' | 'count' | 'background' | 'object-background' | 'word';
  matches: (scene: Scene) => boolean;
}

const BACKGROUND_WORDS: Record<(typeof BACKGROUNDS)[number], string> = { sky: 'in the sky', grass: 'on grass', sand: 'on sand', night: 'at night', plain: 'on a plain background' };
const plural = (shape: Shape) => `${shape}s`;
const has = (scene: Scene, colour?: Colour, shape?: Shape, count?: number) =>
  scene.groups.some((g) => (!colour || g.colour === colour) && (!shape || g.shape === shape) && (!count || g.count === count));

/** `count` queries from the seed, cycling through the kinds so each is represented. */
export function labelledQueries(seed: number, count: number): LabelledQuery[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const makers: Array<() => LabelledQuery> = [
    () => {
      const c = pick(COLOURS);
      return { text: c, kind: 'colour', matches: (s) => has(s, c) };
    },
    () => {
      const sh = pick(SHAPES);
      return { text: random() < 0.5 ? plural(sh) : `a ${sh}`, kind: 'shape', matches: (s) => has(s, undefined, sh) };
    },
    () => {
      const [c, sh] = [pick(COLOURS), pick(SHAPES)];
      return { text: random() < 0.5 ? `${c} ${sh}` : `${/^[aeiou]/.test(c) ? 'an' : 'a'} ${c} ${sh}`, kind: 'colour-shape', matches: (s) => has(s, c, sh) };
    },
    () => {
      const [c, sh] = [pick(COLOURS), pick(SHAPES)];
      return { text: `${plural(sh)} that are ${c}`, kind: 'reordered', matches: (s) => has(s, c, sh) };
    },
    () => {
      const [c, sh, n] = [pick(COLOURS), pick(SHAPES), random() < 0.5 ? 2 : 3];
      return { text: `${n === 2 ? 'two' : 'three'} ${c} ${plural(sh)}`, kind: 'count', matches: (s) => has(s, c, sh, n) };
    },
    () => {
      const b = pick(BACKGROUNDS);
      return { text: BACKGROUND_WORDS[b], kind: 'background', matches: (s) => s.background === b };
    },
    () => {
      const [c, sh, b] = [pick(COLOURS), pick(SHAPES), pick(BACKGROUNDS)];
      return { text: `${c} ${sh} ${BACKGROUND_WORDS[b]}`, kind: 'object-background', matches: (s) => has(s, c, sh) && s.background === b };
    },
    () => {
      const w = pick(WORDS);
      return { text: `the word ${w}`, kind: 'word', matches: (s) => s.word === w };
    },
  ];
  return Array.from({ length: count }, (_, i) => makers[i % makers.length]!());
}

export interface SearchScores {
  queries: number;
  top1: number;
  precisionAt5: number;
  shownPrecision: number;
  shownRecall: number;
}

/**
 * Scores what search showed for each query against the ground truth: macro averages over the queries
 * that have at least one matching photo (shown precision counts a query that showed nothing as 0).
 */
export function scoreSearch(runs: Array<{ query: LabelledQuery; shown: Scene[]; library: Scene[] }>): SearchScores {
  let [n, top1, p5, precision, recall] = [0, 0, 0, 0, 0];
  for (const { query, shown, library } of runs) {
    const relevant = library.filter(query.matches).length;
    if (relevant === 0) continue;
    n++;
    const hits = shown.filter(query.matches).length;
    top1 += shown[0] && query.matches(shown[0]) ? 1 : 0;
    const first5 = shown.slice(0, 5);
    p5 += first5.length ? first5.filter(query.matches).length / Math.min(5, relevant) : 0;
    precision += shown.length ? hits / shown.length : 0;
    recall += hits / relevant;
  }
  return { queries: n, top1: top1 / n, precisionAt5: p5 / n, shownPrecision: precision / n, shownRecall: recall / n };
}

/**
 * Queries the bundled pack cannot read, as people type them into a photo app: things outside the scene
 * world (animals, places, events), other languages and scripts, emoji, punctuation and an injection.
 * Nothing in a scene library matches any of them, so every photo shown for one is a wrong answer: the
 * benchmark counts what each shows (docs/PERFORMANCE.md).
 */
export const OUT_OF_VOCABULARY: readonly string[] = [
  'a bird',
  'bird',
  'a red bird',
  'dog on the beach',
  'sunset over the sea',
  'birthday cake',
  'my favourite holiday',
  'grandma in the kitchen',
  'two blue cars',
  'receipt from the hardware store',
  'кошка',
  '猫',
  'perro en la playa',
  'chat noir',
  '🐶',
  '🌅🌊',
  '*',
  '" OR 1=1 --',
  "'; DROP TABLE photos; --",
  '???',
];
