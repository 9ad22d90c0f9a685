/** How a photo is fitted into the model's square input, as named in a pack's preprocessing config. */
export type ResizeMode = 'crop' | 'squash' | 'letterbox';

/** Photos larger than this many pixels are refused before decoding (decompression bombs). */
export const MAX_INPUT_PIXELS = 200_000_000;

export interface RgbPixels {
  /** Interleaved RGB bytes, row-major (HWC). */
  data: Uint8Array;
  width: number;
  height: number;
}

/** A model's image input: its size, and how a photo is fitted into it. */
export interface ModelInput {
  size: number;
  resize: ResizeMode;
}

/** Each resize mode as libvips' fit: crop fills and cuts, squash stretches, letterbox pads. */
export const RESIZE_FIT: Record<ResizeMode, 'cover' | 'fill' | 'contain'> = { crop: 'cover', squash: 'fill', letterbox: 'contain' };
