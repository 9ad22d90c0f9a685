import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { OutputInfo, Sharp } from 'sharp';
import { MAX_INPUT_PIXELS, type ModelInput, type RgbPixels } from './decode.js';
import { cutInputs, thumbnailOf } from './cut.js';

export type { ModelInput } from './decode.js';
import { type PhotoLook, lookOf } from './look.js';
import { errorText } from '../../../shared/error-text.js';

/** Files above this size are refused before reading (no photo is this big; a video or disk image may be). */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;
/** The decoded working copy every model input and the thumbnail are made from (JPEG shrink-on-load gets close to it). */
const WORKING_SIZE = 512;

// libvips and the EXIF reader load on first use (ARCHITECTURE.md, note "Loaded on first use").
let sharpModule: Promise<typeof import('sharp')> | undefined;
const libvips = async () => (await (sharpModule ??= import('sharp'))).default;
type ExifParse = (data: Buffer, options: { pick: string[]; gps: boolean }) => Promise<unknown>;
let exifModule: Promise<ExifParse> | undefined;
const parseExif = () =>
  (exifModule ??= import('exifr').then(
    ({ default: exifr }) =>
      (data, options) =>
        exifr.parse(data, options),
  ));

export class PhotoError extends Error {
  override name = 'PhotoError';
}

/**
 * A cheap content fingerprint: SHA-256 of the size and the first and last 64 KiB. It recognises a
 * moved or renamed file without reading all of it (a rescan of 100k photos must stay fast).
 */
const HASH_CHUNK = 64 * 1024;

function fingerprint(size: number, head: Uint8Array, tail: Uint8Array): string {
  return createHash('sha256').update(String(size)).update(head).update(tail).digest('hex').slice(0, 32);
}

export async function fileFingerprint(path: string, size: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(HASH_CHUNK, size));
    await handle.read(head, 0, head.length, 0);
    const tail = Buffer.alloc(Math.min(HASH_CHUNK, Math.max(0, size - head.length)));
    if (tail.length > 0) await handle.read(tail, 0, tail.length, size - tail.length);
    return fingerprint(size, head, tail);
  } finally {
    await handle.close();
  }
}

/** The same fingerprint as `fileFingerprint`, from bytes already in memory. */
export function bytesFingerprint(bytes: Uint8Array): string {
  const head = bytes.subarray(0, Math.min(HASH_CHUNK, bytes.length));
  const tail = bytes.subarray(Math.max(head.length, bytes.length - HASH_CHUNK));
  return fingerprint(bytes.length, head, tail);
}

function isHeif(bytes: Buffer): boolean {
  if (bytes.length < 12 || bytes.toString('latin1', 4, 8) !== 'ftyp') return false;
  return ['heic', 'heix', 'hevc', 'heim', 'heis', 'mif1', 'msf1'].includes(bytes.toString('latin1', 8, 12));
}

/** The file begins as a JPEG, PNG, GIF or WebP does: a decoder that cannot tell its format met a damaged one. */
function startsAsImage(bytes: Buffer | undefined): boolean {
  if (!bytes || bytes.length < 12) return false;
  const hex = bytes.toString('hex', 0, 4);
  return (
    hex.startsWith('ffd8ff') ||
    hex === '89504e47' ||
    bytes.toString('latin1', 0, 4) === 'GIF8' ||
    (bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP')
  );
}

/** Turns a decoder's error into a reason a person can act on (`bytes`: the file, when at hand). */
export function readableDecodeError(error: unknown, bytes?: Buffer): string {
  const message = errorText(error);
  if (/unsupported image format|bad seek|not a known file format|not in a known format/i.test(message))
    return startsAsImage(bytes) ? `damaged or truncated image data (${message.split('\n')[0]!.slice(0, 120)})` : 'not an image, or a format Glimpse cannot read';
  if (/pixel limit|exceeds pixel/i.test(message)) return `image is too large to decode safely (over ${MAX_INPUT_PIXELS / 1e6} megapixels)`;
  if (/premature end|truncated|unexpected end|corrupt|invalid|VipsJpeg|out of order|bad huffman|read error|decode/i.test(message))
    return `damaged or truncated image data (${message.split('\n')[0]!.slice(0, 120)})`;
  return message.split('\n')[0]!.slice(0, 200);
}

/** A sharp pipeline for any photo we accept; HEIC goes through libheif (WebAssembly), which sharp's prebuilt libvips lacks. */
async function openImage(bytes: Buffer): Promise<Sharp> {
  const options = { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' as const, sequentialRead: true };
  if (isHeif(bytes)) {
    // Loaded on first use (ARCHITECTURE.md, note "Loaded on first use").
    const { default: decodeHeic } = await import('heic-decode');
    const image = await decodeHeic({ buffer: bytes });
    if (image.width * image.height > MAX_INPUT_PIXELS) throw new PhotoError(`image is too large to decode safely (over ${MAX_INPUT_PIXELS / 1e6} megapixels)`);
    const sharp = await libvips();
    return sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
      ...options,
      raw: { width: image.width, height: image.height, channels: 4 },
    });
  }
  return (await libvips())(bytes, options);
}

/** The image upright (EXIF orientation applied), at most `size` pixels a side (JPEG shrink-on-load), as sRGB bytes without alpha. */
function uprightRgb(image: Sharp, size: number): Promise<{ data: Buffer; info: OutputInfo }> {
  return image
    .rotate()
    .resize(size, size, { fit: 'inside', withoutEnlargement: true, fastShrinkOnLoad: true })
    .flatten({ background: { r: 0, g: 0, b: 0 } })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
}

export interface PhotoMetadata {
  width: number;
  height: number;
  takenAt: string | null;
  camera: string | null;
  gps: { lat: number; lon: number } | null;
}

export interface PreparedPhoto {
  metadata: PhotoMetadata;
  /** The pixels for each requested model input, in the order asked. */
  inputs: RgbPixels[];
  thumbnail: Buffer;
  /** Its perceptual hash and sharpness, from the same working copy (near-duplicate stacks, best shot). */
  look: PhotoLook;
  /** The upright photo at up to `readSide` pixels, for reading its text (when asked for). */
  readImage?: RgbPixels;
}

export interface PrepareOptions {
  /** Also keep the decoded photo at up to this many pixels on its longer side, for OCR. */
  readSide?: number | undefined;
  /** An image smaller than this on its shorter side (pixels, upright) is not decoded: `TooSmallError`. */
  minSide?: number | undefined;
}

/** An image too small to be a photo (an icon, a sprite, a glyph): listed as skipped, with its size, never indexed. */
export class TooSmallError extends PhotoError {
  override name = 'TooSmallError';
  constructor(
    readonly width: number,
    readonly height: number,
    minSide: number,
  ) {
    super(`skipped: ${width} × ${height} px is smaller than a photo (an icon or a sprite?); images under ${minSide} px on a side are not indexed (the minPhotoSide setting)`);
  }
}

function isoDate(value: unknown): string | null {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) return null;
  return value.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

async function exifOf(bytes: Buffer): Promise<Pick<PhotoMetadata, 'takenAt' | 'camera' | 'gps'>> {
  try {
    const exif = (await (
      await parseExif()
    )(bytes, {
      pick: ['DateTimeOriginal', 'CreateDate', 'Make', 'Model', 'GPSLatitude', 'GPSLongitude', 'GPSLatitudeRef', 'GPSLongitudeRef'],
      gps: true,
    })) as Record<string, unknown> | undefined;
    if (!exif) return { takenAt: null, camera: null, gps: null };
    const make = typeof exif.Make === 'string' ? exif.Make.trim() : '';
    const model = typeof exif.Model === 'string' ? exif.Model.trim() : '';
    const camera = model.startsWith(make) ? model : [make, model].filter(Boolean).join(' ');
    const lat = exif.latitude;
    const lon = exif.longitude;
    return {
      takenAt: isoDate(exif.DateTimeOriginal) ?? isoDate(exif.CreateDate),
      camera: camera || null,
      gps: typeof lat === 'number' && typeof lon === 'number' && Number.isFinite(lat) && Number.isFinite(lon) ? { lat, lon } : null,
    };
  } catch {
    return { takenAt: null, camera: null, gps: null }; // unreadable EXIF is not a reason to skip the photo
  }
}

/**
 * Decodes a photo once, at a small working size (libvips shrinks JPEGs while decoding, so a 24 MP
 * photo never exists at full size in memory), with EXIF orientation applied; then cuts every model
 * input and the thumbnail from that working copy.
 */
export async function preparePhoto(bytes: Buffer, inputs: readonly ModelInput[], options: PrepareOptions = {}): Promise<PreparedPhoto> {
  // Reading text needs more pixels than the models' inputs: the working copy is then that large.
  const workingSize = Math.max(WORKING_SIZE, options.readSide ?? 0);
  const decode = async (): Promise<{ working: { data: Buffer; info: OutputInfo }; original: { width: number; height: number } }> => {
    const image = await openImage(bytes);
    const meta = await image.metadata();
    const swap = (meta.orientation ?? 1) >= 5;
    const original = { width: (swap ? meta.height : meta.width) ?? 0, height: (swap ? meta.width : meta.height) ?? 0 };
    const minSide = options.minSide ?? 0;
    if (Math.min(original.width, original.height) < minSide) throw new TooSmallError(original.width, original.height, minSide);
    return { working: await uprightRgb(image, workingSize), original };
  };
  let decoded: Awaited<ReturnType<typeof decode>>;
  try {
    try {
      decoded = await decode();
    } catch (error) {
      // libvips keeps its error text per thread; with several decodes at once a failure can arrive as
      // "Unknown error". Decoding again gives the real reason (or, if it was transient, the photo).
      if (error instanceof PhotoError || !/^(unknown error)?$/i.test((error as Error).message?.trim() ?? '')) throw error;
      decoded = await decode();
    }
  } catch (error) {
    throw error instanceof PhotoError ? error : new PhotoError(readableDecodeError(error, bytes));
  }
  const { working, original } = decoded;
  const upright = { data: new Uint8Array(working.data.buffer, working.data.byteOffset, working.data.length), width: working.info.width, height: working.info.height };
  const [pixels, thumbnail] = await Promise.all([cutInputs(upright, inputs), thumbnailOf(upright)]);
  const look = await lookOf(upright);
  return { metadata: { ...original, ...(await exifOf(bytes)) }, inputs: pixels, thumbnail, look, ...(options.readSide ? { readImage: upright } : {}) };
}

/** The upright photo at up to `readSide` pixels on its longer side, for reading its text (no thumbnail, no metadata). */
export async function decodeForReading(bytes: Buffer, readSide: number): Promise<RgbPixels> {
  try {
    const { data, info } = await uprightRgb(await openImage(bytes), readSide);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  } catch (error) {
    throw new PhotoError(error instanceof PhotoError ? error.message : readableDecodeError(error, bytes));
  }
}

/** The upright working copy a photo's look is measured on, without the rest of `preparePhoto` (the look backfill). */
export async function lookOfFile(bytes: Buffer): Promise<PhotoLook> {
  return lookOf(await decodeForReading(bytes, WORKING_SIZE));
}

/** Decodes one image file straight to a model input (search by example with a file from disk). */
export async function decodeFileForModel(bytes: Buffer, input: ModelInput): Promise<RgbPixels> {
  const prepared = await preparePhoto(bytes, [input]);
  return prepared.inputs[0]!;
}

/** A JPEG a browser can show, for formats it cannot (HEIC, TIFF, BMP): oriented, at most 2048 px. */
export async function browserPreview(bytes: Buffer): Promise<Buffer> {
  try {
    const image = await openImage(bytes);
    return await image.rotate().resize(2048, 2048, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 85 }).toBuffer();
  } catch (error) {
    throw new PhotoError(error instanceof PhotoError ? error.message : readableDecodeError(error, bytes));
  }
}
