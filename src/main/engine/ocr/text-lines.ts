/**
 * From a photo and a box around one line of text to the recogniser's input, and from the recogniser's
 * output to the line's text: an upright crop of the (possibly rotated) box, and a greedy CTC decode.
 */
import type { RgbPixels } from '../media/decode.js';
import { type RotatedBox, corners } from './text-boxes.js';

/** How the recogniser and the orientation classifier want their pixels: per-channel (v/255 - mean) / std. */
export interface LineNormalisation {
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  /** PaddleOCR's models were trained on OpenCV's BGR images. */
  channelOrder: 'rgb' | 'bgr';
}

/** The crop's width for a given height: the line's aspect ratio kept, within [height/2, maxWidth]. */
export function lineWidth(box: RotatedBox, height: number, maxWidth: number): number {
  const ratio = box.halfLength / Math.max(box.halfHeight, 1e-6);
  return Math.max(Math.round(height / 2), Math.min(maxWidth, Math.ceil(height * ratio)));
}

/**
 * Writes the box's content, upright, into `out` (CHW planes of `planeWidth` x `height`, starting at
 * `offset`), scaled to `width` x `height` by bilinear sampling; columns past `width` are left as they
 * are (the caller fills them with the padding value). `flipped` reads the box upside down.
 */
export function sampleLine(
  image: RgbPixels,
  box: RotatedBox,
  flipped: boolean,
  size: { width: number; height: number; planeWidth: number },
  norm: LineNormalisation,
  out: Float32Array,
  offset: number,
): void {
  const [tl, tr, br, bl] = flipped ? rotate2(corners(box)) : corners(box);
  const { width, height, planeWidth } = size;
  const plane = planeWidth * height;
  const order = norm.channelOrder === 'bgr' ? [2, 1, 0] : [0, 1, 2];
  const scale = order.map((c) => 1 / (255 * norm.std[c]!));
  const shift = order.map((c) => norm.mean[c]! / norm.std[c]!);
  const { data, width: iw, height: ih } = image;
  for (let j = 0; j < height; j++) {
    const fy = (j + 0.5) / height;
    // Along the left and right edges, then across.
    const lx = tl.x + (bl.x - tl.x) * fy;
    const ly = tl.y + (bl.y - tl.y) * fy;
    const rx = tr.x + (br.x - tr.x) * fy;
    const ry = tr.y + (br.y - tr.y) * fy;
    for (let i = 0; i < width; i++) {
      const fx = (i + 0.5) / width;
      // Pixel centres are at +0.5.
      const sx = lx + (rx - lx) * fx - 0.5;
      const sy = ly + (ry - ly) * fx - 0.5;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const ax = sx - x0;
      const ay = sy - y0;
      const xa = Math.min(iw - 1, Math.max(0, x0));
      const xb = Math.min(iw - 1, Math.max(0, x0 + 1));
      const ya = Math.min(ih - 1, Math.max(0, y0));
      const yb = Math.min(ih - 1, Math.max(0, y0 + 1));
      const p00 = (ya * iw + xa) * 3;
      const p01 = (ya * iw + xb) * 3;
      const p10 = (yb * iw + xa) * 3;
      const p11 = (yb * iw + xb) * 3;
      for (let k = 0; k < 3; k++) {
        const c = order[k]!;
        const top = data[p00 + c]! + (data[p01 + c]! - data[p00 + c]!) * ax;
        const bottom = data[p10 + c]! + (data[p11 + c]! - data[p10 + c]!) * ax;
        out[offset + k * plane + j * planeWidth + i] = (top + (bottom - top) * ay) * scale[k]! - shift[k]!;
      }
    }
  }
}

function rotate2<T>([a, b, c, d]: [T, T, T, T]): [T, T, T, T] {
  return [c, d, a, b];
}

export interface DecodedLine {
  text: string;
  /** Mean probability of the characters emitted (0 when none). */
  confidence: number;
}

/**
 * Greedy CTC decoding of one line: the most likely class at each step, repeats merged, blanks (class 0)
 * dropped. `charset[k - 1]` is class k's character.
 */
export function ctcGreedyDecode(probs: Float32Array, offset: number, steps: number, classes: number, charset: readonly string[]): DecodedLine {
  let text = '';
  let sum = 0;
  let emitted = 0;
  let previous = -1;
  for (let t = 0; t < steps; t++) {
    const row = offset + t * classes;
    let best = 0;
    let bestP = probs[row]!;
    for (let c = 1; c < classes; c++) {
      const p = probs[row + c]!;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    if (best !== 0 && best !== previous) {
      text += charset[best - 1] ?? '';
      sum += bestP;
      emitted++;
    }
    previous = best;
  }
  return { text, confidence: emitted === 0 ? 0 : sum / emitted };
}
