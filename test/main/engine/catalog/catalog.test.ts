import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Catalog, nameWords } from '../../../../src/main/engine/catalog/catalog.js';
import { MIGRATIONS } from '../../../../src/main/engine/catalog/schema.js';
import { tempDir } from '../../../fixtures.js';

describe('the catalogue', () => {
  const tmp = tempDir();
  after(() => tmp.remove());

  it('creates the schema in WAL mode and records its version', () => {
    const catalog = new Catalog(join(tmp.path, 'a.sqlite'));
    try {
      assert.equal(catalog.db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(catalog.db.pragma('user_version', { simple: true }), MIGRATIONS.length);
    } finally {
      catalog.close();
    }
  });

  it('refuses a catalogue written by a newer Glimpse instead of damaging it', () => {
    const file = join(tmp.path, 'newer.sqlite');
    const db = new Database(file);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    assert.throws(() => new Catalog(file), /newer Glimpse/);
  });

  it('keeps keyword text in step with captions, edits and album titles', () => {
    const catalog = new Catalog(join(tmp.path, 'b.sqlite'));
    try {
      const folder = catalog.addFolder('/photos');
      const id = catalog.insertPhoto({ folderId: folder.id, path: '/photos/Trip/IMG_0042.jpg', size: 10, mtimeMs: 1, hash: null });
      catalog.recordIndexed('m', [{ id, hash: 'h', width: 1, height: 1, takenAt: null, camera: null, gps: null, vector: new Float32Array([1, 0]), caption: 'a red kite in the sky' }]);
      assert.deepEqual(catalog.keywordSearch('"kite"', 10).map((h) => h.id), [id]);
      assert.deepEqual(catalog.keywordSearch('"trip"', 10).map((h) => h.id), [id], 'folder names are searchable');
      catalog.setUserCaption(id, 'Grandpa flying his kite');
      assert.deepEqual(catalog.keywordSearch('"grandpa"', 10).map((h) => h.id), [id]);
      assert.equal(catalog.caption(id)?.source, 'user');
      catalog.saveAlbum({ dir: '/photos/Trip', title: 'Sky', summary: '', signature: 's', coverId: id });
      assert.deepEqual(catalog.keywordSearch('"sky"', 10).map((h) => h.id), [id]);
      catalog.deletePhotos([id]);
      assert.deepEqual(catalog.keywordSearch('"kite"', 10), []);
      assert.throws(() => catalog.keywordSearch('"unbalanced', 10), /unterminated string/, 'a malformed match expression is a fault, raised');
    } finally {
      catalog.close();
    }
  });

  it('turns file and folder names into words', () => {
    assert.equal(nameWords('/home/ana/Pictures/2024 Beach-trip/IMG_2041.jpg'), 'ana Pictures 2024 Beach trip IMG 2041');
  });
});
