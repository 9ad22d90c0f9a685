/**
 * Web mode's folder picker lists folders only inside the home folder and the mounted drives, judged by
 * real paths: `..`, links out of them, absolute paths elsewhere and the root of the disk are refused;
 * hidden folders and links that lead out are not listed. Real folders, links and a loop; the places are
 * given by the test (a temporary home and drive).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiHost } from '../../../src/main/host/api-host.js';
import { FolderBrowser, OUTSIDE, type Place } from '../../../src/main/host/folder-browser.js';
import { tempDir } from '../../fixtures.js';

describe("web mode's folder picker", () => {
  const tmp = tempDir();
  const home = join(tmp.path, 'home');
  const drive = join(tmp.path, 'media', 'USB');
  const outside = join(tmp.path, 'outside');
  const places = async (): Promise<Place[]> => [
    { name: 'Home', path: home },
    { name: 'USB', path: drive },
    { name: 'Whole disk', path: '/' },
  ];
  const browser = new FolderBrowser(places);
  let host: ApiHost;

  before(async () => {
    for (const dir of [join(home, 'Pictures', '2024'), join(home, '.cache', 'thumbs'), join(home, 'new\nline'), join(drive, 'DCIM'), join(outside, 'secret')])
      mkdirSync(dir, { recursive: true });
    writeFileSync(join(home, 'notes.txt'), 'a file, not a folder');
    writeFileSync(join(outside, 'secret', 'passwords.txt'), 'never listed');
    symlinkSync(outside, join(home, 'escape')); // a link out of the places
    symlinkSync(join(drive, 'DCIM'), join(home, 'camera')); // a link into another place
    symlinkSync(home, join(home, 'Pictures', 'loop')); // a loop, inside the places
    symlinkSync(join(tmp.path, 'gone'), join(home, 'dangling'));
    spawnSync('mkfifo', [join(home, 'pipe')]); // where there is no mkfifo, the other entries still prove the point
    host = await ApiHost.open({ dataDir: join(tmp.path, 'data'), device: 'cpu', watch: false, places });
  });
  after(async () => {
    await host.close();
    tmp.remove();
  });

  it('starts from the home folder and the drives, never the whole disk', async () => {
    const start = await browser.list();
    assert.deepEqual(start.places, [
      { name: 'Home', path: home },
      { name: 'USB', path: drive },
    ]);
    assert.equal(start.path, null);
  });

  it("lists a folder's subfolders by name: not files, hidden folders, dangling links or links out of the places", async () => {
    const listing = await browser.list(home);
    assert.deepEqual(
      listing.folders.map((f) => f.name),
      ['camera', 'new\nline', 'Pictures'],
    );
    assert.deepEqual(listing.folders[0], { name: 'camera', path: join(home, 'camera') });
    assert.equal(listing.parent, null, 'nothing above a place');
    const year = await browser.list(join(home, 'Pictures', '2024'));
    assert.equal(year.parent, join(home, 'Pictures'));
    assert.deepEqual(
      (await browser.list(join(home, 'Pictures'))).folders.map((f) => f.name),
      ['2024', 'loop'],
      'a loop inside the places is an ordinary folder',
    );
    assert.deepEqual((await browser.list(join(home, 'camera'))).path, join(drive, 'DCIM'), 'a folder is listed under its real path');
  });

  it('refuses `..`, links out, absolute paths elsewhere, relative paths and the root of the disk', async () => {
    const attempts = [
      join(home, '..'),
      join(home, '..', 'outside'),
      join(home, 'Pictures', '..', '..', 'outside', 'secret'),
      join(home, 'escape'),
      join(home, 'escape', 'secret'),
      join(home, 'Pictures', 'loop', 'escape'),
      outside,
      tmp.path,
      '/',
      '/etc',
      join(drive, '..'),
    ];
    for (const path of attempts) await assert.rejects(browser.list(path), (error: Error) => error.message === OUTSIDE, path);
    await assert.rejects(browser.list('Pictures'), /full path/);
    await assert.rejects(browser.list(`${home}\0/etc`), /full path/);
    await assert.rejects(browser.list(join(home, 'notes.txt')), /is not a folder/);
    await assert.rejects(browser.list(join(home, 'missing')), /does not exist/);
    await assert.rejects(browser.list(join(home, 'dangling')), /does not exist/);
  });

  it('answers through the API with the same refusals as plain errors, and validates the call', async () => {
    const listed = await host.handle('browseFolders', { path: home });
    assert.ok(listed.ok);
    for (const path of [join(home, 'escape'), '/etc', join(home, '..')]) assert.deepEqual(await host.handle('browseFolders', { path }), { ok: false, error: OUTSIDE });
    for (const params of [{ path: '' }, { path: `${home}\0` }, { path: 7 }, { path: home, extra: 1 }, { path: 'x'.repeat(5000) }]) {
      const reply = await host.handle('browseFolders', params);
      assert.equal(reply.ok, false, JSON.stringify(params).slice(0, 60));
    }
  });
});
