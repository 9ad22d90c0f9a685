/**
 * A library written by the Glimpse before the timeline and favourites (schema 10, also before the photos
 * table was rebuilt for skipped images in v11) opens with both: the timeline's index is built over its
 * photos, the favourites table is there, and nothing else moved.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Catalog } from '../../../../src/main/engine/catalog/catalog.js';
import { MIGRATIONS } from '../../../../src/main/engine/catalog/schema.js';
import { compactText, nameWords } from '../../../../src/main/engine/catalog/text-keys.js';
import { CaptionStore } from '../../../../src/main/engine/captions/caption-store.js';
import { FavouriteStore } from '../../../../src/main/engine/favourites/favourite-store.js';
import { TimelineStore } from '../../../../src/main/engine/timeline/timeline-store.js';
import { tempDir } from '../../../fixtures.js';

/** The first step that is not in a schema-10 library: v11 rebuilds the photos table, v12 adds the timeline's index. */
const FIRST_NEW_STEP = MIGRATIONS.findIndex((step) => step.includes('CREATE TABLE photos_v11'));
const TIMELINE_STEP = MIGRATIONS.findIndex((step) => step.includes('photos_timeline'));
const SHOWN = `hash IS NOT NULL AND status NOT IN ('error', 'skipped')`;

describe('upgrading a library from before the timeline and favourites', () => {
  const tmp = tempDir();
  after(() => tmp.remove());

  it('adds the timeline index over the photos it shows and the favourites table, keeping every photo, id and caption', () => {
    assert.equal(FIRST_NEW_STEP, 10, 'the library before them is schema 10');
    assert.ok(TIMELINE_STEP > FIRST_NEW_STEP, 'the timeline comes after the rebuild');
    const file = join(tmp.path, 'catalog.sqlite');
    // The catalogue as the Glimpse of schema 10 left it, with photos in it.
    const old = new Database(file);
    old.function('name_words', { deterministic: true, varargs: true }, (path: unknown, root?: unknown) => nameWords(String(path), root == null ? undefined : String(root)));
    old.function('compact_text', { deterministic: true }, (text: unknown) => compactText(String(text ?? '')));
    for (const step of MIGRATIONS.slice(0, FIRST_NEW_STEP)) old.exec(step);
    old.pragma(`user_version = ${FIRST_NEW_STEP}`);
    old.prepare(`INSERT INTO folders (path, added_at) VALUES ('/p', 0)`).run();
    const insert = old.prepare(`INSERT INTO photos (folder_id, path, dir, name, size, mtime_ms, hash, taken_at, status) VALUES (1, ?, '/p', ?, 1, 0, ?, ?, ?)`);
    insert.run('/p/a.jpg', 'a.jpg', 'ha', '2023-06-15T12:00:00Z', 'indexed');
    insert.run('/p/b.jpg', 'b.jpg', 'hb', '2021-03-10T12:00:00Z', 'indexed');
    insert.run('/p/c.png', 'c.png', 'hc', null, 'indexed');
    insert.run('/p/d.jpg', 'd.jpg', null, null, 'pending');
    insert.run('/p/e.jpg', 'e.jpg', 'he', '2020-01-01T00:00:00Z', 'error');
    old.prepare(`INSERT INTO texts (photo_id, source, model, text, updated_at) VALUES (2, 'user', '', 'my favourite holiday', 0)`).run();
    old.close();

    const catalog = new Catalog(file);
    try {
      assert.equal(catalog.schemaVersion, MIGRATIONS.length);
      const index = catalog.db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'photos_timeline'`).pluck().get() as string;
      assert.ok(index.endsWith(`WHERE ${SHOWN}`), index);
      // The index holds the rows the timeline shows: the indexed photos, not the pending or unreadable ones.
      assert.equal(catalog.db.prepare(`SELECT count(*) FROM photos INDEXED BY photos_timeline WHERE ${SHOWN}`).pluck().get(), 3);
      assert.deepEqual(new TimelineStore(catalog).months({}), [
        { month: '2023-06', count: 1 },
        { month: '2021-03', count: 1 },
        { month: null, count: 1 },
      ]);
      assert.deepEqual(
        catalog.db.prepare('SELECT id, path FROM photos ORDER BY id').all(),
        ['a.jpg', 'b.jpg', 'c.png', 'd.jpg', 'e.jpg'].map((name, i) => ({ id: i + 1, path: `/p/${name}` })),
      );
      assert.equal(new CaptionStore(catalog).caption(2, 'any')?.text, 'my favourite holiday');
      // An image skipped as too small (v11) has a fingerprint and a date, and is not on the timeline.
      catalog.db
        .prepare(
          `INSERT INTO photos (folder_id, path, dir, name, size, mtime_ms, hash, taken_at, status, error) VALUES (1, '/p/icon.png', '/p', 'icon.png', 1, 0, 'hi', '2023-06-01T00:00:00Z', 'skipped', 'too small')`,
        )
        .run();
      assert.equal(new TimelineStore(catalog).months({})[0]?.count, 1, 'the skipped icon is not counted in June 2023');
      const favourites = new FavouriteStore(catalog);
      assert.equal(favourites.setFavourite([2, 99], true), 1, 'only photos of the library become favourites');
      assert.deepEqual([...favourites.favouritesAmong([1, 2, 3])], [2]);
      catalog.db.prepare('DELETE FROM photos WHERE id = 2').run();
      assert.equal(favourites.count(), 0, 'a favourite leaves with its photo');
    } finally {
      catalog.close();
    }
  });
});
