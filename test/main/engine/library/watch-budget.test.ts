/**
 * Watching folders as real users have them (issue 27.1): a symbolic link loop (`a/b -> ..`, `a/c -> /`)
 * made the app's watcher walk the whole disk (46,000 folders, 4 GB) and the app stop answering, across
 * restarts. The scan and the watcher must follow links by one rule, the watcher must stay within a
 * budget and fall back to rescans past it, and the API must answer throughout.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { type ScanProblem, walkFolder } from '../../../../src/main/engine/library/scan.js';
import { LibraryWatcher } from '../../../../src/main/engine/library/watcher.js';
import { ApiHost } from '../../../../src/main/host/api-host.js';
import type { Reply } from '../../../../src/shared/api.js';
import { scene, tempDir, writeScene } from '../../../fixtures.js';

/** Asks the host for its status every 50 ms until `done` says so; returns the slowest answer (ms). */
async function statusLatencyUntil(host: ApiHost, done: (status: Extract<Reply<'status'>, { ok: true }>['result']) => boolean, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let slowest = 0;
  for (;;) {
    const asked = Date.now();
    const reply = (await host.handle('status', {})) as Reply<'status'>;
    slowest = Math.max(slowest, Date.now() - asked);
    assert.ok(reply.ok, JSON.stringify(reply));
    if (done(reply.result)) return slowest;
    if (Date.now() > deadline) throw new Error(`not done within ${timeoutMs} ms: ${JSON.stringify(reply.result.folders)} ${JSON.stringify(reply.result.photos)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = Date.now();
  await work();
  return Date.now() - started;
}

describe('a library folder with symbolic link loops in it', () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Photos');
  const elsewhere = join(tmp.path, 'Elsewhere');
  let host: ApiHost | undefined;

  before(async () => {
    await writeScene(join(library, 'a', 'x.jpg'), scene([['red', 'circle']], 'grass', 'left', 1), { width: 320, height: 240 });
    await writeScene(join(elsewhere, 'y.jpg'), scene([['blue', 'square']], 'sand', 'right', 2), { width: 320, height: 240 });
    await writeScene(join(tmp.path, 'z.jpg'), scene([['green', 'triangle']], 'sky', 'middle', 3), { width: 320, height: 240 });
    await symlink('..', join(library, 'a', 'b')); // back to the library folder
    await symlink('/', join(library, 'a', 'c')); // the root of the disk: a folder that holds everything
    await symlink(join(library, 'a'), join(library, 'again')); // a folder of the library, by another name
    await symlink(elsewhere, join(library, 'linked')); // a folder outside, linked in: followed, once
  });
  after(async () => {
    await host?.close();
    tmp.remove();
  });

  it('is walked by the scan one real folder at a time, the loops reported and not followed', async () => {
    const problems: ScanProblem[] = [];
    const listing = await walkFolder(library, problems);
    assert.deepEqual(listing.files.map((f) => f.path).sort(), [join(library, 'a', 'x.jpg'), join(library, 'linked', 'y.jpg')]);
    const loops = problems.filter((p) => /symbolic link loop/.test(p.error)).map((p) => p.path);
    assert.deepEqual(loops.sort(), [join(library, 'a', 'b'), join(library, 'a', 'c')]);
    assert.ok(!problems.some((p) => p.path === join(library, 'again')), 'a link within the library is simply not followed');
  });

  it('keeps the app answering while it watches the folder live, by the scan’s rule, and lets it close promptly', { timeout: 120_000 }, async () => {
    host = await ApiHost.open({ dataDir: join(tmp.path, 'data'), device: 'cpu', captions: false, ocr: false, watcherOptions: { debounceMs: 300, writeSettleMs: 200 } });
    const added = (await Promise.race([host.handle('addFolder', { path: library }), new Promise((r) => setTimeout(() => r(null), 10_000))])) as Reply<'addFolder'> | null;
    assert.ok(added?.ok, `adding the folder answers at once: ${JSON.stringify(added)}`);
    const slowest = await statusLatencyUntil(host, (s) => s.photos.indexed === 2 && s.progress.phase === 'idle', 60_000);
    assert.ok(slowest < 2000, `status answered within 2 s throughout (slowest ${slowest} ms)`);
    const status = (await host.handle('status', {})) as Reply<'status'>;
    assert.ok(status.ok);
    assert.equal(status.result.folders[0]?.watchNote, null, 'watched live');
    // A photo copied into the folder linked from outside arrives by the path the scan gives it.
    await copyFile(join(tmp.path, 'z.jpg'), join(elsewhere, 'z.jpg'));
    await statusLatencyUntil(host, (s) => s.photos.indexed === 3, 30_000);
    assert.ok(host.engine.stores.photos.photoByPath(join(library, 'linked', 'z.jpg')), 'found through the link, live');
    const closing = await timed(() => host!.close());
    host = undefined;
    assert.ok(closing < 5000, `closed in ${closing} ms`);
  });
});

describe('a library folder with more folders than the watcher watches live', () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Deep');
  const dataDir = join(tmp.path, 'data');
  let deepest = library;

  before(async () => {
    // A tree 120 folders deep, and 80 folders side by side: 200 folders.
    for (let i = 0; i < 120; i++) deepest = join(deepest, `d${i}`);
    await mkdir(deepest, { recursive: true });
    for (let i = 0; i < 80; i++) await mkdir(join(library, `side${i}`));
    await writeScene(join(library, 'first.jpg'), scene([['red', 'circle']], 'grass', 'left', 1), { width: 320, height: 240 });
    await writeScene(join(tmp.path, 'later.jpg'), scene([['blue', 'square']], 'sand', 'right', 2), { width: 320, height: 240 });
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu', captions: false, ocr: false });
    engine.addFolder(library);
    await engine.close();
  });
  after(() => tmp.remove());

  it('falls back to rescans past its budget of folders, says so, and still picks up new photos', { timeout: 120_000 }, async () => {
    const host = await ApiHost.open({ dataDir, device: 'cpu', captions: false, ocr: false, watcherOptions: { maxFolders: 50, pollMs: 500 } });
    try {
      const slowest = await statusLatencyUntil(host, (s) => s.photos.indexed === 1 && s.folders[0]?.watchNote !== null, 60_000);
      assert.ok(slowest < 2000, `status answered within 2 s throughout (slowest ${slowest} ms)`);
      const status = (await host.handle('status', {})) as Reply<'status'>;
      assert.ok(status.ok);
      assert.match(
        status.result.folders[0]?.watchNote ?? '',
        /^Not watched live: it holds more than 50 folders, more than Glimpse watches at once\. Changes are picked up by a rescan every 1 s\.$/,
      );
      await copyFile(join(tmp.path, 'later.jpg'), join(deepest, 'later.jpg'));
      await statusLatencyUntil(host, (s) => s.photos.indexed === 2, 30_000);
    } finally {
      const closing = await timed(() => host.close());
      assert.ok(closing < 5000, `closed in ${closing} ms`);
    }
  });

  it('falls back to rescans when listing the folders to watch takes longer than its budget of time', async () => {
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu', captions: false, ocr: false });
    const watcher = new LibraryWatcher(engine, { startMs: 0, pollMs: 60_000 });
    try {
      await watcher.watchAll();
      assert.match(
        engine.stores.folders.folders()[0]?.watch_note ?? '',
        /^Not watched live: listing its folders took longer than 0 s\. Changes are picked up by a rescan every 60 s\.$/,
      );
    } finally {
      await watcher.close();
      await engine.close();
    }
  });

  it('stops listing at once when it is closed while it starts', async () => {
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu', captions: false, ocr: false });
    const watcher = new LibraryWatcher(engine);
    try {
      const starting = watcher.watchAll();
      const closing = await timed(() => watcher.close());
      await starting;
      assert.ok(closing < 1000, `closed in ${closing} ms`);
      assert.equal((watcher as unknown as { watches: Map<number, unknown> }).watches.size, 0, 'no watch is left open');
    } finally {
      await engine.close();
    }
  });
});
