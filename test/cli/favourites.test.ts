import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GlimpseEngine } from '../../src/main/engine/engine.js';
import { scene, tempDir, writeScene } from '../fixtures.js';

const CLI = fileURLToPath(new URL('../../src/cli/glimpse.ts', import.meta.url));

function cli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8', timeout: 300_000 });
}

describe('glimpse search --favourites', () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Pictures');
  const dataDir = join(tmp.path, 'data');
  let favourite = 0;

  before(async () => {
    await writeScene(join(library, 'red-circle.jpg'), scene([['red', 'circle']], 'grass', 'left', 1), { width: 480, height: 360 });
    await writeScene(join(library, 'red-circles.jpg'), scene([['red', 'circle', 2]], 'grass', null, 2), { width: 480, height: 360 });
    await writeScene(join(library, 'blue-star.jpg'), scene([['blue', 'star']], 'sand', 'middle', 3), { width: 480, height: 360 });
    const index = cli(['--data-dir', dataDir, '--no-ocr', 'index', library]);
    assert.equal(index.status, 0, index.stderr);
    // The heart is set in the app; here, through the same engine.
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    favourite = engine.stores.photos.photoByPath(join(library, 'red-circles.jpg'))!.id;
    engine.setFavourite([favourite], true);
    await engine.close();
  });
  after(() => tmp.remove());

  const results = (args: string[]) => {
    const run = cli(['--data-dir', dataDir, 'search', ...args, '--json']);
    assert.equal(run.status, 0, run.stderr);
    return (JSON.parse(run.stdout) as { results: Array<{ id: number; favourite: boolean }> }).results;
  };

  it('finds only the favourites, and says which results are favourites', () => {
    const all = results(['a red circle', '--all']);
    assert.ok(
      all.length === 3 &&
        all
          .filter((r) => r.favourite)
          .map((r) => r.id)
          .join() === String(favourite),
    );
    assert.deepEqual(
      results(['a red circle', '--all', '--favourites']).map((r) => r.id),
      [favourite],
    );
  });
});
