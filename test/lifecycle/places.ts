/**
 * Places in the lifecycle model: some photos are written with GPS in their EXIF (by content number,
 * never a face photo's): at a city centre (Lisbon, Kyoto, Reykjavík), at sea (no country), or at (0, 0)
 * (what a GPS without a fix writes: no place). The invariants checked after every step:
 *
 * - always: every photo_places row belongs to a photo the catalogue holds, and none to a file that is not
 *   a photo (failed to decode, or skipped); a row for a photo's current coordinates names the place the
 *   gazetteer gives for them (never another photo's, never a stale lookup);
 * - after a completed update: every indexed photo whose current content has a city's GPS has exactly that
 *   city and country (so a photo rewritten from one city to another has the new city, never the old one);
 *   at-sea content has no country; (0, 0) content, content without GPS and a file that is not a photo have
 *   no place with a country; and every photo with usable coordinates has been looked up.
 */
import assert from 'node:assert/strict';
import type { GlimpseEngine } from '../../src/main/engine/engine.js';
import { isVideoFile } from '../../src/main/engine/media/formats.js';
import { PLACES_VERSION, reverseGeocode } from '../../src/main/engine/places/reverse-geocode.js';
import { FACE_EVERY } from './people.js';

interface GpsPoint {
  lat: number;
  lon: number;
  /** The city and country the gazetteer names there (checked against it); null country: at sea or nowhere. */
  city: string | null;
  country: string | null;
}

/** Where a photo with GPS was taken: three city centres, the open Atlantic, and (0, 0). */
const POINTS: readonly GpsPoint[] = [
  { lat: 38.7223, lon: -9.1393, city: 'Lisbon', country: 'PT' },
  { lat: 35.0116, lon: 135.7681, city: 'Kyoto', country: 'JP' },
  { lat: 64.1355, lon: -21.8954, city: 'Reykjavík', country: 'IS' },
  { lat: 0.5, lon: -30, city: null, country: null },
  { lat: 0, lon: 0, city: null, country: null },
];

/**
 * The GPS a content's photo is written with, or null (no GPS): contents 1, 2 and 3 modulo 5, never a face
 * photo's (FACE_EVERY), at one of POINTS by the content's next digit in base 5 (cities 3 times in 5).
 */
export function gpsOf(content: number): GpsPoint | null {
  if (content % FACE_EVERY === 0 || ![1, 2, 3].includes(content % 5)) return null;
  return POINTS[Math.floor(content / 5) % POINTS.length]!;
}

/** The city each photo (by id) had at the last completed update, to see a photo's city change. */
export type PlaceMemory = Map<number, string>;

interface PlaceRow {
  photo_id: number;
  lat: number;
  lon: number;
  version: string;
  country: string | null;
  region: string | null;
  city: string | null;
  status: string;
  gps_lat: number | null;
  gps_lon: number | null;
}

/**
 * The invariants above. `photos`: each photo the oracle has, at its path, with the content the engine
 * indexed for it (null: the file was not a photo at the last index); `current`: the last step was a
 * completed update. `memory` (one per sequence) remembers each photo's city, and `log` says when a
 * photo's city changed and was found changed.
 */
export function checkPlaces(
  e: GlimpseEngine,
  photos: ReadonlyArray<{ path: string; content: number | null }>,
  current: boolean,
  memory?: PlaceMemory,
  log?: (line: string) => void,
): void {
  const db = e.catalog.db;
  const count = (sql: string) => db.prepare(sql).pluck().get() as number;
  assert.equal(count('SELECT count(*) FROM photo_places WHERE photo_id NOT IN (SELECT id FROM photos)'), 0, 'a place belongs to a photo the catalogue holds');
  const rows = db.prepare('SELECT pp.*, p.status, p.gps_lat, p.gps_lon FROM photo_places pp JOIN photos p ON p.id = pp.photo_id ORDER BY pp.photo_id').all() as PlaceRow[];
  for (const row of rows) {
    const path = e.stores.photos.photo(row.photo_id)?.path;
    assert.ok(row.status !== 'error' && row.status !== 'skipped', `no place for a file that is not a photo: ${path} (${row.status}) is in ${row.city ?? row.country}`);
    if (row.version !== PLACES_VERSION || row.lat !== row.gps_lat || row.lon !== row.gps_lon) continue;
    const found = reverseGeocode(row.lat, row.lon);
    assert.deepEqual(
      { country: row.country, region: row.region, city: row.city },
      { country: found?.countryCode ?? null, region: found?.region ?? null, city: found?.city ?? null },
      `the place of ${path} is the one at its coordinates (${row.lat}, ${row.lon})`,
    );
  }
  if (!current) return;
  assert.equal(e.status().places.unplaced, 0, 'after an update, every photo with usable coordinates has been looked up');
  for (const { path, content } of photos) {
    const photo = e.stores.photos.photoByPath(path);
    assert.ok(photo, `${path} is in the catalogue`);
    const place = e.stores.places.placeOf(photo.id);
    const gps = content === null || isVideoFile(path) ? null : gpsOf(content);
    const what = content === null ? 'not a photo' : gps ? `content ${content} at (${gps.lat}, ${gps.lon})` : `content ${content} without GPS`;
    if (!gps?.country) {
      assert.equal(place, null, `${path} (${what}) has no place, found ${JSON.stringify(place)}`);
      continue;
    }
    assert.deepEqual(
      place && { city: place.city, country: place.country },
      { city: gps.city, country: gps.country },
      `${path} (${what}) is in ${gps.city}, ${gps.country} after an update`,
    );
    const before = memory?.get(photo.id);
    if (before !== undefined && before !== gps.city) log?.(`    places: ${path} (photo ${photo.id}) moved from ${before} to ${gps.city}, and is placed there`);
    memory?.set(photo.id, gps.city!);
  }
}
