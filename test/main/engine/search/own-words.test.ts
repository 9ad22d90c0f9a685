/**
 * The user's own words rank first for their words, together or apart (issue 27.3): a caption the user
 * wrote, a title the user gave an album, a concept the user taught. A real library, the bundled pack.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { openIndexed } from '../indexed-library.js';
import { searchParams } from '../../../../src/shared/api.js';
import { scene, tempDir, writeScene } from '../../../fixtures.js';

describe("the user's own words", () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Photos');
  let engine: GlimpseEngine;
  const id = (folder: string, name: string) => engine.stores.photos.photoByPath(join(library, folder, name))!.id;
  const names = async (query: string) => (await engine.search(searchParams.parse({ query, limit: 100 }))).results.map((r) => r.name);

  before(async () => {
    // Blue stars the model knows well (their generated captions hold "blue star" too), and other scenes.
    for (let i = 0; i < 6; i++)
      await writeScene(join(library, 'stars', `star-${i}.jpg`), scene([['blue', 'star']], i % 2 ? 'night' : 'sky', 'middle', 10 + i), { width: 640, height: 480 });
    await writeScene(join(library, 'misc', 'circle.jpg'), scene([['red', 'circle']], 'grass', 'left', 1), { width: 640, height: 480 });
    await writeScene(join(library, 'misc', 'holiday.jpg'), scene([['green', 'triangle']], 'sand', 'right', 2), { width: 640, height: 480 });
    for (let i = 0; i < 3; i++) await writeScene(join(library, 'beach', `sq-${i}.jpg`), scene([['orange', 'square']], 'sand', 'middle', 20 + i), { width: 640, height: 480 });
    for (let i = 0; i < 3; i++) await writeScene(join(library, 'cats', `cat-${i}.jpg`), scene([['purple', 'diamond']], 'plain', 'left', 30 + i), { width: 640, height: 480 });
    engine = await openIndexed(join(tmp.path, 'data'), library);
    engine.setCaption(id('misc', 'holiday.jpg'), 'my favourite holiday');
    // The user calls a red circle a blue star: their word, against the model's six.
    engine.setCaption(id('misc', 'circle.jpg'), 'the blue star of our street');
    const beach = engine.albums().find((a) => a.path === join(library, 'beach'))!;
    engine.setAlbumTitle(beach.id, 'Summer with grandma');
  });
  after(async () => {
    await engine.close();
    tmp.remove();
  });

  it('a caption the user wrote is found by its words together or apart, first and shown', async () => {
    for (const query of ['favourite', 'favourite holiday', 'holiday favourite', 'my holiday']) assert.deepEqual((await names(query))[0], 'holiday.jpg', query);
    const { results } = await engine.search(searchParams.parse({ query: 'favourite', limit: 10 }));
    assert.equal(results[0]!.score, null, 'matched by its words only: no similarity to show (not "0.000")');
  });

  it('ranks above what the model found for the same words', async () => {
    for (const query of ['blue star', 'star blue', 'a blue star']) {
      const shown = await names(query);
      assert.equal(shown[0], 'circle.jpg', `${query}: ${shown.join(', ')}`);
      assert.ok(shown.filter((n) => n.startsWith('star-')).length >= 3, `the model's blue stars follow: ${shown.join(', ')}`);
    }
  });

  it("an album's title the user gave finds its photos first, together or apart", async () => {
    for (const query of ['summer with grandma', 'grandma summer']) {
      const shown = await names(query);
      assert.deepEqual(shown.slice(0, 3).sort(), ['sq-0.jpg', 'sq-1.jpg', 'sq-2.jpg'], `${query}: ${shown.join(', ')}`);
    }
  });

  it('a concept the user taught is found by the words of its name in any order', async () => {
    const concept = engine.teachConcept('Garden Miso', [id('cats', 'cat-0.jpg'), id('cats', 'cat-1.jpg')]);
    try {
      const response = await engine.search(searchParams.parse({ query: 'miso garden', limit: 100 }));
      assert.ok(response.results.length > 0);
      assert.ok(
        response.results.every((r) => r.why.some((w) => w.kind === 'concept' && w.detail.startsWith('concept Garden Miso'))),
        JSON.stringify(response.results.map((r) => r.why)),
      );
      const shown = response.results.map((r) => r.name);
      assert.ok(shown.includes('cat-0.jpg') && shown.includes('cat-1.jpg'), `its examples: ${shown.join(', ')}`);
    } finally {
      engine.forgetConcept(concept.id);
    }
  });
});
