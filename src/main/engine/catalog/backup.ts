import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type Catalog, CatalogError } from './catalog.js';
import { DAMAGED_MARKER, fileIdentity, readIdentity } from './identity.js';
import { errorText } from '../../../shared/error-text.js';

export { DAMAGED_MARKER } from './identity.js';

/**
 * Backups of the catalogue and recovery from damage. The catalogue holds what nothing else can give
 * back: the user's captions and album titles (and everything that took hours of CPU to compute). A
 * copy is taken online (SQLite's backup API, while other processes read and write) at most once a
 * day by the process that holds the write lock; each copy is checked before it may replace an older
 * one. When the catalogue cannot be opened, or fails its check, it is set aside, the newest good copy
 * is restored, and what can still be read of the user's own words in the damaged file is merged back.
 */

export const BACKUPS_KEPT = 3;
export const BACKUP_EVERY_MS = 24 * 60 * 60 * 1000;
const SQLITE_DAMAGE = /^SQLITE_(CORRUPT|NOTADB)/;

export class CatalogDamagedError extends CatalogError {
  override name = 'CatalogDamagedError';
}

/**
 * A catalogue this process will not open: missing (or empty, or holding no tables) in a data folder that
 * held a library, where this process may not restore it (a reader) or there is nothing to restore it
 * from; or one of another library. The message says what was found and what the user can do.
 */
export class CatalogRefusedError extends CatalogError {
  override name = 'CatalogRefusedError';
}

/** True for the errors SQLite raises on a damaged file. */
export function isDamage(error: unknown): boolean {
  return error instanceof CatalogDamagedError || SQLITE_DAMAGE.test((error as { code?: string })?.code ?? '');
}

export function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
}

/** Backups, newest first (their names sort by time). */
export function listBackups(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => /^catalog-\d{8}-\d{6}\.sqlite$/.test(n))
    .sort()
    .reverse()
    .map((n) => join(dir, n));
}

export function backupTime(file: string): Date {
  const m = /catalog-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})\.sqlite$/.exec(file)!;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

/** The result of SQLite's integrity check of a file ('ok', or the first problems it names). */
export function integrityOf(file: string, quick = false): string {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const rows = db.pragma(quick ? 'quick_check(5)' : 'integrity_check(5)', { simple: false }) as Array<Record<string, string>>;
    return rows.map((r) => Object.values(r)[0]).join('; ');
  } catch (error) {
    return errorText(error);
  } finally {
    db?.close();
  }
}

export function backupDue(dir: string, now = Date.now()): boolean {
  const newest = listBackups(dir)[0];
  return !newest || now - backupTime(newest).getTime() >= BACKUP_EVERY_MS;
}

/**
 * Copies the live catalogue to `dir`, checks the copy, and keeps the newest BACKUPS_KEPT. A copy that
 * fails its check is thrown away (it never pushes a good one out) and reported as damage.
 */
export async function backupCatalog(catalog: Catalog, dir: string, now = new Date()): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `catalog-${stamp(now)}.sqlite`);
  const tmp = `${file}.tmp`;
  await catalog.db.backup(tmp);
  // The copy is a WAL database like its source: opened to be checked, it would leave a -wal and a -shm
  // beside it. As a rollback-journal database it is one self-contained file, and checking it leaves none.
  const copy = new Database(tmp);
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
  // The quick check (page structure) rather than the full one (also every index entry): a day's backup
  // must not hold the engine's process for seconds on a large library.
  const check = integrityOf(tmp, true);
  if (check !== 'ok') {
    removeWithSidecars(tmp);
    throw new CatalogDamagedError(`the catalogue failed its integrity check (${check})`);
  }
  renameSync(tmp, file);
  for (const old of listBackups(dir).slice(BACKUPS_KEPT)) removeWithSidecars(old);
  removeStale(dir);
  return file;
}

function removeWithSidecars(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true });
}

/**
 * Removes what earlier backups left in `dir`: copies that never finished (`.tmp`), and the -wal and -shm
 * files that checking a WAL copy left beside it (Glimpse before this one did), of copies kept or gone.
 */
export function removeStale(dir: string): void {
  const names = new Set(readdirSync(dir));
  for (const name of names) {
    const base = name.replace(/-(wal|shm|journal)$/, '');
    const sidecar = base !== name;
    if (base.endsWith('.tmp') || (sidecar && (!names.has(base) || /^catalog-\d{8}-\d{6}\.sqlite$/.test(base)))) rmSync(join(dir, name), { force: true });
  }
}

export function markDamaged(dataDir: string, reason: string): void {
  writeFileSync(join(dataDir, DAMAGED_MARKER), reason);
}

/** The newest backup that passes SQLite's integrity check and is of this library (or from before identities). */
export function goodBackup(dataDir: string): string | undefined {
  const ours = readIdentity(dataDir);
  return listBackups(join(dataDir, 'backups')).find((b) => {
    const its = ours ? fileIdentity(b) : null;
    return (!ours || !its || its.id === ours.id) && integrityOf(b) === 'ok';
  });
}
