/**
 * Salvage of a real catalogue file (the Catalog class's own schema and writes) when SQLite cannot open
 * it. With the schema page that names some tables' roots destroyed too, their pages are found by the
 * shape of their rows, among tables of the same shape (the generated captions withheld, read text).
 * Rows on pages no walk reached are given back only to a table whose own walk lost a page: pages the
 * freelist holds still carry the rows they held (SQLite does not wipe them), so after header damage
 * alone, where every b-tree is whole, a caption the user cleared must not come back from one.
 */
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Catalog } from '../../../../src/main/engine/catalog/catalog.js';
import { salvage } from '../../../../src/main/engine/catalog/salvage.js';
import { tempDir } from '../../../fixtures.js';
import { FolderStore } from '../../../../src/main/engine/library/folder-store.js';
import { PhotoStore } from '../../../../src/main/engine/library/photo-store.js';
import { CaptionStore } from '../../../../src/main/engine/captions/caption-store.js';
import { AlbumStore } from '../../../../src/main/engine/albums/album-store.js';
import { ConceptStore } from '../../../../src/main/engine/concepts/concept-store.js';

describe('salvage', () => {
  const dir = tempDir();
  after(() => dir.remove());

  it('does not bring back captions the user cleared, from pages the freelist holds, when only the header is damaged', () => {
    const file = join(dir.path, 'catalog.sqlite');
    const catalog = new Catalog(file);
    const folder = new FolderStore(catalog).addFolder('/photos');
    const ids: number[] = [];
    catalog.transaction(() => {
      for (let i = 0; i < 300; i++)
        ids.push(new PhotoStore(catalog).insertPhoto({ folderId: folder.id, path: `/photos/p${String(i).padStart(3, '0')}.jpg`, size: 1, mtimeMs: 1, hash: `h${i}` }));
      for (const [i, id] of ids.entries()) new CaptionStore(catalog).setUserCaption(id, `caption ${i} `.repeat(40));
    });
    // Cleared: their leaf pages go to the freelist, with the old captions still on them.
    catalog.transaction(() => ids.slice(0, 200).forEach((id) => new CaptionStore(catalog).setUserCaption(id, '')));
    const freed = catalog.db.pragma('freelist_count', { simple: true }) as number;
    assert.ok(freed > 5, `pages were freed (${freed})`);
    catalog.db.pragma('wal_checkpoint(TRUNCATE)');
    catalog.close();
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(100), 0, 100, 0);
    closeSync(fd);

    const rescued = salvage(file);
    const kept = new Map(ids.slice(200).map((id, i) => [id, `caption ${200 + i} `.repeat(40).trim()]));
    assert.deepEqual(new Map(rescued.captions.map((c) => [c.photo.id, c.text])), kept);
    assert.equal(rescued.maxPhotoId, ids.at(-1));
    assert.deepEqual(rescued.folders, ['/photos']);
  });

  it('finds the tables whose schema entries were lost by the shape of their rows, and gives back every row', () => {
    const file = join(dir.path, 'schema-lost.sqlite');
    const catalog = new Catalog(file);
    const folder = new FolderStore(catalog).addFolder('/photos');
    const captions = new Map<number, string>();
    const titles = new Map<string, string>();
    const examples = new Map<number, boolean>();
    catalog.transaction(() => {
      for (let i = 0; i < 240; i++) {
        const dir = `/photos/d${String(i % 24).padStart(2, '0')}`;
        const id = new PhotoStore(catalog).insertPhoto({ folderId: folder.id, path: `${dir}/p${i}.jpg`, size: 1, mtimeMs: 1, hash: `h${i}` });
        // Generated captions shown and withheld, and read text: rows shaped like the user's captions.
        new CaptionStore(catalog).setGeneratedCaption(
          id,
          'tiny',
          i % 2 ? { caption: `generated ${i}`, withheldCaption: null } : { caption: null, withheldCaption: { text: `unsure ${i}`, reason: 'low' } },
        );
        catalog.db.prepare(`INSERT INTO texts (photo_id, source, model, text, updated_at) VALUES (?, 'ocr', 'ocr-pack', ?, 1)`).run(id, `READ ${i}`);
        if (i % 3 === 0) {
          new CaptionStore(catalog).setUserCaption(id, `the user's words on ${i} `.repeat(1 + (i % 7)).trim());
          captions.set(id, `the user's words on ${i} `.repeat(1 + (i % 7)).trim());
        }
        if (i < 24) {
          new AlbumStore(catalog).saveAlbum({ dir, title: `album ${i}`, summary: 'some photos', signature: String(i), coverId: id });
          const album = new AlbumStore(catalog).albums().find((a) => a.dir === dir)!;
          new AlbumStore(catalog).setAlbumTitle(album.id, `the user's album ${i}`);
          titles.set(dir, `the user's album ${i}`);
        }
        if (i % 10 === 0) examples.set(id, i % 20 === 0);
      }
      new ConceptStore(catalog).createConcept(
        'a concept',
        'a concept',
        [...examples].map(([photoId, positive]) => ({ photoId, positive })),
      );
    });
    catalog.db.pragma('wal_checkpoint(TRUNCATE)');
    // The leaf of the schema that holds the texts table's entry (with the entries beside it).
    const stats = catalog.db.prepare(`SELECT path, pageno, pagetype, ncell FROM dbstat WHERE name = 'sqlite_schema' ORDER BY path`).all() as Array<{
      pageno: number;
      pagetype: string;
      ncell: number;
    }>;
    const names = catalog.db.prepare('SELECT name FROM sqlite_schema ORDER BY rowid').pluck().all() as string[];
    const leaves = stats.filter((s) => s.pagetype === 'leaf');
    let at = names.indexOf('texts');
    const leaf = leaves.find((l) => (at -= l.ncell) < 0)!;
    assert.ok(leaf.pageno > 1, 'the schema spans pages');
    const pageSize = catalog.db.pragma('page_size', { simple: true }) as number;
    catalog.close();
    const bytes = readFileSync(file);
    bytes.fill(0, 0, 100);
    bytes.fill(0xa5, (leaf.pageno - 1) * pageSize, leaf.pageno * pageSize);
    writeFileSync(file, bytes);
    assert.throws(() => new Database(file, { readonly: true }).prepare('SELECT 1 FROM texts').get(), 'SQLite cannot read it');

    const rescued = salvage(file);
    assert.deepEqual(new Map(rescued.captions.map((c) => [c.photo.id, c.text])), captions);
    for (const c of rescued.captions) assert.match(c.photo.path!, /^\/photos\/d\d\d\/p\d+\.jpg$/);
    assert.deepEqual(new Map(rescued.albumTitles.map((a) => [a.dir, a.title])), titles);
    assert.equal(rescued.concepts.length, 1);
    assert.deepEqual(new Map(rescued.concepts[0]!.examples.map((e) => [e.photo.id, e.positive])), examples);
    assert.deepEqual(rescued.folders, ['/photos']);
  });
});
