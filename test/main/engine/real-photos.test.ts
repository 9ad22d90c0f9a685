/**
 * Real photographs (Debian's darknet package ships a few: dog, horses, eagle, ...) indexed next to
 * generated scenes: every real photo decodes with its true size, and a scene query still finds the
 * scenes first. `.ci/run` downloads the package; elsewhere the test says how to get it, and skips.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { GlimpseEngine } from '../../../src/main/engine/engine.js';
import { searchParams } from '../../../src/shared/api.js';
import { scene, tempDir, writeScene } from '../../fixtures.js';

const REAL = join(process.cwd(), '.cache', 'debian-photos', 'usr', 'share', 'darknet', 'data');
const photos = existsSync(REAL) ? readdirSync(REAL).filter((f) => f.endsWith('.jpg')) : [];
const skip = photos.length === 0 ? `no real photos at ${REAL} (bash .ci/run fetches Debian's darknet package)` : false;
if (skip) console.log(`# skipping the real-photo test: ${skip}`);

describe('real photos next to generated scenes', { skip }, () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Photos');
  let engine: GlimpseEngine;

  before(async () => {
    for (const p of photos) await cp(join(REAL, p), join(library, 'camera', p));
    await writeScene(join(library, 'scenes', 'red.jpg'), scene([['red', 'circle']], 'grass', 'left', 1), { width: 4000, height: 3000 });
    await writeScene(join(library, 'scenes', 'blue.jpg'), scene([['blue', 'square']], 'sand', 'right', 2), { width: 4000, height: 3000 });
    engine = await GlimpseEngine.open({ dataDir: join(tmp.path, 'data'), device: 'cpu' });
    engine.addFolder(library);
  });
  after(async () => {
    await engine.close();
    tmp.remove();
  });

  it('indexes every real photo with its true size, and captions it (shown or, when unsure, withheld with the reason)', async () => {
    const summary = await engine.update();
    assert.equal(summary.indexing.errors, 0, JSON.stringify(engine.stores.photos.errors()));
    assert.equal(summary.indexing.indexed, photos.length + 2);
    for (const p of photos) {
      const row = engine.stores.photos.photoByPath(join(library, 'camera', p))!;
      const meta = await sharp(join(REAL, p)).metadata();
      assert.deepEqual([row.width, row.height], [meta.width, meta.height], p);
      const detail = engine.photoDetail(row.id);
      assert.ok(detail.caption?.text ?? detail.captionWithheld, `${p} has a caption or says why not`);
    }
  });

  it('still ranks the scene first for a scene query', async () => {
    const { results } = await engine.search(searchParams.parse({ query: 'a red circle on grass' }));
    assert.equal(results[0]?.name, 'red.jpg');
  });
});
