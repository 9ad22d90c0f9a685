import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GlimpseEngine, type UpdateSummary } from '../../../../src/main/engine/engine.js';
import { writeSceneVideo } from '../../../../src/scenes/scene-video.js';
import { LibraryWatcher, type WatchJob } from '../../../../src/main/engine/library/watcher.js';
import { searchParams } from '../../../../src/shared/api.js';
import { scene, tempDir, writeScene } from '../../../fixtures.js';

function nextJob(watcher: LibraryWatcher<UpdateSummary>, timeoutMs = 60_000): Promise<WatchJob<UpdateSummary>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no indexing job started within the time limit')), timeoutMs);
    watcher.once('job', (job) => {
      clearTimeout(timer);
      resolve(job);
    });
  });
}

describe('watching a library folder', () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Photos');
  const staging = join(tmp.path, 'staging');
  let engine: GlimpseEngine;
  let watcher: LibraryWatcher<UpdateSummary>;

  before(async () => {
    await mkdir(library, { recursive: true });
    await writeScene(join(staging, 'red.jpg'), scene([['red', 'circle']], 'grass', 'left', 1), { width: 800, height: 600 });
    await writeScene(join(staging, 'blue.jpg'), scene([['blue', 'square']], 'sand', 'right', 2), { width: 800, height: 600 });
    await writeSceneVideo(join(staging, 'kite.mp4'), [
      { scene: scene([['white', 'diamond']], 'plain', 'middle', 3), seconds: 6 },
      { scene: scene([['green', 'triangle']], 'sky', 'left', 4), seconds: 6 },
    ]);
    // Watching is what is tested here; reading text in the 500-photo burst would only slow it (test/main/engine/ocr).
    engine = await GlimpseEngine.open({ dataDir: join(tmp.path, 'data'), device: 'cpu', captions: false, ocr: false });
    engine.addFolder(library);
    // The app's own debounce (1.5 s): a shorter one split the 500-file burst into several jobs when the
    // machine was busy (chokidar's write-finish polling of 500 files let 0.4 s pass between two events).
    watcher = new LibraryWatcher(engine, { writeSettleMs: 300 });
    await watcher.watchAll();
  });
  after(async () => {
    await watcher.close();
    await engine.close();
    tmp.remove();
  });

  it('makes a file copied into the folder searchable', async () => {
    const job = nextJob(watcher);
    await mkdir(join(library, 'trip'));
    await copyFile(join(staging, 'red.jpg'), join(library, 'trip', 'red.jpg'));
    await copyFile(join(staging, 'blue.jpg'), join(library, 'trip', 'blue.jpg'));
    const done = await job;
    assert.equal(done.summary.indexing.indexed, 2);
    const { results } = await engine.search(searchParams.parse({ query: 'a red circle' }));
    assert.equal(results[0]?.name, 'red.jpg');
  });

  it('keeps the vectors of photos in a renamed folder', async () => {
    const before = engine.stores.photos.photoByPath(join(library, 'trip', 'red.jpg'))!;
    const job = nextJob(watcher);
    await rename(join(library, 'trip'), join(library, 'Trip to the coast'));
    const done = await job;
    assert.equal(done.summary.scan.moved, 2);
    assert.equal(done.summary.indexing.indexed, 0, 'nothing is embedded again');
    const after = engine.stores.photos.photoByPath(join(library, 'Trip to the coast', 'red.jpg'));
    assert.equal(after?.id, before.id);
  });

  it('drops a deleted file from the results', async () => {
    const job = nextJob(watcher);
    await unlink(join(library, 'Trip to the coast', 'blue.jpg'));
    await job;
    const { results } = await engine.search(searchParams.parse({ query: 'a blue square', all: true }));
    assert.ok(results.every((r) => r.name !== 'blue.jpg'));
  });

  it('picks up a new video and finds the moment in it', async () => {
    const job = nextJob(watcher);
    await copyFile(join(staging, 'kite.mp4'), join(library, 'kite.mp4'));
    const done = await job;
    assert.equal(done.summary.indexing.indexed, 1, JSON.stringify(engine.stores.photos.errors()));
    const top = (await engine.search(searchParams.parse({ query: 'a green triangle in the sky' }))).results[0];
    assert.equal(top?.name, 'kite.mp4');
    assert.ok(top.moment && top.moment.at >= 6, JSON.stringify(top.moment));
  });

  it('indexes a file written slowly only once it is complete', async () => {
    const bytes = await readFile(join(staging, 'blue.jpg'));
    const target = join(library, 'slow.jpg');
    const job = nextJob(watcher);
    await writeFile(target, bytes.subarray(0, 1000));
    for (let at = 1000; at < bytes.length; at += 20_000) {
      await new Promise((r) => setTimeout(r, 100));
      await writeFile(target, bytes.subarray(0, Math.min(bytes.length, at + 20_000)));
    }
    const done = await job;
    assert.equal(done.summary.indexing.errors, 0, JSON.stringify(engine.stores.photos.errors()));
    assert.equal(engine.stores.photos.photoByPath(target)?.status, 'indexed');
  });

  it('turns a burst of 500 files into one batched job', async () => {
    const job = nextJob(watcher, 300_000);
    const src = await readFile(join(staging, 'red.jpg'));
    await mkdir(join(library, 'burst'));
    // Each copy differs by a trailing byte so none is mistaken for a move of another.
    await Promise.all(Array.from({ length: 500 }, (_, i) => writeFile(join(library, 'burst', `b${i}.jpg`), Buffer.concat([src, Buffer.from([i & 255, i >> 8])]))));
    const done = await job;
    assert.equal(done.summary.scan.added, 500);
    assert.ok(done.events >= 500, `one job saw all ${done.events} events`);
    assert.equal(engine.stores.photos.counts(engine.pack.id).pending, 0);
  });
});

describe('watching a library folder on a drive that is unplugged and plugged back', () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Drive');
  let engine: GlimpseEngine;
  let watcher: LibraryWatcher<UpdateSummary>;

  before(async () => {
    await writeScene(join(library, 'red.jpg'), scene([['red', 'circle']], 'grass', 'left', 1), { width: 320, height: 240 });
    await writeScene(join(library, 'day', 'blue.jpg'), scene([['blue', 'square']], 'sand', 'right', 2), { width: 320, height: 240 });
    // Watching is what is tested here; reading text in the 500-photo burst would only slow it (test/main/engine/ocr).
    engine = await GlimpseEngine.open({ dataDir: join(tmp.path, 'data'), device: 'cpu', captions: false, ocr: false });
    engine.addFolder(library);
    await engine.update();
    watcher = new LibraryWatcher(engine, { debounceMs: 300, writeSettleMs: 200, offlinePollMs: 300 });
    await watcher.watchAll();
  });
  after(async () => {
    await watcher.close();
    await engine.close();
    tmp.remove();
  });

  it('keeps the photos while the drive is away and picks the folder up again by itself when it returns', async () => {
    const ids = [join(library, 'red.jpg'), join(library, 'day', 'blue.jpg')].map((p) => engine.stores.photos.photoByPath(p)!.id);
    await rename(library, join(tmp.path, 'elsewhere'));
    // The watcher may or may not hear of it (the OS watch moves with the folder); a scan certainly does.
    await engine.update();
    assert.deepEqual(
      engine.status().offline.map((o) => o.path),
      [library],
    );
    await rename(join(tmp.path, 'elsewhere'), library);
    const deadline = Date.now() + 30_000;
    while (engine.status().offline.length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(engine.status().offline, [], 'the returning folder is noticed without a restart');
    assert.deepEqual(
      [join(library, 'red.jpg'), join(library, 'day', 'blue.jpg')].map((p) => engine.stores.photos.photoByPath(p)!.id),
      ids,
    );
    // And it is watched again: a photo copied in now is indexed.
    const job = nextJob(watcher);
    await writeScene(join(library, 'new.jpg'), scene([['yellow', 'star']], 'night', 'top', 3), { width: 320, height: 240 });
    const done = await job;
    assert.equal(done.summary.scan.added, 1);
  });
});
