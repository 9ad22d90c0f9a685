/**
 * The folder walk on folders as real users have them: things with a photo's name that are not files.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { type ScanProblem, walkFolder } from '../../../../src/main/engine/library/scan.js';
import { libraryFolders, scene, writeScene } from '../../../fixtures.js';

describe('walking a library folder', () => {
  const folders = libraryFolders();
  after(() => folders.removeAll());

  it('lists named pipes called .jpg and .mp4 as skipped, never opens them, and indexes the rest', { timeout: 120_000 }, async (t) => {
    const { photos, dataDir } = folders.fresh();
    const photo = await writeScene(join(photos, 'real.jpg'), scene([['red', 'circle']], 'grass'), { width: 160, height: 120 });
    const pipes = [join(photos, 'pipe.jpg'), join(photos, 'pipe.mp4')];
    for (const pipe of pipes) if (spawnSync('mkfifo', [pipe]).status !== 0) return t.skip('mkfifo is not available');
    const problems: ScanProblem[] = [];
    const listing = await walkFolder(photos, problems);
    assert.deepEqual(
      listing.files.map((f) => f.path),
      [photo],
    );
    assert.deepEqual(problems.map((p) => p.path).sort(), [...pipes].sort());
    assert.ok(problems.every((p) => /not a regular file/.test(p.error)));
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    try {
      engine.addFolder(photos);
      const summary = await engine.update();
      assert.equal(summary.indexing.indexed, 1);
      assert.deepEqual(summary.problems.map((p) => p.path).sort(), [...pipes].sort(), 'the update lists them for the user');
    } finally {
      await engine.close();
    }
  });
});
