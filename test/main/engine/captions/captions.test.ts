import assert from 'node:assert/strict';
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { searchParams } from '../../../../src/shared/api.js';
import { scene, tempDir, writeScene } from '../../../fixtures.js';

describe('captions and albums', () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Photos');
  let engine: GlimpseEngine;

  before(async () => {
    const grass = [
      scene([['red', 'circle']], 'grass', 'left', 1),
      scene([['blue', 'star', 2]], 'grass', 'middle', 2),
      scene(
        [
          ['yellow', 'square'],
          ['purple', 'diamond'],
        ],
        'grass',
        null,
        3,
      ),
      scene([['orange', 'triangle']], 'grass', 'right', 4),
    ];
    for (const [i, s] of grass.entries()) await writeScene(join(library, 'Holiday 2024', `IMG_${i}.jpg`), s);
    await writeScene(join(library, 'Evening', 'IMG_9.jpg'), scene([['white', 'circle', 3]], 'night', null, 9));
    await writeScene(join(library, 'Evening', 'IMG_10.jpg'), scene([['yellow', 'star']], 'night', 'top', 10));
    engine = await GlimpseEngine.open({ dataDir: join(tmp.path, 'data'), device: 'cpu' });
    engine.addFolder(library);
    await engine.update();
  });
  after(async () => {
    await engine.close();
    tmp.remove();
  });

  it('gives an album of grass scenes a title that mentions grass, and a summary from its photos', () => {
    const album = engine.albums().find((a) => a.path.endsWith('Holiday 2024'));
    assert.ok(album, 'the folder is an album');
    assert.match(album.title, /grass/i);
    assert.match(album.summary, /^4 photos/);
    assert.equal(album.photoCount, 4);
    const night = engine.albums().find((a) => a.path.endsWith('Evening'));
    assert.match(night?.title ?? '', /night/i);
  });

  it('finds a photo by a keyword that appears only in its caption', async () => {
    const photo = engine.stores.photos.photoByPath(join(library, 'Holiday 2024', 'IMG_3.jpg'))!;
    const caption = engine.stores.captions.caption(photo.id, engine.pack.id)!.text;
    assert.match(caption, /orange triangle/);
    const { results } = await engine.search(searchParams.parse({ query: '"triangle"' }));
    assert.deepEqual(
      results.map((r) => r.id),
      [photo.id],
    );
    assert.ok(results[0]!.why.some((w) => w.kind === 'caption' && /triangle/.test(w.detail)));
  });

  it('fuses keyword matches on album titles into the ranking', async () => {
    const album = engine.albums().find((a) => a.path.endsWith('Evening'))!;
    engine.setAlbumTitle(album.id, 'Fireworks over the harbour');
    const { results } = await engine.search(searchParams.parse({ query: 'fireworks' }));
    assert.deepEqual(new Set(results.map((r) => r.name)), new Set(['IMG_9.jpg', 'IMG_10.jpg']));
    assert.ok(results.every((r) => r.why.some((w) => w.kind === 'album')));
  });

  it('keeps an edited caption through a re-index of the photo', async () => {
    const path = join(library, 'Holiday 2024', 'IMG_0.jpg');
    const photo = engine.stores.photos.photoByPath(path)!;
    engine.setCaption(photo.id, 'Grandma’s red ball on the lawn');
    const future = new Date(Date.now() + 60_000);
    await utimes(path, future, future);
    const summary = await engine.update();
    assert.equal(summary.indexing.indexed, 1, 'the touched photo is indexed again');
    const detail = engine.photoDetail(photo.id);
    assert.equal(detail.caption?.text, 'Grandma’s red ball on the lawn');
    assert.equal(detail.caption?.edited, true);
    const { results } = await engine.search(searchParams.parse({ query: 'grandma' }));
    assert.equal(results[0]?.id, photo.id);
  });

  it('restores the generated caption when the edit is cleared', () => {
    const photo = engine.stores.photos.photoByPath(join(library, 'Holiday 2024', 'IMG_0.jpg'))!;
    engine.setCaption(photo.id, '');
    assert.match(engine.photoDetail(photo.id).caption?.text ?? '', /red circle/);
  });
});
