// Downloads from a loopback server that behaves like Hugging Face: the hub answers a large (LFS) file
// with a 302 to a CDN on another host, carrying X-Linked-Etag (the SHA-256) and X-Linked-Size; the CDN
// serves the bytes (with ranges) under its own, unrelated ETag; a small file comes straight from the hub
// with its git blob SHA-1 as a (weak) ETag.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { downloadPack } from '../../../../src/main/engine/models/download.js';
import { type PackManifest, readManifest } from '../../../../src/main/engine/models/manifest.js';
import { ModelPack } from '../../../../src/main/engine/models/pack.js';
import { verifyPack } from '../../../../src/main/engine/models/store.js';
import { tempDir } from '../../../fixtures.js';

const BUNDLED = fileURLToPath(new URL('../../../../models/tiny-coca', import.meta.url));
const REPO = 'glimpse-test/tiny-coca';
const REVISION = 'main';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const gitSha1 = (bytes: Buffer) => createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
const isLfs = (path: string) => path.endsWith('.onnx');

interface HubBehaviour {
  /** What the hub says about files: the truth, a wrong hash, or nothing at all. */
  hashes: 'true' | 'wrong-lfs' | 'wrong-git' | 'none';
  /** The CDN drops the connection after this many bytes of this file, once. */
  cutOnce?: { path: string; after: number };
}

class FakeHub {
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
    res.end(chunk);
  }
}

/** The bundled pack's manifest as a real pack's is today: pinned to a branch, no sizes, no hashes. */
async function unpinnedManifest(): Promise<PackManifest> {
  const manifest = structuredClone(await readManifest(BUNDLED));
  manifest.source = { url: `https://huggingface.co/${REPO}`, revision: REVISION };
  for (const f of manifest.files) {
    delete f.sha256;
    delete f.size;
  }
  return manifest;
}

describe('downloading from a server that behaves like Hugging Face', () => {
  const hub = new FakeHub();
  const tmp = tempDir();
  before(() => hub.start());
  after(() => {
    hub.stop();
    tmp.remove();
  });

  it('verifies LFS files by the SHA-256 on the redirect and small files by their git SHA-1, and records how', async () => {
    hub.behaviour = { hashes: 'true' };
    const dir = await downloadPack(await unpinnedManifest(), { packsDir: join(tmp.path, 'ok'), baseUrl: hub.url('hub') });
    const installed = await readManifest(dir);
    for (const f of installed.files) {
      const bytes = readFileSync(join(dir, f.path));
      assert.ok(bytes.equals(readFileSync(join(BUNDLED, f.path))), `${f.path} is the hub's`);
      assert.equal(f.sha256, sha256(bytes), `${f.path}'s measured SHA-256 is recorded`);
      assert.equal(f.verifiedBy, isLfs(f.path) ? 'server-sha256' : 'server-git-sha1', f.path);
    }
    assert.deepEqual(await verifyPack(dir), [], 'and the recorded hashes check the installed pack from now on');
    assert.ok(
      hub.log.some((r) => r.host === 'cdn'),
      'the LFS bytes came from the CDN',
    );
    const pack = await ModelPack.open(dir, { device: 'cpu' });
    assert.equal((await pack.embedTexts(['a red circle']))[0]!.length, 128);
    await pack.close();
  });

  it('refuses an LFS file whose bytes do not match the X-Linked-Etag on the redirect', async () => {
    hub.behaviour = { hashes: 'wrong-lfs' };
    const packsDir = join(tmp.path, 'wrong-lfs');
    await assert.rejects(downloadPack(await unpinnedManifest(), { packsDir, baseUrl: hub.url('hub') }), /onnx\/\w+\.onnx is corrupt: expected sha256 [0-9a-f]{12}…, got/);
    assert.equal(existsSync(join(packsDir, 'tiny-coca')), false);
  });

  it('refuses a small file whose bytes do not match its git SHA-1 ETag', async () => {
    hub.behaviour = { hashes: 'wrong-git' };
    const packsDir = join(tmp.path, 'wrong-git');
    await assert.rejects(downloadPack(await unpinnedManifest(), { packsDir, baseUrl: hub.url('hub') }), /\.json is corrupt: expected git SHA-1 [0-9a-f]{12}…, got/);
    assert.equal(existsSync(join(packsDir, 'tiny-coca')), false);
  });

  it('refuses to install what nothing vouches for: no pin in the manifest and no hash from the server', async () => {
    hub.behaviour = { hashes: 'none' };
    const packsDir = join(tmp.path, 'none');
    await assert.rejects(
      downloadPack(await unpinnedManifest(), { packsDir, baseUrl: hub.url('hub') }),
      /cannot be verified: the manifest pins no hash for it and the server sent none .*it was not installed/,
    );
    assert.equal(existsSync(join(packsDir, 'tiny-coca')), false);
  });

  it('a pin in the manifest wins over what the server says', async () => {
    hub.behaviour = { hashes: 'wrong-lfs' }; // the server lies; the manifest's pins are right
    const manifest = await readManifest(BUNDLED);
    const pinned = { ...(await unpinnedManifest()), files: manifest.files };
    const dir = await downloadPack(pinned, { packsDir: join(tmp.path, 'pinned'), baseUrl: hub.url('hub') });
    assert.ok((await readManifest(dir)).files.every((f) => f.verifiedBy === 'manifest'));
  });

  it('resumes an interrupted LFS download through a fresh redirect, asking the CDN for the rest only', async () => {
    const big = 'onnx/vision_model.onnx';
    hub.behaviour = { hashes: 'true', cutOnce: { path: big, after: 300_000 } };
    hub.log = [];
    const packsDir = join(tmp.path, 'resume');
    await assert.rejects(downloadPack(await unpinnedManifest(), { packsDir, baseUrl: hub.url('hub') }));
    const kept = statSync(join(packsDir, '.staging', 'tiny-coca', `${big}.part`)).size;
    assert.ok(kept > 0 && kept <= 300_000);
    const dir = await downloadPack(await unpinnedManifest(), { packsDir, baseUrl: hub.url('hub') });
    const cdnRequests = hub.log.filter((r) => r.host === 'cdn' && r.path === big);
    assert.deepEqual(
      cdnRequests.map((r) => r.range),
      [undefined, `bytes=${kept}-`],
    );
    assert.equal(hub.log.filter((r) => r.host === 'hub' && r.path === big).length, 2, 'each attempt asks the hub first (CDN links expire)');
    assert.ok(readFileSync(join(dir, big)).equals(readFileSync(join(BUNDLED, big))));
    const vision = (await readManifest(dir)).files.find((f) => f.path === big)!;
    assert.equal(vision.verifiedBy, 'server-sha256', 'verified as a whole after resuming');
  });
});
