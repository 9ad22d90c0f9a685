// A loopback server that behaves like Hugging Face: the hub answers a large (LFS) file with a 302 to a
// CDN on another host, carrying X-Linked-Etag (the SHA-256) and X-Linked-Size; the CDN serves the bytes
// (with ranges) under its own, unrelated ETag; a small file comes straight from the hub with its git
// blob SHA-1 as a (weak) ETag.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
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

export class FakeHub {
  behaviour: HubBehaviour = { hashes: 'true' };
  log: Array<{ host: 'hub' | 'cdn'; path: string; range?: string }> = [];
  private files = new Map<string, Buffer>();
  private hub: Server = createServer((req, res) => this.serveHub(req.url ?? '', res));
  private cdn: Server = createServer((req, res) => this.serveCdn(req.url ?? '', req.headers.range, res));

  async start(): Promise<void> {
    for (const f of (await readManifest(BUNDLED)).files) this.files.set(f.path, readFileSync(join(BUNDLED, f.path)));
    await Promise.all([this.hub, this.cdn].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))));
  }

  stop(): void {
    this.hub.close();
    this.cdn.close();
  }

  url(server: 'hub' | 'cdn'): string {
    // The CDN on "localhost", the hub on 127.0.0.1: two hosts, as huggingface.co and its CDN are.
    return `http://${server === 'hub' ? '127.0.0.1' : 'localhost'}:${((server === 'hub' ? this.hub : this.cdn).address() as AddressInfo).port}`;
  }

  private serveHub(url: string, res: import('node:http').ServerResponse): void {
    const prefix = `/${REPO}/resolve/${REVISION}/`;
    const path = decodeURIComponent(url.slice(prefix.length));
    const body = url.startsWith(prefix) ? this.files.get(path) : undefined;
    this.log.push({ host: 'hub', path });
    if (!body) return void res.writeHead(404).end('Entry not found');
    const { hashes } = this.behaviour;
    const headers: Record<string, string> = { 'x-repo-commit': 'c0ffee'.padEnd(40, '0') };
    if (isLfs(path)) {
      if (hashes !== 'none') {
        const sha = hashes === 'wrong-lfs' ? sha256(Buffer.from('not this file')) : sha256(body);
        Object.assign(headers, { 'x-linked-etag': `"${sha}"`, 'x-linked-size': String(body.length), etag: `"${sha}"` });
      }
      res.writeHead(302, { ...headers, location: `${this.url('cdn')}/repos/ab/cd/${sha256(body)}?X-Amz-Signature=abc&path=${encodeURIComponent(path)}` }).end();
      return;
    }
    if (hashes !== 'none') headers.etag = `W/"${hashes === 'wrong-git' ? gitSha1(Buffer.from('not this file')) : gitSha1(body)}"`;
    res.writeHead(200, { ...headers, 'content-length': String(body.length) }).end(body);
  }

  private serveCdn(url: string, range: string | undefined, res: import('node:http').ServerResponse): void {
    const path = new URL(url, 'http://cdn').searchParams.get('path') ?? '';
    const body = this.files.get(path);
    this.log.push({ host: 'cdn', path, ...(range ? { range } : {}) });
    if (!body) return void res.writeHead(403).end('AccessDenied');
    // An S3-style ETag (MD5): says nothing about the file's SHA-256.
    const headers: Record<string, string> = { etag: `"${createHash('md5').update(body).digest('hex')}"`, 'accept-ranges': 'bytes' };
    const start = range ? Number(/bytes=(\d+)-/.exec(range)?.[1] ?? 0) : 0;
    if (start >= body.length) return void res.writeHead(416, headers).end();
    if (range) headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    const chunk = body.subarray(start);
    res.writeHead(range ? 206 : 200, { ...headers, 'content-length': String(chunk.length) });
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

