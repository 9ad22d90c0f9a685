import sharp from 'sharp';
import { type Scene, sceneSvg } from './scene.js';

export interface RenderOptions {
  width: number;
  height: number;
  format?: 'jpeg' | 'png' | 'webp';
  quality?: number;
  /** EXIF written into the file, as a real camera would (JPEG and WebP only). */
  exif?: { make?: string; model?: string; takenAt?: Date };
}

function exifDate(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getUTCFullYear()}:${p(date.getUTCMonth() + 1)}:${p(date.getUTCDate())} ${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())}`;
}

/** Renders a scene to an encoded image file's bytes. */
export async function renderScene(scene: Scene, options: RenderOptions): Promise<Buffer> {
  let image = sharp(Buffer.from(sceneSvg(scene, options.width, options.height)), { limitInputPixels: false });
  const format = options.format ?? 'jpeg';
  if (options.exif && format !== 'png') {
    const { make, model, takenAt } = options.exif;
    image = image.withExif({
      IFD0: { ...(make ? { Make: make } : {}), ...(model ? { Model: model } : {}) },
      ...(takenAt ? { IFD2: { DateTimeOriginal: exifDate(takenAt) } } : {}),
    });
  }
  if (format === 'png') return image.png().toBuffer();
  if (format === 'webp') return image.webp({ quality: options.quality ?? 85 }).toBuffer();
  return image.jpeg({ quality: options.quality ?? 88, mozjpeg: false }).toBuffer();
}
