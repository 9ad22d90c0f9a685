/**
 * Favourites are the user's own mark on a photo: kept through renames and moves (the photo keeps its id
 * when its content moves), searchable as a filter, refused for ids that are not photos, gone with the photo.
 */
import assert from 'node:assert/strict';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { openIndexed } from '../indexed-library.js';
import { searchParams } from '../../../../src/shared/api.js';
import { scene, tempDir, writeScene } from '../../../fixtures.js';

describe('favourites', () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Pictures');
  let engine: GlimpseEngine;
  const idOf = (path: string) => engine.stores.photos.photoByPath(path)!.id;
  const search = (query: string, extra: Record<string, unknown> = {}) => engine.search(searchParams.parse({ query, limit: 50, all: true, ...extra }));

  before(async () => {
    await writeScene(join(library, 'Garden', 'red-circle.jpg'), scene([['red', 'circle']], 'grass', 'left', 1), { width: 640, height: 480 });
    await writeScene(join(library, 'Garden', 'red-square.jpg'), scene([['red', 'square']], 'grass', 'right', 2), { width: 640, height: 480 });
    await writeScene(join(library, 'Beach', 'blue-star.jpg'), scene([['blue', 'star']], 'sand', 'middle', 3), { width: 640, height: 480 });
    engine = await openIndexed(join(tmp.path, 'data'), library);
  });
  after(async () => {
    await engine.close();
    tmp.remove();
  });

  it('marks and unmarks photos, and the viewer and results say so', async () => {
    const id = idOf(join(library, 'Garden', 'red-circle.jpg'));
    assert.equal(engine.photoDetail(id).favourite, false);
    assert.deepEqual(engine.setFavourite([id], true), { ids: [id], favourite: true });
    assert.equal(engine.photoDetail(id).favourite, true);
    const results = (await search('red circle')).results;
    assert.deepEqual(
      results.filter((r) => r.favourite).map((r) => r.id),
      [id],
    );
    engine.setFavourite([id], false);
    assert.equal(engine.photoDetail(id).favourite, false);
  });

  it('is a search filter, with words and without', async () => {
    const circle = idOf(join(library, 'Garden', 'red-circle.jpg'));
    const star = idOf(join(library, 'Beach', 'blue-star.jpg'));
    engine.setFavourite([circle, star], true);
    const square = idOf(join(library, 'Garden', 'red-square.jpg'));
    const all = (await search('red circle')).results.map((r) => r.id);
    assert.ok(all.includes(circle) && all.includes(square), 'without the filter, every photo is ranked');
    const favourites = (await search('red circle', { favourites: true })).results;
    assert.deepEqual(favourites.map((r) => r.id).sort(), [circle, star].sort(), 'with it, only the favourites');
    assert.ok(favourites.every((r) => r.favourite));
    assert.equal(favourites[0]!.id, circle, 'ranked by the words');
    assert.deepEqual(
      engine
        .timelinePage({ favourites: true, limit: 10 })
        .tiles.map((t) => t.id)
        .sort(),
      [circle, star].sort(),
    );
    engine.setFavourite([circle, star], false);
  });

  it('stays with the photo through a rename and a move to another folder', async () => {
    const before = join(library, 'Garden', 'red-square.jpg');
    const id = idOf(before);
    engine.setFavourite([id], true);
    const renamed = join(library, 'Garden', 'IMG_0001.jpg');
    await rename(before, renamed);
    await engine.update();
    assert.equal(idOf(renamed), id, 'the photo kept its id');
    assert.equal(engine.photoDetail(id).favourite, true);
    await mkdir(join(library, 'Kept'), { recursive: true });
    const moved = join(library, 'Kept', 'square.jpg');
    await rename(renamed, moved);
    await engine.update();
    assert.equal(idOf(moved), id);
    assert.deepEqual(
      (await search('red square', { favourites: true })).results.map((r) => r.id),
      [id],
    );
    assert.equal(engine.stores.favourites.count(), 1);
  });

  it('leaves with the photo when the file is deleted', async () => {
    const path = join(library, 'Kept', 'square.jpg');
    await rm(path);
    await engine.update();
    assert.equal(engine.stores.favourites.count(), 0);
  });

  it('refuses ids that are not photos, changing nothing', () => {
    const id = idOf(join(library, 'Beach', 'blue-star.jpg'));
    assert.throws(() => engine.setFavourite([id, 999_999], true), /999999 is not a photo of the library/);
    assert.equal(engine.photoDetail(id).favourite, false, 'all or nothing');
  });
});
