/**
 * `glimpse places` as a child process over real JPEGs with GPS in their EXIF: the index says it found
 * their places, and the list and its JSON give countries, regions and cities with their photos.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { PlacesView, SearchResponse } from '../../src/shared/api.js';
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
    await writeScene(join(library, 'nice.jpg'), scene([['yellow', 'triangle']], 'sand', 'left', 4), {
      width: 320,
      height: 240,
      gps: { lat: 43.7102, lon: 7.262 },
      takenAt: new Date(Date.UTC(2022, 6, 14, 12)),
    });
    const indexed = glimpse('index', library);
    assert.equal(indexed.status, 0, indexed.stderr);
    assert.match(indexed.stdout, /Found the places of 4 photos with GPS coordinates/);
  });
  after(() => tmp.remove());

  it('lists countries, regions and cities', () => {
    const run = glimpse('places');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /4 photos with GPS coordinates; 4 placed/);
    assert.match(run.stdout, /France \(FR\): 3 photos\n/);
    assert.match(run.stdout, / {2}Île-de-France: 2 photos\n {4}Paris: 2 photos/);
    assert.match(run.stdout, /Niger \(NE\): 1 photo\n {2}\(region not known\): 1 photo\n/);
    assert.match(run.stdout, /GeoNames/);
  });

  it('prints the same as JSON', () => {
    const run = glimpse('places', '--json');
    assert.equal(run.status, 0, run.stderr);
    const view = JSON.parse(run.stdout) as PlacesView;
    assert.deepEqual(view.status, { withGps: 4, placed: 4, nowhere: 0, unplaced: 0 });
    assert.deepEqual(
      view.countries.map((c) => [c.code, c.photos, c.regions.map((r) => [r.name, r.cities.map((city) => city.name)])]),
      [
        [
          'FR',
          3,
          [
            ['Île-de-France', ['Paris']],
            ["Provence-Alpes-Côte d'Azur", ['Nice']],
          ],
        ],
        ['NE', 1, [[null, [null]]]],
      ],
    );
  });

  it('says what a search read from the query, gives the parts as JSON, and keeps a word as a word when asked', () => {
    const read = glimpse('search', 'photos in Paris');
    assert.equal(read.status, 0, read.stderr);
    assert.match(read.stdout, /^Read from the query: in Paris\.$/m);
    assert.match(read.stdout, /eiffel\.jpg/);
    assert.doesNotMatch(read.stdout, /nice\.jpg|desert\.jpg/);

    // "Nice" is also a word: read as the place after "in", and the line says how to keep it a word.
    const nice = glimpse('search', 'triangle in Nice 2022', '--json');
    assert.equal(nice.status, 0, nice.stderr);
    const answer = JSON.parse(nice.stdout) as SearchResponse;
    assert.deepEqual(
      answer.understood?.map((p) => [p.kind, p.label, p.ambiguous]),
      [
        ['place', 'Nice', true],
        ['date', '2022', false],
      ],
    );
    assert.deepEqual(
      answer.results.map((r) => basename(r.path)),
      ['nice.jpg'],
    );
    const words = glimpse('search', 'triangle in Nice 2022');
    assert.match(words.stdout, /--literal "Nice" reads 'Nice' as words/);
    const kept = glimpse('search', 'triangle in Nice 2022', '--literal', 'Nice', '--json');
    assert.equal(kept.status, 0, kept.stderr);
    assert.deepEqual(
      (JSON.parse(kept.stdout) as SearchResponse).understood?.map((p) => p.kind),
      ['date'],
    );

    // Filters that leave nothing say which one did, and what there is instead (the Paris photos are of 2024: writeScene's date).
    const none = glimpse('search', 'Paris 2031');
    assert.match(none.stdout, /^No photos in Paris from 2031; 2 photos in Paris from 2024\. Try: glimpse search "Paris 2024"$/m);
    const noneJson = JSON.parse(glimpse('search', 'Paris 2031', '--json').stdout) as SearchResponse;
    assert.equal(noneJson.instead, 'Paris 2024');
  });
});
