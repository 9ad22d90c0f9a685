/**
 * Fitting when a pack's captions are shown (manifest `captioner.confidence`, read by
 * `captions/confidence.ts`) from captions of held-out photos the pack should describe well. Used by
 * `scripts/calibrate-pack.ts` (a maintainer's held-out photos) and
 * `models/tiny-coca/training/calibrate-captions.ts` (the scene world's seeds).
 *
 * The rule: both signals a caption carries are measured (its mean token log-probability, and its
 * agreement with the photo by the pack's own encoders), and one quantile q is chosen, the smallest that
 * keeps `keep` of these captions (finished, and at or above both thresholds) when both thresholds are set
 * at their q-th percentile; each threshold is rounded down, never stricter than measured. What lies
 * below is unlike what the pack describes well on photos of the kind it is meant for.
 */
import { captionPhotos } from '../main/engine/captions/confidence.js';
import { preparePhoto } from '../main/engine/media/photo.js';
import type { ModelPack } from '../main/engine/models/pack.js';

/** The share of held-out captions the thresholds keep unless told otherwise. */
export const DEFAULT_KEEP = 0.965;

export interface CaptionScore {
  logProb: number;
  agreement: number;
  finished: boolean;
}

export interface ConfidenceFit {
  /** The percentile (0..0.2) both thresholds sit at. */
  q: number;
  minMeanLogProb: number;
  minAgreement: number;
  /** The share of the captions they keep. */
  kept: number;
}

/** Captions one photo as the app does (prepared, embedded, captioned, judged) and returns how the caption scored. */
export async function captionScore(pack: ModelPack, bytes: Buffer): Promise<CaptionScore> {
  const prepared = await preparePhoto(bytes, [pack.imageInput, ...(pack.captionInput ? [pack.captionInput] : [])]);
  const [features] = await pack.embedImages([prepared.inputs[0]!]);
  const [caption] = await captionPhotos(pack, [{ features: features!, ...(prepared.inputs[1] ? { pixels: prepared.inputs[1] } : {}) }]);
  return { logProb: caption!.meanLogProb, agreement: caption!.agreement, finished: caption!.finished };
}

/** The thresholds by the rule above; `keep` is the share of captions to keep (0..1). */
export function fitConfidence(scores: readonly CaptionScore[], keep = DEFAULT_KEEP): ConfidenceFit {
  if (scores.length === 0) throw new Error('no captions to calibrate on');
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const logProbs = sorted(scores.map((s) => s.logProb));
  const agreements = sorted(scores.map((s) => s.agreement));
  const at = (xs: number[], q: number) => xs[Math.floor(q * (xs.length - 1))]!;
  const keeping = (minMeanLogProb: number, minAgreement: number) =>
    scores.filter((s) => s.finished && s.logProb >= minMeanLogProb && s.agreement >= minAgreement).length / scores.length;
  let chosen = { q: 0, minMeanLogProb: at(logProbs, 0), minAgreement: at(agreements, 0), kept: keeping(at(logProbs, 0), at(agreements, 0)) };
  for (let q = 0; q <= 0.2; q += 0.0025) {
    const minMeanLogProb = at(logProbs, q);
    const minAgreement = at(agreements, q);
    const kept = keeping(minMeanLogProb, minAgreement);
    if (kept < keep) break;
    chosen = { q, minMeanLogProb, minAgreement, kept };
  }
  const down = (x: number) => Math.floor(x * 1000) / 1000; // down: never stricter than measured
  return { ...chosen, minMeanLogProb: down(chosen.minMeanLogProb), minAgreement: down(chosen.minAgreement) };
}

/** What the thresholds say about themselves in `calibratedOn`: the percentile and the share kept. */
export function describeConfidence(fit: ConfidenceFit, keep: number): string {
  return `both thresholds at their ${(fit.q * 100).toFixed(2)}th percentile, keeping ${(fit.kept * 100).toFixed(1)}% of captions (target ${keep * 100}%)`;
}
