/**
 * Recovery of a damaged catalogue against an oracle. A real library is indexed by the real engine (which
 * takes its first backup), then the user writes captions, album titles and concepts that only the
 * damaged file holds. The catalogue is damaged in its header, over a range of pages in the middle, or
 * cut short, and the engine opens it again. SQLite's own page map of the intact file (dbstat) says which
 * pages held each of the user's rows: every row none of whose pages (b-tree page and overflow pages) was
 * damaged must come back exactly, and nothing the user did not write may appear.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { libraryFolders, scene, writeScene } from '../../../fixtures.js';

const COLOURS = ['red', 'blue', 'yellow', 'purple', 'green', 'orange', 'white', 'black'] as const;
const SHAPES = ['circle', 'square', 'star', 'triangle', 'diamond'] as const;
const PHOTOS = 48;
const ALBUMS = 16;

/** What the user wrote after the backup: captions by path, titles by album folder, concepts by name with their examples by path. */
interface Written {
  captions: Map<string, string>;
  titles: Map<string, string>;
  concepts: Map<string, Map<string, boolean>>;
}

/** A text of `length` characters that no other row shares. */
function words(tag: string, length: number): string {
  let s = `${tag}:`;
  for (let i = 0; s.length < length; i++) s += ` ${SHAPES[i % SHAPES.length]}${(i * 7919) % 1000}`;
  return s.slice(0, length);
}

/** For each row of a table or index b-tree in key order, the pages holding it (its b-tree page, its overflow pages), from dbstat. */
function pagesOfRows(db: Database.Database, name: string, index: boolean): number[][] {
  const stats = db.prepare('SELECT path, pageno, pagetype, ncell FROM dbstat WHERE name = ?').all(name) as Array<{ path: string; pageno: number; pagetype: string; ncell: number }>;
  const byPath = new Map(stats.map((s) => [s.path, s]));
  const hex = (n: number) => n.toString(16).padStart(3, '0');
  const overflow = (path: string, cell: number) => stats.filter((s) => s.path.startsWith(`${path}${hex(cell)}+`)).map((s) => s.pageno);
  const rows: number[][] = [];
  const visit = (path: string) => {
    const s = byPath.get(path)!;
    if (s.pagetype === 'leaf') {
      for (let i = 0; i < s.ncell; i++) rows.push([s.pageno, ...overflow(path, i)]);
      return;
    }
    for (let i = 0; i <= s.ncell; i++) {
      visit(`${path}${hex(i)}/`);
      // An index b-tree (a WITHOUT ROWID table) keeps a row in each interior cell.
      if (index && i < s.ncell) rows.push([s.pageno, ...overflow(path, i)]);
    }
  };
  visit('/');
  return rows;
}

/** Which of the user's rows each page holds, read from the intact catalogue (with its WAL, as SQLite sees it). */
function rowPages(file: string): { captions: Map<string, number[]>; titles: Map<string, number[]>; concepts: Map<string, number[]>; examples: Map<string, number[]> } {
  const db = new Database(file, { readonly: true });
  try {
    const paths = new Map((db.prepare('SELECT id, path FROM photos').all() as Array<{ id: number; path: string }>).map((p) => [p.id, p.path]));
    const texts = db.prepare('SELECT photo_id, source FROM texts ORDER BY photo_id, source, model').all() as Array<{ photo_id: number; source: string }>;
    const textPages = pagesOfRows(db, 'texts', true);
    assert.equal(textPages.length, texts.length);
    const captions = new Map(texts.flatMap((t, i) => (t.source === 'user' ? [[paths.get(t.photo_id)!, textPages[i]!] as const] : [])));
    const albums = db.prepare('SELECT dir FROM albums ORDER BY id').pluck().all() as string[];
    const albumPages = pagesOfRows(db, 'albums', false);
    const concepts = db.prepare('SELECT id, name FROM concepts ORDER BY id').all() as Array<{ id: number; name: string }>;
    const conceptPages = pagesOfRows(db, 'concepts', false);
    const names = new Map(concepts.map((c) => [c.id, c.name]));
    const examples = db.prepare('SELECT concept_id, photo_id FROM concept_examples ORDER BY concept_id, photo_id').all() as Array<{ concept_id: number; photo_id: number }>;
    const examplePages = pagesOfRows(db, 'concept_examples', true);
    return {
      captions,
      titles: new Map(albums.map((dir, i) => [dir, albumPages[i]!])),
      concepts: new Map(concepts.map((c, i) => [c.name, conceptPages[i]!])),
      examples: new Map(examples.map((e, i) => [`${names.get(e.concept_id)}\n${paths.get(e.photo_id)}`, examplePages[i]!])),
    };
  } finally {
    db.close();
  }
}

/** The page numbers of the frames a WAL file holds (they are read from it, not from the damaged file). */
function walPages(file: string, pageSize: number): Set<number> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return new Set();
  }
  const pages = new Set<number>();
  for (let at = 32; at + 24 + pageSize <= bytes.length; at += 24 + pageSize) pages.add(bytes.readUInt32BE(at));
  return pages;
}

describe('recovery of a damaged catalogue', () => {
  const folders = libraryFolders();
  after(() => folders.removeAll());
  let intact: { dataDir: string; photos: string };
  let inWal: { dataDir: string; photos: string };
  const written: Written = { captions: new Map(), titles: new Map(), concepts: new Map() };

  before(async () => {
    const { photos, dataDir, root } = folders.fresh();
    const paths: string[] = [];
    for (let i = 0; i < PHOTOS; i++) {
      const s = scene([[COLOURS[i % COLOURS.length]!, SHAPES[i % SHAPES.length]!]], 'grass', 'left', i + 1);
      paths.push(await writeScene(join(photos, `album${String(i % ALBUMS).padStart(2, '0')}`, `p${String(i).padStart(2, '0')}.jpg`), s, { width: 160, height: 120 }));
    }
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu', ocr: false });
    engine.addFolder(photos);
    await engine.update(); // the first backup: no caption, title or concept of the user's in it
    const write = (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const text = words(`caption ${i}`, [24, 180, 700, 5200][i % 4]!); // the longest overflow a 4 KB page
        engine.setCaption(engine.stores.photos.photoByPath(paths[i]!)!.id, text);
        written.captions.set(paths[i]!, text);
      }
    };
    write(0, PHOTOS / 2);
    for (const album of engine.albums()) {
      const title = words(`title ${album.path.slice(-7)}`, 120 + ((album.photoCount * 97) % 400));
      engine.setAlbumTitle(album.id, title);
      written.titles.set(album.path, title);
    }
    for (let k = 0; k < 6; k++) {
      const examples = [k, k + 8, k + 16].map((i) => paths[i]!);
      const counter = paths[k + 30]!;
      const name = `concept ${COLOURS[k]} ${k}`;
      engine.teachConcept(
        name,
        examples.map((p) => engine.stores.photos.photoByPath(p)!.id),
        [engine.stores.photos.photoByPath(counter)!.id],
      );
      written.concepts.set(name, new Map([...examples.map((p) => [p, true] as const), [counter, false]]));
    }
    // The rest of the captions stay in the WAL: a copy taken now is a library whose writer was killed.
    engine.catalog.db.pragma('wal_checkpoint(TRUNCATE)');
    write(PHOTOS / 2, PHOTOS);
    inWal = { dataDir: join(root, 'in-wal'), photos };
    cpSync(dataDir, inWal.dataDir, { recursive: true });
    await engine.close();
    intact = { dataDir, photos };
  });

  /** Damages a copy of the library's catalogue, opens the engine on it, and checks what came back against the oracle. */
  async function check(
    t: { diagnostic: (s: string) => void },
    kind: string,
    from: { dataDir: string },
    damage: (file: string, pageSize: number, pageCount: number) => Set<number>,
  ): Promise<void> {
    const dataDir = join(folders.fresh().root, 'data');
    cpSync(from.dataDir, dataDir, { recursive: true });
    const file = join(dataDir, 'catalog.sqlite');
    const pages = rowPages(file);
    const probe = new Database(file, { readonly: true });
    const pageSize = probe.pragma('page_size', { simple: true }) as number;
    const pageCount = probe.pragma('page_count', { simple: true }) as number;
    probe.close();
    const inWalFile = walPages(`${file}-wal`, pageSize);
    const damaged = damage(file, pageSize, pageCount);
    const survives = (rowPages: number[] | undefined) => rowPages !== undefined && rowPages.every((p) => inWalFile.has(p) || !damaged.has(p));

    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu', ocr: false });
    try {
      const notice = engine.notices.find((n) => /catalogue was damaged/.test(n));
      assert.ok(notice, `a notice says what happened: ${engine.notices.join(' | ')}`);
      assert.equal(engine.stores.photos.photoTotal(), PHOTOS, 'the backup gave back every photo');
      assert.equal(readdirSync(join(dataDir, 'damaged')).length, 1, 'the damaged file is kept');

      let captions = 0;
      let expectedCaptions = 0;
      for (const [path, text] of written.captions) {
        const caption = engine.photoDetail(engine.stores.photos.photoByPath(path)!.id).caption;
        const got = caption?.edited ? caption.text : undefined;
        if (got !== undefined) assert.equal(got, text, `the caption of ${path} is the one written`);
        if (survives(pages.captions.get(path))) {
          expectedCaptions++;
          assert.equal(got, text, `the caption of ${path}, whose pages survived, came back`);
        }
        if (got !== undefined) captions++;
      }
      let titles = 0;
      let expectedTitles = 0;
      for (const album of engine.albums()) {
        const text = written.titles.get(album.path);
        const got = album.edited ? album.title : undefined;
        if (got !== undefined) assert.equal(got, text, `the title of ${album.path} is the one written`);
        if (survives(pages.titles.get(album.path))) {
          expectedTitles++;
          assert.equal(got, text, `the title of ${album.path}, whose page survived, came back`);
        }
        if (got !== undefined) titles++;
      }
      let concepts = 0;
      let expectedConcepts = 0;
      const known = new Set(written.concepts.keys());
      for (const c of engine.concepts()) assert.ok(known.has(c.name), `${c.name} was taught`);
      for (const [name, examples] of written.concepts) {
        const concept = engine.conceptNamed(name);
        if (survives(pages.concepts.get(name))) {
          expectedConcepts++;
          assert.ok(concept, `${name}, whose page survived, came back`);
        }
        if (!concept) continue;
        concepts++;
        const byPath = (ids: number[]) => new Set(ids.map((id) => engine.stores.photos.photo(id)!.path));
        const got = { examples: byPath(concept.examples), counter: byPath(concept.counterExamples) };
        for (const [path, positive] of examples) {
          const kept = positive ? got.examples.has(path) : got.counter.has(path);
          if (survives(pages.examples.get(`${name}\n${path}`))) assert.ok(kept, `${name}: ${path}, whose page survived, came back`);
        }
        for (const path of got.examples) assert.equal(examples.get(path), true, `${name}: ${path} was an example`);
        for (const path of got.counter) assert.equal(examples.get(path), false, `${name}: ${path} was a counter-example`);
      }
      assert.match(notice, new RegExp(`recovered ${captions} of your captions, ${titles} album titles and ${concepts} concepts`));
      const rows = written.captions.size + written.titles.size + written.concepts.size;
      const expected = expectedCaptions + expectedTitles + expectedConcepts;
      // The damage must leave something to recover (and, but for the header, destroy something), or the case proves nothing.
      assert.ok(expected > 0, 'some of what was written survived the damage');
      if (kind !== 'header') assert.ok(expected < rows, 'the damage destroyed some of what was written');
      t.diagnostic(
        `${kind}: ${damaged.size} of ${pageCount} pages damaged; captions ${captions}/${written.captions.size} (oracle ${expectedCaptions}), titles ${titles}/${written.titles.size} (oracle ${expectedTitles}), concepts ${concepts}/${written.concepts.size} (oracle ${expectedConcepts})`,
      );
      assert.equal(engine.catalog.db.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      await engine.close();
    }
  }

  const zeroHeader = (file: string) => {
    const bytes = readFileSync(file);
    bytes.fill(0, 0, 100);
    writeFileSync(file, bytes);
  };
  /** Garbage (seeded) over pages [from, to] (1-based, inclusive). */
  const garbage = (file: string, pageSize: number, from: number, to: number) => {
    const bytes = readFileSync(file);
    let x = 12345;
    for (let i = (from - 1) * pageSize; i < Math.min(bytes.length, to * pageSize); i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      bytes[i] = x >>> 24;
    }
    writeFileSync(file, bytes);
    return new Set(Array.from({ length: to - from + 1 }, (_, i) => from + i));
  };
  /** Cuts the file to `bytes`: every page that does not end before the cut is lost. */
  const cut = (file: string, pageSize: number, pageCount: number, bytes: number) => {
    truncateSync(file, bytes);
    return new Set(Array.from({ length: pageCount }, (_, i) => i + 1).filter((p) => p * pageSize > bytes));
  };

  it('a zeroed header (the first 100 bytes) loses nothing', async (t) => {
    await check(t, 'header', intact, (file) => {
      zeroHeader(file);
      return new Set();
    });
  });

  it('garbage over a range of pages in the middle loses only the rows on those pages', async (t) => {
    await check(t, 'middle', intact, (file, pageSize, pageCount) => garbage(file, pageSize, Math.floor(pageCount * 0.4) + 1, Math.floor(pageCount * 0.6)));
  });

  it('a file cut to half loses only the rows on the pages cut off', async (t) => {
    await check(t, 'half', intact, (file, pageSize, pageCount) => cut(file, pageSize, pageCount, Math.floor((pageCount * pageSize) / 2)));
  });

  it('a file cut inside a page, at 70%, loses only the rows on the pages cut', async (t) => {
    await check(t, 'fraction', intact, (file, pageSize, pageCount) => cut(file, pageSize, pageCount, Math.floor(pageCount * pageSize * 0.7) + 123));
  });

  it('a damaged header and middle with the newest captions only in the WAL: the committed frames are read over the file', async (t) => {
    await check(t, 'wal', inWal, (file, pageSize, pageCount) => {
      zeroHeader(file);
      return garbage(file, pageSize, Math.floor(pageCount * 0.3) + 1, Math.floor(pageCount * 0.7));
    });
  });
});
