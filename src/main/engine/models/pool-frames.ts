import { dot, meanDirection } from '../core/vector-math.js';
import type { ImageFeatures } from './pack.js';

/**
 * A video's features from its frames' (as CoCa pools over its inputs): the mean embedding, normalised,
 * and the mean of the token features the caption decoder reads; plus the frame nearest that mean (the
 * video's representative frame: its thumbnail in the grid and, for a captioner that reads pixels, its
 * picture).
 */
export function poolFrames(frames: readonly ImageFeatures[]): { features: ImageFeatures; representative: number } {
  const embedding = meanDirection(frames.map((f) => f.embedding));
  let representative = 0;
  frames.forEach((f, i) => {
    if (dot(f.embedding, embedding) > dot(frames[representative]!.embedding, embedding)) representative = i;
  });
  const first = frames[0]!.tokens;
  if (!first || frames.some((f) => !f.tokens || f.tokens.data.length !== first.data.length)) return { features: { embedding }, representative };
  const data = new Float32Array(first.data.length);
  for (const f of frames) for (let i = 0; i < data.length; i++) data[i]! += f.tokens!.data[i]! / frames.length;
  return { features: { embedding, tokens: { ...first, data } }, representative };
}
