import type { PackManifest } from '../models/manifest.js';

/**
 * The adaptive relevance cutoff. Similarity scores mean different things for different queries ("red"
 * matches many photos weakly, "three purple stars on sand" a few strongly), so one flat threshold either
 * hides good results or shows junk. A pack calibrated on held-out queries (manifest `search.calibration`)
 * says how likely each candidate is to match, from its similarity, its distance to the best one, and
 * whether the query's words stand together in its text; otherwise, per query, the more generous of:
 *  - Otsu's threshold over the candidates' similarities, which splits them into the group that matched
 *    and the group that did not;
 *  - a band below the best match that the model's own temperature calls close: a photo whose
 *    probability is at least 1/20 of the best one's (s >= best - ln(20) / logitScale).
 */
/** A visual candidate of one query: its similarity, and whether the query's words stand together in its text. */
export interface Candidate {
  similarity: number;
  together: boolean;
}

/** Which of a query's visual candidates are shown. */
export function relevantCandidates(candidates: readonly Candidate[], manifest: Pick<PackManifest, 'logitScale' | 'search'>): boolean[] {
  if (candidates.length === 0) return [];
  const best = Math.max(...candidates.map((c) => c.similarity));
  const calibration = manifest.search?.calibration;
  if (calibration) {
    const anyTogether = candidates.some((c) => c.together) ? 1 : 0;
    return candidates.map((c) => {
      const z =
        calibration.intercept +
        calibration.similarity * c.similarity +
        calibration.gapToBest * (best - c.similarity) +
        calibration.keywordTogether * (c.together ? 1 : 0) +
        calibration.queryHasKeywordTogether * anyTogether;
      return 1 / (1 + Math.exp(-z)) >= calibration.threshold;
    });
  }
  const cutoff = Math.min(otsuThreshold(candidates.map((c) => c.similarity)), best - Math.log(20) / manifest.logitScale);
  return candidates.map((c) => c.similarity >= cutoff);
}

/** Otsu's method on a list of scores: the cut that maximises the between-group variance. */
export function otsuThreshold(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n < 3) return sorted[0] ?? Infinity;
  const total = sorted.reduce((a, b) => a + b, 0);
  let lowSum = 0;
  let bestVariance = -1;
  let cut = sorted[0]!;
  for (let i = 1; i < n; i++) {
    lowSum += sorted[i - 1]!;
    const lowMean = lowSum / i;
    const highMean = (total - lowSum) / (n - i);
    const variance = i * (n - i) * (highMean - lowMean) ** 2;
    if (variance > bestVariance) {
      bestVariance = variance;
      cut = (sorted[i - 1]! + sorted[i]!) / 2;
    }
  }
  return cut;
}
