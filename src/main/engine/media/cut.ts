import type { ModelInput, RgbPixels } from './decode.js';
import { RESIZE_FIT } from './decode.js';

/**
 * What is cut from a decoded, upright image, a photo's working copy or a video's frame alike: each
 * model's input, and the thumbnail the grid shows. One place, so photos and videos never drift apart.
 */

/** The longer side of a thumbnail, in pixels. */
export const THUMB_SIZE = 320;
/** WebP quality of thumbnails. */
const THUMB_QUALITY = 78;

// Loaded on first use (ARCHITECTURE.md, note "Loaded on first use").
let sharpModule: Promise<typeof import('sharp')> | undefined;
const libvips = async () => (await (sharpModule ??= import('sharp'))).default;
const rawOf = (image: RgbPixels) => ({ raw: { width: image.width, height: image.height, channels: 3 as const } });

/** Each model input (its size and how the image is fitted into it), in the order asked. */
export async function cutInputs(image: RgbPixels, inputs: readonly ModelInput[]): Promise<RgbPixels[]> {
  const sharp = await libvips();
  return Promise.all(
    inputs.map(async ({ size, resize }) => {
      const { data, info } = await sharp(image.data, rawOf(image))
        .resize(size, size, { fit: RESIZE_FIT[resize], kernel: 'cubic', background: { r: 0, g: 0, b: 0 } })
        .raw()
        .toBuffer({ resolveWithObject: true });
      return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
    }),
  );
}

/** The image's thumbnail: WebP, at most THUMB_SIZE a side, never enlarged. */
export async function thumbnailOf(image: RgbPixels): Promise<Buffer> {
  return (await libvips())(image.data, rawOf(image)).resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true }).webp({ quality: THUMB_QUALITY }).toBuffer();
}
