import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { type TextEncoding, type TableLayout, type SqlValue, decodeRecord, parseCreateTable, rowOf, varint } from './sqlite-records.js';
import { type WalFrames, readWal } from './sqlite-wal.js';

/**
 * A reader of the SQLite file format (https://www.sqlite.org/fileformat2.html) page by page, for what
 * SQLite itself cannot open: a catalogue whose header is damaged, or whose b-trees have lost a page. It
 * reads the pages of the file with the committed frames of its WAL laid over them, finds the page size
 * when the header is gone, walks a table's b-tree from its root and skips what cannot be read, and hands
 * over the b-tree pages no walk reached (a parent page was lost) so that their rows can be given to a
 * table by their shape. It only reads.
 */

export const PAGE_SIZES = [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536] as const;

const TABLE_INTERIOR = 0x05;
const TABLE_LEAF = 0x0d;
const INDEX_INTERIOR = 0x02;
const INDEX_LEAF = 0x0a;

/** A row of a b-tree: its key (a rowid table's) and its record. */
export interface Entry {
  page: number;
  rowid?: number | bigint;
  values: Array<SqlValue | undefined>;
  complete: boolean;
}

export interface SchemaEntry {
  type: string;
  name: string;
  table: string;
  root: number;
  sql: string;
}

interface Cell {
  /** The payload size the cell states, and the bytes of it that could be read. */
  size: number;
  payload: Buffer;
  rowid?: number | bigint;
  child?: number;
  /** The bytes the cell takes on its page. */
  span: number;
}

export class PageFile {
  /** Pages a walk reached (interior and leaf), so that the rest can be offered as orphans. */
  private readonly reached = new Set<number>();
  /** Roots of the b-trees whose walk met a page it could not read (so some of their pages may be orphans). */
  private readonly broken = new Set<number>();

  private constructor(
    private readonly fd: number | null,
    private readonly fileSize: number,
    private readonly wal: WalFrames | null,
    readonly pageSize: number,
    readonly usable: number,
    readonly encoding: TextEncoding,
    /** The pages the database has (from the WAL's last commit, the header, or the file's size). */
    readonly pageCount: number,
    /** The 100-byte header was there to read (page size, encoding and freelist from it). */
    readonly headerIntact: boolean,
  ) {}

  /** Opens `file` (and `file-wal` beside it); null when neither holds anything that looks like SQLite pages. */
  static open(file: string): PageFile | null {
    let fd: number | null = null;
    try {
      fd = openSync(file, 'r');
    } catch {
      // no main file: the WAL alone may still hold pages
    }
    const fileSize = fd === null ? 0 : fstatSync(fd).size;
    const wal = readWal(`${file}-wal`);
    const header = Buffer.alloc(100);
    if (fd !== null) readSync(fd, header, 0, 100, 0);
    const intact = header.toString('latin1', 0, 16) === 'SQLite format 3\0';
    const stated = header.readUInt16BE(16) === 1 ? 65536 : header.readUInt16BE(16);
    let pageSize = intact && (PAGE_SIZES as readonly number[]).includes(stated) ? stated : (wal?.pageSize ?? 0);
    const reserved = intact ? header[20]! : 0;
    const encoding: TextEncoding = intact && header.readUInt32BE(56) === 2 ? 'utf16le' : intact && header.readUInt32BE(56) === 3 ? 'utf16be' : 'utf8';
    if (pageSize === 0 && fd !== null) pageSize = detectPageSize((n, size) => readAt(fd, n, size, fileSize));
    if (pageSize === 0) {
      if (fd !== null) closeSync(fd);
      wal?.close();
      return null;
    }
    const statedPages = intact && header.readUInt32BE(92) === header.readUInt32BE(24) ? header.readUInt32BE(28) : 0;
    const pageCount = wal && wal.pages > 0 ? wal.pages : Math.max(statedPages, Math.ceil(fileSize / pageSize));
    return new PageFile(fd, fileSize, wal, pageSize, pageSize - reserved, encoding, pageCount, intact);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.wal?.close();
  }

  /** Page `n` (1-based), from the WAL when it holds a committed copy; null when it is beyond what exists. */
  page(n: number): Buffer | null {
    if (n < 1 || n > this.pageCount) return null;
    const frame = this.wal?.pageSize === this.pageSize ? this.wal.frames.get(n) : undefined;
    if (frame !== undefined) return this.wal!.read(frame);
    return this.fd === null ? null : readAt(this.fd, n, this.pageSize, this.fileSize);
  }

  /** The schema (sqlite_schema, rooted at page 1), as far as it can be read. */
  schema(): SchemaEntry[] {
    const entries: SchemaEntry[] = [];
    for (const e of this.walk(1, false)) {
      const [type, name, table, root, sql] = e.values;
      if (typeof type === 'string' && typeof name === 'string' && typeof sql === 'string') entries.push({ type, name, table: String(table), root: Number(root ?? 0), sql });
    }
    return entries;
  }

  /** The layouts of the schema's tables by name (virtual tables and views have none). */
  tables(): Map<string, { layout: TableLayout; root: number }> {
    const tables = new Map<string, { layout: TableLayout; root: number }>();
    for (const e of this.schema()) {
      const layout = e.type === 'table' && e.root > 0 ? parseCreateTable(e.sql) : null;
      if (layout) tables.set(e.name, { layout, root: e.root });
    }
    return tables;
  }

  /** A table's rows in declared column order (rowid tables: with the rowid), walking from `root`. */
  *rows(layout: TableLayout, root: number): Generator<{ rowid?: number | bigint; row: Array<SqlValue | undefined>; complete: boolean }> {
    for (const e of this.walk(root, layout.withoutRowid))
      yield { ...(e.rowid === undefined ? {} : { rowid: e.rowid }), row: rowOf(layout, e.values, e.rowid), complete: e.complete };
  }

  /**
   * The entries of a b-tree, in key order, from its root: a table b-tree (`index` false: interior 0x05,
   * leaf 0x0D) or an index b-tree (interior 0x02, leaf 0x0A: a WITHOUT ROWID table's rows, in interior
   * cells too). A page that is unreadable or of the wrong kind is skipped with what hangs below it. With
   * `want`, a table's rows whose rowid it refuses come without their values (not decoded).
   */
  *walk(root: number, index: boolean, want?: (rowid: number | bigint) => boolean): Generator<Entry> {
    yield* this.visit(root, root, index, new Set(), 0, want);
  }

  /** True when every page of the b-tree at `root` was read by a walk (false also before it was walked). */
  whole(root: number): boolean {
    return this.reached.has(root) && !this.broken.has(root);
  }

  private *visit(root: number, n: number, index: boolean, seen: Set<number>, depth: number, want?: (rowid: number | bigint) => boolean): Generator<Entry> {
    const page = depth > 64 || seen.has(n) ? null : this.page(n);
    seen.add(n);
    const type = page ? btreeType(page, n) : -1;
    const interior = index ? INDEX_INTERIOR : TABLE_INTERIOR;
    const leaf = index ? INDEX_LEAF : TABLE_LEAF;
    const cells = page && (type === interior || type === leaf) ? this.cells(page, n) : null;
    if (!page || !cells) {
      this.broken.add(root);
      return;
    }
    this.reached.add(n);
    for (const cell of cells) {
      if (cell.child !== undefined) yield* this.visit(root, cell.child, index, seen, depth + 1, want);
      // An index b-tree keeps an entry in each interior cell too, after the subtree to its left.
      if (type === leaf && want && cell.rowid !== undefined && !want(cell.rowid)) yield { page: n, rowid: cell.rowid, values: [], complete: false };
      else if (type === leaf || index) yield this.entry(n, cell);
    }
    if (type === interior) yield* this.visit(root, page.readUInt32BE(headerAt(n) + 8), index, seen, depth + 1, want);
  }

  /**
   * Marks the pages of a b-tree as reached without reading its rows, so that they are not offered as
   * orphans: its interior pages are read, and since every leaf of a b-tree is at the same depth, once one
   * page of a level is a leaf the rest of that level are taken to be leaves unread (a table of vectors is
   * most of a catalogue's pages).
   */
  mark(root: number, index: boolean): void {
    const interior = index ? INDEX_INTERIOR : TABLE_INTERIOR;
    const leaf = index ? INDEX_LEAF : TABLE_LEAF;
    let level = [root];
    for (let depth = 0; level.length > 0 && depth < 64; depth++) {
      const next: number[] = [];
      let leaves = false;
      for (const n of level) {
        if (n < 1 || n > this.pageCount || this.reached.has(n)) continue;
        if (leaves) {
          this.reached.add(n);
          continue;
        }
        const page = this.page(n);
        const type = page ? btreeType(page, n) : -1;
        if (type === leaf) {
          this.reached.add(n);
          leaves = true;
        } else if (type === interior) {
          const cells = cellsOf(page!, headerAt(n), this.usable);
          if (!cells) continue;
          this.reached.add(n);
          next.push(...cells.map((c) => c.child!), page!.readUInt32BE(headerAt(n) + 8));
        }
      }
      level = next;
    }
  }

  /**
   * Pages that look like b-tree pages holding rows (table leaves, index pages) that no walk reached and
   * that the freelist does not hold (when the header, which points to it, is intact): pages whose parent
   * was lost, or pages freed earlier (SQLite leaves their old rows on them), which only a b-tree whose
   * walk was not `whole` can tell apart from nothing. Call after the walks. Their entries, for
   * attribution by shape.
   */
  *orphans(): Generator<{ page: number; index: boolean; entries: Entry[] }> {
    const free = this.freelist();
    for (let n = 1; n <= this.pageCount; n++) {
      if (this.reached.has(n) || free.has(n)) continue;
      const page = this.page(n);
      const type = page ? btreeType(page, n) : -1;
      if (!page || (type !== TABLE_LEAF && type !== INDEX_LEAF && type !== INDEX_INTERIOR)) continue;
      const cells = this.cells(page, n);
      if (cells && cells.length > 0) yield { page: n, index: type !== TABLE_LEAF, entries: cells.map((c) => this.entry(n, c)) };
    }
  }

  private freelist(): Set<number> {
    const free = new Set<number>();
    if (!this.headerIntact) return free;
    const header = this.page(1)!;
    for (let trunk = header.readUInt32BE(32); trunk > 0 && !free.has(trunk) && free.size <= this.pageCount;) {
      const page = this.page(trunk);
      if (!page) break;
      free.add(trunk);
      const count = Math.min(page.readUInt32BE(4), (this.usable - 8) / 4);
      for (let i = 0; i < count; i++) free.add(page.readUInt32BE(8 + 4 * i));
      trunk = page.readUInt32BE(0);
    }
    return free;
  }

  private entry(page: number, cell: Cell): Entry {
    const record = decodeRecord(cell.payload, cell.size, this.encoding);
    return { page, ...(cell.rowid === undefined ? {} : { rowid: cell.rowid }), values: record?.values ?? [], complete: record?.complete ?? false };
  }

  /** The cells of a b-tree page, with their payloads (overflow chains followed); null when the page does not hold together. */
  private cells(page: Buffer, n: number): Cell[] | null {
    return cellsOf(page, headerAt(n), this.usable, (p) => this.page(p));
  }
}

/** Page `n` at `size` bytes a page, or null when the file does not hold all of it (a file cut inside a page). */
function readAt(fd: number, n: number, size: number, fileSize: number): Buffer | null {
  const at = (n - 1) * size;
  if (at + size > fileSize) return null;
  const page = Buffer.alloc(size);
  return readSync(fd, page, 0, size, at) === size ? page : null;
}

/** Page 1 holds the 100-byte file header before its b-tree header. */
function headerAt(n: number): number {
  return n === 1 ? 100 : 0;
}

function btreeType(page: Buffer, n: number): number {
  const t = page[headerAt(n)]!;
  return t === TABLE_INTERIOR || t === TABLE_LEAF || t === INDEX_INTERIOR || t === INDEX_LEAF ? t : -1;
}

/** How much of a payload of `size` bytes a cell keeps on its page (the rest is in overflow pages). */
export function localPayload(size: number, usable: number, tableLeaf: boolean): number {
  const max = tableLeaf ? usable - 35 : Math.floor(((usable - 12) * 64) / 255) - 23;
  if (size <= max) return size;
  const min = Math.floor(((usable - 12) * 32) / 255) - 23;
  const k = min + ((size - min) % (usable - 4));
  return k <= max ? k : min;
}

/**
 * The cells of a b-tree page whose header is at `hdr`, or null when the page's structure does not hold:
 * cell pointers outside the content area, a cell running past the page. `read` gives overflow pages
 * (null: none, or `undefined` to leave payloads local, as page size detection does).
 */
export function cellsOf(page: Buffer, hdr: number, usable: number, read?: (n: number) => Buffer | null): Cell[] | null {
  if (page.length < hdr + 8) return null;
  const type = page[hdr]!;
  const interior = type === TABLE_INTERIOR || type === INDEX_INTERIOR;
  const count = page.readUInt16BE(hdr + 3);
  const pointers = hdr + (interior ? 12 : 8);
  const content = page.readUInt16BE(hdr + 5) || 65536;
  if (pointers + 2 * count > usable || content > usable || content < pointers + 2 * count) return null;
  const cells: Cell[] = [];
  for (let i = 0; i < count; i++) {
    const at = page.readUInt16BE(pointers + 2 * i);
    if (at < content || at >= usable) return null;
    const cell = cellAt(page, at, type, usable, read);
    if (!cell) return null;
    cells.push(cell);
  }
  return cells;
}

function cellAt(page: Buffer, at: number, type: number, usable: number, read?: (n: number) => Buffer | null): Cell | null {
  let p = at;
  let child: number | undefined;
  if (type === TABLE_INTERIOR || type === INDEX_INTERIOR) {
    if (p + 4 > usable) return null;
    child = page.readUInt32BE(p);
    p += 4;
  }
  if (type === TABLE_INTERIOR) {
    const key = varint(page, p, usable);
    if (!key) return null;
    return { size: 0, payload: Buffer.alloc(0), rowid: key[0], child: child!, span: 4 + key[1] };
  }
  const size = varint(page, p, usable);
  if (!size || typeof size[0] !== 'number' || size[0] < 0) return null;
  p += size[1];
  let rowid: number | bigint | undefined;
  if (type === TABLE_LEAF) {
    const key = varint(page, p, usable);
    if (!key) return null;
    rowid = key[0];
    p += key[1];
  }
  const local = localPayload(size[0], usable, type === TABLE_LEAF);
  const overflow = local < size[0];
  if (p + local + (overflow ? 4 : 0) > usable) return null;
  let payload = page.subarray(p, p + local);
  if (overflow && read) payload = withOverflow(payload, size[0], page.readUInt32BE(p + local), usable, read);
  const span = Math.max(4, p - at + local + (overflow ? 4 : 0));
  return { size: size[0], payload, ...(rowid === undefined ? {} : { rowid }), ...(child === undefined ? {} : { child }), span };
}

/** A payload with its overflow chain appended, as far as the chain can be followed. */
function withOverflow(local: Buffer, size: number, first: number, usable: number, read: (n: number) => Buffer | null): Buffer {
  const parts = [local];
  let have = local.length;
  const seen = new Set<number>();
  for (let next = first; next > 0 && have < size && !seen.has(next);) {
    seen.add(next);
    const page = read(next);
    if (!page) break;
    const take = Math.min(usable - 4, size - have);
    parts.push(page.subarray(4, 4 + take));
    have += take;
    next = page.readUInt32BE(0);
  }
  return Buffer.concat(parts);
}

/**
 * A page size for a file whose header is lost: the size at which the most sampled pages are b-tree pages
 * whose cells, freeblocks and fragmented bytes exactly fill the content area to the end of the page (a
 * wrong size puts page starts in the middle of pages, or ends the content area short of the page's end).
 * 0 when no size gives a single such page.
 */
export function detectPageSize(read: (n: number, size: number) => Buffer | null): number {
  let best = 0;
  let bestScore = 0;
  for (const size of PAGE_SIZES) {
    let score = 0;
    for (let n = 1, tried = 0; tried < 256; n++, tried++) {
      const page = read(n, size);
      if (!page) break;
      if (btreeType(page, n) > 0 && tiles(page, headerAt(n), size)) score++;
    }
    if (score > bestScore) [best, bestScore] = [size, score];
  }
  return best;
}

/** True when a page's cells, freeblocks and fragmented bytes fill its content area exactly. */
function tiles(page: Buffer, hdr: number, usable: number): boolean {
  const cells = cellsOf(page, hdr, usable);
  if (!cells) return false;
  const content = page.readUInt16BE(hdr + 5) || 65536;
  let used = page[hdr + 7]! + cells.reduce((sum, c) => sum + c.span, 0);
  for (let free = page.readUInt16BE(hdr + 1), hops = 0; free !== 0; hops++) {
    if (free < content || free + 4 > usable || hops > usable / 4) return false;
    used += page.readUInt16BE(free + 2);
    free = page.readUInt16BE(free);
  }
  return used === usable - content;
}
