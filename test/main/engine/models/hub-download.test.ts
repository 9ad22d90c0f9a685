// Downloads from a loopback server that behaves like Hugging Face (fake-hub.ts).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { downloadPack } from '../../../../src/main/engine/models/download.js';
import { readManifest } from '../../../../src/main/engine/models/manifest.js';
import { ModelPack } from '../../../../src/main/engine/models/pack.js';
import { verifyPack } from '../../../../src/main/engine/models/store.js';
import { tempDir } from '../../../fixtures.js';
import { BUNDLED, FakeHub, isLfs, sha256, unpinnedManifest } from './fake-hub.js';

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
