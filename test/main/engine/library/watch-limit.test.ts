import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { LibraryWatcher } from '../../../../src/main/engine/library/watcher.js';
import { scene, tempDir, writeScene } from '../../../fixtures.js';

describe('when the OS refuses more file watches', () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Photos');
  let engine: GlimpseEngine;
  let watcher: LibraryWatcher;

  before(async () => {
    await mkdir(library, { recursive: true });
    await writeScene(join(tmp.path, 'x.jpg'), scene([['red', 'circle']], 'grass', 'left', 1), { width: 640, height: 480 });
    engine = await GlimpseEngine.open({ dataDir: join(tmp.path, 'data'), device: 'cpu', captions: false });
    engine.addFolder(library);
    watcher = new LibraryWatcher(engine, { pollMs: 300 });
  });
  after(async () => {
    await watcher.close();
    await engine.close();
    tmp.remove();
  });

  it('falls back to periodic reconciliation for that folder and tells the user', async () => {
    const folder = engine.stores.folders.folders()[0]!;
    const notices: string[] = [];
    watcher.on('fallback', ({ reason }) => notices.push(reason));
    // What an OS watch reports when inotify's max_user_watches is exhausted.
    const error = Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), { code: 'ENOSPC' });
    await watcher.watchFolder(folder);
    type Internals = { watches: Map<number, { dirs: Map<string, { handle: { emit: (e: string, x: unknown) => void } }> }> };
    (watcher as unknown as Internals).watches.get(folder.id)!.dirs.get(library)!.handle.emit('error', error);
    assert.equal(notices.length, 1);
    assert.match(engine.stores.folders.folders()[0]!.watch_note ?? '', /file-watch limit/);
    await copyFile(join(tmp.path, 'x.jpg'), join(library, 'x.jpg'));
    const deadline = Date.now() + 20_000;
    while (engine.stores.photos.counts(engine.pack.id).indexed < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(engine.stores.photos.counts(engine.pack.id).indexed, 1, 'the periodic reconciliation indexed the new photo');
  });
});
