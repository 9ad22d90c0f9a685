/**
 * Search quality as a user sees it, on scenes and queries that neither training nor the cutoff's
 * calibration saw (calibration: bench/search-quality.ts --calibrate, scenes 80,000,000+, queries seed 81).
 * The bars are the targets users were promised (top-1 >= 0.9, shown precision >= 0.8, shown recall
 * >= 0.9); bench/search-quality.ts reports the full figures (docs/PERFORMANCE.md).
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { labelledQueries, scoreSearch } from '../../../../src/scenes/query-set.js';
import { renderScene } from '../../../../src/scenes/render.js';
import { type Scene, randomScene } from '../../../../src/scenes/scene.js';
import { searchParams } from '../../../../src/shared/api.js';
import { tempDir } from '../../../fixtures.js';

const SCENES = 160;
const QUERIES = 80;

describe('search on held-out scenes and queries, scored as a user sees it', () => {
  const tmp = tempDir();
  const scenes = new Map<string, Scene>();
  let engine: GlimpseEngine;

  before(async () => {
    const dir = join(tmp.path, 'Photos');
    await mkdir(dir, { recursive: true });
    for (let i = 0; i < SCENES; i++) {
      const scene = randomScene(90_000_000 + i);
      const path = join(dir, `scene-${i}.jpg`);
      scenes.set(path, scene);
      await writeFile(path, await renderScene(scene, { width: 480, height: 360, quality: 82 }));
    }
    engine = await GlimpseEngine.open({ dataDir: join(tmp.path, 'data'), device: 'cpu' });
    engine.addFolder(dir);
    await engine.update();
  });
  after(async () => {
    await engine.close();
    tmp.remove();
  });

  const run = async (all: boolean) => {
    const runs = [];
    for (const query of labelledQueries(91, QUERIES)) {
      const { results } = await engine.search(searchParams.parse({ query: query.text, limit: 1000, all }));
      runs.push({ query, shown: results.map((r) => scenes.get(r.path)!), library: [...scenes.values()] });
    }
    return scoreSearch(runs);
  };

  it('shows mostly matching photos, misses few, and puts a match first', async () => {
    const scores = await run(false);
    console.log(`# ${JSON.stringify(scores)}`);
    assert.ok(scores.top1 >= 0.9, `top-1 ${scores.top1}`);
    assert.ok(scores.shownPrecision >= 0.8, `shown precision ${scores.shownPrecision}`);
    assert.ok(scores.shownRecall >= 0.9, `shown recall ${scores.shownRecall}`);
  });

  it('the cutoff is what makes the shown set precise: without it, precision collapses', async () => {
    const everything = await run(true);
    const shown = await run(false);
    assert.ok(everything.shownPrecision < shown.shownPrecision - 0.3, `all: ${everything.shownPrecision}, cut: ${shown.shownPrecision}`);
  });
});
