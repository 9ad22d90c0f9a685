/**
 * `glimpse places` as a child process over real JPEGs with GPS in their EXIF: the index says it found
 * their places, and the list and its JSON give countries, regions and cities with their photos.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { PlacesView } from '../../src/shared/api.js';
import { scene, tempDir, writeScene } from '../fixtures.js';

const CLI = fileURLToPath(new URL('../../src/cli/glimpse.ts', import.meta.url));

describe('glimpse places', () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Photos');
  const dataDir = join(tmp.path, 'data');
  const glimpse = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', CLI, '--data-dir', dataDir, ...args], { encoding: 'utf8', timeout: 300_000 });

  before(async () => {
    await writeScene(join(library, 'eiffel.jpg'), scene([['red', 'circle']], 'grass', 'left', 1), { width: 320, height: 240, gps: { lat: 48.8584, lon: 2.2945 } });
    await writeScene(join(library, 'louvre.jpg'), scene([['red', 'square']], 'grass', 'left', 2), { width: 320, height: 240, gps: { lat: 48.8606, lon: 2.3376 } });
    await writeScene(join(library, 'desert.jpg'), scene([['blue', 'star']], 'sand', 'left', 3), { width: 320, height: 240, gps: { lat: 19, lon: 11 } });
    const indexed = glimpse('index', library);
    assert.equal(indexed.status, 0, indexed.stderr);
    assert.match(indexed.stdout, /Found the places of 3 photos with GPS coordinates/);
  });
  after(() => tmp.remove());

  it('lists countries, regions and cities', () => {
    const run = glimpse('places');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /3 photos with GPS coordinates; 3 placed/);
    assert.match(run.stdout, /France \(FR\): 2 photos\n {2}Île-de-France: 2 photos\n {4}Paris: 2 photos/);
    assert.match(run.stdout, /Niger \(NE\): 1 photo\n {2}\(region not known\): 1 photo\n/);
    assert.match(run.stdout, /GeoNames/);
  });

  it('prints the same as JSON', () => {
    const run = glimpse('places', '--json');
    assert.equal(run.status, 0, run.stderr);
    const view = JSON.parse(run.stdout) as PlacesView;
    assert.deepEqual(view.status, { withGps: 3, placed: 3, nowhere: 0, unplaced: 0 });
    assert.deepEqual(
      view.countries.map((c) => [c.code, c.photos, c.regions.map((r) => [r.name, r.cities.map((city) => city.name)])]),
      [
        ['FR', 2, [['Île-de-France', ['Paris']]]],
        ['NE', 1, [[null, [null]]]],
      ],
    );
  });
});
