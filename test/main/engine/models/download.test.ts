import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { cp, readFile, readdir, truncate } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { downloadPack, type DownloadProgress } from '../../../../src/main/engine/models/download.js';
import { PackError, type PackManifest, readManifest } from '../../../../src/main/engine/models/manifest.js';
import { ModelPack } from '../../../../src/main/engine/models/pack.js';
import { catalogueOfPacks, importPack, resolvePack, verifyPack } from '../../../../src/main/engine/models/store.js';
import { tempDir } from '../../../fixtures.js';

const BUNDLED = fileURLToPath(new URL('../../../../models/tiny-coca', import.meta.url));
const REPO = 'glimpse-test/tiny-coca';
const REVISION = 'v1';

interface Behaviour {
  /** Drop the connection after this many bytes of this file, once. */
  cutOnce?: { path: string; after: number };
  /** Serve these files with some bytes flipped. */
  corrupt?: Set<string>;
  /** Send the file's SHA-256 as an x-linked-etag header (as Hugging Face does for LFS files). */
  etag?: 'right' | 'wrong';
}

/** A loopback server with Hugging Face's URL layout, serving the bundled pack's files, with Range support. */
function serve(behaviour: Behaviour) {
  const log: Array<{ path: string; range: string | undefined; bytes: number }> = [];
  const server: Server = createServer((req, res) => {
    const prefix = `/${REPO}/resolve/${REVISION}/`;
    if (!req.url?.startsWith(prefix)) return void res.writeHead(404).end();
    const path = decodeURIComponent(req.url.slice(prefix.length));
    let body: Buffer;
    try {
      body = readFileSync(join(BUNDLED, path));
    } catch {
      return void res.writeHead(404).end();
    }
    if (behaviour.corrupt?.has(path)) {
      body = Buffer.from(body);
      for (let i = 100; i < 200; i++) body[i] = body[i]! ^ 0xff;
    }
    const sha = createHash('sha256').update(readFileSync(join(BUNDLED, path))).digest('hex');
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes' };
    if (behaviour.etag) headers['x-linked-etag'] = `"${behaviour.etag === 'right' ? sha : sha.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'))}"`;
    const range = req.headers.range;
    let start = 0;
    if (range) {
      start = Number(/bytes=(\d+)-/.exec(range)?.[1] ?? 0);
      if (start >= body.length) return void res.writeHead(416, headers).end();
      headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    }
    const chunk = body.subarray(start);
    res.writeHead(range ? 206 : 200, { ...headers, 'content-length': String(chunk.length) });
    const cut = behaviour.cutOnce;
    if (cut && cut.path === path) {
      behaviour.cutOnce = undefined;
      log.push({ path, range, bytes: cut.after });
      res.write(chunk.subarray(0, cut.after), () => setTimeout(() => res.destroy(), 20));
      return;
    }
    log.push({ path, range, bytes: chunk.length });
    res.end(chunk);
  });
  return new Promise<{ baseUrl: string; log: typeof log; close: () => Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ baseUrl: `http://127.0.0.1:${port}`, log, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

async function remoteManifest(changes: (m: PackManifest) => void = () => undefined): Promise<PackManifest> {
  const manifest = structuredClone(await readManifest(BUNDLED));
  manifest.source = { url: `https://huggingface.co/${REPO}`, revision: REVISION };
  changes(manifest);
  return manifest;
}

async function sameFiles(a: string, b: string, manifest: PackManifest): Promise<void> {
  for (const f of manifest.files) assert.ok((await readFile(join(a, f.path))).equals(await readFile(join(b, f.path))), `${f.path} differs`);
}

describe('downloading a model pack', () => {
  const tmp = tempDir();
  after(() => tmp.remove());

  it('installs every file, verified, where the loader finds it, with monotonic progress', async () => {
    const server = await serve({});
    const packsDir = join(tmp.path, 'full');
    const manifest = await remoteManifest();
    const events: DownloadProgress[] = [];
    try {
      const dir = await downloadPack(manifest, { packsDir, baseUrl: server.baseUrl, onProgress: (p) => events.push(p) });
      assert.equal(dir, join(packsDir, 'tiny-coca'));
      assert.equal(await resolvePack(packsDir, 'tiny-coca'), dir);
      await sameFiles(dir, BUNDLED, manifest);
      assert.deepEqual(await verifyPack(dir), []);
      const total = manifest.files.reduce((s, f) => s + f.size!, 0);
      assert.ok(events.every((e, i) => i === 0 || e.bytes >= events[i - 1]!.bytes), 'progress never goes back');
      assert.equal(events.at(-1)?.bytes, total);
      assert.equal(events.at(-1)?.total, total);
      const pack = await ModelPack.open(dir, { device: 'cpu' });
      assert.equal((await pack.embedTexts(['a red circle']))[0]!.length, 128);
      await pack.close();
    } finally {
      await server.close();
    }
  });

  it('resumes an interrupted download with a range request', async () => {
    const big = 'onnx/vision_model.onnx';
    const server = await serve({ cutOnce: { path: big, after: 400_000 } });
    const packsDir = join(tmp.path, 'resume');
    const manifest = await remoteManifest();
    try {
      await assert.rejects(downloadPack(manifest, { packsDir, baseUrl: server.baseUrl }));
      const part = join(packsDir, '.staging', 'tiny-coca', `${big}.part`);
      assert.ok(existsSync(part), 'the partial file is kept');
      // What reached the disk before the cut: at most what the server sent (the socket may drop the rest).
      const kept = statSync(part).size;
      assert.ok(kept > 0 && kept <= 400_000, `kept ${kept} bytes`);
      assert.equal(existsSync(join(packsDir, 'tiny-coca')), false, 'nothing is installed yet');
      const dir = await downloadPack(manifest, { packsDir, baseUrl: server.baseUrl });
      const requests = server.log.filter((r) => r.path === big);
      assert.equal(requests.length, 2);
      assert.equal(requests[1]!.range, `bytes=${kept}-`, 'the second request asks for the rest only');
      const size = manifest.files.find((f) => f.path === big)!.size!;
      assert.ok(requests.reduce((s, r) => s + r.bytes, 0) < 1.5 * size, 'the resumed download does not start over');
      await sameFiles(dir, BUNDLED, manifest);
    } finally {
      await server.close();
    }
  });

  it('rejects a corrupted file with a clear error and installs nothing', async () => {
    const server = await serve({ corrupt: new Set(['onnx/text_model.onnx']) });
    const packsDir = join(tmp.path, 'corrupt');
    try {
      await assert.rejects(downloadPack(await remoteManifest(), { packsDir, baseUrl: server.baseUrl }), (error: unknown) => {
        assert.ok(error instanceof PackError);
        assert.match(error.message, /onnx\/text_model\.onnx is corrupt: expected sha256 [0-9a-f]+…, got [0-9a-f]+…/);
        return true;
      });
      assert.equal(existsSync(join(packsDir, 'tiny-coca')), false);
      assert.equal(existsSync(join(packsDir, '.staging', 'tiny-coca', 'onnx', 'text_model.onnx.part')), false, 'the bad part is deleted');
    } finally {
      await server.close();
    }
  });

  it("checks files against the server's SHA-256 etag when the manifest has no hashes", async () => {
    const unhashed = await remoteManifest((m) => m.files.forEach((f) => delete f.sha256));
    const good = await serve({ etag: 'right' });
    try {
      await sameFiles(await downloadPack(unhashed, { packsDir: join(tmp.path, 'etag'), baseUrl: good.baseUrl }), BUNDLED, unhashed);
    } finally {
      await good.close();
    }
    const bad = await serve({ etag: 'wrong' });
    try {
      await assert.rejects(downloadPack(unhashed, { packsDir: join(tmp.path, 'etag-bad'), baseUrl: bad.baseUrl }), /is corrupt: expected sha256/);
    } finally {
      await bad.close();
    }
  });

  it('says which URL failed when the server answers with an error', async () => {
    const server = await serve({});
    try {
      const manifest = await remoteManifest((m) => (m.source.revision = 'no-such-revision'));
      await assert.rejects(downloadPack(manifest, { packsDir: join(tmp.path, 'missing'), baseUrl: server.baseUrl }), /no-such-revision\/.*HTTP 404/);
    } finally {
      await server.close();
    }
  });
});

describe('importing a pack folder', () => {
  const tmp = tempDir();
  after(() => tmp.remove());

  it('copies a whole pack and checks it against its manifest', async () => {
    const dir = await importPack(BUNDLED, join(tmp.path, 'packs'));
    assert.deepEqual(await verifyPack(dir), []);
    assert.deepEqual((await readdir(join(tmp.path, 'packs'))).filter((n) => !n.startsWith('.')), ['tiny-coca']);
  });

  it('refuses a folder with a damaged file', async () => {
    const broken = join(tmp.path, 'broken');
    await cp(BUNDLED, broken, { recursive: true });
    await truncate(join(broken, 'onnx', 'decoder_model.onnx'), 1000);
    await assert.rejects(importPack(broken, join(tmp.path, 'packs2')), /onnx\/decoder_model\.onnx has 1000 bytes/);
    assert.equal(existsSync(join(tmp.path, 'packs2', 'tiny-coca')), false);
  });
});

describe('the downloadable packs', () => {
  it('all have valid manifests', async () => {
    const ids = (await catalogueOfPacks()).map((m) => m.id).sort();
    assert.deepEqual(ids, ['clip-vit-b32', 'mobileclip-s2', 'siglip2-vit-b16', 'siglip2-vit-b32-256', 'xlm-roberta-vit-b32']);
  });
});
