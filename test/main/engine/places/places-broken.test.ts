/**
 * A photo with a place whose file is rewritten as something that is not a photo (it fails to decode):
 * the catalogue keeps the photo, with the coordinates it last read, but the place goes with the picture.
 * Found by the lifecycle model (test/lifecycle/places.ts): two files' names swapped, a photo taken in
 * Lisbon and a broken file, left the broken file in Lisbon.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { scene, tempDir, writeScene } from '../../../fixtures.js';

describe('places of files that are no longer photos', () => {
  it('forgets the place of a photo rewritten unreadable', async () => {
    const tmp = tempDir();
    const library = join(tmp.path, 'Pictures');
    const file = join(library, 'lisbon.jpg');
    await writeScene(file, scene([['red', 'circle']], 'grass', 'left', 1), { width: 320, height: 240, gps: { lat: 38.7223, lon: -9.1393 } });
    const engine = await GlimpseEngine.open({ dataDir: join(tmp.path, 'data'), device: 'cpu', ocr: false, people: false });
    try {
      engine.addFolder(library);
      await engine.update();
      const id = engine.stores.photos.photoByPath(file)!.id;
      assert.deepEqual(engine.stores.places.placeOf(id), { country: 'PT', region: 'Lisbon', city: 'Lisbon' });
      await writeFile(file, Buffer.from('not a photo\n'.repeat(40)));
      await engine.update();
      assert.equal(engine.stores.photos.photo(id)?.status, 'error', 'the file is no longer a photo');
      assert.equal(engine.stores.places.placeOf(id), null, 'and has no place');
      assert.equal(engine.catalog.db.prepare('SELECT count(*) FROM photo_places').pluck().get(), 0, 'not even one without a country');
    } finally {
      await engine.close();
      tmp.remove();
    }
  });
});
