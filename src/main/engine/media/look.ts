import type { RgbPixels } from './decode.js';

/**
 * How a photo looks, in two numbers kept with it: a 64-bit perceptual hash (near-duplicate stacks are
 * confirmed by it) and a sharpness measure (the best shot of a stack is the sharpest, then the largest).
 * Both come from pixels the pipeline has already decoded (its upright working copy), so no photo is
 * decoded a second time for them.
 */
export interface PhotoLook {
  /** DCT perceptual hash: 16 hex digits. */
  phash: string;
  /**
   * The same hash of the centre of the photo (INNER of each side): a crop of the photo is close to it,
   * where the whole photo's hash has moved with the zoom and shift. A pair is as far apart as the closest
   * of whole-to-whole, whole-to-centre and centre-to-whole.
   */
  inner: string;
  /** Variance of the Laplacian of the grey image at SHARPNESS_SIDE pixels on its longer side. */
  sharpness: number;
}

/** The grey image the DCT hash is computed from (pHash's 32 x 32), and the low frequencies it keeps (8 x 8). */
const HASH_SIDE = 32;
const HASH_KEEP = 8;
/** The centre's share of each side, for `inner`: a crop of up to 10% keeps about this much of the photo. */
const INNER = 0.9;
/** Sharpness is measured at one scale, so a smaller copy of a photo is not "sharper" for having fewer pixels. */
export const SHARPNESS_SIDE = 256;

let sharpModule: Promise<typeof import('sharp')> | undefined;
const libvips = async () => (await (sharpModule ??= import('sharp'))).default;

/** cos((2x + 1) u pi / 2N) for the 32-point DCT-II, computed once. */
const COSINES = (() => {
  const table = new Float64Array(HASH_KEEP * HASH_SIDE);
  for (let u = 0; u < HASH_KEEP; u++) for (let x = 0; x < HASH_SIDE; x++) table[u * HASH_SIDE + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * HASH_SIDE));
  return table;
})();

/**
 * The DCT hash of a 32 x 32 grey image: the 8 x 8 lowest frequencies of its 2-D DCT, each bit set when
 * that coefficient is above their median (the DC term excluded from the median, as pHash does).
 */
export function dctHash(grey: ArrayLike<number>): string {
  if (grey.length !== HASH_SIDE * HASH_SIDE) throw new Error(`dctHash needs a ${HASH_SIDE} x ${HASH_SIDE} grey image`);
  // Rows first (only the 8 frequencies kept), then columns.
  const rows = new Float64Array(HASH_SIDE * HASH_KEEP);
  for (let y = 0; y < HASH_SIDE; y++)
    for (let u = 0; u < HASH_KEEP; u++) {
      let s = 0;
      for (let x = 0; x < HASH_SIDE; x++) s += grey[y * HASH_SIDE + x]! * COSINES[u * HASH_SIDE + x]!;
      rows[y * HASH_KEEP + u] = s;
    }
  const coefficients = new Float64Array(HASH_KEEP * HASH_KEEP);
  for (let v = 0; v < HASH_KEEP; v++)
    for (let u = 0; u < HASH_KEEP; u++) {
      let s = 0;
      for (let y = 0; y < HASH_SIDE; y++) s += rows[y * HASH_KEEP + u]! * COSINES[v * HASH_SIDE + y]!;
      coefficients[v * HASH_KEEP + u] = s;
    }
  const median = [...coefficients.subarray(1)].sort((a, b) => a - b)[Math.floor((coefficients.length - 1) / 2)]!;
  let hex = '';
  for (let nibble = 0; nibble < 16; nibble++) {
    let n = 0;
    for (let b = 0; b < 4; b++) n = (n << 1) | (coefficients[nibble * 4 + b]! > median ? 1 : 0);
    hex += n.toString(16);
  }
  return hex;
}

/** Variance of the 4-neighbour Laplacian of a grey image (the usual focus measure). */
export function laplacianVariance(grey: Uint8Array, width: number, height: number): number {
  if (width < 3 || height < 3) return 0;
  let sum = 0;
  let squares = 0;
  for (let y = 1; y < height - 1; y++)
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const l = grey[i - 1]! + grey[i + 1]! + grey[i - width]! + grey[i + width]! - 4 * grey[i]!;
      sum += l;
      squares += l * l;
    }
  const n = (width - 2) * (height - 2);
  const mean = sum / n;
  return squares / n - mean * mean;
}

/**
 * A region of a grey image averaged down to HASH_SIDE x HASH_SIDE (each cell the mean of the pixels
 * whose centres fall in it; the nearest pixel when none does, for images under 32 px).
 */
export function boxDownsample(grey: Uint8Array, width: number, region: { left: number; top: number; width: number; height: number }): Float64Array {
  const out = new Float64Array(HASH_SIDE * HASH_SIDE);
  for (let cy = 0; cy < HASH_SIDE; cy++) {
    const y0 = region.top + Math.floor((cy * region.height) / HASH_SIDE);
    const y1 = Math.max(y0 + 1, region.top + Math.floor(((cy + 1) * region.height) / HASH_SIDE));
    for (let cx = 0; cx < HASH_SIDE; cx++) {
      const x0 = region.left + Math.floor((cx * region.width) / HASH_SIDE);
      const x1 = Math.max(x0 + 1, region.left + Math.floor(((cx + 1) * region.width) / HASH_SIDE));
      let sum = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += grey[y * width + x]!;
      out[cy * HASH_SIDE + cx] = sum / ((y1 - y0) * (x1 - x0));
    }
  }
  return out;
}

/**
 * The hash and sharpness of decoded, upright RGB pixels, from one grey copy at SHARPNESS_SIDE: libvips
 * makes it (one call; each call costs more than the arithmetic here), the hashes average it down.
 */
export async function lookOf(pixels: RgbPixels): Promise<PhotoLook> {
  const sharp = await libvips();
  const raw = { raw: { width: pixels.width, height: pixels.height, channels: 3 as const } };
  const { data, info } = await sharp(pixels.data, raw)
    .greyscale()
    .resize(SHARPNESS_SIDE, SHARPNESS_SIDE, { fit: 'inside', kernel: 'cubic' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  const innerW = Math.max(1, Math.round(width * INNER));
  const innerH = Math.max(1, Math.round(height * INNER));
  const centre = { left: Math.floor((width - innerW) / 2), top: Math.floor((height - innerH) / 2), width: innerW, height: innerH };
  return {
    phash: dctHash(boxDownsample(data, width, { left: 0, top: 0, width, height })),
    inner: dctHash(boxDownsample(data, width, centre)),
    sharpness: laplacianVariance(data, width, height),
  };
}

/** Two 64-bit hashes (hex) as 32-bit halves, for counting differing bits quickly. */
export function hashHalves(hex: string): [number, number] {
  return [Number.parseInt(hex.slice(0, 8), 16) >>> 0, Number.parseInt(hex.slice(8, 16), 16) >>> 0];
}

export function popcount32(n: number): number {
  n = n - ((n >>> 1) & 0x55555555);
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  return (((n + (n >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Bits that differ between two hashes (0-64). */
export function hammingDistance(a: string, b: string): number {
  const [a1, a2] = hashHalves(a);
  const [b1, b2] = hashHalves(b);
  return popcount32(a1 ^ b1) + popcount32(a2 ^ b2);
}

/** How far apart two looks are: the closest of whole-to-whole, whole-to-centre and centre-to-whole (a crop matches the centre). */
export function lookDistance(a: Pick<PhotoLook, 'phash' | 'inner'>, b: Pick<PhotoLook, 'phash' | 'inner'>): number {
  return Math.min(hammingDistance(a.phash, b.phash), hammingDistance(a.phash, b.inner), hammingDistance(a.inner, b.phash));
}
