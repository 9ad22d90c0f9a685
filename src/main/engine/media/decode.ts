import sharp from 'sharp';

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

const FIT: Record<ResizeMode, 'cover' | 'fill' | 'contain'> = { crop: 'cover', squash: 'fill', letterbox: 'contain' };

/**
 * Decodes an image file (or its bytes) straight to the model's input size: EXIF orientation applied,
 * JPEG shrink-on-load used by libvips so a 24 MP photo never decodes at full size, alpha flattened.
 */
export async function decodeForModel(
  source: string | Buffer,
  width: number,
  height: number,
  mode: ResizeMode,
): Promise<RgbPixels> {
  const { data, info } = await sharp(source, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
    .rotate()
    .resize(width, height, { fit: FIT[mode], kernel: 'cubic', background: { r: 0, g: 0, b: 0 } })
    .flatten({ background: { r: 0, g: 0, b: 0 } })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}
