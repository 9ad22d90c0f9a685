import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MANIFEST_FILE, type PackFile, type PackManifest, PackError } from './manifest.js';
import { connectionLost, unreachable } from './unreachable.js';

export const DEFAULT_BASE_URL = 'https://huggingface.co';

export interface DownloadProgress {
  file: string;
  fileBytes: number;
  fileTotal: number | null;
  bytes: number;
  total: number | null;
}

export interface DownloadOptions {
  packsDir: string;
  /** A mirror with Hugging Face's `<repo>/resolve/<revision>/<path>` layout. */
  baseUrl?: string;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
}

/** `https://huggingface.co/<owner>/<name>` -> `<owner>/<name>`. */
function sourceRepo(manifest: PackManifest): string {
  const match = /^https?:\/\/[^/]+\/([^/]+\/[^/]+?)\/?$/.exec(manifest.source.url);
  if (!match) throw new PackError(`${manifest.id}: source.url ${manifest.source.url} is not a Hugging Face repository URL`);
  return match[1]!;
}

export function fileUrl(manifest: PackManifest, file: PackFile, baseUrl: string): string {
  const repo = file.remote?.repo ?? sourceRepo(manifest);
  const revision = file.remote?.revision ?? manifest.source.revision;
  const path = file.remote?.path ?? file.path;
  return `${baseUrl.replace(/\/+$/, '')}/${repo}/resolve/${encodeURIComponent(revision)}/${path.split('/').map(encodeURIComponent).join('/')}`;
}

async function hashFile(path: string, algorithm: 'sha256' | 'sha1' = 'sha256', prefix?: string): Promise<ReturnType<typeof createHash>> {
  const hash = createHash(algorithm);
  if (prefix) hash.update(prefix);
  await pipeline(createReadStream(path), new Transform({ transform: (chunk: Buffer, _e, done) => (hash.update(chunk), done()) }));
  return hash;
}

/** Git's object id of a file's content: what Hugging Face sends as the ETag of a small (non-LFS) file. */
async function gitBlobSha1(path: string): Promise<string> {
  return (await hashFile(path, 'sha1', `blob ${(await stat(path)).size}\0`)).digest('hex');
}

function hexHeader(headers: Headers, name: string, length: 40 | 64): string | undefined {
  const value = headers.get(name)?.replace(/^W\//, '').replace(/"/g, '').trim().toLowerCase();
  return value && new RegExp(`^[0-9a-f]{${length}}$`).test(value) ? value : undefined;
}

/** What the server says a file is, from the first answer (Hugging Face puts it on the redirect, not on the CDN's answer). */
interface ServerClaim {
  sha256?: string;
  gitSha1?: string;
  size?: number;
}

function claimOf(headers: Headers): ServerClaim {
  const size = Number(headers.get('x-linked-size') ?? NaN);
  const sha256 = hexHeader(headers, 'x-linked-etag', 64) ?? hexHeader(headers, 'etag', 64);
  const gitSha1 = sha256 ? undefined : hexHeader(headers, 'etag', 40);
  return { ...(sha256 ? { sha256 } : {}), ...(gitSha1 ? { gitSha1 } : {}), ...(Number.isFinite(size) ? { size } : {}) };
}

/**
 * Requests a file the way Hugging Face serves it: the resolve URL answers a large (LFS) file with a
 * redirect to its CDN carrying X-Linked-Etag (the SHA-256) and X-Linked-Size, and a small file directly
 * with its git blob SHA-1 as the ETag. The redirect is followed by hand so those headers are kept; the
 * range (a resumed download) goes to wherever the file is served from.
 */
async function requestFile(url: string, range: string | undefined, signal: AbortSignal | undefined): Promise<{ response: Response; claim: ServerClaim }> {
  const headers: Record<string, string> = range ? { range } : {};
  const init = { headers, ...(signal ? { signal } : {}) };
  let response: Response;
  let asking = url;
  try {
    response = await fetch(url, { ...init, redirect: 'manual' });
    const claim = claimOf(response.headers);
    for (let hops = 0; response.status >= 300 && response.status < 400 && hops < 5; hops++) {
      const location = response.headers.get('location');
      if (!location) break;
      await response.body?.cancel();
      const next = new URL(location, url).href;
      asking = next;
      // Same host (a renamed repository): keep reading its headers; another host (the CDN): follow to the end.
      response = await fetch(next, { ...init, redirect: new URL(next).host === new URL(url).host ? 'manual' : 'follow' });
      const more = claimOf(response.headers);
      if (!claim.sha256 && !claim.gitSha1) Object.assign(claim, more.sha256 ? { sha256: more.sha256 } : more.gitSha1 ? { gitSha1: more.gitSha1 } : {});
      if (claim.size === undefined && more.size !== undefined) claim.size = more.size;
    }
    return { response, claim };
  } catch (error) {
    if (signal?.aborted) throw error; // paused or cancelled: not a failure
    throw unreachable(asking, error);
  }
}

/**
 * Downloads every file of a pack into a staging folder, resuming `.part` files with HTTP range
 * requests, verifying each file (size, and a hash: the manifest's pin, else the one the server sends;
 * none at all is a refusal), and installs the pack by renaming the staging folder into place, so a
 * half-downloaded or unverified pack is never used. The installed manifest records each file's
 * measured SHA-256 and how it was verified.
 */
export async function downloadPack(manifest: PackManifest, options: DownloadOptions): Promise<string> {
  const baseUrl = options.baseUrl ?? process.env.GLIMPSE_MODEL_BASE_URL ?? DEFAULT_BASE_URL;
  return downloadFiles(
    {
      id: manifest.id,
      files: manifest.files,
      urlOf: (file) => fileUrl(manifest, file, baseUrl),
      // The installed manifest records each file's measured SHA-256 and how it was verified.
      manifest: (verified) => ({ name: MANIFEST_FILE, json: { ...manifest, files: manifest.files.map((f) => ({ ...f, ...verified[f.path]! })) } }),
    },
    options,
  );
}

/** What `downloadFiles` fetches: a pack's files, where each one is, and the manifest to install with them. */
export interface FileSet {
  id: string;
  files: readonly PackFile[];
  urlOf: (file: PackFile) => string;
  manifest: (verified: Record<string, Verified>) => { name: string; json: unknown };
}

/**
 * The downloader every kind of pack goes through (search packs, the OCR pack): into a staging folder,
 * resuming, verifying each file, installed into `<packsDir>/<id>` by one rename.
 */
export async function downloadFiles(set: FileSet, options: Omit<DownloadOptions, 'baseUrl'>): Promise<string> {
  const staging = join(options.packsDir, '.staging', set.id);
  const target = join(options.packsDir, set.id);
  const known = set.files.every((f) => f.size !== undefined);
  const total = known ? set.files.reduce((sum, f) => sum + (f.size ?? 0), 0) : null;
  // What earlier, interrupted runs verified (a finished file without its record is checked again).
  const ledger = join(staging, '.verified.json');
  let verified: Record<string, Verified> = {};
  try {
    verified = JSON.parse(await readFile(ledger, 'utf8')) as Record<string, Verified>;
  } catch {
    // a fresh download
  }
  let doneBytes = 0;

  for (const file of set.files) {
    const final = join(staging, file.path);
    const part = `${final}.part`;
    await mkdir(dirname(final), { recursive: true });
    if (existsSync(final) && verified[file.path]) {
      doneBytes += (await stat(final)).size;
      continue;
    }
    if (existsSync(final)) await rename(final, part);
    const url = set.urlOf(file);
    let have = existsSync(part) ? (await stat(part)).size : 0;
    const { response, claim } = await requestFile(url, have > 0 ? `bytes=${have}-` : undefined, options.signal);
    if (response.status === 416 && have > 0) {
      await response.body?.cancel(); // the part already holds the whole file
    } else {
      if (response.status !== 200 && response.status !== 206) throw new PackError(`download of ${url} failed: HTTP ${response.status}`);
      if (!response.body) throw new PackError(`download of ${url} returned no body`);
      // 206 continues the part; 200 means the server sent the whole file (no range support): start over.
      if (response.status === 200) have = 0;
      const length = Number(response.headers.get('content-length') ?? NaN);
      const fileTotal = file.size ?? claim.size ?? (Number.isFinite(length) ? have + length : null);
      let fileBytes = have;
      // Progress counts what is in the part file, not what is on its way to it: a pause keeps exactly
      // the bytes the last progress said had arrived.
      const handle = await open(part, response.status === 206 ? 'a' : 'w');
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          handle.write(chunk).then(() => {
            fileBytes += chunk.length;
            options.onProgress?.({ file: file.path, fileBytes, fileTotal, bytes: doneBytes + fileBytes, total });
            done();
          }, done);
        },
      });
      try {
        await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), sink);
      } catch (error) {
        // The connection broke (a write that failed, a full disk, is said as it is).
        if (options.signal?.aborted || (error as { syscall?: string }).syscall === 'write' || (error as { code?: string }).code === 'ENOSPC') throw error;
        throw connectionLost(response.url || url, file.path, fileBytes, error);
      } finally {
        await handle.close();
      }
    }
    verified[file.path] = await verify(file, part, claim);
    await rename(part, final);
    await writeFile(ledger, JSON.stringify(verified));
    doneBytes += (await stat(final)).size;
  }

  const installed = set.manifest(verified);
  await rm(ledger, { force: true });
  await writeFile(join(staging, installed.name), JSON.stringify(installed.json, null, 2));
  const aside = join(options.packsDir, `.old-${set.id}-${process.pid}`);
  if (existsSync(target)) await rename(target, aside);
  await rename(staging, target);
  await rm(aside, { recursive: true, force: true });
  return target;
}

export interface Verified {
  sha256: string;
  verifiedBy: NonNullable<PackFile['verifiedBy']>;
}

/**
 * Checks a downloaded file: its size, then one hash, in order of trust: the manifest's SHA-256 or git
 * SHA-1, else the server's SHA-256 (LFS), else the server's git blob SHA-1. A file nothing vouches for is
 * refused. A bad file is deleted, so the next attempt starts clean.
 */
async function verify(file: PackFile, part: string, claim: ServerClaim): Promise<Verified> {
  const fail = async (message: string): Promise<never> => {
    await rm(part, { force: true });
    throw new PackError(message);
  };
  const size = (await stat(part)).size;
  const expectedSize = file.size ?? claim.size;
  if (expectedSize !== undefined && size !== expectedSize)
    await fail(`${file.path} is corrupt: expected ${expectedSize} bytes, got ${size}; the partial file was deleted, download again`);
  const sha256 = (await hashFile(part)).digest('hex');
  const check = async (kind: string, expected: string, actual: string, verifiedBy: Verified['verifiedBy']): Promise<Verified> => {
    if (expected !== actual) await fail(`${file.path} is corrupt: expected ${kind} ${expected.slice(0, 12)}…, got ${actual.slice(0, 12)}…; the partial file was deleted, download again`);
    return { sha256, verifiedBy };
  };
  if (file.sha256) return check('sha256', file.sha256, sha256, 'manifest');
  if (file.gitSha1) return check('git SHA-1', file.gitSha1, await gitBlobSha1(part), 'manifest');
  if (claim.sha256) return check('sha256', claim.sha256, sha256, 'server-sha256');
  if (claim.gitSha1) return check('git SHA-1', claim.gitSha1, await gitBlobSha1(part), 'server-git-sha1');
  return fail(`${file.path} cannot be verified: the manifest pins no hash for it and the server sent none (no X-Linked-Etag or ETag); it was not installed`);
}
