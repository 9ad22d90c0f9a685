import type { IndexedPhoto } from '../indexing/indexing-store.js';
import type { PackManifest } from '../models/manifest.js';
import type { GeneratedCaption, ImageFeatures, ModelPack } from '../models/pack.js';
import type { RgbPixels } from '../media/decode.js';
import { dot } from '../core/vector-math.js';

export type CaptionVerdict = { shown: true } | { shown: false; reason: string };

/**
 * Whether a generated caption is shown. A caption the decoder never finished (it ran out of length in a
 * loop) is never shown; with the pack's calibrated thresholds, neither is one the decoder was unsure of
 * (mean token log-probability) or one the pack's own encoders say does not fit the photo (agreement).
 * The reason is in the user's words; the numbers follow for whoever looks closer.
 */
export function judgeCaption(
  caption: Pick<GeneratedCaption, 'text' | 'meanLogProb' | 'finished'> & { agreement: number },
  manifest: Pick<PackManifest, 'name' | 'captioner'>,
): CaptionVerdict {
  const limits = manifest.captioner?.confidence;
  if (!caption.finished || caption.text === '') return { shown: false, reason: `${manifest.name} could not describe this photo (its caption did not come to an end)` };
  if (limits?.minMeanLogProb !== undefined && caption.meanLogProb < limits.minMeanLogProb)
    return {
      shown: false,
      reason: `${manifest.name} is not sure what this photo shows (likelihood ${caption.meanLogProb.toFixed(2)}, below its calibrated ${limits.minMeanLogProb})`,
    };
  if (limits?.minAgreement !== undefined && caption.agreement < limits.minAgreement)
    return {
      shown: false,
      reason: `${manifest.name}'s caption does not fit this photo well enough to show (agreement ${caption.agreement.toFixed(2)}, below its calibrated ${limits.minAgreement})`,
    };
  return { shown: true };
}

/** A generated caption, how it scored, and whether it is shown. */
export interface CaptionOutcome extends GeneratedCaption {
  agreement: number;
  verdict: CaptionVerdict;
}

/**
 * Captions photos and judges each caption: the decoder's own likelihood, then the agreement of the
 * caption with the photo by the pack's contrastive encoders (one batch of text embeddings for all).
 */
export async function captionPhotos(pack: ModelPack, items: Array<{ features: ImageFeatures; pixels?: RgbPixels }>): Promise<CaptionOutcome[]> {
  if (items.length === 0) return [];
  const generated = await pack.caption(items);
  const embedded = await pack.embedTexts(generated.map((g) => g.text || ' '));
  return generated.map((g, i) => {
    const agreement = dot(embedded[i]!, items[i]!.features.embedding);
    return { ...g, agreement, verdict: judgeCaption({ ...g, agreement }, pack.manifest) };
  });
}

/** What the catalogue keeps of a caption outcome: the caption to show, or the one withheld and why. */
export function captionRecord(outcome: CaptionOutcome | undefined): Pick<IndexedPhoto, 'caption' | 'withheldCaption'> {
  if (!outcome) return { caption: null };
  return outcome.verdict.shown ? { caption: outcome.text } : { caption: null, withheldCaption: { text: outcome.text, reason: outcome.verdict.reason } };
}
