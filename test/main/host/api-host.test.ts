import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { ApiHost } from '../../../src/main/host/api-host.js';
import { identityOf } from '../../../src/main/host/indexed-file.js';
import type { Reply } from '../../../src/shared/api.js';
import { scene, tempDir, writeScene } from '../../fixtures.js';

const execFileAsync = promisify(execFile);

describe('the API host (behind Electron IPC and web mode alike)', () => {
  const tmp = tempDir();
  let host: ApiHost;

  before(async () => {
    await writeScene(join(tmp.path, 'Photos', 'a.jpg'), scene([['red', 'circle']], 'grass', 'left', 1), { width: 640, height: 480 });
    // Whole seconds: a copy given the same mtime then has the catalogued (rounded) value exactly.
    await utimes(join(tmp.path, 'Photos', 'a.jpg'), new Date('2024-06-01T12:00:00Z'), new Date('2024-06-01T12:00:00Z'));
    host = await ApiHost.open({ dataDir: join(tmp.path, 'data'), device: 'cpu', watch: false });
  });
  after(async () => {
    await host.close();
    tmp.remove();
  });

  it('answers hostile and malformed calls with an error reply, never an exception', async () => {
    const hostile: Array<[unknown, unknown]> = [
      [undefined, undefined],
      [null, {}],
      [42, {}],
      ['constructor', {}],
      ['__proto__', {}],
      ['hasOwnProperty', {}],
      ['search', 'not an object'],
      ['search', { query: 'x'.repeat(5000) }],
      ['search', { query: 'x', limit: 1e9 }],
      ['search', { query: 'x', after: 'yesterday' }],
      ['photo', { id: -1 }],
      ['photo', { id: 1.5 }],
      ['photo', { id: '1; DROP TABLE photos' }],
      ['setCaption', { id: 1, text: 'x', extra: true }],
      ['addFolder', { path: '' }],
      ['addFolder', { path: '/definitely/not/here' }],
      ['controlIndexing', { action: 'format-disk' }],
      ['status', { __proto__: { polluted: true } }],
      ['setFavourite', { ids: [], favourite: true }],
      ['setFavourite', { ids: [424242], favourite: true }],
      ['setFavourite', { ids: [1], favourite: 'yes' }],
      ['timeline', { month: '2024-13' }],
      ['timeline', { cursor: { takenAt: "2024' OR 1=1 --", id: 1 } }],
      ['timelineMonths', { folder: 7 }],
      ['browseFolders', { path: '/etc' }],
      ['browseFolders', { path: '../..' }],
      ['exportPhotos', { ids: [424242], destination: '/tmp' }],
      ['exportPhotos', { ids: [1], destination: '/etc' }],
    ];
    for (const [method, params] of hostile) {
      const reply = await host.handle(method, params);
      assert.equal(reply.ok, false, `${String(method)} ${JSON.stringify(params)?.slice(0, 60)} should be refused`);
      assert.ok(!reply.ok && reply.error.length > 0 && reply.error.length < 400, 'with a short, readable reason');
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const status = await host.handle('status', {});
    assert.equal(status.ok, true, 'and it keeps working');
  });

  it('serves media only for indexed photos', async () => {
    const added = await host.handle('addFolder', { path: join(tmp.path, 'Photos') });
    assert.equal(added.ok, true);
    await host.engine.update();
    const id = host.engine.stores.photos.photoByPath(join(tmp.path, 'Photos', 'a.jpg'))!.id;
    assert.ok(await host.mediaFile('thumb', id));
    assert.equal(await host.mediaFile('thumb', id + 1000), null);
    assert.equal(await host.mediaFile('full', Number.NaN), null);
    assert.equal(await host.mediaFile('full', -id), null);
  });

  it("serves a photo's file only while its path holds the file that was indexed (what Electron's main process then opens)", { timeout: 30_000 }, async () => {
    const photo = join(tmp.path, 'Photos', 'a.jpg');
    const id = host.engine.stores.photos.photoByPath(photo)!.id;
    const indexed = await host.mediaFile('full', id);
    assert.ok(indexed);
    assert.equal(indexed.path, photo);
    assert.deepEqual(indexed.identity, identityOf(await stat(photo, { bigint: true })), 'the identity of the file it checked');
    const { mtime } = await stat(photo);
    await rename(photo, join(tmp.path, 'kept.jpg'));
    const secret = join(tmp.path, 'secret.txt');
    await writeFile(secret, 'root:x:0:0:root:/root:/bin/bash\n');
    const replacements: Array<[string, () => Promise<unknown>, boolean]> = [
      ['a link to a file outside the library', () => symlink(secret, photo), false],
      ['a link to /etc/passwd', () => symlink('/etc/passwd', photo), false],
      ['a FIFO', () => execFileAsync('mkfifo', [photo]), false],
      ['nothing', async () => undefined, false],
      ['the same bytes, another mtime', () => copyFile(join(tmp.path, 'kept.jpg'), photo), false],
      [
        'a link to the same bytes and mtime inside the library',
        async () => {
          await copyFile(join(tmp.path, 'kept.jpg'), join(tmp.path, 'Photos', 'copy.jpg'));
          await utimes(join(tmp.path, 'Photos', 'copy.jpg'), mtime, mtime);
          await symlink(join(tmp.path, 'Photos', 'copy.jpg'), photo);
        },
        true,
      ],
    ];
    try {
      for (const [name, replace, served] of replacements) {
        await replace();
        assert.equal((await host.mediaFile('full', id)) !== null, served, name);
        await rm(photo, { force: true });
      }
    } finally {
      await rm(photo, { force: true });
      await rename(join(tmp.path, 'kept.jpg'), photo);
    }
  });
});

describe('a second window on a library another process is updating', () => {
  const tmp = tempDir();
  after(() => tmp.remove());

  it('shows the library read-only, refuses to change folders with a reason, and takes over when the lock frees', { timeout: 120_000 }, async () => {
    const { GlimpseEngine } = await import('../../../src/main/engine/engine.js');
    const dataDir = join(tmp.path, 'data');
    await writeScene(join(tmp.path, 'Photos', 'a.jpg'), scene([['red', 'circle']], 'grass', 'left', 1), { width: 320, height: 240 });
    const writer = await GlimpseEngine.open({ dataDir, device: 'cpu', command: 'glimpse watch' });
    writer.addFolder(join(tmp.path, 'Photos'));
    await writer.update();
    const host = await ApiHost.open({ dataDir, device: 'cpu', watch: false, writerRetryMs: 100 });
    try {
      const status = (await host.handle('status', {})) as Reply<'status'>;
      assert.ok(status.ok && status.result.readOnly, 'read-only while another process writes');
      assert.match((status.ok && status.result.readOnly) || '', /glimpse watch/);
      const search = (await host.handle('search', { query: 'a red circle' })) as Reply<'search'>;
      assert.ok(search.ok && search.result.results.length === 1, 'searching works meanwhile');
      const add = await host.handle('addFolder', { path: tmp.path });
      assert.ok(!add.ok && /another Glimpse process .* is updating this library/.test(add.error), JSON.stringify(add));
      await writer.close();
      const deadline = Date.now() + 30_000;
      while (!host.engine.writable && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(host.engine.writable, 'it took over');
      const after = (await host.handle('status', {})) as Reply<'status'>;
      assert.ok(after.ok && after.result.readOnly === null);
      const added = await host.handle('addFolder', { path: join(tmp.path, 'More') });
      assert.ok(!added.ok && /does not exist/.test(added.error), 'folder changes are its own now (this one fails only because the folder is missing)');
    } finally {
      await host.close();
    }
  });
});

describe('the app closed while it is still starting', () => {
  const tmp = tempDir();
  after(() => tmp.remove());

  it('stops its checks, watchers and start-up scan cleanly, whenever the close comes', { timeout: 120_000 }, async (t) => {
    const { GlimpseEngine } = await import('../../../src/main/engine/engine.js');
    const dataDir = join(tmp.path, 'data');
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    for (let f = 0; f < 4; f++) {
      for (let d = 0; d < 5; d++)
        await writeScene(join(tmp.path, `Library ${f}`, `d${d}`, 'a.jpg'), scene([['red', 'circle']], 'grass', 'left', f * 5 + d + 1), { width: 160, height: 120 });
      engine.addFolder(join(tmp.path, `Library ${f}`));
    }
    await engine.update();
    await engine.close();
    const errors = t.mock.method(console, 'error', () => undefined);
    // Closed before the checks end, while the watchers settle, during the start-up scan, and after.
    for (const delayMs of [0, 1, 5, 20, 60, 150, 400]) {
      const host = await ApiHost.open({ dataDir, device: 'cpu' });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      await host.close();
    }
    const said = errors.mock.calls.map((c) => String(c.arguments[0]));
    assert.deepEqual(said, [], 'nothing failed on the way out');
  });
});
