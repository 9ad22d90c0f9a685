import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Catalog } from '../../../../src/main/engine/catalog/catalog.js';
import { nameWords } from '../../../../src/main/engine/catalog/text-keys.js';
import { MIGRATIONS } from '../../../../src/main/engine/catalog/schema.js';
import { tempDir } from '../../../fixtures.js';
import { FolderStore } from '../../../../src/main/engine/library/folder-store.js';
import { PhotoStore } from '../../../../src/main/engine/library/photo-store.js';
import { VectorStore } from '../../../../src/main/engine/index/vector-store.js';
import { IndexingStore } from '../../../../src/main/engine/indexing/indexing-store.js';
import { KeywordStore } from '../../../../src/main/engine/search/keyword-store.js';
import { CaptionStore } from '../../../../src/main/engine/captions/caption-store.js';
import { AlbumStore } from '../../../../src/main/engine/albums/album-store.js';

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

  it("keeps a video's kind, length and frames with its pooled vector: replaced with it, dropped with it", () => {
    const catalog = new Catalog(join(tmp.path, 'video.sqlite'));
    try {
      const folder = new FolderStore(catalog).addFolder('/media');
      const photo = new PhotoStore(catalog).insertPhoto({ folderId: folder.id, path: '/media/a.jpg', size: 1, mtimeMs: 1, hash: null });
      const video = new PhotoStore(catalog).insertPhoto({ folderId: folder.id, path: '/media/b.MP4', size: 1, mtimeMs: 1, hash: null });
      assert.deepEqual([new PhotoStore(catalog).photo(photo)!.media, new PhotoStore(catalog).photo(video)!.media], ['photo', 'video']);
      const frames = (ts: number[]) => ts.map((t, i) => ({ t, vector: new Float32Array([i, 1]) }));
      const record = (ts: number[]) => ({
        id: video,
        hash: 'h',
        width: 1,
        height: 1,
        takenAt: null,
        camera: null,
        gps: null,
        vector: new Float32Array([1, 0]),
        caption: null,
        video: { duration: 9.5, frames: frames(ts) },
      });
      const seq = new VectorStore(catalog).lastVectorSeq();
      new IndexingStore(catalog).recordIndexed('m', [record([0, 2, 4])]);
      assert.equal(new PhotoStore(catalog).photo(video)!.duration, 9.5);
      assert.deepEqual(
        new VectorStore(catalog).frames('m', [video]).map((f) => [f.idx, f.t]),
        [
          [0, 0],
          [1, 2],
          [2, 4],
        ],
      );
      assert.ok(
        new VectorStore(catalog).vectorChanges('m', seq).changes.some((c) => c.photoId === video),
        'the vector log tells the index',
      );
      new IndexingStore(catalog).recordIndexed('m', [record([1])]);
      assert.deepEqual(
        new VectorStore(catalog).frames('m', [video]).map((f) => f.t),
        [1],
        're-indexing replaces the frames',
      );
      catalog.db.prepare('DELETE FROM vectors WHERE photo_id = ?').run(video);
      assert.deepEqual(new VectorStore(catalog).frames('m', [video]), [], 'frames leave with the vector');
      new IndexingStore(catalog).recordIndexed('m', [record([0, 3])]);
      new PhotoStore(catalog).deletePhotos([video]);
      assert.deepEqual(new VectorStore(catalog).allFrames('m').frames, [], 'and with the item');
    } finally {
      catalog.close();
    }
  });

  it('keeps keyword text in step with captions, edits and album titles', () => {
    const catalog = new Catalog(join(tmp.path, 'b.sqlite'));
    try {
      const folder = new FolderStore(catalog).addFolder('/photos');
      const id = new PhotoStore(catalog).insertPhoto({ folderId: folder.id, path: '/photos/Trip/IMG_0042.jpg', size: 10, mtimeMs: 1, hash: null });
      new KeywordStore(catalog).setKeywordModel('m');
      new IndexingStore(catalog).recordIndexed('m', [
        { id, hash: 'h', width: 1, height: 1, takenAt: null, camera: null, gps: null, vector: new Float32Array([1, 0]), caption: 'a red kite in the sky' },
      ]);
      assert.deepEqual(new KeywordStore(catalog).keywordIds('"kite"', 10), [id]);
      assert.deepEqual(new KeywordStore(catalog).keywordIds('"trip"', 10), [id], 'folder names are searchable');
      new CaptionStore(catalog).setUserCaption(id, 'Grandpa flying his kite');
      assert.deepEqual(new KeywordStore(catalog).keywordIds('"grandpa"', 10), [id]);
      assert.equal(new CaptionStore(catalog).caption(id, 'tiny-coca')?.source, 'user');
      // A generated caption is its model's: after a switch, another pack's caption is not shown as the new one's.
      new CaptionStore(catalog).setUserCaption(id, '');
      new CaptionStore(catalog).setGeneratedCaption(id, 'pack-a', { caption: 'a kite in the sky' });
      assert.equal(new CaptionStore(catalog).caption(id, 'pack-a')?.text, 'a kite in the sky');
      assert.equal(new CaptionStore(catalog).caption(id, 'pack-b'), undefined);
      assert.deepEqual([...new CaptionStore(catalog).captions([id], 'pack-b')], []);
      // Keyword search sees the user's captions and the active pack's, never another pack's.
      new CaptionStore(catalog).setGeneratedCaption(id, 'pack-b', { caption: 'a balloon over hills' });
      assert.deepEqual([new KeywordStore(catalog).keywordIds('"kite"', 10), new KeywordStore(catalog).keywordIds('"balloon"', 10)], [[id], []], 'pack m is active');
      new KeywordStore(catalog).setKeywordModel('pack-a');
      assert.deepEqual([new KeywordStore(catalog).keywordIds('"kite"', 10), new KeywordStore(catalog).keywordIds('"balloon"', 10)], [[id], []]);
      new KeywordStore(catalog).setKeywordModel('pack-b');
      assert.deepEqual([new KeywordStore(catalog).keywordIds('"kite"', 10), new KeywordStore(catalog).keywordIds('"balloon"', 10)], [[], [id]]);
      new CaptionStore(catalog).setUserCaption(id, 'Grandpa flying his kite');
      assert.equal(new CaptionStore(catalog).caption(id, 'pack-b')?.text, 'Grandpa flying his kite', "the user's words show whatever the pack");
      assert.deepEqual(new KeywordStore(catalog).keywordIds('"grandpa"', 10), [id], 'and are searched whatever the pack');
      new AlbumStore(catalog).saveAlbum({ dir: '/photos/Trip', title: 'Sky', summary: '', signature: 's', coverId: id });
      assert.deepEqual(new KeywordStore(catalog).keywordIds('"sky"', 10), [id]);
      new PhotoStore(catalog).deletePhotos([id]);
      assert.deepEqual(new KeywordStore(catalog).keywordIds('"kite"', 10), []);
      assert.throws(() => new KeywordStore(catalog).keywordIds('"unbalanced', 10), /unterminated string/, 'a malformed match expression is a fault, raised');
    } finally {
      catalog.close();
    }
  });

  it('keeps keyword rows in step by triggers, whatever writes the tables', () => {
    const catalog = new Catalog(join(tmp.path, 'c.sqlite'));
    try {
      const folder = new FolderStore(catalog).addFolder('/lib');
      const a = new PhotoStore(catalog).insertPhoto({ folderId: folder.id, path: '/lib/Zoo/giraffe.jpg', size: 1, mtimeMs: 1, hash: null });
      const b = new PhotoStore(catalog).insertPhoto({ folderId: folder.id, path: '/lib/Zoo/zebra.jpg', size: 1, mtimeMs: 1, hash: null });
      const ids = (match: string) => new KeywordStore(catalog).keywordIds(match, 10).sort();
      catalog.db.prepare(`INSERT INTO texts (photo_id, source, model, text, updated_at) VALUES (?, 'user', '', 'tall neck', 1)`).run(a);
      assert.deepEqual(ids('"neck"'), [a], 'a caption written by plain SQL is searchable');
      catalog.db.prepare(`UPDATE texts SET text = 'long legs' WHERE photo_id = ?`).run(a);
      assert.deepEqual([ids('"neck"'), ids('"legs"')], [[], [a]]);
      catalog.db.prepare(`INSERT INTO albums (dir, title) VALUES ('/lib/Zoo', 'Safari')`).run();
      assert.deepEqual(ids('"safari"'), [a, b].sort(), 'an album title reaches every photo in its folder');
      new PhotoStore(catalog).movePhoto(b, { folderId: folder.id, path: '/lib/Home/zebra-crossing.jpg', size: 1, mtimeMs: 1 });
      assert.deepEqual([ids('"safari"'), ids('"crossing"')], [[a], [b]], 'a moved photo takes its new names and album');
      new FolderStore(catalog).removeFolder(folder.id);
      assert.equal(catalog.db.prepare('SELECT count(*) FROM photo_text').pluck().get(), 0, 'removing a folder removes its keyword rows (through the cascade)');
    } finally {
      catalog.close();
    }
  });

  it('answers matches and highlights among a few photos exactly as the library table does', () => {
    // Seeded random captions with stems, prefixes and repeated words; the scratch copy must agree with
    // photo_text for every match expression search builds (prefix terms, AND, phrases with a prefix).
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    const words = ['red', 'reds', 'circle', 'circles', 'circling', 'grass', 'grassy', 'a', 'on', 'blue', 'star', 'stars', 'Café', 'cafe'];
    const catalog = new Catalog(join(tmp.path, 'd.sqlite'));
    try {
      const folder = new FolderStore(catalog).addFolder('/m');
      const ids: number[] = [];
      catalog.transaction(() => {
        for (let i = 0; i < 300; i++) {
          const id = new PhotoStore(catalog).insertPhoto({ folderId: folder.id, path: `/m/${pick(['Trip', 'Home'])}/p${i}.jpg`, size: 1, mtimeMs: 1, hash: null });
          const caption = Array.from({ length: 2 + Math.floor(random() * 6) }, () => pick(words)).join(' ');
          catalog.db.prepare(`INSERT INTO texts (photo_id, source, model, text, updated_at) VALUES (?, 'user', '', ?, 1)`).run(id, caption);
          ids.push(id);
        }
      });
      const library = (match: string) => new Set(new KeywordStore(catalog).keywordIds(match, 1_000_000));
      for (let q = 0; q < 40; q++) {
        const terms = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(words).slice(0, 2 + Math.floor(random() * 5)));
        const match = q % 2 === 0 ? terms.map((t) => `"${t}"*`).join(' AND ') : `"${terms.join(' ')}"*`;
        const among = ids.filter(() => random() < 0.3);
        const expected = [...library(match)].filter((id) => among.includes(id)).sort((a, b) => a - b);
        assert.deepEqual(
          [...new KeywordStore(catalog).keywordMatchesAmong(match, among)].sort((a, b) => a - b),
          expected,
          match,
        );
        const highlights = new KeywordStore(catalog).keywordHighlights(match, among);
        assert.deepEqual(
          [...highlights.keys()].sort((a, b) => a - b),
          expected,
          match,
        );
        for (const [id, h] of highlights) {
          assert.ok(h.caption.includes('«') || h.album.includes('«') || h.names.includes('«'), `${match}: photo ${id} has a highlight`);
          assert.equal(h.caption.replace(/[«»]/g, ''), catalog.db.prepare('SELECT caption FROM photo_text WHERE rowid = ?').pluck().get(id));
        }
      }
      assert.deepEqual([...new KeywordStore(catalog).keywordMatchesAmong('"red"*', [])], []);
    } finally {
      catalog.close();
    }
  });

  it('turns file and folder names into words, counting folders from the library folder', () => {
    assert.equal(nameWords('/home/ana/Pictures/2024 Beach-trip/IMG_2041.jpg'), 'ana Pictures 2024 Beach trip IMG 2041');
    assert.equal(nameWords('/home/ana/Pictures/2024 Beach-trip/IMG_2041.jpg', '/home/ana/Pictures'), 'Pictures 2024 Beach trip IMG 2041');
    assert.equal(nameWords('/home/ana/Pictures/IMG_2041.jpg', '/home/ana/Pictures'), 'Pictures IMG 2041');
    assert.equal(nameWords('/p/a/b/c/d/x.jpg', '/p'), 'b c d x', 'at most three folders');
  });

  it('never makes the folders above a library folder into words its photos match', () => {
    const catalog = new Catalog(join(tmp.path, 'e.sqlite'));
    try {
      const folder = new FolderStore(catalog).addFolder('/home/ana/Pictures');
      const a = new PhotoStore(catalog).insertPhoto({ folderId: folder.id, path: '/home/ana/Pictures/Kenya/giraffe.jpg', size: 1, mtimeMs: 1, hash: null });
      const b = new PhotoStore(catalog).insertPhoto({ folderId: folder.id, path: '/home/ana/Pictures/zebra.jpg', size: 1, mtimeMs: 1, hash: null });
      const ids = (match: string) => new KeywordStore(catalog).keywordIds(match, 10).sort((x, y) => x - y);
      assert.deepEqual([ids('"ana"'), ids('"home"')], [[], []]);
      assert.deepEqual([ids('"kenya"'), ids('"pictures"'), ids('"zebra"')], [[a], [a, b], [b]]);
      new PhotoStore(catalog).movePhoto(b, { folderId: folder.id, path: '/home/ana/Pictures/Kenya/zebra.jpg', size: 1, mtimeMs: 1 });
      assert.deepEqual(ids('"kenya"'), [a, b], 'a moved photo takes the words of its new folders');
    } finally {
      catalog.close();
    }
  });
});
