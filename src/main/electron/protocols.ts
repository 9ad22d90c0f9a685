/**
 * What the two app protocols serve, decided from the request's URL alone, with no Electron in sight
 * (main.ts turns the answer into a Response):
 *
 * - `glimpse-app://app/<path>`: a file of the built renderer, never anything outside its folder, with
 *   the Content-Security-Policy header on HTML;
 * - `glimpse-media://thumb/<id>` and `glimpse-media://full/<id>`: a photo id for the engine to look up
 *   (it answers only for indexed photos); `glimpse-media://thumb/<id>/<frame>`: a video frame's thumbnail.
 *
 * Anything else is refused with a status and a reason. Chromium canonicalises a standard scheme's URL
 * before main sees it (dot segments are gone by then); these checks do not rely on that.
 */
import { extname, isAbsolute, posix, resolve, sep, win32 } from 'node:path';
import { Readable } from 'node:stream';
import { parseRange, rangeResponse } from '../host/byte-range.js';
import { type MediaFile, openSameFile } from '../host/indexed-file.js';

export const APP_SCHEME = 'glimpse-app';
export const APP_HOST = 'app';
export const APP_INDEX = `${APP_SCHEME}://${APP_HOST}/index.html`;
export const MEDIA_SCHEME = 'glimpse-media';

/**
 * Sent as a header with the renderer's HTML; index.html carries the same policy in a meta tag. No
 * inline styles: Vite puts the components' <style> in a CSS file, and Svelte sets `style:` directives
 * and runs transitions through the CSSOM and the Web Animations API, which style-src does not govern.
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  `img-src 'self' ${MEDIA_SCHEME}: data:`,
  `media-src ${MEDIA_SCHEME}:`,
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export type Refusal = { kind: 'refuse'; status: 400 | 404 | 405; reason: string };
/** A renderer file to serve, with the response headers it gets. */
export type AppRoute = { kind: 'file'; path: string; mime: string; headers: Record<string, string> } | Refusal;
/** A photo to ask the engine for. */
export type MediaRoute = { kind: 'media'; mediaKind: 'thumb' | 'full'; id: number; frame?: number } | Refusal;

const refuse = (status: Refusal['status'], reason: string): Refusal => ({ kind: 'refuse', status, reason });

function parse(url: string, scheme: string): URL | Refusal {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refuse(400, 'not a URL');
  }
  if (parsed.protocol !== `${scheme}:`) return refuse(400, `not a ${scheme} URL`);
  if (parsed.username || parsed.password || parsed.port) return refuse(404, 'unknown host');
  return parsed;
}

const readOnly = (method: string) => method === 'GET' || method === 'HEAD';

/** A `..` segment, as typed or percent-encoded, with either slash, anywhere in the URL's text. */
const DOT_DOT = /(^|[/\\]|%2f|%5c)(\.|%2e){2}($|[/\\?#]|%2f|%5c)/i;
/**
 * Never in a renderer file's name (decoded): backslashes, control characters (NUL included), colons
 * (drive letters, streams) and percent signs (a second layer of encoding).
 */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const FORBIDDEN = /[\\\u0000-\u001f\u007f:%]/;
/** A segment that is empty, only dots and spaces, or ends in a dot or space (Windows drops those). */
const BAD_SEGMENT = /^$|^[. ]+$|[. ]$/;

/** The renderer's own document: nothing else may be loaded in, or navigated to by, the window. */
export function isAppDocument(url: string): boolean {
  const parsed = parse(url, APP_SCHEME);
  if ('kind' in parsed) return false;
  return parsed.host === APP_HOST && (parsed.pathname === '/' || parsed.pathname === '/index.html');
}

/** `glimpse-app://app/<path>` -> a file inside `rendererDir` (the Vite build), or a refusal. */
export function routeAppRequest(url: string, method: string, rendererDir: string): AppRoute {
  if (DOT_DOT.test(url)) return refuse(404, 'a path may not climb out of the app');
  const parsed = parse(url, APP_SCHEME);
  if ('kind' in parsed) return parsed;
  if (parsed.host !== APP_HOST) return refuse(404, 'unknown host');
  if (!readOnly(method)) return refuse(405, 'only GET and HEAD');
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return refuse(400, 'malformed percent-encoding');
  }
  const relative = path.replace(/^\//, '') || 'index.html';
  if (FORBIDDEN.test(relative)) return refuse(404, 'not a file name');
  if (posix.isAbsolute(relative) || win32.isAbsolute(relative) || isAbsolute(relative)) return refuse(404, 'an absolute path');
  if (relative.split('/').some((segment) => BAD_SEGMENT.test(segment))) return refuse(404, 'not a file name');
  const root = resolve(rendererDir);
  const file = resolve(root, relative);
  if (!file.startsWith(root + sep)) return refuse(404, 'a path may not climb out of the app');
  const ext = extname(file).toLowerCase();
  const mime = MIME[ext] ?? 'application/octet-stream';
  const headers: Record<string, string> = { 'content-type': mime, 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' };
  if (ext === '.html') headers['content-security-policy'] = CSP;
  return { kind: 'file', path: file, mime, headers };
}

/** `glimpse-media://thumb|full/<id>` -> the photo to ask the engine for, or a refusal. */
export function routeMediaRequest(url: string, method: string): MediaRoute {
  const parsed = parse(url, MEDIA_SCHEME);
  if ('kind' in parsed) return parsed;
  const mediaKind = parsed.host;
  if (mediaKind !== 'thumb' && mediaKind !== 'full') return refuse(404, 'unknown host');
  if (!readOnly(method)) return refuse(405, 'only GET and HEAD');
  if (parsed.search) return refuse(404, 'no query is taken');
  // A positive decimal id with no sign, leading zero, fraction or encoding; 15 digits are always safe.
  // A video frame's thumbnail: `thumb/<id>/<frame>`, the frame a decimal number of at most 4 digits.
  const match = /^\/([1-9]\d{0,14})(?:\/(0|[1-9]\d{0,3}))?\/?$/.exec(parsed.pathname);
  if (!match) return refuse(404, 'not a photo id');
  if (match[2] !== undefined && mediaKind !== 'thumb') return refuse(404, 'only thumbnails have frames');
  return { kind: 'media', mediaKind, id: Number(match[1]), ...(match[2] !== undefined ? { frame: Number(match[2]) } : {}) };
}

/** The headers a photo is served with. */
export function mediaHeaders(mime: string): Record<string, string> {
  return { 'content-type': mime, 'cache-control': 'private, max-age=300', 'x-content-type-options': 'nosniff' };
}

/**
 * The answer to a media request for a file the engine named: the whole file, or the byte range asked
 * for (206; 416 past the end), streamed from the file itself, since a video element seeks by ranges.
 * The engine checked the file and sent its identity; it is opened here again and served only if this
 * descriptor holds that same, unchanged file (so a path swapped since is never served). Null when it
 * does not, or cannot be read.
 */
export async function mediaFileResponse(file: MediaFile, request: { method: string; headers: { get(name: string): string | null } }): Promise<Response | null> {
  const opened = await openSameFile(file.path, file.identity);
  if (!opened.ok) return null;
  const size = opened.identity.size;
  const range = rangeResponse(parseRange(request.headers.get('range'), size), size);
  const headers = { ...mediaHeaders(file.mime), ...range.headers };
  if (range.status === 416 || request.method === 'HEAD') {
    await opened.handle.close();
    return new Response(null, { status: range.status, headers });
  }
  const body = Readable.toWeb(opened.handle.createReadStream({ start: range.start, end: range.end })) as ReadableStream<Uint8Array>;
  return new Response(body, { status: range.status, headers });
}
