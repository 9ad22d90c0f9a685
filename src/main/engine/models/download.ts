import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MANIFEST_FILE, type PackFile, type PackManifest, PackError } from './manifest.js';

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

async function hashFile(path: string): Promise<ReturnType<typeof createHash>> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), new Transform({ transform: (chunk: Buffer, _e, done) => (hash.update(chunk), done()) }));
  return hash;
}

function etagSha256(headers: Headers): string | undefined {
  for (const name of ['x-linked-etag', 'etag']) {
    const value = headers.get(name)?.replace(/^W\//, '').replace(/"/g, '').trim().toLowerCase();
    if (value && /^[0-9a-f]{64}$/.test(value)) return value;
  }
  return undefined;
}

/**
 * Downloads every file of a pack into a staging folder, resuming `.part` files with HTTP range
 * requests, verifying size and SHA-256 (from the manifest, or the server's LFS etag), and installs
 * the pack by renaming the staging folder into place, so a half-downloaded pack is never used.
 */
export async function downloadPack(manifest: PackManifest, options: DownloadOptions): Promise<string> {
  const baseUrl = options.baseUrl ?? process.env.GLIMPSE_MODEL_BASE_URL ?? DEFAULT_BASE_URL;
  const staging = join(options.packsDir, '.staging', manifest.id);
  const target = join(options.packsDir, manifest.id);
  const known = manifest.files.every((f) => f.size !== undefined);
  const total = known ? manifest.files.reduce((sum, f) => sum + (f.size ?? 0), 0) : null;
  let doneBytes = 0;

  for (const file of manifest.files) {
    const final = join(staging, file.path);
    const part = `${final}.part`;
    await mkdir(dirname(final), { recursive: true });
    if (existsSync(final)) {
      doneBytes += (await stat(final)).size;
      continue; // finished and verified in an earlier, interrupted run
    }
    const url = fileUrl(manifest, file, baseUrl);
    let have = existsSync(part) ? (await stat(part)).size : 0;
    const hash = have > 0 ? await hashFile(part) : createHash('sha256');
    let response: Response;
    try {
      response = await fetch(url, { headers: have > 0 ? { range: `bytes=${have}-` } : {}, ...(options.signal ? { signal: options.signal } : {}), redirect: 'follow' });
    } catch (error) {
      throw new PackError(`cannot reach ${url}: ${(error as Error).message}`);
    }
    let fileTotal = file.size ?? null;
    if (response.status === 416 && have > 0) {
      await response.body?.cancel();
    } else {
      if (response.status !== 200 && response.status !== 206) throw new PackError(`download of ${url} failed: HTTP ${response.status}`);
      // 206 continues the part; 200 means the server sent the whole file (no range support): start over.
      if (response.status === 200) have = 0;
      const fresh = response.status === 206 ? hash : createHash('sha256');
      const length = Number(response.headers.get('content-length') ?? NaN);
      if (fileTotal === null && Number.isFinite(length)) fileTotal = have + length;
      const expectedFromServer = file.sha256 ? undefined : etagSha256(response.headers);
      let fileBytes = have;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          fresh.update(chunk);
          fileBytes += chunk.length;
          options.onProgress?.({ file: file.path, fileBytes, fileTotal, bytes: doneBytes + fileBytes, total });
          done(null, chunk);
        },
      });
      if (!response.body) throw new PackError(`download of ${url} returned no body`);
      await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), counter, createWriteStream(part, { flags: response.status === 206 ? 'a' : 'w' }));
      await verify(file, part, fresh.digest('hex'), expectedFromServer);
      await rename(part, final);
      doneBytes += fileBytes;
      continue;
    }
    // 416: the part already holds the whole file.
    await verify(file, part, hash.digest('hex'), undefined);
    await rename(part, final);
    doneBytes += have;
  }

  await writeFile(join(staging, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
  const aside = join(options.packsDir, `.old-${manifest.id}-${process.pid}`);
  if (existsSync(target)) await rename(target, aside);
  await rename(staging, target);
  await rm(aside, { recursive: true, force: true });
  return target;
}

async function verify(file: PackFile, part: string, actual: string, serverSha: string | undefined): Promise<void> {
  const size = (await stat(part)).size;
  if (file.size !== undefined && size !== file.size) {
    await rm(part, { force: true });
    throw new PackError(`${file.path} is corrupt: expected ${file.size} bytes, got ${size}; the partial file was deleted, download again`);
  }
  const expected = file.sha256 ?? serverSha;
  if (expected && expected !== actual) {
    await rm(part, { force: true });
    throw new PackError(`${file.path} is corrupt: expected sha256 ${expected.slice(0, 12)}…, got ${actual.slice(0, 12)}…; the partial file was deleted, download again`);
  }
}
