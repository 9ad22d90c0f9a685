/**
 * Places end to end: real JPEGs with GPS in their EXIF, indexed by the engine; the update's places stage
 * names where each was taken (offline); the places view, the place filter of search and the timeline, the
 * map's points and places by name read them; a deleted photo leaves no place, and a photo whose
 * coordinates changed is placed again.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { searchParams } from '../../../../src/shared/api.js';
import { scene, tempDir, writeScene } from '../../../fixtures.js';

const PLACES = {
  eiffel: { lat: 48.8584, lon: 2.2945 },
  louvre: { lat: 48.8606, lon: 2.3376 },
  lyon: { lat: 45.7597, lon: 4.8422 },
  tokyo: { lat: 35.6586, lon: 139.7454 },
  // The Ténéré, far from any town: Niger, and nothing nearer.
  desert: { lat: 19.0, lon: 11.0 },
  // The middle of the Atlantic: no place at all.
  sea: { lat: 30.0, lon: -40.0 },
};

describe('places', () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Pictures');
  const file = (name: string) => join(library, `${name}.jpg`);
  let engine: GlimpseEngine;
  const idOf = (name: string) => engine.stores.photos.photoByPath(file(name))!.id;
  const search = (extra: Record<string, unknown>) => engine.search(searchParams.parse({ query: 'red circle', limit: 50, all: true, ...extra }));

  before(async () => {
    let seed = 1;
    for (const [name, gps] of Object.entries(PLACES)) await writeScene(file(name), scene([['red', 'circle']], 'grass', 'left', seed++), { width: 320, height: 240, gps });
    await writeScene(file('no-gps'), scene([['blue', 'star']], 'sand', 'middle', 9), { width: 320, height: 240 });
    engine = await GlimpseEngine.open({ dataDir: join(tmp.path, 'data'), device: 'cpu', ocr: false, people: false });
    engine.addFolder(library);
  });
  after(async () => {
    await engine.close();
    tmp.remove();
  });

  it('names the places of indexed photos in the update, and not again in the next', async () => {
    const phases: string[] = [];
    const summary = await engine.update({ onProgress: (p) => phases.push(p.phase) });
    assert.ok(phases.includes('places'), 'the update reports its places phase');
    assert.equal(summary.places?.placed, 6, 'every photo with coordinates was looked up');
    assert.equal(summary.places?.nowhere, 1, 'the one at sea has no place');
    assert.deepEqual(engine.status().places, { withGps: 6, placed: 5, nowhere: 1, unplaced: 0 });
    const again = await engine.update();
    assert.equal(again.places, null, 'nothing to look up the second time');
    assert.deepEqual(engine.stores.places.placeOf(idOf('eiffel')), { country: 'FR', region: 'Île-de-France', city: 'Paris' });
    assert.deepEqual(engine.stores.places.placeOf(idOf('desert')), { country: 'NE', region: null, city: null });
    assert.equal(engine.stores.places.placeOf(idOf('sea')), null);
    assert.equal(engine.stores.places.placeOf(idOf('no-gps')), null);
  });

  it('lists countries, their regions and cities with counts and covers', () => {
    const { countries, status } = engine.places();
    assert.equal(status.placed, 5);
    assert.deepEqual(
      countries.map((c) => [c.code, c.name, c.photos]),
      [
        ['FR', 'France', 3],
        ['JP', 'Japan', 1],
        ['NE', 'Niger', 1],
      ],
    );
    const france = countries[0]!;
    assert.deepEqual(
      france.regions.map((r) => [r.name, r.photos, r.cities.map((c) => [c.name, c.photos])]),
      [
        ['Île-de-France', 2, [['Paris', 2]]],
        ['Auvergne-Rhône-Alpes', 1, [['Lyon', 1]]],
      ],
    );
    assert.ok([idOf('eiffel'), idOf('louvre')].includes(france.regions[0]!.cover));
    assert.deepEqual(countries[2]!.regions, [{ name: null, photos: 1, cover: idOf('desert'), cities: [{ name: null, photos: 1, cover: idOf('desert') }] }]);
  });

  it('filters search and the timeline by country, region and city', async () => {
    const ids = async (place: Record<string, string>) => (await search({ place })).results.map((r) => r.id).sort();
    assert.deepEqual(await ids({ country: 'fr' }), [idOf('eiffel'), idOf('louvre'), idOf('lyon')].sort());
    assert.deepEqual(await ids({ country: 'FR', region: 'Île-de-France' }), [idOf('eiffel'), idOf('louvre')].sort());
    assert.deepEqual(await ids({ country: 'FR', city: 'Lyon' }), [idOf('lyon')]);
    assert.deepEqual(await ids({ city: 'Atlantis' }), []);
    assert.deepEqual(
      engine.timelinePage({ place: { country: 'JP' }, limit: 10 }).tiles.map((t) => t.id),
      [idOf('tokyo')],
    );
    assert.throws(() => searchParams.parse({ place: { country: 'France' } }), /two-letter country code/);
  });

  it('gives the map its points a page at a time, and finds places by name for a query', () => {
    const first = engine.placePoints(0, 4);
    assert.equal(first.points.length, 4);
    const rest = engine.placePoints(first.next!, 4);
    assert.equal(rest.next, null);
    assert.equal(first.points.length + rest.points.length, 6, 'every photo with coordinates, the one at sea too');
    assert.deepEqual(
      [...first.points, ...rest.points].find((p) => p.id === idOf('eiffel')),
      { id: idOf('eiffel'), ...PLACES.eiffel },
    );

    const paris = engine.placesByName('PARIS');
    assert.deepEqual(paris[0], { kind: 'city', name: 'Paris', place: { country: 'FR', region: 'Île-de-France', city: 'Paris' }, label: 'Paris, Île-de-France, France', photos: 2 });
    assert.ok(
      paris.every((p) => p.photos > 0),
      'only places with photos are candidates: the other Parises are not',
    );
    assert.deepEqual(
      engine.placesByName('ile de france').map((p) => [p.kind, p.photos]),
      [['region', 2]],
    );
    assert.deepEqual(engine.placesByName('France')[0], { kind: 'country', name: 'France', place: { country: 'FR' }, label: 'France', photos: 3 });
    assert.equal(engine.placesByName('Japan')[0]?.photos, 1);
    // A country without photos is no candidate.
    assert.deepEqual(engine.placesByName('United States'), []);
    assert.deepEqual(engine.placesByName('Nowhereville'), []);
  });

  it('forgets the place of a deleted photo, and places a photo again when its coordinates change', async () => {
    await rm(file('lyon'));
    await writeScene(file('tokyo'), scene([['red', 'circle']], 'grass', 'left', 4), { width: 320, height: 240, gps: PLACES.lyon });
    const summary = await engine.update();
    assert.equal(summary.places?.placed, 1, 'only the changed photo is looked up again');
    const count = engine.catalog.db.prepare('SELECT count(*) FROM photo_places').pluck().get();
    assert.equal(count, 5, "the deleted photo's place went with it");
    assert.deepEqual(engine.stores.places.placeOf(idOf('tokyo')), { country: 'FR', region: 'Auvergne-Rhône-Alpes', city: 'Lyon' });
    assert.deepEqual(
      engine.places().countries.map((c) => [c.code, c.photos]),
      [
        ['FR', 3],
        ['NE', 1],
      ],
    );
  });
});
