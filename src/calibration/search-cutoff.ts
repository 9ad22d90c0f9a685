/**
 * Fitting a pack's relevance cutoff (manifest `search.calibration`, read by `search/relevance.ts`) on
 * labelled queries over an indexed library, and measuring what search then shows. Used by
 * `scripts/calibrate-pack.ts` (a maintainer's held-out set of real photos) and
 * `bench/search-quality.ts --calibrate` (the scene world's seeds).
 */
import type { GlimpseEngine } from '../main/engine/engine.js';
import type { PackManifest } from '../main/engine/models/manifest.js';
import { wordsTogether } from '../main/engine/search/search.js';
import { searchParams } from '../shared/api.js';

/** A query and the photos that answer it, as paths the engine reports them. */
export interface CalibrationQuery {
  text: string;
  relevant: ReadonlySet<string>;
}

/** One visual candidate of one query: its features (1, similarity, gap to the best, words together here, somewhere), whether it matches. */
export interface CandidateRow {
  x: number[];
  y: 0 | 1;
  query: number;
}

export type SearchCalibration = NonNullable<NonNullable<PackManifest['search']>['calibration']>;

/** The fitted model and threshold, and how the threshold was chosen. */
export interface CutoffFit {
  calibration: Omit<SearchCalibration, 'calibratedOn'>;
  /** Candidates the model was fitted on. */
  rows: number;
  /** `precision`: the best recall at the precision target; `f1`: no threshold reached it, the best mean F1. */
  rule: 'precision' | 'f1';
  /** On the candidates it was fitted on, at the threshold (queries with a relevant candidate). */
  onCandidates: { precision: number; recall: number; f1: number; queries: number };
}

type Searcher = Pick<GlimpseEngine, 'search' | 'catalog'>;

/** Every visual candidate of every query (the whole candidate pool, past the cutoff), with its features and label. */
export async function candidateRows(engine: Searcher, queries: readonly CalibrationQuery[]): Promise<CandidateRow[]> {
  const rows: CandidateRow[] = [];
  for (const [q, query] of queries.entries()) {
    const { results } = await engine.search(searchParams.parse({ query: query.text, limit: 1000, all: true }));
    const visual = results.filter((r) => r.why.some((w) => w.kind === 'visual')).map((r) => ({ ...r, score: r.score! }));
    const best = Math.max(...visual.map((r) => r.score));
    const together = wordsTogether(
      engine.catalog,
      query.text,
      visual.map((r) => r.id),
    );
    const any = visual.some((r) => together.has(r.id)) ? 1 : 0;
    for (const r of visual) rows.push({ x: [1, r.score, best - r.score, together.has(r.id) ? 1 : 0, any], y: query.relevant.has(r.path) ? 1 : 0, query: q });
  }
  return rows;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Fits P(match | similarity, gap to the best, words together here, words together somewhere) by
 * logistic regression over every visual candidate of every query (gradient descent, 6,000 steps), then
 * the probability threshold (0.05 to 0.95 in steps of 0.025): the highest mean recall of the shown
 * candidates whose mean precision reaches `minPrecision` (0.85: a margin over the 0.8 target, since these
 * are the queries it was fitted on); when no threshold reaches it, the one with the best mean F1.
 */
export function fitCutoff(rows: readonly CandidateRow[], options: { minPrecision?: number } = {}): CutoffFit {
  const minPrecision = options.minPrecision ?? 0.85;
  let w = [0, 0, 0, 0, 0];
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
  const p = (x: number[]) => sigmoid(x.reduce((sum, v, i) => sum + v * w[i]!, 0));
  for (let step = 0; step < 6000; step++) {
    const grad = [0, 0, 0, 0, 0];
    for (const r of rows) {
      const e = p(r.x) - r.y;
      r.x.forEach((v, i) => (grad[i]! += e * v));
    }
    w = w.map((v, i) => v - (5 * grad[i]!) / rows.length);
  }
  const byQuery = new Map<number, CandidateRow[]>();
  for (const r of rows) {
    const mine = byQuery.get(r.query);
    if (mine) mine.push(r);
    else byQuery.set(r.query, [r]);
  }
  const probabilities = new Map(rows.map((r) => [r, p(r.x)]));
  const at = (t: number) => {
    let [precision, recall, f1, n] = [0, 0, 0, 0];
    for (const mine of byQuery.values()) {
      const relevant = mine.filter((r) => r.y).length;
      if (relevant === 0) continue;
      const shown = mine.filter((r) => probabilities.get(r)! >= t);
      const tp = shown.filter((r) => r.y).length;
      const [qp, qr] = [shown.length ? tp / shown.length : 0, tp / relevant];
      precision += qp;
      recall += qr;
      f1 += qp + qr > 0 ? (2 * qp * qr) / (qp + qr) : 0;
      n++;
    }
    return n ? { precision: precision / n, recall: recall / n, f1: f1 / n, queries: n } : { precision: 0, recall: 0, f1: 0, queries: 0 };
  };
  let best: { t: number; recall: number } | null = null;
  let bestF1 = { t: 0.5, f1: -1 };
  for (let t = 0.05; t < 0.96; t += 0.025) {
    const s = at(t);
    if (s.precision >= minPrecision && s.recall > (best?.recall ?? -1)) best = { t, recall: s.recall };
    if (s.f1 > bestF1.f1) bestF1 = { t, f1: s.f1 };
  }
  const threshold = round3(best?.t ?? bestF1.t);
  const weights = w.map(round3);
  // What the manifest will hold (rounded), measured on the same candidates.
  w = weights;
  for (const r of rows) probabilities.set(r, p(r.x));
  return {
    calibration: {
      intercept: weights[0]!,
      similarity: weights[1]!,
      gapToBest: weights[2]!,
      keywordTogether: weights[3]!,
      queryHasKeywordTogether: weights[4]!,
      threshold,
    },
    rows: rows.length,
    rule: best ? 'precision' : 'f1',
    onCandidates: at(threshold),
  };
}

/** What search shows, scored against the labels: macro averages over the queries with a relevant photo. */
export interface ShownScores {
  queries: number;
  top1: number;
  precisionAt5: number;
  /** Shown precision (a query that shows nothing counts 0). */
  precision: number;
  recall: number;
  /** The mean of each query's F1 of its shown set. */
  f1: number;
}

/** Runs each query as a user does (the pack's cutoff applied) and scores the shown set. */
export async function measureShown(engine: Pick<GlimpseEngine, 'search'>, queries: readonly CalibrationQuery[]): Promise<ShownScores> {
  let [n, top1, p5, precision, recall, f1] = [0, 0, 0, 0, 0, 0];
  for (const query of queries) {
    const relevant = query.relevant.size;
    if (relevant === 0) continue;
    const { results } = await engine.search(searchParams.parse({ query: query.text, limit: 1000 }));
    const shown = results.map((r) => r.path);
    n++;
    const hits = shown.filter((path) => query.relevant.has(path)).length;
    top1 += shown[0] !== undefined && query.relevant.has(shown[0]) ? 1 : 0;
    const first5 = shown.slice(0, 5);
    p5 += first5.length ? first5.filter((path) => query.relevant.has(path)).length / Math.min(5, relevant) : 0;
    const [qp, qr] = [shown.length ? hits / shown.length : 0, hits / relevant];
    precision += qp;
    recall += qr;
    f1 += qp + qr > 0 ? (2 * qp * qr) / (qp + qr) : 0;
  }
  const mean = (x: number) => (n ? x / n : 0);
  return { queries: n, top1: mean(top1), precisionAt5: mean(p5), precision: mean(precision), recall: mean(recall), f1: mean(f1) };
}
