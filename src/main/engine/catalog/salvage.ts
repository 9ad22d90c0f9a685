import Database from 'better-sqlite3';
import { Catalog } from './catalog.js';
import { type Entry, PageFile } from './sqlite-pages.js';
import { type SqlValue, type TableLayout, fits, parseCreateTable, rowOf } from './sqlite-records.js';

/**
 * What can still be read of the user's own words in a damaged catalogue: library folders, the user's
 * captions (with the id, path and content fingerprint of their photo), album titles, concepts and their
 * examples, people the user named or hid and their verdicts on faces, and the highest photo id handed out. Two readers, merged by key: SQLite itself, row by row
 * until a table's first unreadable page, and the page reader (`sqlite-pages.ts`, like SQLite's `.recover`),
 * which needs no intact header, reads the WAL's committed frames over the file, walks each table's
 * b-tree past its damaged pages, and gives the pages no walk reached to the table their rows fit. What
 * SQLite read wins; the page reader fills in the rows it could not read.
 */

/** A photo of the damaged file: its id (never given to another photo), and its path and fingerprint when its row could be read. */
export interface PhotoRef {
  id: number;
  path?: string;
  hash?: string | null;
}

export interface Salvage {
  folders: string[];
  captions: Array<{ photo: PhotoRef; text: string; updatedAt: number }>;
  albumTitles: Array<{ dir: string; title: string }>;
  /** Concepts the user taught: the name, and the example and counter-example photos. */
  concepts: Array<{ id: number; name: string; key: string; updatedAt: number; examples: Array<{ photo: PhotoRef; positive: boolean }> }>;
  /** People the user named or hid, with their verdicts on faces ("this is", "this is not"), each by its photo and the face's centre. */
  people: Array<{ id: number; name: string | null; key: string | null; hidden: boolean; updatedAt: number; verdicts: SalvagedVerdict[] }>;
  maxPhotoId: number;
  /** How many of these rows only the page reader could read. */
  fromPages: number;
}

export interface SalvagedVerdict {
  photo: PhotoRef;
  hash: string;
  cx: number;
  cy: number;
  verdict: 'is' | 'not';
  at: number;
}

type VerdictRow = Omit<SalvagedVerdict, 'photo'> & { photoId: number; personId: number };

/** The rows salvage keeps, by their keys, as each reader finds them. */
class Rows {
  folders = new Map<number, string>();
  photos = new Map<number, { path: string; hash: string | null }>();
  captions = new Map<number, { text: string; updatedAt: number }>();
  albums = new Map<number, { dir: string; title: string | null }>();
  concepts = new Map<number, { name: string; key: string; updatedAt: number }>();
  examples = new Map<string, { conceptId: number; photoId: number; positive: boolean }>();
  people = new Map<number, { name: string | null; key: string | null; hidden: boolean; updatedAt: number }>();
  verdicts = new Map<string, VerdictRow>();
  maxPhotoId = 0;
  /** Rows added since counting began (the page reader's share). */
  added = 0;

  add<K, V>(map: Map<K, V>, key: K, value: V): void {
    if (map.has(key)) return;
    map.set(key, value);
    this.added++;
  }

  /** Photo ids the captions and examples refer to: the photo rows worth decoding. */
  wanted(): Set<number> {
    return new Set([...this.captions.keys(), ...[...this.examples.values()].map((e) => e.photoId), ...[...this.verdicts.values()].map((v) => v.photoId)]);
  }
}

const num = (v: SqlValue | undefined): number | undefined => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined);
const str = (v: SqlValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/** Reads each salvaged table with SQLite, as far as it goes. */
function fromSqlite(file: string, rows: Rows): void {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch {
    return;
  }
  const each = <T>(sql: string, take: (row: T) => void, ...params: unknown[]) => {
    try {
      for (const row of db.prepare(sql).iterate(...params) as IterableIterator<T>) take(row);
    } catch {
      // the rest of this table is unreadable
    }
  };
  each<{ id: number; path: string }>('SELECT id, path FROM folders', (r) => rows.folders.set(r.id, r.path));
  each<{ photo_id: number; text: string; updated_at: number }>(`SELECT photo_id, text, updated_at FROM texts WHERE source = 'user'`, (r) =>
    rows.captions.set(r.photo_id, { text: r.text, updatedAt: r.updated_at }),
  );
  each<{ id: number; dir: string; user_title: string | null }>('SELECT id, dir, user_title FROM albums', (r) => rows.albums.set(r.id, { dir: r.dir, title: r.user_title }));
  each<{ id: number; name: string; name_key: string; updated_at: number }>('SELECT id, name, name_key, updated_at FROM concepts', (r) =>
    rows.concepts.set(r.id, { name: r.name, key: r.name_key, updatedAt: r.updated_at }),
  );
  each<{ concept_id: number; photo_id: number; positive: number }>('SELECT concept_id, photo_id, positive FROM concept_examples', (e) =>
    rows.examples.set(`${e.concept_id}:${e.photo_id}`, { conceptId: e.concept_id, photoId: e.photo_id, positive: e.positive === 1 }),
  );
  each<{ id: number; name: string | null; name_key: string | null; hidden: number; updated_at: number }>(
    'SELECT id, name, name_key, hidden, updated_at FROM people WHERE name IS NOT NULL OR hidden = 1',
    (r) => rows.people.set(r.id, { name: r.name, key: r.name_key, hidden: r.hidden === 1, updatedAt: r.updated_at }),
  );
  each<{ photo_id: number; hash: string; cx: number; cy: number; person_id: number; verdict: 'is' | 'not'; at: number }>('SELECT * FROM face_verdicts', (v) =>
    rows.verdicts.set(`${v.photo_id}:${v.cx}:${v.cy}:${v.person_id}`, {
      photoId: v.photo_id,
      hash: v.hash,
      cx: v.cx,
      cy: v.cy,
      personId: v.person_id,
      verdict: v.verdict,
      at: v.at,
    }),
  );
  // Photo by photo: a scan would stop at the first damaged page of the table, a look-up only fails where its own row is.
  for (const id of rows.wanted()) each<{ path: string; hash: string | null }>('SELECT path, hash FROM photos WHERE id = ?', (r) => rows.photos.set(id, r), id);
  each<{ m: number | null }>('SELECT max(id) AS m FROM photos', (r) => (rows.maxPhotoId = Math.max(rows.maxPhotoId, r.m ?? 0)));
  each<{ seq: number }>(`SELECT seq FROM sqlite_sequence WHERE name = 'photos'`, (r) => (rows.maxPhotoId = Math.max(rows.maxPhotoId, r.seq)));
  db.close();
}

/** The tables of the schema every catalogue is built from, for a file whose own schema pages are lost. */
function referenceLayouts(): Map<string, TableLayout> {
  const reference = new Catalog(':memory:');
  try {
    const tables = reference.db.prepare(`SELECT sql FROM sqlite_schema WHERE type = 'table' AND sql IS NOT NULL`).pluck().all() as string[];
    return new Map(tables.flatMap((sql) => parseCreateTable(sql) ?? []).map((layout) => [layout.name, layout]));
  } finally {
    reference.close();
  }
}

/** How specifically a layout describes a record: its typed, NOT NULL and CHECKed columns, and most of all an exact number of values. */
function specificity(layout: TableLayout, values: ReadonlyArray<unknown>): number {
  let score = values.length === layout.stored.length ? 100 : 0;
  for (let i = 0; i < values.length; i++) {
    const c = layout.columns[layout.stored[i]!]!;
    score += (c.affinity !== 'BLOB' ? 1 : 0) + (c.notNull ? 1 : 0) + (c.allowed ? 2 : 0) + (c.rowid ? 1 : 0);
  }
  return score;
}

/** The one table whose layout every entry of a page fits best, or null when none does or two fit as well. */
function ownerOf(entries: Entry[], index: boolean, layouts: Iterable<TableLayout>): TableLayout | null {
  let best: TableLayout | null = null;
  let bestScore = -1;
  let tie = false;
  for (const layout of layouts) {
    if (layout.withoutRowid !== index || !entries.every((e) => fits(layout, e.values))) continue;
    const score = entries.reduce((sum, e) => sum + specificity(layout, e.values), 0);
    if (score > bestScore) [best, bestScore, tie] = [layout, score, false];
    else if (score === bestScore) tie = true;
  }
  return tie ? null : best;
}

/** Takes one row of a salvaged table (by name) into `rows`, where its key is not there yet. */
function take(rows: Rows, table: string, layout: TableLayout, entry: Entry): void {
  const row = rowOf(layout, entry.values, entry.rowid);
  const col = (name: string) => row[layout.columns.findIndex((c) => c.name === name)];
  const id = num(entry.rowid);
  if (table === 'photos' && id !== undefined) {
    rows.maxPhotoId = Math.max(rows.maxPhotoId, id);
    const path = str(col('path'));
    const hash = col('hash');
    if (path !== undefined && (hash === null || typeof hash === 'string')) rows.add(rows.photos, id, { path, hash });
  } else if (table === 'folders' && id !== undefined) {
    const path = str(col('path'));
    if (path !== undefined) rows.add(rows.folders, id, path);
  } else if (table === 'texts') {
    const [photoId, text, updatedAt] = [num(col('photo_id')), str(col('text')), num(col('updated_at'))];
    if (col('source') === 'user' && photoId !== undefined && text !== undefined && updatedAt !== undefined) rows.add(rows.captions, photoId, { text, updatedAt });
  } else if (table === 'albums' && id !== undefined) {
    const [dir, title] = [str(col('dir')), col('user_title')];
    if (dir !== undefined && (title === null || typeof title === 'string')) rows.add(rows.albums, id, { dir, title });
  } else if (table === 'concepts' && id !== undefined) {
    const [name, key, updatedAt] = [str(col('name')), str(col('name_key')), num(col('updated_at'))];
    if (name !== undefined && key !== undefined && updatedAt !== undefined) rows.add(rows.concepts, id, { name, key, updatedAt });
  } else if (table === 'concept_examples') {
    const [conceptId, photoId, positive] = [num(col('concept_id')), num(col('photo_id')), num(col('positive'))];
    if (conceptId !== undefined && photoId !== undefined && positive !== undefined)
      rows.add(rows.examples, `${conceptId}:${photoId}`, { conceptId, photoId, positive: positive === 1 });
  } else if (table === 'people' && id !== undefined) {
    const [name, key, hidden, updatedAt] = [col('name'), col('name_key'), num(col('hidden')), num(col('updated_at'))];
    if ((typeof name === 'string' || hidden === 1) && (name === null || typeof name === 'string') && (key === null || typeof key === 'string') && updatedAt !== undefined)
      rows.add(rows.people, id, { name, key, hidden: hidden === 1, updatedAt });
  } else if (table === 'face_verdicts') {
    const [photoId, hash, cx, cy, personId, verdict, at] = [
      num(col('photo_id')),
      str(col('hash')),
      num(col('cx')),
      num(col('cy')),
      num(col('person_id')),
      col('verdict'),
      num(col('at')),
    ];
    if (
      photoId !== undefined &&
      hash !== undefined &&
      cx !== undefined &&
      cy !== undefined &&
      personId !== undefined &&
      (verdict === 'is' || verdict === 'not') &&
      at !== undefined
    )
      rows.add(rows.verdicts, `${photoId}:${cx}:${cy}:${personId}`, { photoId, hash, cx, cy, personId, verdict, at });
  } else if (table === 'sqlite_sequence' && col('name') === 'photos') {
    rows.maxPhotoId = Math.max(rows.maxPhotoId, num(col('seq')) ?? 0);
  }
}

/** Photo rows come last: only those the captions and examples refer to are decoded. */
const SALVAGED = ['folders', 'texts', 'albums', 'concepts', 'concept_examples', 'people', 'face_verdicts', 'sqlite_sequence', 'photos'];

/** Reads the salvaged tables page by page, filling in what SQLite could not read. */
function fromPages(file: string, rows: Rows): void {
  const pages = PageFile.open(file);
  if (!pages) return;
  try {
    const tables = pages.tables();
    const layouts = referenceLayouts();
    for (const [name, t] of tables) layouts.set(name, t.layout);
    for (const name of SALVAGED) {
      const table = tables.get(name);
      const layout = layouts.get(name);
      if (!table || !layout) continue;
      const wanted = name === 'photos' ? rows.wanted() : null;
      const want = wanted ? (rowid: number | bigint) => wanted.has(Number(rowid)) : undefined;
      for (const entry of pages.walk(table.root, layout.withoutRowid, want)) take(rows, name, layout, entry);
    }
    // Every other b-tree is marked, not read, so that only pages whose parent was lost are left over.
    for (const e of pages.schema()) if (e.root > 0 && !SALVAGED.includes(e.name)) pages.mark(e.root, e.type === 'index' || parseCreateTable(e.sql)?.withoutRowid === true);
    // A page no walk reached is one whose parent was lost, or a freed page still holding rows deleted long
    // ago: it is given only to a table whose schema entry or some page of whose b-tree was lost.
    const open = new Set(SALVAGED.filter((name) => !tables.has(name) || !pages.whole(tables.get(name)!.root)));
    for (const orphan of pages.orphans()) {
      const owner = ownerOf(orphan.entries, orphan.index, layouts.values());
      if (owner && open.has(owner.name)) for (const entry of orphan.entries) take(rows, owner.name, owner, entry);
    }
    // Captions and examples found on orphan pages name photos the walk above did not look for (a photos
    // table whose own schema entry survived): they are looked up now.
    const photos = tables.get('photos');
    const photoLayout = layouts.get('photos');
    const missing = new Set([...rows.wanted()].filter((id) => !rows.photos.has(id)));
    if (photos && photoLayout && missing.size > 0)
      for (const entry of pages.walk(photos.root, photoLayout.withoutRowid, (rowid) => missing.has(Number(rowid)))) take(rows, 'photos', photoLayout, entry);
  } finally {
    pages.close();
  }
}

/** Whatever can still be read from a damaged catalogue (and its WAL beside it). */
export function salvage(file: string): Salvage {
  const rows = new Rows();
  fromSqlite(file, rows);
  rows.added = 0;
  try {
    fromPages(file, rows);
  } catch {
    // the page reader is a second chance; what SQLite read stands
  }
  const photo = (id: number): PhotoRef => ({ id, ...rows.photos.get(id) });
  const concepts = new Map([...rows.concepts].map(([id, c]) => [id, { id, ...c, examples: [] as Salvage['concepts'][number]['examples'] }]));
  for (const e of rows.examples.values()) concepts.get(e.conceptId)?.examples.push({ photo: photo(e.photoId), positive: e.positive });
  return {
    folders: [...rows.folders.values()],
    captions: [...rows.captions].map(([id, c]) => ({ photo: photo(id), ...c })),
    albumTitles: [...rows.albums.values()].flatMap((a) => (a.title === null ? [] : [{ dir: a.dir, title: a.title }])),
    concepts: [...concepts.values()],
    // A verdict on a person whose row was lost still says which faces belong together; it keeps its person id.
    people: [...new Set([...rows.people.keys(), ...[...rows.verdicts.values()].map((v) => v.personId)])].map((id) => ({
      id,
      ...(rows.people.get(id) ?? { name: null, key: null, hidden: false, updatedAt: 0 }),
      verdicts: [...rows.verdicts.values()].filter((v) => v.personId === id).map(({ photoId, personId: _, ...v }) => ({ photo: photo(photoId), ...v })),
    })),
    maxPhotoId: Math.max(rows.maxPhotoId, ...rows.photos.keys()),
    fromPages: rows.added,
  };
}
