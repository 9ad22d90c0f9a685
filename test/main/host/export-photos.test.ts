/**
 * Export copies the originals of photos into a folder inside the home folder or a mounted drive, never
 * over a file or through a link that is there (a taken name gets " (2)"), keeping each original's date,
 * and says what it copied and what it could not, with why. Real files through the API host.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiHost } from '../../../src/main/host/api-host.js';
import { nameWithNumber } from '../../../src/main/host/export-photos.js';
import { OUTSIDE } from '../../../src/main/host/folder-browser.js';
import type { ExportReport, MethodName, Reply } from '../../../src/shared/api.js';
import { scene, tempDir, writeScene } from '../../fixtures.js';

describe('exporting photos', () => {
  const tmp = tempDir();
  const home = join(tmp.path, 'home');
  const library = join(tmp.path, 'library');
  const outside = join(tmp.path, 'outside');
  let host: ApiHost;
  const idOf = (path: string) => host.engine.stores.photos.photoByPath(path)!.id;
  const exported = (reply: Reply<MethodName>): ExportReport => {
    assert.ok(reply.ok, reply.ok ? '' : reply.error);
    return reply.result as ExportReport;
  };

  before(async () => {
    mkdirSync(home, { recursive: true });
    mkdirSync(outside, { recursive: true });
    await writeScene(join(library, 'a.jpg'), scene([['red', 'circle']], 'grass', 'left', 1), { width: 320, height: 240 });
    await writeScene(join(library, 'Trip', 'a.jpg'), scene([['blue', 'star']], 'sand', 'middle', 2), { width: 320, height: 240 });
    await writeScene(join(library, 'b.jpg'), scene([['green', 'square']], 'night', 'right', 3), { width: 320, height: 240 });
    await writeScene(join(library, 'c.jpg'), scene([['white', 'diamond']], 'sky', 'middle', 4), { width: 320, height: 240 });
    await writeScene(join(library, 'd.jpg'), scene([['yellow', 'triangle']], 'plain', 'middle', 5), { width: 320, height: 240 });
    await utimes(join(library, 'b.jpg'), new Date('2019-08-01T10:00:00Z'), new Date('2019-08-01T10:00:00Z'));
    host = await ApiHost.open({ dataDir: join(tmp.path, 'data'), device: 'cpu', watch: false, ocr: false, places: async () => [{ name: 'Home', path: home }] });
    host.engine.addFolder(library);
    await host.engine.update();
  });
  after(async () => {
    await host.close();
    tmp.remove();
  });

  it('numbers names that are taken: "a.jpg", "a (2).jpg", "archive.tar (2).gz"', () => {
    assert.equal(nameWithNumber('a.jpg', 1), 'a.jpg');
    assert.equal(nameWithNumber('a.jpg', 2), 'a (2).jpg');
    assert.equal(nameWithNumber('README', 3), 'README (3)');
    assert.equal(nameWithNumber('.hidden', 2), '.hidden (2)');
  });

  it('copies the originals byte for byte, with their dates, never over a file or through a link already there', async () => {
    const destination = join(home, 'Export');
    mkdirSync(destination);
    writeFileSync(join(destination, 'a.jpg'), 'the user’s own file');
    writeFileSync(join(outside, 'target.txt'), 'outside');
    symlinkSync(join(outside, 'target.txt'), join(destination, 'b.jpg'));
    const ids = [join(library, 'a.jpg'), join(library, 'Trip', 'a.jpg'), join(library, 'b.jpg')].map(idOf);
    const report = exported(await host.handle('exportPhotos', { ids, destination }));
    assert.deepEqual(report.failed, []);
    assert.deepEqual(
      report.copied.map((c) => [c.name, c.file]),
      [
        ['a.jpg', join(destination, 'a (2).jpg')],
        ['a.jpg', join(destination, 'a (3).jpg')],
        ['b.jpg', join(destination, 'b (2).jpg')],
      ],
    );
    assert.equal(readFileSync(join(destination, 'a.jpg'), 'utf8'), 'the user’s own file');
    assert.equal(readFileSync(join(outside, 'target.txt'), 'utf8'), 'outside', 'nothing written through the link');
    assert.deepEqual(readFileSync(join(destination, 'a (3).jpg')), readFileSync(join(library, 'Trip', 'a.jpg')));
    assert.deepEqual(readFileSync(join(destination, 'b (2).jpg')), readFileSync(join(library, 'b.jpg')));
    assert.equal(statSync(join(destination, 'b (2).jpg')).mtime.toISOString(), '2019-08-01T10:00:00.000Z', "the original's date");
  });

  it('reports the photos it could not copy, with why, and copies the rest', async () => {
    const destination = join(home, 'Second');
    mkdirSync(destination);
    const [gone, linked, fine] = [join(library, 'c.jpg'), join(library, 'd.jpg'), join(library, 'b.jpg')];
    const ids = [gone, linked, fine].map(idOf);
    rmSync(gone);
    // The photo's path now holds a link to a file outside the library (until the next scan sees it).
    rmSync(linked);
    writeFileSync(join(outside, 'secret.jpg'), 'not a photo of the library');
    symlinkSync(join(outside, 'secret.jpg'), linked);
    const report = exported(await host.handle('exportPhotos', { ids, destination }));
    assert.deepEqual(
      report.failed.map((f) => [f.name, f.reason]),
      [
        ['c.jpg', 'the file is gone'],
        ['d.jpg', 'a link to a file outside the library folders'],
      ],
    );
    assert.deepEqual(
      report.copied.map((c) => c.name),
      ['b.jpg'],
    );
    assert.deepEqual(readdirSync(destination), ['b.jpg'], 'no partial copies left behind');
  });

  it('refuses a destination outside the home folder and drives, a missing one, and ids that are not photos, copying nothing', async () => {
    const id = idOf(join(library, 'b.jpg'));
    symlinkSync(outside, join(home, 'escape'));
    for (const destination of [outside, join(home, 'escape'), join(home, '..', 'outside'), '/', '/tmp'])
      assert.deepEqual(await host.handle('exportPhotos', { ids: [id], destination }), { ok: false, error: OUTSIDE }, destination);
    assert.deepEqual(readdirSync(outside).sort(), ['secret.jpg', 'target.txt']);
    const missing = await host.handle('exportPhotos', { ids: [id], destination: join(home, 'nowhere') });
    assert.ok(!missing.ok && /does not exist/.test(missing.error));
    const notPhotos = await host.handle('exportPhotos', { ids: [id, 424242], destination: home });
    assert.ok(!notPhotos.ok && /424242 is not a photo/.test(notPhotos.error));
    const noFolder = await host.handle('exportPhotos', { ids: [id] });
    assert.deepEqual(noFolder, { ok: false, error: 'Choose the folder to copy the photos to.' });
    for (const params of [
      { ids: [], destination: home },
      { ids: [id, id], destination: home },
      { ids: [-1], destination: home },
      { ids: [id], destination: `${home}\0` },
    ])
      assert.equal((await host.handle('exportPhotos', params)).ok, false, JSON.stringify(params));
    assert.deepEqual(readdirSync(home).sort(), ['Export', 'Second', 'escape'], 'nothing was copied into the home folder');
  });
});
