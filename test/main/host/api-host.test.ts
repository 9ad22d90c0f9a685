import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiHost } from '../../../src/main/host/api-host.js';
import { scene, tempDir, writeScene } from '../../fixtures.js';

describe('the API host (behind Electron IPC and web mode alike)', () => {
  const tmp = tempDir();
  let host: ApiHost;

  before(async () => {
    await writeScene(join(tmp.path, 'Photos', 'a.jpg'), scene([['red', 'circle']], 'grass', 'left', 1), { width: 640, height: 480 });
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
      ['indexing', { action: 'format-disk' }],
      ['status', { __proto__: { polluted: true } }],
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
    const id = host.engine.catalog.photoByPath(join(tmp.path, 'Photos', 'a.jpg'))!.id;
    assert.ok(await host.mediaFile('thumb', id));
    assert.equal(await host.mediaFile('thumb', id + 1000), null);
    assert.equal(await host.mediaFile('full', Number.NaN), null);
    assert.equal(await host.mediaFile('full', -id), null);
  });
});
