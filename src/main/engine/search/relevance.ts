/**
 * The adaptive relevance cutoff. Similarity scores mean different things for different queries ("red"
 * matches many photos weakly, "three purple stars on sand" a few strongly), so one flat threshold either
 * hides good results or shows junk. Per query we take the more generous of:
 *  - Otsu's threshold over the candidates' similarities, which splits them into the group that matched
 *    and the group that did not;
 *  - a band below the best match that the model's own temperature calls close: a photo whose
 *    probability is at least 1/20 of the best one's (s >= best - ln(20) / logitScale).
 */
export function relevanceCutoff(similarities: readonly number[], logitScale: number): number {
  if (similarities.length === 0) return Infinity;
  const best = Math.max(...similarities);
  const band = best - Math.log(20) / logitScale;
  return Math.min(otsuThreshold(similarities), band);
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
