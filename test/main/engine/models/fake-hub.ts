// A loopback server that behaves like Hugging Face: the hub answers a large (LFS) file with a 302 to a
// CDN on another host, carrying X-Linked-Etag (the SHA-256) and X-Linked-Size; the CDN serves the bytes
// (with ranges) under its own, unrelated ETag; a small file comes straight from the hub with its git
// blob SHA-1 as a (weak) ETag. It serves the bundled tiny-coca from memory, or repositories of files on
// disk (the stand-in packs, hundreds of MB each) streamed with their hashes measured once.
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type PackManifest, readManifest } from '../../../../src/main/engine/models/manifest.js';

export const BUNDLED = fileURLToPath(new URL('../../../../models/tiny-coca', import.meta.url));
export const REPO = 'glimpse-test/tiny-coca';
export const REVISION = 'main';

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
export const gitSha1 = (bytes: Buffer) => createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
export const isLfs = (path: string) => path.endsWith('.onnx');

export interface HubBehaviour {
  /** What the hub says about files: the truth, a wrong hash, or nothing at all. */
  hashes: 'true' | 'wrong-lfs' | 'wrong-git' | 'none';
  /** The CDN drops the connection after this many bytes of this file, once. */
  cutOnce?: { path: string; after: number };
  /** The CDN sends this many bytes, then waits, and so on (a slow line, so a download can be paused mid-way). */
  throttle?: { bytes: number; everyMs: number };
}

/** A repository served from files on disk (cutOnce and throttle apply to in-memory files only). */
export interface DiskRepo {
  repo: string;
  revision: string;
  dir: string;
  files: string[];
}

interface Served {
  /** In memory (tiny-coca), or streamed from disk. */
  body?: Buffer;
  file?: string;
  size: number;
  hashes?: { sha256: string; gitSha1: string };
}

async function hashesOf(served: Served): Promise<{ sha256: string; gitSha1: string }> {
  if (served.body) return { sha256: sha256(served.body), gitSha1: gitSha1(served.body) };
  const sha = createHash('sha256');
  const git = createHash('sha1').update(`blob ${served.size}\0`);
  await pipeline(createReadStream(served.file!), async (chunks: AsyncIterable<Buffer>) => {
    for await (const chunk of chunks) {
      sha.update(chunk);
      git.update(chunk);
    }
  });
  return { sha256: sha.digest('hex'), gitSha1: git.digest('hex') };
}

export class FakeHub {
  behaviour: HubBehaviour = { hashes: 'true' };
  log: Array<{ host: 'hub' | 'cdn'; path: string; range?: string }> = [];
  /** Keyed by `<repo>@<revision>:<path>`. */
  private files = new Map<string, Served>();
  private hub: Server = createServer((req, res) => void this.serveHub(req.url ?? '', res).catch(() => res.destroy()));
  private cdn: Server = createServer((req, res) => void this.serveCdn(req.url ?? '', req.headers.range, res));

  /** Serves the bundled tiny-coca as `glimpse-test/tiny-coca` at `main`, or else the repositories given. */
  constructor(private readonly repos?: DiskRepo[]) {}

  async start(): Promise<void> {
    if (this.repos) {
      for (const r of this.repos) for (const path of r.files) this.files.set(`${r.repo}@${r.revision}:${path}`, { file: join(r.dir, path), size: statSync(join(r.dir, path)).size });
    } else {
      for (const f of (await readManifest(BUNDLED)).files) {
        const body = readFileSync(join(BUNDLED, f.path));
        this.files.set(`${REPO}@${REVISION}:${f.path}`, { body, size: body.length });
      }
    }
    await Promise.all([this.hub, this.cdn].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))));
  }

  /** A file's hashes, measured once. */
  private async hashes(served: Served): Promise<{ sha256: string; gitSha1: string }> {
    return (served.hashes ??= await hashesOf(served));
  }

  stop(): void {
    this.hub.close();
    this.cdn.close();
  }

  /** The CDN goes away while the hub still answers (its redirects then lead nowhere). */
  closeCdn(): Promise<void> {
    this.closedCdnUrl = this.url('cdn');
    this.cdn.closeAllConnections();
    return new Promise((resolve) => this.cdn.close(() => resolve()));
  }

  private closedCdnUrl: string | undefined;

  url(server: 'hub' | 'cdn'): string {
    if (server === 'cdn' && this.closedCdnUrl) return this.closedCdnUrl;
    // The CDN on "localhost", the hub on 127.0.0.1: two hosts, as huggingface.co and its CDN are.
    return `http://${server === 'hub' ? '127.0.0.1' : 'localhost'}:${((server === 'hub' ? this.hub : this.cdn).address() as AddressInfo).port}`;
  }

  private async serveHub(url: string, res: import('node:http').ServerResponse): Promise<void> {
    // /<owner>/<name>/resolve/<revision>/<path>
    const match = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url);
    const [repo, revision, path] = match ? [match[1]!, decodeURIComponent(match[2]!), decodeURIComponent(match[3]!)] : ['', '', ''];
    const key = `${repo}@${revision}:${path}`;
    const served = this.files.get(key);
    this.log.push({ host: 'hub', path });
    if (!served) return void res.writeHead(404).end('Entry not found');
    const { hashes } = this.behaviour;
    const truth = await this.hashes(served);
    const headers: Record<string, string> = { 'x-repo-commit': 'c0ffee'.padEnd(40, '0') };
    if (isLfs(path)) {
      if (hashes !== 'none') {
        const sha = hashes === 'wrong-lfs' ? sha256(Buffer.from('not this file')) : truth.sha256;
        Object.assign(headers, { 'x-linked-etag': `"${sha}"`, 'x-linked-size': String(served.size), etag: `"${sha}"` });
      }
      res.writeHead(302, { ...headers, location: `${this.url('cdn')}/repos/ab/cd/${truth.sha256}?X-Amz-Signature=abc&key=${encodeURIComponent(key)}` }).end();
      return;
    }
    if (hashes !== 'none') headers.etag = `W/"${hashes === 'wrong-git' ? gitSha1(Buffer.from('not this file')) : truth.gitSha1}"`;
    res.writeHead(200, { ...headers, 'content-length': String(served.size) });
    if (served.body) return void res.end(served.body);
    createReadStream(served.file!).pipe(res);
  }

  private serveCdn(url: string, range: string | undefined, res: import('node:http').ServerResponse): void {
    const key = new URL(url, 'http://cdn').searchParams.get('key') ?? '';
    const served = this.files.get(key);
    const path = key.slice(key.indexOf(':') + 1);
    this.log.push({ host: 'cdn', path, ...(range ? { range } : {}) });
    if (!served) return void res.writeHead(403).end('AccessDenied');
    // An S3-style ETag: says nothing about the file's SHA-256.
    const headers: Record<string, string> = { etag: `"${createHash('md5').update(key).digest('hex')}"`, 'accept-ranges': 'bytes' };
    const start = range ? Number(/bytes=(\d+)-/.exec(range)?.[1] ?? 0) : 0;
    if (start >= served.size) return void res.writeHead(416, headers).end();
    if (range) headers['content-range'] = `bytes ${start}-${served.size - 1}/${served.size}`;
    res.writeHead(range ? 206 : 200, { ...headers, 'content-length': String(served.size - start) });
    if (!served.body) return void createReadStream(served.file!, { start }).pipe(res);
    const chunk = served.body.subarray(start);
    const cut = this.behaviour.cutOnce;
    if (cut?.path === path) {
      this.behaviour.cutOnce = undefined;
      res.write(chunk.subarray(0, cut.after), () => setTimeout(() => res.destroy(), 20));
      return;
    }
    const throttle = this.behaviour.throttle;
    if (!throttle) return void res.end(chunk);
    let sent = 0;
    const next = () => {
      if (res.destroyed) return;
      if (sent >= chunk.length) return void res.end();
      res.write(chunk.subarray(sent, sent + throttle.bytes));
      sent += throttle.bytes;
      setTimeout(next, throttle.everyMs);
    };
    next();
  }
}

/** The bundled pack's manifest as a real pack's is today: pinned to a branch, no sizes, no hashes. */
export async function unpinnedManifest(): Promise<PackManifest> {
  const manifest = structuredClone(await readManifest(BUNDLED));
  manifest.source = { url: `https://huggingface.co/${REPO}`, revision: REVISION };
  for (const f of manifest.files) {
    delete f.sha256;
    delete f.size;
  }
  return manifest;
}

