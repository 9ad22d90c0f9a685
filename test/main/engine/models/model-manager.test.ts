// The model manager's two halves, with real components: downloads from a Hugging Face-like loopback
// server (paused, resumed after a "restart", cancelled), and switching a library to another pack while
// search keeps answering from the old one.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { type DownloadState, PackDownloads } from '../../../../src/main/engine/models/downloads.js';
import { readManifest } from '../../../../src/main/engine/models/manifest.js';
import { readSettings } from '../../../../src/main/engine/core/settings.js';
import { writeSampleLibrary } from '../../../../src/scenes/sample-library.js';
import { searchParams } from '../../../../src/shared/api.js';
import { installPackCopy, tempDir } from '../../../fixtures.js';
import { BUNDLED, FakeHub, unpinnedManifest } from './fake-hub.js';

function until(downloads: PackDownloads, test: (s: DownloadState) => boolean): Promise<DownloadState> {
  return new Promise((resolve) => {
    const listener = (s: DownloadState) => {
      if (!test(s)) return;
      downloads.off('change', listener);
      resolve(s);
    };
    downloads.on('change', listener);
  });
}

describe('downloads in the model manager', () => {
  const hub = new FakeHub();
  const tmp = tempDir();
  before(() => hub.start());
  after(() => {
    hub.stop();
    tmp.remove();
  });

  it('pauses with what arrived kept, shows it paused after a restart, and resumes from there to a verified install', async () => {
    hub.behaviour = { hashes: 'true', throttle: { bytes: 64 * 1024, everyMs: 15 } };
    hub.log = [];
    const packsDir = join(tmp.path, 'packs');
    const manifest = await unpinnedManifest();
    const first = new PackDownloads(packsDir, { baseUrl: hub.url('hub'), progressEveryMs: 0 });
    first.start(manifest);
    await until(first, (s) => s.phase === 'downloading' && s.bytes > 200_000);
    await first.pause(manifest.id);
    const paused = await first.state(manifest);
    assert.equal(paused?.phase, 'paused');
    assert.ok(paused.bytes > 200_000, `kept ${paused.bytes} bytes`);
    await first.close();

    const second = new PackDownloads(packsDir, { baseUrl: hub.url('hub'), progressEveryMs: 0 }); // the app started again
    const found = await second.state(manifest);
    assert.equal(found?.phase, 'paused', 'a download the last run left is shown as paused');
    assert.equal(found.bytes, paused.bytes);
    hub.behaviour = { hashes: 'true' };
    const installed = until(second, (s) => s.phase === 'installed' || s.phase === 'failed');
    second.start(manifest);
    assert.equal((await installed).phase, 'installed', JSON.stringify(await second.state(manifest)));
    assert.ok(
      hub.log.some((r) => r.host === 'cdn' && r.range !== undefined),
      'the resumed download asked for the rest with a range',
    );
    const dir = join(packsDir, manifest.id);
    for (const f of (await readManifest(dir)).files) assert.ok(readFileSync(join(dir, f.path)).equals(readFileSync(join(BUNDLED, f.path))), f.path);
    assert.equal(await second.state(manifest), null, 'nothing is left staged');
  });

  it('cancels: the transfer stops and what arrived is deleted', async () => {
    hub.behaviour = { hashes: 'true', throttle: { bytes: 32 * 1024, everyMs: 20 } };
    const packsDir = join(tmp.path, 'cancel');
    const manifest = await unpinnedManifest();
    const downloads = new PackDownloads(packsDir, { baseUrl: hub.url('hub'), progressEveryMs: 0 });
    downloads.start(manifest);
    await until(downloads, (s) => s.bytes > 100_000);
    await downloads.cancel(manifest.id);
    assert.equal(await downloads.state(manifest), null);
    assert.equal(existsSync(join(packsDir, '.staging', manifest.id)), false);
    assert.equal(existsSync(join(packsDir, manifest.id)), false);
  });

  it('reports a failed verification as failed, with the reason, and installs nothing', async () => {
    hub.behaviour = { hashes: 'wrong-lfs' };
    const packsDir = join(tmp.path, 'failed');
    const manifest = await unpinnedManifest();
    const downloads = new PackDownloads(packsDir, { baseUrl: hub.url('hub') });
    const end = until(downloads, (s) => s.phase === 'failed' || s.phase === 'installed');
    downloads.start(manifest);
    const state = await end;
    assert.equal(state.phase, 'failed');
    assert.match(state.error ?? '', /is corrupt: expected sha256/);
    assert.equal(existsSync(join(packsDir, manifest.id)), false);
  });
});

describe('switching a library to another pack', () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Photos');
  const dataDir = join(tmp.path, 'data');
  const COUNT = 40;

  before(async () => {
    await writeSampleLibrary(library, { count: COUNT, width: 320, height: 240 });
    await installPackCopy(dataDir, 'tiny-coca-b');
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu', captions: false });
    engine.addFolder(library);
    await engine.update();
    await engine.close();
  });
  after(() => tmp.remove());

  const ranking = async (engine: GlimpseEngine) => (await engine.search(searchParams.parse({ query: 'a red circle', limit: 10 }))).results.map((r) => r.path);

  it('keeps searching with the old pack while the new one embeds, and continues after an interruption', async () => {
    let engine = await GlimpseEngine.open({ dataDir, device: 'cpu', captions: false });
    const before = await ranking(engine);
    assert.ok(before.length > 0);
    let duringSwitch: { model: string; switching: string | undefined; results: string[] } | undefined;
    let stopAt = 0;
    const interrupted = await engine.switchModel('tiny-coca-b', {
      onProgress: (p) => {
        if (p.done < 8 || stopAt) return;
        stopAt = p.done;
        engine.cancel(); // the user stops it (or closes the app) part-way
        const status = engine.status();
        void ranking(engine).then((results) => (duringSwitch = { model: status.model.id, switching: status.model.switchingTo?.id, results }));
      },
    });
    assert.equal(interrupted.switched, false);
    assert.ok(duringSwitch, 'searched during the switch');
    assert.equal(duringSwitch.model, 'tiny-coca', 'search used the old pack');
    assert.equal(duringSwitch.switching, 'tiny-coca-b');
    assert.deepEqual(duringSwitch.results, before, 'and answered as before');
    assert.equal(engine.pack.id, 'tiny-coca');
    assert.equal(readSettings(dataDir).nextModel, 'tiny-coca-b', 'the intent is kept for the next run');
    const made = engine.stores.photos.counts('tiny-coca-b').indexed;
    assert.ok(made > 0 && made < COUNT, `${made} photos had vectors of the new pack when it stopped`);
    await engine.close();

    engine = await GlimpseEngine.open({ dataDir, device: 'cpu', captions: false });
    try {
      assert.equal(engine.settings.nextModel, 'tiny-coca-b');
      const resumed = await engine.switchModel(engine.settings.nextModel!);
      assert.equal(resumed.switched, true);
      assert.equal(resumed.indexing?.indexed, COUNT - made, 'only the photos not yet embedded were embedded');
      assert.equal(engine.pack.id, 'tiny-coca-b');
      assert.equal(engine.status().model.switchingTo, null);
      assert.equal(readSettings(dataDir).model, 'tiny-coca-b');
      assert.equal(readSettings(dataDir).nextModel, undefined);
      assert.deepEqual(await ranking(engine), before, 'the same weights under another id rank the same');
    } finally {
      await engine.close();
    }
    const reopened = await GlimpseEngine.open({ dataDir, device: 'cpu', captions: false, access: 'read' });
    assert.equal(reopened.pack.id, 'tiny-coca-b', 'and the next start uses it');
    await reopened.close();
  });
});
