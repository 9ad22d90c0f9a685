import sharp from 'sharp';
import { type Scene, sceneSvg } from './scene.js';

export interface RenderOptions {
  width: number;
  height: number;
  format?: 'jpeg' | 'png' | 'webp';
  quality?: number;
  /** EXIF written into the file, as a real camera would (JPEG and WebP only). */
  exif?: { make?: string; model?: string; takenAt?: Date; gps?: { lat: number; lon: number } };
}

function exifDate(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getUTCFullYear()}:${p(date.getUTCMonth() + 1)}:${p(date.getUTCDate())} ${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())}`;
}

/** A coordinate as EXIF's degrees, minutes and seconds (rationals as libvips reads them). */
function exifDms(value: number): string {
  const abs = Math.abs(value);
  const degrees = Math.floor(abs);
  const minutes = Math.floor((abs - degrees) * 60);
  const seconds = Math.round(((abs - degrees) * 60 - minutes) * 60 * 10_000);
  return `${degrees}/1 ${minutes}/1 ${seconds}/10000`;
}

/** Renders a scene to an encoded image file's bytes. */
export async function renderScene(scene: Scene, options: RenderOptions): Promise<Buffer> {
  let image = sharp(Buffer.from(sceneSvg(scene, options.width, options.height)), { limitInputPixels: false });
  const format = options.format ?? 'jpeg';
  if (options.exif && format !== 'png') {
    const { make, model, takenAt, gps } = options.exif;
    image = image.withExif({
      IFD0: { ...(make ? { Make: make } : {}), ...(model ? { Model: model } : {}) },
      ...(takenAt ? { IFD2: { DateTimeOriginal: exifDate(takenAt) } } : {}),
      ...(gps
        ? { IFD3: { GPSLatitudeRef: gps.lat < 0 ? 'S' : 'N', GPSLatitude: exifDms(gps.lat), GPSLongitudeRef: gps.lon < 0 ? 'W' : 'E', GPSLongitude: exifDms(gps.lon) } }
        : {}),
    });
  }
  if (format === 'png') return image.png().toBuffer();
  if (format === 'webp') return image.webp({ quality: options.quality ?? 85 }).toBuffer();
  return image.jpeg({ quality: options.quality ?? 88, mozjpeg: false }).toBuffer();
}
