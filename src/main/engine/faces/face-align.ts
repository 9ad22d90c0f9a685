/**
 * Face chips as dlib's descriptor expects them: the face turned upright and scaled so its eyes, nose and
 * mouth land where dlib's mean face puts them (get_face_chip_details, padding 0.25, 150 x 150), sampled
 * bilinearly from the photo. Also the chip's quality measures: sharpness and how frontal the face is.
 * Pure TypeScript over RgbPixels.
 */
import type { RgbPixels } from '../media/decode.js';

export type Point = [number, number];

/** x' = a x - b y + tx, y' = b x + a y + ty: a rotation, a uniform scale and a shift. */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/**
 * Where dlib's mean face (dlib/image_transforms/interpolation.h, the average of 68 landmarks, in a unit
 * square before padding) has the points BlazeFace finds: each eye's centre (the mean of its six
 * landmarks, 36-41 and 42-47; the subject's right eye is on the image's left), the nose tip (30), and
 * the mouth's centre (the middle of the inner lips, 62 and 66).
 */
export const MEAN_FACE: Record<'rightEye' | 'leftEye' | 'noseTip' | 'mouthCentre', Point> = {
  rightEye: [0.225492, 0.21599],
  leftEye: [0.754761, 0.21599],
  noseTip: [0.490127, 0.515625],
  mouthCentre: [0.490127, 0.808573],
};

/** The mean face's points in a chip of `size` pixels with dlib's `padding` (pixel units, 0..size). */
export function chipTemplate(size: number, padding: number): Point[] {
  return [MEAN_FACE.rightEye, MEAN_FACE.leftEye, MEAN_FACE.noseTip, MEAN_FACE.mouthCentre].map(([x, y]) => [
    ((padding + x) / (2 * padding + 1)) * size,
    ((padding + y) / (2 * padding + 1)) * size,
  ]);
}

/** The similarity that maps `from` onto `to` with the least squared error (Umeyama's closed form, no reflection). */
export function fitSimilarity(from: readonly Point[], to: readonly Point[]): Similarity {
  const n = from.length;
  if (n < 2 || to.length !== n) throw new Error('fitSimilarity needs two or more pairs of points');
  let fx = 0;
  let fy = 0;
  let tx = 0;
  let ty = 0;
  for (let i = 0; i < n; i++) {
    fx += from[i]![0];
    fy += from[i]![1];
    tx += to[i]![0];
    ty += to[i]![1];
  }
  fx /= n;
  fy /= n;
  tx /= n;
  ty /= n;
  let dot = 0;
  let cross = 0;
  let spread = 0;
  for (let i = 0; i < n; i++) {
    const px = from[i]![0] - fx;
    const py = from[i]![1] - fy;
    const qx = to[i]![0] - tx;
    const qy = to[i]![1] - ty;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    spread += px * px + py * py;
  }
  if (!(spread > 0)) throw new Error('fitSimilarity: the points coincide');
  const a = dot / spread;
  const b = cross / spread;
  return { a, b, tx: tx - (a * fx - b * fy), ty: ty - (b * fx + a * fy) };
}

export function applySimilarity(t: Similarity, [x, y]: Point): Point {
  return [t.a * x - t.b * y + t.tx, t.b * x + t.a * y + t.ty];
}

export function invertSimilarity(t: Similarity): Similarity {
  const d = t.a * t.a + t.b * t.b;
  const a = t.a / d;
  const b = -t.b / d;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

/** The transform from the photo to the chip, from the detector's first four key points (eyes, nose, mouth) in photo pixels. */
export function chipTransform(points: readonly Point[], size: number, padding: number): Similarity {
  return fitSimilarity(points.slice(0, 4), chipTemplate(size, padding));
}

/**
 * The chip (RGB, HWC, size x size) cut from the photo by `toChip` (photo pixels -> chip pixels, both with
 * pixel centres at +0.5). Where one chip pixel covers more than one photo pixel, it averages k x k bilinear
 * samples across it (k up to 8), so a large face is shrunk without aliasing. Outside the photo is black.
 */
export function extractChip(image: RgbPixels, toChip: Similarity, size: number): Uint8Array {
  const back = invertSimilarity(toChip);
  const step = Math.hypot(back.a, back.b);
  const k = Math.max(1, Math.min(8, Math.ceil(step - 1e-6)));
  const out = new Uint8Array(size * size * 3);
  const { data, width, height } = image;
  const sum = [0, 0, 0];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      sum[0] = sum[1] = sum[2] = 0;
      for (let sy = 0; sy < k; sy++) {
        for (let sx = 0; sx < k; sx++) {
          const cx = x + (sx + 0.5) / k;
          const cy = y + (sy + 0.5) / k;
          const px = back.a * cx - back.b * cy + back.tx - 0.5;
          const py = back.b * cx + back.a * cy + back.ty - 0.5;
          const x0 = Math.floor(px);
          const y0 = Math.floor(py);
          const fx = px - x0;
          const fy = py - y0;
          for (let j = 0; j < 2; j++) {
            const yy = y0 + j;
            if (yy < 0 || yy >= height) continue;
            const wy = j === 0 ? 1 - fy : fy;
            for (let i = 0; i < 2; i++) {
              const xx = x0 + i;
              if (xx < 0 || xx >= width) continue;
              const w = wy * (i === 0 ? 1 - fx : fx);
              const o = (yy * width + xx) * 3;
              sum[0] += w * data[o]!;
              sum[1] += w * data[o + 1]!;
              sum[2] += w * data[o + 2]!;
            }
          }
        }
      }
      const o = (y * size + x) * 3;
      const n = k * k;
      out[o] = Math.round(sum[0]! / n);
      out[o + 1] = Math.round(sum[1]! / n);
      out[o + 2] = Math.round(sum[2]! / n);
    }
  }
  return out;
}

/**
 * Sharpness of a chip: the variance of the 4-neighbour Laplacian of its grey levels (0..255, Rec. 601
 * luma) over its middle half (the face, not the padding around it). In grey levels squared: a face in
 * focus at 150 px is in the hundreds; one blurred by a few pixels is under about 30.
 */
export function sharpness(chip: Uint8Array, size: number): number {
  const grey = new Float32Array(size * size);
  for (let i = 0; i < size * size; i++) grey[i] = 0.299 * chip[i * 3]! + 0.587 * chip[i * 3 + 1]! + 0.114 * chip[i * 3 + 2]!;
  const from = Math.floor(size / 4);
  const to = size - from;
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (let y = Math.max(1, from); y < Math.min(size - 1, to); y++) {
    for (let x = Math.max(1, from); x < Math.min(size - 1, to); x++) {
      const i = y * size + x;
      const v = grey[i - 1]! + grey[i + 1]! + grey[i - size]! + grey[i + size]! - 4 * grey[i]!;
      n++;
      const d = v - mean;
      mean += d / n;
      m2 += d * (v - mean);
    }
  }
  return n > 1 ? m2 / n : 0;
}

/**
 * How frontal a face is, 0..1, from its key points' symmetry: the nose tip's place between the eyes
 * (halfway: 1; over either eye or beyond: 0), and, with ears, how equal each eye's distance to its ear
 * is (a turned head hides one ear behind the face). The two are averaged.
 */
export function frontality(points: readonly Point[]): number {
  const [re, le, nose] = points;
  if (!re || !le || !nose) return 0;
  const ex = le[0] - re[0];
  const ey = le[1] - re[1];
  const eye2 = ex * ex + ey * ey;
  if (!(eye2 > 0)) return 0;
  const t = ((nose[0] - re[0]) * ex + (nose[1] - re[1]) * ey) / eye2;
  const noseTerm = Math.max(0, 1 - 2 * Math.abs(t - 0.5));
  const rear = points[4];
  const lear = points[5];
  if (!rear || !lear) return noseTerm;
  const dr = Math.hypot(rear[0] - re[0], rear[1] - re[1]);
  const dl = Math.hypot(lear[0] - le[0], lear[1] - le[1]);
  const earTerm = Math.max(dr, dl) > 0 ? Math.min(dr, dl) / Math.max(dr, dl) : 0;
  return (noseTerm + earTerm) / 2;
}
