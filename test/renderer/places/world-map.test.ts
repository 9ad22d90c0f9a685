/**
 * The Places view's map: real Natural Earth outlines (world-atlas) projected, photos clustered by zoom
 * (supercluster), and the view's area on earth. Seeded random photos around real cities.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import type { Topology } from 'topojson-specification';
import { MAP_HEIGHT, MAP_WIDTH, type MapPoint, PhotoClusters, countryPaths, dotLabel, placeable, visibleArea, worldProjection } from '../../../src/renderer/places/world-map.js';
import { seededRandom } from '../../../src/scenes/scene.js';

const CITIES: Array<[string, number, number]> = [
  ['Lisbon', 38.7223, -9.1393],
  ['Kyoto', 35.0116, 135.7681],
  ['Reykjavik', 64.1466, -21.9426],
  ['Sydney', -33.8688, 151.2093],
  ['Porto', 41.1579, -8.6291],
  ['Fiji', -17.7134, 178.065],
];

/** `perCity` photos within about 2 km of each city. */
function photosAround(perCity: number, seed: number): MapPoint[] {
  const random = seededRandom(seed);
  let id = 0;
  return CITIES.flatMap(([, lat, lon]) => Array.from({ length: perCity }, () => ({ id: ++id, lat: lat + (random() - 0.5) * 0.03, lon: lon + (random() - 0.5) * 0.03 })));
}

const inside = (x: number, y: number) => x >= 0 && x <= MAP_WIDTH && y >= 0 && y <= MAP_HEIGHT;

describe('the world map', () => {
  it('draws every country of Natural Earth 1:50m inside the map', () => {
    const atlas = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('world-atlas/countries-50m.json'), 'utf8')) as Topology;
    const paths = countryPaths(atlas);
    assert.ok(paths.length > 200, `${paths.length} countries`);
    assert.ok(paths.every((p) => p.d.startsWith('M')));
    // Portugal (ISO 620) is drawn where Lisbon projects.
    const [x, y] = worldProjection()([-9.1393, 38.7223])!;
    assert.ok(inside(x, y));
    assert.ok(paths.some((p) => p.id === '620'));
  });

  it('keeps (0, 0), NaN and out-of-range coordinates off the map', () => {
    const points = placeable([
      { id: 1, lat: 0, lon: 0 },
      { id: 2, lat: Number.NaN, lon: 3 },
      { id: 3, lat: 91, lon: 3 },
      { id: 4, lat: 10, lon: -181 },
      { id: 5, lat: 0, lon: 12.5 },
    ]);
    assert.deepEqual(
      points.map((p) => p.id),
      [5],
    );
  });

  it('shows every photo in exactly one dot at every zoom, and a city as one dot from afar', () => {
    const points = photosAround(40, 29);
    const clusters = new PhotoClusters(points);
    for (const k of [1, 2, 8, 32, 128, 1024, 8192]) {
      const dots = clusters.dots([-180, -85, 180, 85], k);
      const seen = dots.flatMap((d) => clusters.photos(d));
      assert.equal(seen.length, points.length, `zoom ${k}`);
      assert.equal(new Set(seen).size, points.length, `zoom ${k}: a photo in two dots`);
      assert.equal(
        dots.reduce((n, d) => n + d.count, 0),
        points.length,
      );
    }
    // From afar, each city (far from the others) is one dot; Lisbon and Porto (270 km) may share one.
    const far = clusters.dots([-180, -85, 180, 85], 1);
    assert.ok(far.length >= CITIES.length - 1 && far.length <= CITIES.length, `${far.length} dots`);
    // Close in, a city's photos come apart.
    const near = clusters.dots([-9.2, 38.7, -9.1, 38.75], 8192);
    assert.ok(near.length > 1, `${near.length} dots over Lisbon at the closest zoom`);
  });

  it('zooming into a cluster to its expansion scale splits it', () => {
    const points = photosAround(40, 31);
    const clusters = new PhotoClusters(points);
    const dot = clusters.dots([-180, -85, 180, 85], 1).find((d) => d.count === 40)!;
    assert.ok(dot, 'a 40-photo city cluster');
    const k = clusters.expansionScale(dot);
    const ids = new Set(clusters.photos(dot));
    const after = clusters.dots([-180, -85, 180, 85], k).filter((d) => clusters.photos(d).some((id) => ids.has(id)));
    assert.ok(after.length > 1, `still ${after.length} dot at scale ${k}`);
  });

  it('knows what part of the earth a view shows', () => {
    const whole = visibleArea({ k: 1, x: 0, y: 0 });
    assert.equal(whole[0], -180);
    assert.equal(whole[2], 180);
    assert.ok(whole[3] > 79 && whole[1] < -60, `latitudes ${whole[1]}..${whole[3]}`);
    // Zoomed 64 times onto Lisbon, the view is a small area around it.
    const projection = worldProjection();
    const [x, y] = projection([-9.1393, 38.7223])!;
    const k = 64;
    const area = visibleArea({ k, x: MAP_WIDTH / 2 - x * k, y: MAP_HEIGHT / 2 - y * k });
    assert.ok(area[0] < -9.1393 && area[2] > -9.1393 && area[1] < 38.7223 && area[3] > 38.7223, JSON.stringify(area));
    assert.ok(area[2] - area[0] < 10, `${area[2] - area[0]}° wide`);
  });

  it('labels counts so they fit a dot', () => {
    assert.deepEqual([7, 86, 999, 1000, 1234, 35_400].map(dotLabel), ['7', '86', '999', '1k', '1.2k', '35k']);
  });
});
