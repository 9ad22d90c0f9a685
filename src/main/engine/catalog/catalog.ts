import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from './schema.js';
import { compactText, nameWords } from './text-keys.js';

export class CatalogError extends Error {
  override name = 'CatalogError';
}

/**
 * The library catalogue's connection: one SQLite file in WAL mode, so a search in another process (the
 * CLI while the app or `glimpse watch` runs) reads a consistent snapshot while the indexer writes. It
 * holds the schema's migration ladder, transactions and the prepared statements; the SQL of each
 * feature is in that feature's store (`library/photo-store.ts`, `albums/album-store.ts`, ...), which
 * prepares its statements through `statement`.
 */
export class Catalog {
  readonly db: Database.Database;
  /** Prepared statements by their text, most recently used last (see `statement`). */
  private readonly statements = new Map<string, Database.Statement>();

  /**
   * The prepared statement for this SQL, kept for reuse (ARCHITECTURE.md, note "Prepared statements");
   * the few statements with built text (filters) are bounded by dropping the least recently used.
   */
  statement(source: string): Database.Statement {
    let statement = this.statements.get(source);
    if (statement) {
      this.statements.delete(source);
      // Each call site asks for the shape it wants (rows as objects unless it says pluck or raw).
      if (statement.reader) statement.pluck(false).raw(false).expand(false);
    } else {
      statement = this.db.prepare(source);
      if (this.statements.size >= 256) this.statements.delete(this.statements.keys().next().value!);
    }
    this.statements.set(source, statement);
    return statement;
  }

  /** `create: false`: the file must exist (the caller decided it is not a new library). */
  constructor(
    readonly file: string,
    options: { create?: boolean } = {},
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file, { fileMustExist: options.create === false });
    try {
      // The keyword table's triggers (schema v3) call this on every write to photos.
      // (path) in schema steps 3-6, (path, library folder) from step 7 on.
      this.db.function('name_words', { deterministic: true, varargs: true }, (path: unknown, root?: unknown) => nameWords(String(path), root == null ? undefined : String(root)));
      // ...and the OCR keyword table's (schema v5) on every write of read text.
      this.db.function('compact_text', { deterministic: true }, (text: unknown) => compactText(String(text ?? '')));
      this.db.pragma('busy_timeout = 5000');
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      this.migrate();
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) throw new CatalogError(`${this.file} was written by a newer Glimpse (schema ${version}, this one knows ${MIGRATIONS.length}); update Glimpse`);
    if (version === MIGRATIONS.length) return;
    // A step may rebuild a table; with foreign keys on, dropping the old one would cascade. The pragma
    // has no effect inside a transaction, so it is switched around them, and the keys checked after.
    this.db.pragma('foreign_keys = OFF');
    try {
      for (let v = version; v < MIGRATIONS.length; v++) {
        this.db
          .transaction(() => {
            this.db.exec(MIGRATIONS[v]!);
            const broken = this.db.pragma('foreign_key_check') as unknown[];
            if (broken.length > 0) throw new CatalogError(`upgrading ${this.file} to schema ${v + 1} would break ${broken.length} references; it was left as it was`);
            this.db.pragma(`user_version = ${v + 1}`);
          })
          .immediate();
      }
    } finally {
      this.db.pragma('foreign_keys = ON');
    }
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  close(): void {
    this.db.close();
  }

  /**
   * A write transaction that takes the write lock when it begins (IMMEDIATE): a deferred one that reads
   * and then writes can fail with SQLITE_BUSY at once when another process writes, since SQLite cannot
   * wait for the lock without risking a deadlock; an immediate one waits up to the busy timeout.
   */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  /** Several reads that must see one snapshot of the database. */
  snapshot<T>(work: () => T): T {
    return this.db.transaction(work).deferred();
  }
}

/** A feature's gateway to its tables over the shared connection (ARCHITECTURE.md, "Who owns which tables"). */
export abstract class CatalogStore {
  constructor(readonly catalog: Catalog) {}

  /** The connection's prepared statement for this SQL (note "Prepared statements"). */
  protected sql(source: string): Database.Statement {
    return this.catalog.statement(source);
  }
}
