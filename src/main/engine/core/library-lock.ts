import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** Who holds a library's write lock, as it wrote down when it took it (for messages only). */
export interface LockHolder {
  pid: number;
  command: string;
  since: number;
  host: string;
}

export class LibraryBusyError extends Error {
  override name = 'LibraryBusyError';
  constructor(readonly holder: LockHolder | null) {
    super(
      `Another Glimpse process is updating this library${holder ? ` (pid ${holder.pid}, ${holder.command}, since ${new Date(holder.since).toLocaleString()})` : ''}. ` +
        'Only one process scans and indexes a library at a time; searching works meanwhile. Let it finish or stop it, then try again.',
    );
  }
}

const LOCK_FILE = 'library.lock';
const HOLDER_FILE = 'library.lock.json';

export function describeHolder(holder: LockHolder | null): string {
  return holder ? `pid ${holder.pid}, ${holder.command}` : 'another process';
}

/**
 * The write lock of a data folder: one process at a time scans, indexes, saves the vector index and
 * manages folders; any number of others read (search) and make single-transaction edits (captions,
 * album titles), which SQLite serialises.
 *
 * The lock is an exclusive SQLite transaction held open on `library.lock`, so the operating system
 * releases it when the holder dies, however it dies (kill -9, a crash, a power cut): no stale lock
 * to detect and no pid to trust. The holder's pid and command are written beside it for messages.
 */
export class LibraryLock {
  private constructor(
    private readonly db: Database.Database,
    readonly dataDir: string,
    /**
     * The writer before this one, when it never released the lock (it crashed, was killed or lost
     * power: a clean release removes its note): what it was writing may be torn, so check before trusting.
     */
    readonly endedUncleanly: LockHolder | null,
  ) {}

  /** Takes the lock if it is free; null when another process (or another engine in this one) holds it. */
  static tryAcquire(dataDir: string, command: string): LibraryLock | null {
    mkdirSync(dataDir, { recursive: true });
    const db = new Database(join(dataDir, LOCK_FILE), { timeout: 0 });
    try {
      db.exec('BEGIN EXCLUSIVE');
    } catch (error) {
      db.close();
      if ((error as { code?: string }).code === 'SQLITE_BUSY') return null;
      throw error;
    }
    const lock = new LibraryLock(db, dataDir, LibraryLock.holder(dataDir));
    const holder: LockHolder = { pid: process.pid, command, since: Date.now(), host: hostname() };
    const tmp = join(dataDir, `${HOLDER_FILE}.tmp-${process.pid}`);
    writeFileSync(tmp, JSON.stringify(holder));
    renameSync(tmp, join(dataDir, HOLDER_FILE));
    return lock;
  }

  /**
   * Takes the lock, waiting up to `waitMs` for the holder to finish (`onWait` is told once, with who
   * holds it); throws a LibraryBusyError naming the holder when it is still held.
   */
  static async acquire(dataDir: string, command: string, options: { waitMs?: number; onWait?: (holder: LockHolder | null) => void } = {}): Promise<LibraryLock> {
    const deadline = Date.now() + (options.waitMs ?? 0);
    let told = false;
    for (;;) {
      const lock = LibraryLock.tryAcquire(dataDir, command);
      if (lock) return lock;
      if (Date.now() >= deadline) throw new LibraryBusyError(LibraryLock.holder(dataDir));
      if (!told) options.onWait?.(LibraryLock.holder(dataDir));
      told = true;
      await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(1, deadline - Date.now()))));
    }
  }

  /**
   * Who holds the lock now, as far as can be told without taking it (taking it, even for an instant,
   * could make a starting writer give up): the holder's note, if its process is alive on this machine.
   */
  static activeHolder(dataDir: string): LockHolder | null {
    const holder = LibraryLock.holder(dataDir);
    if (!holder) return null;
    if (holder.host !== hostname()) return holder;
    try {
      process.kill(holder.pid, 0);
      return holder;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM' ? holder : null; // ESRCH: it died without releasing
    }
  }

  /** What the holder wrote down (null when nothing readable is there). */
  static holder(dataDir: string): LockHolder | null {
    try {
      const h = JSON.parse(readFileSync(join(dataDir, HOLDER_FILE), 'utf8')) as Partial<LockHolder>;
      return typeof h.pid === 'number' && typeof h.command === 'string' && typeof h.since === 'number' ? (h as LockHolder) : null;
    } catch {
      return null;
    }
  }

  release(): void {
    if (!this.db.open) return;
    if (LibraryLock.holder(this.dataDir)?.pid === process.pid) rmSync(join(this.dataDir, HOLDER_FILE), { force: true });
    this.db.exec('ROLLBACK');
    this.db.close();
  }
}
