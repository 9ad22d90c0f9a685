import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { writeSceneVideo } from '../../src/scenes/scene-video.js';
import { scene, tempDir } from '../fixtures.js';

const CLI = fileURLToPath(new URL('../../src/cli/glimpse.ts', import.meta.url));

function cli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8', timeout: 300_000 });
}

describe('glimpse search with videos', () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Videos');
  const dataDir = join(tmp.path, 'data');

  before(async () => {
    await writeSceneVideo(join(library, 'walk.mp4'), [
      { scene: scene([['blue', 'square']], 'sand', 'middle', 1), seconds: 12 },
      { scene: scene([['red', 'star']], 'night', 'middle', 2), seconds: 6 },
      { scene: scene([['yellow', 'circle']], 'grass', 'middle', 3), seconds: 12 },
    ]);
    const index = cli(['--data-dir', dataDir, 'index', library]);
    assert.equal(index.status, 0, index.stderr);
  });
  after(() => tmp.remove());

  it('shows a video hit with the moment that matched, "walk.mp4 @ 00:1x"', () => {
    const run = cli(['--data-dir', dataDir, 'search', 'a red star at night', '--limit', '3']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout.split('\n')[0]!, /walk\.mp4 @ 00:1[2-8]\b/);
  });

  it('shows only videos with --media video', () => {
    const run = cli(['--data-dir', dataDir, 'search', 'a red star at night', '--all', '--media', 'video', '--json']);
    assert.equal(run.status, 0, run.stderr);
    const results = (JSON.parse(run.stdout) as { results: Array<{ media: string }> }).results;
    assert.ok(results.length > 0 && results.every((r) => r.media === 'video'));
  });

  it('gives the moment in seconds with --json', () => {
    const run = cli(['--data-dir', dataDir, 'search', 'a red star at night', '--json', '--limit', '3']);
    const top = (JSON.parse(run.stdout) as { results: Array<{ name: string; media: string; duration: number; moment: { at: number; frame: number } }> }).results[0]!;
    assert.equal(top.name, 'walk.mp4');
    assert.equal(top.media, 'video');
    assert.ok(top.moment.at >= 12 && top.moment.at <= 18, String(top.moment.at));
    assert.ok(Math.abs(top.duration - 30) < 0.5);
  });
});
