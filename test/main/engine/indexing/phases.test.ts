/**
 * A new library is searchable at the image encoder's speed (issue 27.11): reading the text in its
 * photos costs several times what indexing them does, so it is a phase of its own after indexing, and
 * every photo is searchable before it starts. A photo whose content changed is still read while it is
 * indexed again, so its old words never describe its new content. Real files, the bundled pack, OCR on.
 */
import assert from 'node:assert/strict';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { writtenPhoto } from '../../../../src/scenes/text-photos.js';
import type { Progress } from '../../../../src/shared/api.js';
import { searchParams } from '../../../../src/shared/api.js';
import { scene, tempDir, writeScene } from '../../../fixtures.js';

describe('indexing, then reading text, as phases', () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Photos');
  let engine: GlimpseEngine;

  before(async () => {
    await writeScene(join(library, 'a.jpg'), scene([['red', 'circle']], 'grass'), { width: 800, height: 600 });
    await writeFile(join(library, 'sign.jpg'), (await writtenPhoto({ layout: 'sign', lines: ['MUSEUM SHOP'], fontSize: 56, seed: 2 })).bytes);
    await writeFile(join(library, 'receipt.jpg'), (await writtenPhoto({ layout: 'receipt', lines: ['HARDWARE STORE', 'TOTAL 15.70'], fontSize: 36 })).bytes);
    for (let i = 0; i < 5; i++) await writeScene(join(library, `scene-${i}.jpg`), scene([['blue', 'star', 2]], 'sand', null, i + 2), { width: 800, height: 600 });
    engine = await GlimpseEngine.open({ dataDir: join(tmp.path, 'data'), device: 'cpu' });
  });
  after(async () => {
    await engine.close();
    tmp.remove();
  });

  it('makes a new library searchable first, then reads its text in a phase of its own', async () => {
    engine.addFolder(library);
    const seen: Array<{ phase: Progress['phase']; searchable: number }> = [];
    const summary = await engine.update({ onProgress: (p) => seen.push({ phase: p.phase, searchable: engine.stores.photos.counts(engine.pack.id).indexed }) });
    assert.equal(summary.indexing.indexed, 8);
    assert.equal(summary.indexing.timings.readMs, 0, 'nothing was read while photos were indexed');
    assert.equal(summary.reading?.read, 8, 'every photo was read after');
    const phases = seen.map((s) => s.phase).filter((phase, i, all) => phase !== all[i - 1]);
    assert.deepEqual(phases.slice(0, 2), ['indexing', 'reading'], phases.join(' -> '));
    const firstRead = seen.find((s) => s.phase === 'reading')!;
    assert.equal(firstRead.searchable, 8, 'every photo was searchable when reading began');
    assert.ok(
      (await engine.search(searchParams.parse({ query: 'museum' }))).results.some((r) => r.name === 'sign.jpg'),
      'and its text is found once read',
    );
  });

  it('reads a photo whose content changed while it is indexed again, in the same transaction', async () => {
    await copyFile(join(library, 'receipt.jpg'), join(library, 'sign.jpg'));
    const summary = await engine.update();
    assert.equal(summary.indexing.indexed, 1);
    assert.ok(summary.indexing.timings.readMs > 0, 'read while indexed');
    assert.equal(summary.reading, null, 'nothing left to read after');
    const museum = await engine.search(searchParams.parse({ query: 'museum' }));
    assert.ok(!museum.results.some((r) => r.name === 'sign.jpg'), 'its old words no longer find it');
  });
});
