/**
 * The page-level reader of the SQLite file format against SQLite itself: random tables (rowid tables,
 * INTEGER PRIMARY KEY, WITHOUT ROWID with the key declared anywhere, columns added later with defaults)
 * holding random rows (NULLs, integers of every serial type, floats, texts and blobs long enough to
 * overflow, deletes and updates that leave free space), written by better-sqlite3 at random page sizes,
 * then read by the reader with the file intact, with its header zeroed, through a WAL, and with a WAL
 * whose last transaction fails its checksum: it must give exactly the rows SQLite gives.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { PageFile } from '../../../../src/main/engine/catalog/sqlite-pages.js';
import type { SqlValue } from '../../../../src/main/engine/catalog/sqlite-records.js';
import { seededRandom } from '../../../../src/scenes/scene.js';
import { tempDir } from '../../../fixtures.js';

type Rand = ReturnType<typeof seededRandom>;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

/** Integers at the edges of every serial type (1, 2, 3, 4, 6 and 8 bytes, and the constants 0 and 1). */
const INTEGERS: ReadonlyArray<number | bigint> = [
  0,
  1,
  -1,
  127,
  -128,
  128,
  32767,
  -32768,
  32768,
  8388607,
  -8388608,
  8388608,
  2147483647,
  -2147483648,
  2147483648,
  140737488355327,
  -140737488355328,
  140737488355328,
  9007199254740993n,
  -9223372036854775808n,
  9223372036854775807n,
];
const WORDS = ['circle', 'ünïcödé', '写真', 'emoji 📷', "it's", 'a "quoted" word', ''];

function randomValue(r: Rand): SqlValue {
  switch (int(r, 0, 6)) {
    case 0:
      return null;
    case 1:
      return pick(r, INTEGERS);
    case 2:
      return int(r, -1e6, 1e6);
    case 3:
      return pick(r, [0.5, -2.25, 1e300, -1e-300, 3.0, Math.PI, r() * 1e9]);
    case 4: {
      const n = pick(r, [0, 1, 10, 100, 600, 5000, 70_000]);
      return (
        Array.from({ length: Math.ceil(n / 6) + 1 }, () => pick(r, WORDS))
          .join(' ')
          .slice(0, n) || 'x'
      );
    }
    case 5:
      return Buffer.from(Array.from({ length: pick(r, [0, 3, 200, 3000, 40_000]) }, () => int(r, 0, 255)));
    default:
      return `t${int(r, 0, 1e9)}`;
  }
}

/** A value as one comparable string: integers and floats by their numeric value, texts and blobs by content (a digest when long). */
function canon(v: SqlValue | undefined): string {
  if (v === undefined) return 'MISSING';
  if (v === null) return 'null';
  if (typeof v === 'bigint' || typeof v === 'number') return `n${Object.is(v, -0) ? '0' : String(v)}`;
  const [kind, bytes] = Buffer.isBuffer(v) ? ['b', v] : ['s', Buffer.from(v)];
  return bytes.length <= 40 ? `${kind}${Buffer.isBuffer(v) ? v.toString('hex') : v}` : `${kind}${bytes.length}:${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`;
}

interface Spec {
  name: string;
  withoutRowid: boolean;
  columns: string[];
  /** The INTEGER PRIMARY KEY column (given ids well below the largest, whose successor AUTOINCREMENT cannot give). */
  alias?: number;
}

function createTables(db: Database.Database, r: Rand): Spec[] {
  const specs: Spec[] = [];
  for (let t = 0; t < int(r, 1, 4); t++) {
    const name = `t${t}`;
    const withoutRowid = r() < 0.35;
    const count = int(r, 1, 6);
    const columns = Array.from({ length: count }, (_, i) => `c${i}`);
    const types = columns.map(() => pick(r, ['INTEGER', 'TEXT', 'REAL', 'BLOB', '', 'NUMERIC', 'VARCHAR(20)']));
    const defs = columns.map((c, i) => `"${c}" ${types[i]}`);
    if (withoutRowid) {
      // A key declared anywhere, of one or two columns, NOT NULL as SQLite requires of it.
      const key = [...new Set([int(r, 0, count - 1), int(r, 0, count - 1)])];
      key.forEach((k) => (defs[k] += ' NOT NULL'));
      defs.push(`PRIMARY KEY (${key.map((k) => `"c${k}"`).join(', ')})`);
    }
    const alias = !withoutRowid && r() < 0.5 ? int(r, 0, count - 1) : undefined;
    if (alias !== undefined) defs[alias] = `"c${alias}" INTEGER PRIMARY KEY${r() < 0.5 ? ' AUTOINCREMENT' : ''}`;
    db.exec(`CREATE TABLE ${name} (${defs.join(', ')})${withoutRowid ? ' WITHOUT ROWID' : ''}`);
    specs.push({ name, withoutRowid, columns, ...(alias === undefined ? {} : { alias }) });
  }
  return specs;
}

function fill(db: Database.Database, specs: Spec[], r: Rand, rows: number): void {
  for (const spec of specs) {
    const insert = db.prepare(`INSERT OR REPLACE INTO ${spec.name} (${spec.columns.map((c) => `"${c}"`).join(', ')}) VALUES (${spec.columns.map(() => '?').join(', ')})`);
    db.transaction(() => {
      for (let i = 0; i < rows; i++) {
        try {
          insert.run(...spec.columns.map((_, c) => (c === spec.alias ? pick(r, [null, int(r, -1e6, 1e6)]) : randomValue(r))));
        } catch {
          // a NULL key of a WITHOUT ROWID table, a text for an INTEGER PRIMARY KEY: not inserted
        }
      }
    })();
  }
}

function churn(db: Database.Database, specs: Spec[], r: Rand): void {
  for (const spec of specs) {
    db.prepare(`DELETE FROM ${spec.name} WHERE (length(CAST("c0" AS BLOB)) + ?) % 4 = 0`).run(int(r, 0, 3));
    if (r() < 0.6) {
      // A column added later: older rows have fewer values, and read back its default.
      const column = `c${spec.columns.length}`;
      db.exec(`ALTER TABLE ${spec.name} ADD COLUMN "${column}" ${pick(r, ['INTEGER', 'TEXT', 'REAL', ''])} DEFAULT ${pick(r, ['NULL', '7', "'later'", '2.5', '-3'])}`);
      spec.columns.push(column);
    }
  }
}

/** The rows of every table as SQLite reads them. */
function sqliteRows(file: string, specs: Spec[]): Map<string, string[]> {
  const db = new Database(file, { readonly: true });
  db.defaultSafeIntegers(true);
  const all = new Map<string, string[]>();
  for (const spec of specs) {
    const select = `SELECT ${spec.withoutRowid ? '' : 'rowid AS _k, '}* FROM ${spec.name}`;
    const rows = (db.prepare(select).raw(true).all() as SqlValue[][]).map((row) => row.map(canon).join('|'));
    all.set(spec.name, rows.sort());
  }
  db.close();
  return all;
}

/** The rows of every table as the page reader reads them. */
function pageRows(file: string, specs: Spec[]): { rows: Map<string, string[]>; pageSize: number } {
  const pages = PageFile.open(file);
  assert.ok(pages, 'the reader opens the file');
  try {
    const tables = pages.tables();
    const all = new Map<string, string[]>();
    for (const spec of specs) {
      const table = tables.get(spec.name);
      assert.ok(table, `${spec.name} is in the schema`);
      const rows = [...pages.rows(table.layout, table.root)].map((e) => [...(spec.withoutRowid ? [] : [e.rowid ?? null]), ...e.row].map(canon).join('|'));
      all.set(spec.name, rows.sort());
    }
    return { rows: all, pageSize: pages.pageSize };
  } finally {
    pages.close();
  }
}

function zeroHeader(file: string): void {
  const bytes = readFileSync(file);
  bytes.fill(0, 0, 100);
  writeFileSync(file, bytes);
}

describe('the SQLite page reader', () => {
  const dirs: Array<{ remove: () => void }> = [];
  after(() => dirs.forEach((d) => d.remove()));
  const scratch = () => {
    const d = tempDir('glimpse-pages-');
    dirs.push(d);
    return d.path;
  };

  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`reads random tables exactly as SQLite does, intact and with a zeroed header (seed ${seed})`, () => {
      const r = seededRandom(seed);
      const dir = scratch();
      const file = join(dir, 'db.sqlite');
      const pageSize = pick(r, [512, 1024, 4096, 8192, 65536]);
      const db = new Database(file);
      db.pragma(`page_size = ${pageSize}`);
      db.pragma('journal_mode = DELETE');
      const specs = createTables(db, r);
      fill(db, specs, r, int(r, 20, 300));
      churn(db, specs, r);
      fill(db, specs, r, int(r, 0, 100));
      db.close();

      const expected = sqliteRows(file, specs);
      const intact = pageRows(file, specs);
      assert.equal(intact.pageSize, pageSize);
      assert.deepEqual(intact.rows, expected);

      const damaged = join(dir, 'zeroed.sqlite');
      copyFileSync(file, damaged);
      zeroHeader(damaged);
      const zeroed = pageRows(damaged, specs);
      assert.equal(zeroed.pageSize, pageSize, 'the page size is found without the header');
      assert.deepEqual(zeroed.rows, expected);
    });
  }

  for (const seed of [11, 12, 13]) {
    it(`lays the WAL's committed frames over the file, and ignores a transaction whose checksum fails (seed ${seed})`, () => {
      const r = seededRandom(seed);
      const dir = scratch();
      const file = join(dir, 'db.sqlite');
      const db = new Database(file);
      db.pragma(`page_size = ${pick(r, [1024, 4096])}`);
      db.pragma('journal_mode = WAL');
      db.pragma('wal_autocheckpoint = 0');
      const specs = createTables(db, r);
      fill(db, specs, r, int(r, 20, 150));
      db.pragma('wal_checkpoint(TRUNCATE)');
      // Two transactions in the WAL only: the copy taken between them is what SQLite shows after the first.
      fill(db, specs, r, int(r, 5, 60));
      const first = join(dir, 'first.sqlite');
      copyFileSync(file, first);
      copyFileSync(`${file}-wal`, `${first}-wal`);
      const walAfterFirst = readFileSync(`${file}-wal`).length;
      churn(db, specs, r);
      fill(db, specs, r, int(r, 5, 60));
      const both = join(dir, 'both.sqlite');
      copyFileSync(file, both);
      copyFileSync(`${file}-wal`, `${both}-wal`);
      db.close();

      const expectedBoth = sqliteRows(both, specs);
      const expectedFirst = sqliteRows(first, specs);
      const check = (name: string, expected: Map<string, string[]>) => {
        const path = join(dir, name);
        assert.deepEqual(pageRows(path, specs).rows, expected, name);
      };
      // Copies of the files SQLite read (its read-only open leaves them as they were).
      const fresh = (from: string, name: string, damage: (main: string, wal: string) => void) => {
        copyFileSync(`${from}`, join(dir, name));
        copyFileSync(`${from}-wal`, join(dir, `${name}-wal`));
        damage(join(dir, name), join(dir, `${name}-wal`));
      };
      fresh(both, 'both-copy.sqlite', () => undefined);
      check('both-copy.sqlite', expectedBoth);
      fresh(both, 'both-zeroed.sqlite', (main) => zeroHeader(main));
      check('both-zeroed.sqlite', expectedBoth);
      // A byte changed in a frame of the second transaction: its checksum fails, so only the first counts.
      fresh(both, 'torn.sqlite', (_, wal) => {
        const bytes = readFileSync(wal);
        const at = walAfterFirst + 24 + 10;
        assert.ok(at < bytes.length, 'the second transaction is in the WAL');
        bytes[at] = bytes[at]! ^ 0xff;
        writeFileSync(wal, bytes);
      });
      check('torn.sqlite', expectedFirst);
    });
  }

  it('hands over the leaves of a table whose interior page was lost, with every row', () => {
    const dir = scratch();
    const file = join(dir, 'db.sqlite');
    const db = new Database(file);
    db.pragma('page_size = 1024');
    db.pragma('journal_mode = DELETE');
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, n INTEGER)');
    const insert = db.prepare('INSERT INTO notes (body, n) VALUES (?, ?)');
    for (let i = 0; i < 400; i++) insert.run(`note ${i} `.repeat(1 + (i % 9)), i);
    const root = db.prepare(`SELECT rootpage FROM sqlite_schema WHERE name = 'notes'`).pluck().get() as number;
    db.close();
    const expected = sqliteRows(file, [{ name: 'notes', withoutRowid: false, columns: ['id', 'body', 'n'] }]).get('notes');
    const bytes = readFileSync(file);
    bytes.fill(0xa5, (root - 1) * 1024, root * 1024);
    writeFileSync(file, bytes);

    const pages = PageFile.open(file)!;
    const table = pages.tables().get('notes')!;
    assert.equal([...pages.rows(table.layout, table.root)].length, 0, 'the walk finds nothing below a lost root');
    const found = [...pages.orphans()].flatMap((o) => o.entries.map((e) => [e.rowid!, e.rowid!, e.values[1], e.values[2]].map(canon).join('|')));
    pages.close();
    assert.deepEqual(found.sort(), expected);
  });
});
