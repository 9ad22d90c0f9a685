// Places (issue 29): what naming places costs. The gazetteer's first read (gunzip, parse, the kd-tree and
// the outlines), then 10,000 reverse lookups: half at seeded-random gazetteer places moved up to ~20 km
// (a city, its outskirts), half at seeded-random points anywhere (mostly sea and wilderness: the outline
// test). Run through bench/run.ts (`npx tsx bench/run.ts --places-only`).
import { Gazetteer } from '../src/main/engine/places/gazetteer.js';
import { reverseGeocode } from '../src/main/engine/places/reverse-geocode.js';
import { seededRandom } from '../src/scenes/scene.js';

export interface PlacesBench {
  loadMs: number;
  places: number;
  lookups: number;
  lookupsMs: number;
  perLookupUs: number;
  named: { city: number; countryOnly: number; none: number };
}

export function benchPlaces(lookups = 10_000): PlacesBench {
  const started = performance.now();
  const g = new Gazetteer();
  const loadMs = performance.now() - started;
  const random = seededRandom(29);
  const points: Array<[number, number]> = [];
  for (let i = 0; i < lookups; i++) {
    if (i % 2 === 0) {
      const p = Math.floor(random() * g.size);
      points.push([g.lat[p]! + (random() - 0.5) * 0.36, g.lon[p]! + (random() - 0.5) * 0.36]);
    } else points.push([random() * 180 - 90, random() * 360 - 180]);
  }
  // One warm-up pass (JIT), then the measured one.
  for (const [lat, lon] of points) reverseGeocode(lat, lon, g);
  const named = { city: 0, countryOnly: 0, none: 0 };
  const t = performance.now();
  for (const [lat, lon] of points) {
    const place = reverseGeocode(lat, lon, g);
    if (!place) named.none++;
    else if (place.city) named.city++;
    else named.countryOnly++;
  }
  const lookupsMs = performance.now() - t;
  return { loadMs, places: g.size, lookups, lookupsMs, perLookupUs: (lookupsMs * 1000) / lookups, named };
}
