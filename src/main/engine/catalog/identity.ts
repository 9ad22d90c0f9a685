import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Catalog } from './catalog.js';

/**
 * Which library a data folder holds. A library is given an id when it is created, kept in two places:
 * `library.json` beside the catalogue, and the catalogue's own `meta` table. So a data folder that has
 * ever held a library is never taken for a new one when its catalogue goes missing or comes back empty
 * (the marker, or for folders older than it, what only a library leaves behind: backups, index files,
 * thumbnails), and a catalogue copied in from another library is told apart from this one's.
 */

export const CATALOG_FILE = 'catalog.sqlite';
export const IDENTITY_FILE = 'library.json';
/** Written when a check finds damage while the catalogue is open; the next writer to open it recovers it. */
export const DAMAGED_MARKER = 'catalog.damaged';

export interface LibraryIdentity {
  id: string;
  /** When the library was created (ISO 8601). */
  createdAt: string;
}

export function newIdentity(): LibraryIdentity {
  return { id: randomUUID(), createdAt: new Date().toISOString() };
}

/** The data folder's `library.json`, or null when there is none or it cannot be read (it still counts as evidence). */
export function readIdentity(dataDir: string): LibraryIdentity | null {
  try {
    const value = JSON.parse(readFileSync(join(dataDir, IDENTITY_FILE), 'utf8')) as Partial<LibraryIdentity>;
    return typeof value.id === 'string' && typeof value.createdAt === 'string' ? { id: value.id, createdAt: value.createdAt } : null;
  } catch {
    return null;
  }
}

export function writeIdentity(dataDir: string, identity: LibraryIdentity): void {
  const tmp = join(dataDir, `${IDENTITY_FILE}.tmp-${process.pid}`);
  writeFileSync(tmp, `${JSON.stringify({ ...identity, note: 'Glimpse: the library this folder holds. Keep it with catalog.sqlite.' }, null, 2)}\n`);
  renameSync(tmp, join(dataDir, IDENTITY_FILE));
}

/** The identity a catalogue holds (null: one from before identities, or a file that cannot say). */
export function catalogueIdentity(db: Database.Database): LibraryIdentity | null {
  try {
    const rows = db.prepare(`SELECT key, value FROM meta WHERE key IN ('library_id', 'library_created')`).all() as Array<{ key: string; value: string }>;
    const value = new Map(rows.map((r) => [r.key, r.value]));
    const id = value.get('library_id');
    return id ? { id, createdAt: value.get('library_created') ?? '' } : null;
  } catch {
    return null;
  }
}

/** The identity of a catalogue file (a backup), read without opening it for writing. */
export function fileIdentity(file: string): LibraryIdentity | null {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    return catalogueIdentity(db);
  } catch {
    return null;
  } finally {
    db?.close();
  }
}

/** Gives a catalogue an identity unless it has one, and returns the one it has. */
export function stampCatalogue(catalog: Catalog, identity: LibraryIdentity): LibraryIdentity {
  catalog.transaction(() => {
    catalog.db.prepare(`INSERT OR IGNORE INTO meta (key, value) VALUES ('library_id', ?), ('library_created', ?)`).run(identity.id, identity.createdAt);
  });
  return catalogueIdentity(catalog.db)!;
}

/**
 * The catalogue file's state: missing, empty (0 bytes), blank (a valid header but no schema: user_version
 * 0 and no tables), or present (anything else, damaged files included: recovery deals with those).
 */
export function catalogueState(file: string): 'missing' | 'empty' | 'blank' | 'present' {
  if (!existsSync(file)) return 'missing';
  if (statSync(file).size === 0) return 'empty';
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const version = db.pragma('user_version', { simple: true }) as number;
    const tables = db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get() as number;
    return version === 0 && tables === 0 ? 'blank' : 'present';
  } catch {
    return 'present';
  } finally {
    db?.close();
  }
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * What in the data folder only a library leaves behind, described for a message (empty: none, a new
 * data folder). Settings, downloaded model packs and the lock file are not evidence: they come before
 * a library does, and the app's own files (Electron's) share this folder.
 */
export function libraryEvidence(dataDir: string): string[] {
  const found: string[] = [];
  if (existsSync(join(dataDir, IDENTITY_FILE))) {
    const identity = readIdentity(dataDir);
    found.push(identity ? `${IDENTITY_FILE} (the library created ${identity.createdAt.slice(0, 10)})` : IDENTITY_FILE);
  }
  const backups = entries(join(dataDir, 'backups')).filter((n) => /^catalog-.*\.sqlite$/.test(n));
  if (backups.length > 0) found.push(`backups/ (${plural(backups.length, 'copy', 'copies')} of the catalogue)`);
  const index = entries(join(dataDir, 'index'));
  if (index.length > 0) found.push(`index/ (${plural(index.length, 'file')})`);
  const thumbs = entries(join(dataDir, 'thumbs')).reduce((n, shard) => n + entries(join(dataDir, 'thumbs', shard)).length, 0);
  if (thumbs > 0) found.push(`thumbs/ (${plural(thumbs, 'thumbnail')})`);
  const previews = entries(join(dataDir, 'previews')).length;
  if (previews > 0) found.push(`previews/ (${plural(previews, 'file')})`);
  const damaged = entries(join(dataDir, 'damaged')).length;
  if (damaged > 0) found.push(`damaged/ (${plural(damaged, 'catalogue')} set aside before)`);
  if (existsSync(join(dataDir, DAMAGED_MARKER))) found.push(DAMAGED_MARKER);
  const wal = join(dataDir, `${CATALOG_FILE}-wal`);
  if (existsSync(wal) && statSync(wal).size > 0) found.push(`${CATALOG_FILE}-wal (${statSync(wal).size} bytes)`);
  return found;
}

/** The highest photo id the caches name (thumbnails and previews are named `<id>-<fingerprint>`), so that recovery never hands one out again. */
export function highestCachedId(dataDir: string): number {
  let max = 0;
  const take = (name: string) => {
    const id = /^(\d+)-/.exec(name)?.[1];
    if (id) max = Math.max(max, Number(id));
  };
  for (const shard of entries(join(dataDir, 'thumbs'))) entries(join(dataDir, 'thumbs', shard)).forEach(take);
  entries(join(dataDir, 'previews')).forEach(take);
  return max;
}
