/**
 * The SQLite file format's records (https://www.sqlite.org/fileformat2.html, "Record Format"), and the
 * layout of a table's rows as its CREATE TABLE statement gives it: what salvage needs to turn the bytes of
 * a cell back into a row without SQLite, which cannot open a file whose header is damaged.
 */

/** A value of a row: SQLite's integers beyond 2^53 come back as bigint. */
export type SqlValue = null | number | bigint | string | Buffer;

export type TextEncoding = 'utf8' | 'utf16le' | 'utf16be';

/** A varint at `at` (1 to 9 bytes, big-endian, 7 bits a byte but the ninth): [value, bytes used], or null past `end`. */
export function varint(buf: Buffer, at: number, end = buf.length): [number | bigint, number] | null {
  let value = 0;
  for (let i = 0; i < 7; i++) {
    if (at + i >= end) return null;
    const b = buf[at + i]!;
    value = value * 128 + (b & 0x7f);
    if (b < 0x80) return [value, i + 1];
  }
  // 8 or 9 bytes: beyond 49 bits, so in BigInt (a 9-byte varint is a two's complement 64-bit integer).
  let big = BigInt(value);
  for (let i = 7; i < 9; i++) {
    if (at + i >= end) return null;
    const b = buf[at + i]!;
    if (i === 8) big = (big << 8n) | BigInt(b);
    else {
      big = (big << 7n) | BigInt(b & 0x7f);
      if (b < 0x80) return [small(BigInt.asIntN(64, big)), 8];
    }
  }
  return [small(BigInt.asIntN(64, big)), 9];
}

function small(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

/** The number of body bytes of a serial type, or -1 for the reserved types 10 and 11. */
function serialSize(type: number): number {
  if (type >= 12) return (type - (type % 2 === 0 ? 12 : 13)) / 2;
  return [0, 1, 2, 3, 4, 6, 8, 8, 0, 0, -1, -1][type]!;
}

function text(buf: Buffer, start: number, end: number, encoding: TextEncoding): string {
  if (encoding !== 'utf16be') return buf.toString(encoding, start, end);
  const copy = Buffer.from(buf.subarray(start, end));
  return copy.swap16().toString('utf16le');
}

export interface DecodedRecord {
  /** The columns in stored order; undefined where the payload was cut short (a broken overflow chain). */
  values: Array<SqlValue | undefined>;
  /** Every value was there. */
  complete: boolean;
}

/**
 * Decodes a record. `payload` may be shorter than `size` (what the cell says it holds) when the overflow
 * chain could not be read in full: the columns that fit are decoded, the others are undefined. Returns
 * null when the bytes are not a record (a reserved serial type, a header or body that does not add up).
 */
export function decodeRecord(payload: Buffer, size: number, encoding: TextEncoding): DecodedRecord | null {
  const head = varint(payload, 0);
  if (!head || typeof head[0] !== 'number' || head[0] < head[1] || head[0] > size) return null;
  const headerSize = head[0];
  if (headerSize > payload.length) return { values: [], complete: false };
  const types: number[] = [];
  for (let at = head[1]; at < headerSize;) {
    const t = varint(payload, at, headerSize);
    if (!t || typeof t[0] !== 'number' || serialSize(t[0]) < 0) return null;
    types.push(t[0]);
    at += t[1];
  }
  const body = types.reduce((sum, t) => sum + serialSize(t), 0);
  if (headerSize + body !== size) return null;
  const values: Array<SqlValue | undefined> = [];
  let at = headerSize;
  for (const t of types) {
    const n = serialSize(t);
    if (at + n > payload.length) values.push(undefined);
    else if (t === 0) values.push(null);
    else if (t === 8 || t === 9) values.push(t - 8);
    else if (t === 7) values.push(payload.readDoubleBE(at));
    else if (t === 6) values.push(small(payload.readBigInt64BE(at)));
    else if (t <= 5) values.push(payload.readIntBE(at, n));
    else if (t % 2 === 0) values.push(Buffer.from(payload.subarray(at, at + n)));
    else values.push(text(payload, at, at + n, encoding));
    at += n;
  }
  return { values, complete: values.every((v) => v !== undefined) };
}

export type Affinity = 'INTEGER' | 'TEXT' | 'BLOB' | 'REAL' | 'NUMERIC';

/** A column's affinity from its declared type, by SQLite's rules (section 3.1 of "Datatypes In SQLite"). */
export function affinityOf(type: string): Affinity {
  const t = type.toUpperCase();
  if (t.includes('INT')) return 'INTEGER';
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return 'TEXT';
  if (t === '' || t.includes('BLOB')) return 'BLOB';
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return 'REAL';
  return 'NUMERIC';
}

export interface Column {
  name: string;
  /** The declared type, as written. */
  type: string;
  affinity: Affinity;
  notNull: boolean;
  /** The column is the rowid (INTEGER PRIMARY KEY of a rowid table): stored as NULL, its value is the cell's key. */
  rowid: boolean;
  /** The value a row written before the column was added (ALTER TABLE ADD COLUMN) has. */
  default: SqlValue;
  /** The values a CHECK (column IN (...)) allows. */
  allowed?: SqlValue[];
}

export interface TableLayout {
  name: string;
  withoutRowid: boolean;
  /** The columns in declared order. */
  columns: Column[];
  /** The declared index of each stored value, in record order (a WITHOUT ROWID table stores its key first). */
  stored: number[];
}

/** Splits at top-level commas (outside parentheses and quotes). */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '[') quote = ']';
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(s.slice(start).trim());
  return parts.filter((p) => p !== '');
}

/** An identifier at the start of `s` (bare or quoted): [name, rest]. */
function identifier(s: string): [string, string] {
  const m = /^(?:"((?:[^"]|"")*)"|`((?:[^`]|``)*)`|\[([^\]]*)\]|'((?:[^']|'')*)'|([^\s(,]+))\s*/.exec(s);
  if (!m) return ['', s];
  const name = m[1]?.replace(/""/g, '"') ?? m[2]?.replace(/``/g, '`') ?? m[3] ?? m[4]?.replace(/''/g, "'") ?? m[5]!;
  return [name, s.slice(m[0].length)];
}

/** A literal of a DEFAULT or CHECK list: a number, a string, NULL. */
function literal(s: string): SqlValue | undefined {
  const t = s
    .trim()
    .replace(/^\((.*)\)$/s, '$1')
    .trim();
  if (/^null$/i.test(t)) return null;
  if (/^'.*'$/s.test(t)) return t.slice(1, -1).replace(/''/g, "'");
  if (/^[+-]?\d+$/.test(t)) return small(BigInt(t));
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number(t);
  return undefined;
}

/** A default value as its column stores it (SQLite applies the column's affinity: DEFAULT -3 in a TEXT column reads '-3'). */
function withAffinity(v: SqlValue, affinity: Affinity): SqlValue {
  if (v === null || Buffer.isBuffer(v)) return v;
  if (affinity === 'TEXT') return String(v);
  if (affinity === 'BLOB' || typeof v !== 'string') return v;
  const n = literal(v);
  return typeof n === 'number' || typeof n === 'bigint' ? n : v;
}

const CONSTRAINT = /\b(CONSTRAINT|PRIMARY|NOT|NULL|UNIQUE|CHECK|DEFAULT|COLLATE|REFERENCES|GENERATED|AS)\b/i;
const KEYWORDS = /^(CONSTRAINT|PRIMARY|UNIQUE|CHECK|FOREIGN)\b/i;

/** The row layout a CREATE TABLE statement declares, or null for what is not one (a virtual table, a view). */
export function parseCreateTable(sql: string): TableLayout | null {
  const head = /^\s*CREATE\s+(?:TEMP\s+|TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?/i.exec(sql);
  if (!head) return null;
  const [name, afterName] = identifier(sql.slice(head[0].length));
  const open = afterName.indexOf('(');
  const close = afterName.lastIndexOf(')');
  if (open !== 0 || close < 0) return null;
  const withoutRowid = /\bWITHOUT\s+ROWID\b/i.test(afterName.slice(close + 1));
  const columns: Column[] = [];
  const pk: string[] = [];
  let pkDesc = false;
  for (const def of splitTopLevel(afterName.slice(1, close))) {
    if (KEYWORDS.test(def)) {
      const key = /^(?:CONSTRAINT\s+\S+\s+)?PRIMARY\s+KEY\s*\(([^)]*)\)/i.exec(def);
      if (key) pk.push(...splitTopLevel(key[1]!).map((c) => identifier(c)[0]));
      continue;
    }
    const [column, rest] = identifier(def);
    const typeEnd = rest.search(CONSTRAINT);
    const type = (typeEnd < 0 ? rest : rest.slice(0, typeEnd)).trim();
    const constraints = typeEnd < 0 ? '' : rest.slice(typeEnd);
    const isPk = /\bPRIMARY\s+KEY\b/i.test(constraints);
    if (isPk) {
      pk.push(column);
      pkDesc = /\bPRIMARY\s+KEY\s+DESC\b/i.test(constraints);
    }
    const dflt = /\bDEFAULT\s+('(?:[^']|'')*'|\([^)]*\)|[^\s,]+)/i.exec(constraints);
    const check = /\bCHECK\s*\(\s*["`[]?(\w+)["`\]]?\s+IN\s*\(([^)]*)\)\s*\)/i.exec(constraints);
    const allowed = check && check[1]!.toLowerCase() === column.toLowerCase() ? splitTopLevel(check[2]!).map(literal) : undefined;
    columns.push({
      name: column,
      type,
      affinity: affinityOf(type),
      notNull: /\bNOT\s+NULL\b/i.test(constraints),
      rowid: false,
      default: dflt ? withAffinity(literal(dflt[1]!) ?? null, affinityOf(type)) : null,
      ...(allowed && allowed.every((v) => v !== undefined) ? { allowed: allowed as SqlValue[] } : {}),
    });
  }
  const index = (n: string) => columns.findIndex((c) => c.name.toLowerCase() === n.toLowerCase());
  let stored = columns.map((_, i) => i);
  if (withoutRowid) {
    const key = [...new Set(pk.map(index).filter((i) => i >= 0))];
    stored = [...key, ...stored.filter((i) => !key.includes(i))];
  } else if (pk.length === 1 && !pkDesc) {
    const alias = columns[index(pk[0]!)];
    // Only a column declared exactly INTEGER is the rowid ("INT PRIMARY KEY" is an ordinary column).
    if (alias && /^INTEGER$/i.test(alias.type)) alias.rowid = true;
  }
  return { name, withoutRowid, columns, stored };
}

/**
 * A row in declared order from a record's values (in stored order) and, for a rowid table, the cell's
 * key. Values the record does not have (a row older than an added column) take the column's default;
 * values lost with an overflow page stay undefined.
 */
export function rowOf(layout: TableLayout, values: ReadonlyArray<SqlValue | undefined>, rowid?: number | bigint): Array<SqlValue | undefined> {
  const row: Array<SqlValue | undefined> = layout.columns.map((c) => c.default);
  layout.stored.forEach((column, i) => {
    const c = layout.columns[column]!;
    let v = i < values.length ? values[i] : c.default;
    if (c.rowid && v === null && rowid !== undefined) v = rowid;
    // A REAL column keeps whole numbers as integers on disk; SQLite reads them back as floats.
    else if (c.affinity === 'REAL' && typeof v === 'bigint') v = Number(v);
    row[column] = v;
  });
  return row;
}

/**
 * True when a record could be a row of the table: as many values as it stores or fewer (a row older than
 * an added column), the rowid column NULL, and each value of a type its column holds (its affinity, NOT
 * NULL, a CHECK (... IN ...) list). Used to give a page no walk reached to the table it belongs to.
 */
export function fits(layout: TableLayout, values: ReadonlyArray<SqlValue | undefined>): boolean {
  if (values.length === 0 || values.length > layout.stored.length) return false;
  for (let i = values.length; i < layout.stored.length; i++) {
    const c = layout.columns[layout.stored[i]!]!;
    if (c.notNull && c.default === null) return false;
  }
  return values.every((v, i) => {
    if (v === undefined) return true;
    const c = layout.columns[layout.stored[i]!]!;
    if (c.rowid) return v === null;
    if (v === null) return !c.notNull;
    if (c.allowed && !c.allowed.some((a) => a === v || (typeof a !== 'object' && typeof v !== 'object' && String(a) === String(v)))) return false;
    switch (c.affinity) {
      case 'INTEGER':
        return typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
      case 'REAL':
        return typeof v === 'number' || typeof v === 'bigint';
      case 'TEXT':
        return typeof v === 'string';
      case 'NUMERIC':
        return typeof v !== 'object';
      default:
        return true;
    }
  });
}
