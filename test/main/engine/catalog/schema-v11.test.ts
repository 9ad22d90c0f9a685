/**
 * Schema v11 (issue 27): a photo can be skipped (not a photo: an icon, a sprite) and an indexed item can
 * carry a warning (a video read only in part). The step rebuilds the photos table; a library from v10
 * must come through it whole: its rows, the keyword table's triggers, the cascades, and the ids of
 * photos that left never given again.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Catalog } from '../../../../src/main/engine/catalog/catalog.js';
import { MIGRATIONS } from '../../../../src/main/engine/catalog/schema.js';
import { compactText, nameWords } from '../../../../src/main/engine/catalog/text-keys.js';
import { tempDir } from '../../../fixtures.js';

/** A catalogue as the Glimpse before this step left it (schema v10), with a photo that left. */
function v10Catalogue(file: string): void {
  const db = new Database(file);
  db.function('name_words', { deterministic: true, varargs: true }, (path: unknown, root?: unknown) => nameWords(String(path), root == null ? undefined : String(root)));
  db.function('compact_text', { deterministic: true }, (text: unknown) => compactText(String(text ?? '')));
  for (const step of MIGRATIONS.slice(0, 10)) db.exec(step);
  db.pragma('user_version = 10');
  db.exec(`
    INSERT INTO folders (path, added_at) VALUES ('/lib', 1);
    INSERT INTO photos (folder_id, path, dir, name, size, mtime_ms, hash, width, height, status, indexed_at, media, duration)
      VALUES (1, '/lib/trip/beach.jpg', '/lib/trip', 'beach.jpg', 10, 1, 'h1', 800, 600, 'indexed', 5, 'photo', NULL),
             (1, '/lib/trip/walk.mp4', '/lib/trip', 'walk.mp4', 20, 1, 'h2', 320, 240, 'indexed', 5, 'video', 12.5),
             (1, '/lib/trip/gone.jpg', '/lib/trip', 'gone.jpg', 30, 1, 'h3', 800, 600, 'error', 5, 'photo', NULL);
    DELETE FROM photos WHERE id = 3;
    INSERT INTO texts (photo_id, source, model, text, updated_at) VALUES (1, 'user', '', 'my favourite holiday', 1);
    INSERT INTO albums (dir, title, signature) VALUES ('/lib/trip', 'Seaside', 's');
    INSERT INTO vectors (photo_id, model, vector, hash) VALUES (1, 'm', x'0000803f', 'h1'), (2, 'm', x'0000803f', 'h2');
    INSERT INTO stacks (photo_id, stack_id) VALUES (1, 1), (2, 1);
  `);
  db.close();
}

describe('schema v11: skipped files and warnings', () => {
  const tmp = tempDir();
  after(() => tmp.remove());

  it('upgrades a v10 library whole, its triggers and cascades working and no id given again', () => {
    const file = join(tmp.path, 'v10.sqlite');
    v10Catalogue(file);
    const catalog = new Catalog(file);
    try {
      const db = catalog.db;
      assert.equal(catalog.schemaVersion, MIGRATIONS.length);
      assert.deepEqual(db.pragma('foreign_key_check'), []);
      const rows = db.prepare('SELECT id, path, status, media, duration, width, warning FROM photos ORDER BY id').all();
      assert.deepEqual(rows, [
        { id: 1, path: '/lib/trip/beach.jpg', status: 'indexed', media: 'photo', duration: null, width: 800, warning: null },
        { id: 2, path: '/lib/trip/walk.mp4', status: 'indexed', media: 'video', duration: 12.5, width: 320, warning: null },
      ]);
      // The keyword table still follows the photos and the albums (their triggers were made again).
      const words = (id: number) => db.prepare('SELECT caption, album, names FROM photo_text WHERE rowid = ?').get(id) as { caption: string; album: string; names: string };
      assert.equal(words(1).caption, 'my favourite holiday');
      db.prepare(`UPDATE albums SET user_title = 'Summer 2024' WHERE dir = '/lib/trip'`).run();
      assert.equal(words(1).album, 'Summer 2024');
      db.prepare(`UPDATE photos SET path = '/lib/trip/sea.jpg', name = 'sea.jpg' WHERE id = 1`).run();
      assert.match(words(1).names, /sea/);
      // New photos never get the id of one that left, and find their album's title.
      const id = Number(
        db.prepare(`INSERT INTO photos (folder_id, path, dir, name, size, mtime_ms, status) VALUES (1, '/lib/trip/icon.png', '/lib/trip', 'icon.png', 1, 1, 'skipped')`).run()
          .lastInsertRowid,
      );
      assert.equal(id, 4, 'the id of the photo deleted before the upgrade (3) is not given again');
      assert.equal(words(id).album, 'Summer 2024');
      db.prepare(`UPDATE photos SET warning = 'damaged or truncated' WHERE id = 2`).run();
      // Cascades from photos still hold: vectors, stacks and keyword rows leave with the photo.
      db.prepare('DELETE FROM photos WHERE id = 1').run();
      assert.equal(db.prepare('SELECT count(*) FROM vectors WHERE photo_id = 1').pluck().get(), 0);
      assert.equal(db.prepare('SELECT count(*) FROM stacks WHERE photo_id = 1').pluck().get(), 0);
      assert.equal(db.prepare('SELECT count(*) FROM photo_text WHERE rowid = 1').pluck().get(), 0);
      assert.throws(() => db.prepare(`UPDATE photos SET status = 'lost' WHERE id = 2`).run(), /CHECK constraint/);
    } finally {
      catalog.close();
    }
  });
});
