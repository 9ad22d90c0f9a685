import { extname } from 'node:path';

export type MediaKind = 'photo' | 'video';

/**
 * Every file format the library takes, one row each: adding a format is one entry here (the decoder
 * is chosen by content, not by name: libvips, or libheif for HEIF). `browser` is the type a browser is
 * told when it can show the file as it is; null means it is served as a JPEG preview (photos).
 */
const FORMATS: Readonly<Record<string, { kind: MediaKind; browser: string | null }>> = {
  '.jpg': { kind: 'photo', browser: 'image/jpeg' },
  '.jpeg': { kind: 'photo', browser: 'image/jpeg' },
  '.jpe': { kind: 'photo', browser: 'image/jpeg' },
  '.png': { kind: 'photo', browser: 'image/png' },
  '.webp': { kind: 'photo', browser: 'image/webp' },
  '.avif': { kind: 'photo', browser: 'image/avif' },
  '.gif': { kind: 'photo', browser: 'image/gif' },
  '.tif': { kind: 'photo', browser: null },
  '.tiff': { kind: 'photo', browser: null },
  '.heic': { kind: 'photo', browser: null },
  '.heif': { kind: 'photo', browser: null },
  '.bmp': { kind: 'photo', browser: null },
  '.mp4': { kind: 'video', browser: 'video/mp4' },
  '.m4v': { kind: 'video', browser: 'video/mp4' },
  // QuickTime files are the same container family as MP4; Chromium answers "no" for video/quicktime but
  // plays the H.264 ones served as MP4 (measured: canPlayType in Debian's Chromium).
  '.mov': { kind: 'video', browser: 'video/mp4' },
  '.webm': { kind: 'video', browser: 'video/webm' },
  '.mkv': { kind: 'video', browser: 'video/x-matroska' },
};

const formatOf = (path: string) => FORMATS[extname(path).toLowerCase()];

/** Extensions the scanner picks up as photos. */
export const PHOTO_EXTENSIONS: ReadonlySet<string> = new Set(Object.keys(FORMATS).filter((ext) => FORMATS[ext]!.kind === 'photo'));
/** Extensions the scanner picks up as videos. */
export const VIDEO_EXTENSIONS: ReadonlySet<string> = new Set(Object.keys(FORMATS).filter((ext) => FORMATS[ext]!.kind === 'video'));

export function isPhotoFile(path: string): boolean {
  return formatOf(path)?.kind === 'photo';
}

export function isVideoFile(path: string): boolean {
  return formatOf(path)?.kind === 'video';
}

/** A file the library takes: a photo or a video. */
export function isMediaFile(path: string): boolean {
  return formatOf(path) !== undefined;
}

export function mediaKindOf(path: string): MediaKind {
  return isVideoFile(path) ? 'video' : 'photo';
}

/** The type a browser is told the file is, when it can show it as it is (null: a photo served as a JPEG preview). */
export function browserType(path: string): string | null {
  return formatOf(path)?.browser ?? null;
}
