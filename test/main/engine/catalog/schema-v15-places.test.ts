/**
 * Schema v15 (issue 29): places. A library from v14 (people) opens with the places table, its photos and
 * their coordinates untouched and every photo with coordinates waiting to be placed; a place leaves with
 * its photo.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Catalog } from '../../../../src/main/engine/catalog/catalog.js';
import { MIGRATIONS } from '../../../../src/main/engine/catalog/schema.js';
import { compactText, nameWords } from '../../../../src/main/engine/catalog/text-keys.js';
import { PlaceStore } from '../../../../src/main/engine/places/place-store.js';
import { PLACES_VERSION, reverseGeocode } from '../../../../src/main/engine/places/reverse-geocode.js';
import { tempDir } from '../../../fixtures.js';

const PLACES_STEP = MIGRATIONS.findIndex((step) => step.includes('CREATE TABLE IF NOT EXISTS photo_places'));

describe('upgrading a library from before places (schema 14)', () => {
  const tmp = tempDir();
  after(() => tmp.remove());

  it('adds the places table, keeps every photo and its coordinates, and places them afterwards', () => {
    assert.equal(PLACES_STEP, 14, 'the library before places is schema 14');
    const file = join(tmp.path, 'catalog.sqlite');
    const old = new Database(file);
    old.function('name_words', { deterministic: true, varargs: true }, (path: unknown, root?: unknown) => nameWords(String(path), root == null ? undefined : String(root)));
    old.function('compact_text', { deterministic: true }, (text: unknown) => compactText(String(text ?? '')));
    for (const step of MIGRATIONS.slice(0, PLACES_STEP)) old.exec(step);
    old.pragma(`user_version = ${PLACES_STEP}`);
    old.prepare(`INSERT INTO folders (path, added_at) VALUES ('/p', 0)`).run();
    const insert = old.prepare(`INSERT INTO photos (folder_id, path, dir, name, size, mtime_ms, hash, gps_lat, gps_lon, status) VALUES (1, ?, '/p', ?, 1, 0, ?, ?, ?, 'indexed')`);
    insert.run('/p/rome.jpg', 'rome.jpg', 'h1', 41.8902, 12.4922);
    insert.run('/p/home.jpg', 'home.jpg', 'h2', null, null);
    insert.run('/p/nofix.jpg', 'nofix.jpg', 'h3', 0, 0);
    old.prepare(`INSERT INTO favourites (photo_id, added_at) VALUES (1, 0)`).run();
    old.close();

    const catalog = new Catalog(file);
    try {
      assert.equal(catalog.schemaVersion, MIGRATIONS.length);
      assert.deepEqual(catalog.db.prepare('SELECT id, path, gps_lat, gps_lon FROM photos ORDER BY id').all(), [
        { id: 1, path: '/p/rome.jpg', gps_lat: 41.8902, gps_lon: 12.4922 },
        { id: 2, path: '/p/home.jpg', gps_lat: null, gps_lon: null },
        { id: 3, path: '/p/nofix.jpg', gps_lat: 0, gps_lon: 0 },
      ]);
      assert.equal(catalog.db.prepare('SELECT count(*) FROM favourites').pluck().get(), 1, 'the user data of v13 is there');
      const places = new PlaceStore(catalog);
      assert.deepEqual(places.counts(PLACES_VERSION), { withGps: 1, placed: 0, unplaced: 1, nowhere: 0 }, '(0, 0) is no fix, not a place');
      const [rome] = places.unplacedPhotos(PLACES_VERSION, 10);
      assert.equal(places.record([{ photo: rome!, place: reverseGeocode(rome!.lat, rome!.lon) }], PLACES_VERSION), 1);
      // The Colosseum: in Rome (GeoNames also lists Celio, the rione it stands in: a section of the city, left out).
      assert.deepEqual(places.placeOf(1), { country: 'IT', region: 'Lazio', city: 'Rome' });
      assert.deepEqual(places.unplacedPhotos(PLACES_VERSION, 10), []);
      assert.equal(places.unplacedPhotos('another gazetteer', 10).length, 1, 'a new gazetteer places the photo again');
      catalog.db.prepare('DELETE FROM photos WHERE id = 1').run();
      assert.equal(catalog.db.prepare('SELECT count(*) FROM photo_places').pluck().get(), 0, 'a place leaves with its photo');
    } finally {
      catalog.close();
    }
  });
});
