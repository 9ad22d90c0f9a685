// What a pack has cost on this computer: recorded by the engine while it indexes (a real library, the
// bundled pack), kept per pack in the data folder, and what the model manager shows. The figures are
// times, so the tests check where they come from and how runs combine, never how fast anything is.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { MIN_IMAGES, measuredCosts, recordCost } from '../../../../src/main/engine/models/measured-cost.js';
import { ApiHost } from '../../../../src/main/host/api-host.js';
import type { ModelInfo } from '../../../../src/shared/api.js';
import { packFigures } from '../../../../src/shared/pack-figures.js';
import { seededRandom } from '../../../../src/scenes/scene.js';
import { scene, tempDir, writeScene } from '../../../fixtures.js';

describe("a pack's cost on this computer", () => {
  const tmp = tempDir();
  after(() => tmp.remove());

  it('is recorded by indexing, per pack, from the image encoder time of each run large enough to say something', async () => {
    const dataDir = join(tmp.path, 'data');
    const library = join(tmp.path, 'Photos');
    for (let i = 0; i < MIN_IMAGES + 2; i++) await writeScene(join(library, `a-${i}.jpg`), scene([['red', 'circle']], 'grass', null, i + 1), { width: 320, height: 240 });
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    try {
      engine.addFolder(library);
      const first = await engine.update();
      const cost = measuredCosts(dataDir)[engine.pack.id];
      assert.ok(cost, 'the run was recorded');
      assert.equal(cost.photos, MIN_IMAGES + 2);
      assert.ok(cost.msPerPhoto > 0 && Number.isFinite(cost.msPerPhoto));
      assert.equal(first.indexing?.indexed, MIN_IMAGES + 2);
      // A run of fewer images than MIN_IMAGES leaves the figure as it was.
      await writeScene(join(library, 'b-0.jpg'), scene([['blue', 'star']], 'sand', null, 99), { width: 320, height: 240 });
      await engine.update();
      assert.deepEqual(measuredCosts(dataDir)[engine.pack.id], cost);
    } finally {
      await engine.close();
    }
    const host = await ApiHost.open({ dataDir, device: 'cpu', watch: false });
    try {
      const reply = await host.handle('models', {});
      assert.ok(reply.ok);
      const bundled = (reply.result as ModelInfo[]).find((m) => m.id === 'tiny-coca')!;
      assert.equal(bundled.measuredHere?.photos, MIN_IMAGES + 2);
      assert.match(packFigures(bundled, 'en') ?? '', /^Looks at a photo in about \d+ ms on this computer \(measured over its last 10 photos; /);
      for (const m of (reply.result as ModelInfo[]).filter((x) => x.id !== 'tiny-coca')) assert.equal(m.measuredHere, null, `${m.id} has not indexed here`);
    } finally {
      await host.close();
    }
  });

  it('combines runs into an estimate between the cheapest and the dearest run, following the latest photos (seeded runs)', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const next = seededRandom(seed);
      const dir = join(tmp.path, `runs-${seed}`);
      const runs: Array<{ ms: number; images: number }> = [];
      let total = 0;
      for (let r = 0; r < 1 + Math.floor(next() * 12); r++) {
        const images = Math.floor(next() * 1500);
        const perImage = 5 + next() * 500;
        recordCost(dir, 'pack', perImage * images, images);
        if (images < MIN_IMAGES) continue;
        runs.push({ ms: perImage, images });
        total += images;
        const cost = measuredCosts(dir).pack!;
        const seen = runs.map((x) => x.ms);
        assert.ok(cost.msPerPhoto >= Math.min(...seen) - 1e-9 && cost.msPerPhoto <= Math.max(...seen) + 1e-9, `seed ${seed}: within the runs' costs`);
        assert.equal(cost.photos, Math.min(2000, total), `seed ${seed}: counts the latest photos, at most 2000`);
        if (images >= 2000) assert.ok(Math.abs(cost.msPerPhoto - perImage) < 1e-6, 'a run as long as the window replaces the estimate');
      }
      if (runs.length === 0) assert.equal(measuredCosts(dir).pack, undefined);
    }
  });

  it('reads an unreadable file as no figures, and writes a whole one again', () => {
    const dir = join(tmp.path, 'broken');
    mkdirSync(join(dir, 'models'), { recursive: true });
    writeFileSync(join(dir, 'models', 'measured-costs.json'), '{"pack": {"msPerPhoto": "fast"');
    assert.deepEqual(measuredCosts(dir), {});
    recordCost(dir, 'pack', 1000, 10);
    assert.deepEqual(Object.keys(measuredCosts(dir)), ['pack']);
    assert.equal(measuredCosts(dir).pack!.msPerPhoto, 100);
  });
});
