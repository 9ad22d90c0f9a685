import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { basename, dirname, extname, relative, sep } from 'node:path';
import type { PhotoLook } from '../media/look.js';
import { MIGRATIONS } from './schema.js';
import { type MediaKind, mediaKindOf } from '../media/video.js';

export type PhotoStatus = 'pending' | 'indexed' | 'error';

export interface PhotoRow {
  id: number;
  folder_id: number;
  path: string;
  dir: string;
  name: string;
  size: number;
  mtime_ms: number;
  hash: string | null;
  width: number | null;
  height: number | null;
  taken_at: string | null;
  camera: string | null;
  gps_lat: number | null;
  gps_lon: number | null;
  status: PhotoStatus;
  error: string | null;
  /** When the file was last indexed or found unreadable; null for a file never processed. */
  indexed_at: number | null;
  /** A photo or a video (by the file's extension, set when it enters the catalogue). */
  media: MediaKind;
  /** A video's length in seconds, once indexed. */
  duration: number | null;
}

export interface FolderRow {
  id: number;
  path: string;
  watch_note: string | null;
  photo_count: number;
  error_count: number;
}

/** A folder that could not be listed at the last scan: its photos are kept, not deleted. */
export interface OfflineDir {
  dir: string;
  folder_id: number;
  since: number;
  reason: string;
}

/** A vector's latest state since some point of the log: the vector now, or null when it was deleted. */
export interface VectorChange {
  photoId: number;
  vector: Float32Array | null;
}

export interface PhotoCounts {
  total: number;
  /** Photos with a vector for the model and nothing left to do. */
  indexed: number;
  /** New or changed files, and photos that have no vector for the model yet. */
  pending: number;
  errors: number;
  /** How many of `indexed` are videos. */
  videos: number;
}

export interface AlbumRow {
  id: number;
  dir: string;
  title: string;
  summary: string;
  user_title: string | null;
  signature: string;
  cover_id: number | null;
  photo_count: number;
}

export interface IndexedPhoto {
  id: number;
  hash: string;
  width: number;
  height: number;
  takenAt: string | null;
  camera: string | null;
  gps: { lat: number; lon: number } | null;
  vector: Float32Array;
  /** The generated caption to show (null: none was made, or it is withheld). */
  caption: string | null;
  /** A generated caption the model was not confident of, with why; replaces any earlier shown one. */
  withheldCaption?: { text: string; reason: string } | null;
  /** The text read in the photo by an OCR pack (absent: not read this time). */
  reading?: { model: string; lines: OcrLine[] };
  /** A video: its length and the vectors of its sampled frames (`vector` is their pooled mean). */
  video?: { duration: number; frames: ReadonlyArray<{ t: number; vector: Float32Array }> };
  /** Its perceptual hash and sharpness (absent: not computed this time). */
  look?: PhotoLook;
}

/** A sampled frame of a video, with its time and vector. */
export interface FrameRow {
  photoId: number;
  idx: number;
  t: number;
  vector: Float32Array;
}

/** How the stacks were last built: for the model's vectors up to log position `seq`, looks measured before `at` (ms), leaving `rows` stack rows. */
export interface StacksBuild {
  model: string;
  seq: number;
  at: number;
  rows: number;
}

/** A photo of a stack with what choosing its best shot needs. */
export interface StackMemberRow {
  stack_id: number;
  id: number;
  path: string;
  hash: string | null;
  size: number;
  width: number | null;
  height: number | null;
  sharpness: number | null;
}

export interface PhotoFilters {
  folder?: string | undefined;
  after?: string | undefined;
  before?: string | undefined;
  camera?: string | undefined;
  media?: 'photo' | 'video' | undefined;
}

/** A concept the user taught: its name as typed, and the key names are compared by (lower case, single spaces). */
export interface ConceptRow {
  id: number;
  name: string;
  name_key: string;
  created_at: number;
  updated_at: number;
}

export interface ConceptExampleRow {
  photoId: number;
  /** An example (true) or a counter-example (false). */
  positive: boolean;
  vector: Float32Array | null;
  /** The content fingerprint the vector was computed from. */
  hash: string | null;
}

export class CatalogError extends Error {
  override name = 'CatalogError';
}

function vectorBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

/** A vector blob as floats without a copy where its offset allows (4-byte aligned), else copied; valid while the row's buffer is. */
function vectorView(blob: Buffer): Float32Array {
  return blob.byteOffset % 4 === 0 ? new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4) : blobVector(blob);
}

export function blobVector(blob: Buffer): Float32Array {
  // Copy: the blob's memory belongs to SQLite's row buffer.
  const copy = new Float32Array(blob.byteLength / 4);
  new Uint8Array(copy.buffer).set(blob);
  return copy;
}

/**
 * A photo that needs work for the model `@model`: a new or changed file, or one whose vector for this
 * model is missing or was computed from other content (the file changed and another model re-indexed it).
 */
const NEEDS_WORK = `(status = 'pending' OR (status = 'indexed' AND NOT EXISTS (SELECT 1 FROM vectors v WHERE v.photo_id = photos.id AND v.model = @model AND v.hash IS photos.hash)))`;

/** True when `path` is `dir` or inside it. */
export function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/** The bounds of every path inside `dir`, for a range scan: they sort between the prefix and the prefix with its last character bumped. */
function pathRange(dir: string): [string, string] {
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  return [prefix, prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)];
}

/**
 * Words of a file's name and folders, for keyword search ("IMG_2041 beach-trip.jpg" -> "IMG 2041 beach
 * trip"): up to three folders, counted from the library folder `root` (its own name included) when it
 * is given, so the folders above the library ("home", the user's name, "tmp") never become words every
 * photo matches.
 */
export function nameWords(path: string, root?: string): string {
  const stem = basename(path, extname(path));
  const dir = dirname(path);
  const inside = root !== undefined && isUnder(dir, root);
  const folders = (inside ? [basename(root), ...relative(root, dir).split(/[\\/]/)] : dir.split(/[\\/]/)).slice(-3);
  return [...folders, stem]
    .join(' ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * Read text as the OCR keyword table holds it: per line, lower case, letters and digits only, so a
 * query word matches whether or not the recogniser kept the spaces ("MUSEUM SHOP" and "MUSEUMSHOP").
 */
export function compactText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .split('\n')
    .map((line) => line.replace(/[^\p{L}\p{N}]+/gu, ''))
    .join('\n');
}

/** One line of text read in a photo; the box is its four corners as fractions of the upright photo's size. */
export interface OcrLine {
  text: string;
  confidence: number;
  box: Array<{ x: number; y: number }>;
}

/** The temporary FTS5 table `matchAmong` copies a few photos' text into. */
const SCRATCH = 'photo_text_scratch';

/**
 * The library catalogue: one SQLite file in WAL mode, so a search in another process (the CLI while
 * the app or `glimpse watch` runs) reads a consistent snapshot while the indexer writes.
 */
export class Catalog {
  readonly db: Database.Database;
  private scratchReady = false;
  /** Prepared statements by their text, most recently used last (see `sql`). */
  private readonly statements = new Map<string, Database.Statement>();

  /**
   * The prepared statement for this SQL, kept for reuse. Preparing one per call is not only slower: each
   * holds some 20 KB of SQLite's memory (its triggers compiled in) until the garbage collector, which
   * does not see that memory, gets round to it; a 1M-photo catalogue ran out of 24 GB that way. The
   * few statements with built text (filters) are bounded by dropping the least recently used.
   */
  private sql(source: string): Database.Statement {
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

  // ---- folders ----

  addFolder(path: string): FolderRow {
    this.sql('INSERT OR IGNORE INTO folders (path, added_at) VALUES (?, ?)').run(path, Date.now());
    return this.folders().find((f) => f.path === path)!;
  }

  folder(id: number): FolderRow | undefined {
    return this.folders().find((f) => f.id === id);
  }

  removeFolder(id: number): boolean {
    return this.sql('DELETE FROM folders WHERE id = ?').run(id).changes > 0;
  }

  folders(): FolderRow[] {
    return this.sql(
      `SELECT f.id, f.path, f.watch_note,
           (SELECT count(*) FROM photos p WHERE p.folder_id = f.id) AS photo_count,
           (SELECT count(*) FROM photos p WHERE p.folder_id = f.id AND p.status = 'error') AS error_count
         FROM folders f ORDER BY f.path`,
    ).all() as FolderRow[];
  }

  setWatchNote(folderId: number, note: string | null): void {
    this.sql('UPDATE folders SET watch_note = ? WHERE id = ?').run(note, folderId);
  }

  // ---- photos ----

  photosInFolder(folderId: number): PhotoRow[] {
    return this.sql('SELECT * FROM photos WHERE folder_id = ?').all(folderId) as PhotoRow[];
  }

  photo(id: number): PhotoRow | undefined {
    return this.sql('SELECT * FROM photos WHERE id = ?').get(id) as PhotoRow | undefined;
  }

  photoByPath(path: string): PhotoRow | undefined {
    return this.sql('SELECT * FROM photos WHERE path = ?').get(path) as PhotoRow | undefined;
  }

  photos(ids: readonly number[]): Map<number, PhotoRow> {
    const rows = this.sql('SELECT * FROM photos WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(ids)) as PhotoRow[];
    return new Map(rows.map((r) => [r.id, r]));
  }

  insertPhoto(p: { folderId: number; path: string; size: number; mtimeMs: number; hash: string | null }): number {
    const info = this.sql(`INSERT INTO photos (folder_id, path, dir, name, size, mtime_ms, hash, status, media) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)`).run(
      p.folderId,
      p.path,
      dirname(p.path),
      basename(p.path),
      p.size,
      Math.round(p.mtimeMs),
      p.hash,
      mediaKindOf(p.path),
    );
    return Number(info.lastInsertRowid);
  }

  /**
   * A file whose size or mtime changed: its vector, caption and metadata are recomputed. Until then it
   * keeps its old vector and hash (the fingerprint of the content last indexed), so it stays findable
   * and shows its last thumbnail.
   */
  markChanged(id: number, size: number, mtimeMs: number): void {
    this.sql(`UPDATE photos SET size = ?, mtime_ms = ?, status = 'pending', error = NULL WHERE id = ?`).run(size, Math.round(mtimeMs), id);
  }

  /** A file that moved (same content hash): it keeps its id, vectors, captions and edits. */
  movePhoto(id: number, to: { folderId: number; path: string; size: number; mtimeMs: number }): void {
    this.sql('UPDATE photos SET folder_id = ?, path = ?, dir = ?, name = ?, size = ?, mtime_ms = ?, media = ? WHERE id = ?').run(
      to.folderId,
      to.path,
      dirname(to.path),
      basename(to.path),
      to.size,
      Math.round(to.mtimeMs),
      mediaKindOf(to.path),
      id,
    );
  }

  deletePhotos(ids: readonly number[]): void {
    if (ids.length === 0) return;
    this.sql('DELETE FROM photos WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify(ids));
  }

  /**
   * Work for a model, in id order: new and changed files, and photos that have no vector for this model
   * yet (indexed with another one). A photo's status is about its file; its vectors are per model, so
   * switching models never hides a photo that already has a vector for the active one.
   */
  pendingPhotos(model: string, limit: number, afterId = 0): PhotoRow[] {
    return this.sql(`SELECT * FROM photos WHERE id > @afterId AND ${NEEDS_WORK} ORDER BY id LIMIT @limit`).all({ afterId, model, limit }) as PhotoRow[];
  }

  /**
   * Stores a batch of finished photos in one transaction: metadata, vector, caption, keyword text.
   * Photos deleted while they were being decoded are skipped; the ids actually stored are returned.
   */
  recordIndexed(model: string, batch: readonly IndexedPhoto[]): number[] {
    if (batch.length === 0) return [];
    const update = this.sql(
      `UPDATE photos SET hash = ?, width = ?, height = ?, taken_at = ?, camera = ?, gps_lat = ?, gps_lon = ?, status = 'indexed', error = NULL, indexed_at = ? WHERE id = ?`,
    );
    const vector = this.sql(
      'INSERT INTO vectors (photo_id, model, vector, hash) VALUES (?, ?, ?, ?) ON CONFLICT (photo_id, model) DO UPDATE SET vector = excluded.vector, hash = excluded.hash',
    );
    const duration = this.sql('UPDATE photos SET duration = ? WHERE id = ?');
    const dropFrames = this.sql('DELETE FROM video_frames WHERE model = ? AND photo_id = ?');
    const frame = this.sql('INSERT INTO video_frames (photo_id, model, idx, t, vector) VALUES (?, ?, ?, ?, ?)');

    return this.transaction(() => {
      this.albumsStale = true;
      const now = Date.now();
      const stored: number[] = [];
      for (const p of batch) {
        if (update.run(p.hash, p.width, p.height, p.takenAt, p.camera, p.gps?.lat ?? null, p.gps?.lon ?? null, now, p.id).changes === 0) continue;
        vector.run(p.id, model, vectorBlob(p.vector), p.hash);
        // A video's frames change with its pooled vector, in this transaction (the vector log covers both).
        dropFrames.run(model, p.id);
        if (p.video) {
          duration.run(p.video.duration, p.id);
          p.video.frames.forEach((f, i) => frame.run(p.id, model, i, f.t, vectorBlob(f.vector)));
        }
        this.storeGeneratedCaption(p.id, model, p, now);
        if (p.reading) this.storeReading(p.id, p.reading.model, p.hash, p.reading.lines, now);
        if (p.look) this.storeLook(p.id, p.hash, p.look);
        stored.push(p.id);
      }
      return stored;
    });
  }

  /** Videos marked with this error (ffmpeg was missing), and putting them back in the queue. */
  videosWithError(fragment: string): number {
    return this.sql(`SELECT count(*) FROM photos WHERE media = 'video' AND status = 'error' AND instr(error, ?) > 0`).pluck().get(fragment) as number;
  }

  retryVideosWithError(fragment: string): number {
    return this.sql(`UPDATE photos SET status = 'pending', error = NULL WHERE media = 'video' AND status = 'error' AND instr(error, ?) > 0`).run(fragment).changes;
  }

  recordError(id: number, error: string): void {
    this.sql(`UPDATE photos SET status = 'error', error = ?, indexed_at = ? WHERE id = ?`).run(error.slice(0, 500), Date.now(), id);
  }

  // ---- vectors ----

  /** The sequence number of the last write to any vector (0: none yet). */
  lastVectorSeq(): number {
    return this.sql('SELECT coalesce(max(seq), 0) FROM vector_log').pluck().get() as number;
  }

  /** Every vector of a model and the log position they are current at, from one snapshot. */
  allVectors(model: string): { seq: number; vectors: Array<{ photoId: number; vector: Float32Array }> } {
    return this.snapshot(() => ({
      seq: this.lastVectorSeq(),
      vectors: (this.sql('SELECT photo_id, vector FROM vectors WHERE model = ?').all(model) as Array<{ photo_id: number; vector: Buffer }>).map((r) => ({
        photoId: r.photo_id,
        vector: blobVector(r.vector),
      })),
    }));
  }

  /**
   * What changed for a model's vectors after log position `afterSeq`: each photo once, with its vector
   * now (null: deleted), and the log position this is current at, from one snapshot.
   */
  vectorChanges(model: string, afterSeq: number): { seq: number; changes: VectorChange[] } {
    return this.snapshot(() => {
      const seq = this.lastVectorSeq();
      if (seq <= afterSeq) return { seq, changes: [] };
      const rows = this.sql(
        `SELECT l.photo_id, max(l.seq) AS last, v.vector FROM vector_log l LEFT JOIN vectors v ON v.photo_id = l.photo_id AND v.model = l.model
           WHERE l.seq > ? AND l.model = ? GROUP BY l.photo_id ORDER BY last`,
      ).all(afterSeq, model) as Array<{ photo_id: number; vector: Buffer | null }>;
      return { seq, changes: rows.map((r) => ({ photoId: r.photo_id, vector: r.vector ? blobVector(r.vector) : null })) };
    });
  }

  /**
   * Drops log entries that a later entry for the same photo and model supersedes. Safe for every
   * reader: one that has not seen the dropped entry has not seen the later one either.
   */
  compactVectorLog(): number {
    return this.sql('DELETE FROM vector_log WHERE seq NOT IN (SELECT max(seq) FROM vector_log GROUP BY model, photo_id)').run().changes;
  }

  vectorLogSize(): number {
    return this.sql('SELECT count(*) FROM vector_log').pluck().get() as number;
  }

  vector(photoId: number, model: string): Float32Array | undefined {
    const row = this.sql('SELECT vector FROM vectors WHERE photo_id = ? AND model = ?').get(photoId, model) as { vector: Buffer } | undefined;
    return row ? blobVector(row.vector) : undefined;
  }

  /**
   * Calls `each` with every vector of a model (in photo id order), without keeping them: a rebuild
   * writes them straight into the matrix its threads read. The vector is a view of the row's buffer.
   * Call it inside `snapshot` with whatever else must match the same state.
   */
  eachVector(model: string, each: (photoId: number, vector: Float32Array) => void): void {
    const rows = this.sql('SELECT photo_id, vector FROM vectors WHERE model = ? ORDER BY photo_id').raw().iterate(model);
    for (const [photoId, blob] of rows as Iterable<[number, Buffer]>) each(photoId, vectorView(blob));
  }

  /**
   * Calls `each` with the vector of every listed photo that has one for the model (any order), read in
   * one statement: about 20 µs a photo (most of it SQLite reading the row's pages). The vector is a view
   * of the row's buffer, not a copy, so a caller that keeps it past the call copies it.
   */
  scanVectors(model: string, ids: readonly number[], each: (photoId: number, vector: Float32Array) => void): void {
    const rows = this.sql('SELECT photo_id, vector FROM vectors WHERE model = ? AND photo_id IN (SELECT value FROM json_each(?))').raw().iterate(model, JSON.stringify(ids));
    for (const [photoId, blob] of rows as Iterable<[number, Buffer]>) each(photoId, vectorView(blob));
  }

  /** The sampled frames of these videos for a model, in time order. */
  frames(model: string, ids: readonly number[]): FrameRow[] {
    const rows = this.sql('SELECT photo_id, idx, t, vector FROM video_frames WHERE model = ? AND photo_id IN (SELECT value FROM json_each(?)) ORDER BY photo_id, idx').all(
      model,
      JSON.stringify(ids),
    ) as Array<{ photo_id: number; idx: number; t: number; vector: Buffer }>;
    return rows.map((r) => ({ photoId: r.photo_id, idx: r.idx, t: r.t, vector: blobVector(r.vector) }));
  }

  /** Every sampled frame of a model, and the vector log position they are current at, from one snapshot. */
  allFrames(model: string): { seq: number; frames: FrameRow[] } {
    return this.snapshot(() => ({
      seq: this.lastVectorSeq(),
      frames: (
        this.sql('SELECT photo_id, idx, t, vector FROM video_frames WHERE model = ? ORDER BY photo_id, idx').all(model) as Array<{
          photo_id: number;
          idx: number;
          t: number;
          vector: Buffer;
        }>
      ).map((r) => ({ photoId: r.photo_id, idx: r.idx, t: r.t, vector: blobVector(r.vector) })),
    }));
  }

  frameCount(model: string): number {
    return this.sql('SELECT count(*) FROM video_frames WHERE model = ?').pluck().get(model) as number;
  }

  /** Calls `each` with every sampled frame of a model's videos, its vector a view of the row's buffer (copied by a caller that keeps it). */
  eachFrame(model: string, each: (photoId: number, idx: number, t: number, vector: Float32Array) => void): void {
    const rows = this.sql('SELECT photo_id, idx, t, vector FROM video_frames WHERE model = ? ORDER BY photo_id, idx').raw().iterate(model);
    for (const [photoId, idx, t, blob] of rows as Iterable<[number, number, number, Buffer]>) each(photoId, idx, t, vectorView(blob));
  }

  vectorIds(model: string): number[] {
    return this.sql('SELECT photo_id FROM vectors WHERE model = ?').pluck().all(model) as number[];
  }

  vectorCountAll(): number {
    return this.sql('SELECT count(*) FROM vectors INDEXED BY vectors_model').pluck().get() as number;
  }

  vectorCount(model: string): number {
    return this.sql('SELECT count(*) FROM vectors INDEXED BY vectors_model WHERE model = ?').pluck().get(model) as number;
  }

  // ---- texts ----

  /**
   * The caption to show: the user's edit when there is one, else the caption `model` generated (another
   * pack's caption is not this one's: after a switch, a photo the new pack could not describe shows why).
   */
  caption(photoId: number, model: string): { text: string; source: 'caption' | 'user' | 'ocr' } | undefined {
    return this.sql(
      `SELECT text, source FROM texts WHERE photo_id = ? AND (source = 'user' OR (source = 'caption' AND model = ?)) ORDER BY source = 'user' DESC, updated_at DESC LIMIT 1`,
    ).get(photoId, model) as { text: string; source: 'caption' | 'user' } | undefined;
  }

  /** How many photos have a caption from `model` that was withheld (the model did not recognise them). */
  withheldCount(model: string): number {
    return this.sql(`SELECT count(*) FROM withheld_captions WHERE model = ?`).pluck().get(model) as number;
  }

  /** Why the model's caption of a photo is not shown, if it made one it was not confident of. */
  withheldCaption(photoId: number, model: string): { text: string; reason: string } | undefined {
    return this.sql(`SELECT text, reason FROM withheld_captions WHERE photo_id = ? AND model = ?`).get(photoId, model) as { text: string; reason: string } | undefined;
  }

  /** The caption to show of each photo (as `caption` chooses it). */
  captions(ids: readonly number[], model: string): Map<number, string> {
    const rows = this.sql(
      `SELECT photo_id, text FROM texts WHERE photo_id IN (SELECT value FROM json_each(?)) AND (source = 'user' OR (source = 'caption' AND model = ?))
         ORDER BY photo_id, source = 'user', updated_at`,
    ).all(JSON.stringify(ids), model) as Array<{ photo_id: number; text: string }>;
    // Later rows win: the user's edit sorts last.
    return new Map(rows.map((r) => [r.photo_id, r.text]));
  }

  /** Stores a model's caption of a photo: shown (in the text layer) or withheld with its reason; either replaces the other. */
  setGeneratedCaption(photoId: number, model: string, record: Pick<IndexedPhoto, 'caption' | 'withheldCaption'>): void {
    this.transaction(() => this.storeGeneratedCaption(photoId, model, record, Date.now()));
  }

  private storeGeneratedCaption(photoId: number, model: string, record: Pick<IndexedPhoto, 'caption' | 'withheldCaption'>, now: number): void {
    if (record.caption !== null) {
      this.sql(`INSERT OR REPLACE INTO texts (photo_id, source, model, text, updated_at) VALUES (?, 'caption', ?, ?, ?)`).run(photoId, model, record.caption, now);
      this.sql(`DELETE FROM withheld_captions WHERE photo_id = ? AND model = ?`).run(photoId, model);
    } else if (record.withheldCaption) {
      // The photo's earlier content may have had a caption: this content has none to show.
      this.sql(`DELETE FROM texts WHERE photo_id = ? AND source = 'caption' AND model = ?`).run(photoId, model);
      this.sql(`INSERT OR REPLACE INTO withheld_captions (photo_id, model, text, reason, updated_at) VALUES (?, ?, ?, ?, ?)`).run(
        photoId,
        model,
        record.withheldCaption.text,
        record.withheldCaption.reason,
        now,
      );
    }
  }

  /** A user's caption; an empty text removes the edit and the generated caption shows again. */
  setUserCaption(photoId: number, text: string): void {
    if (text.trim() === '') this.sql(`DELETE FROM texts WHERE photo_id = ? AND source = 'user'`).run(photoId);
    else this.sql(`INSERT OR REPLACE INTO texts (photo_id, source, model, text, updated_at) VALUES (?, 'user', '', ?, ?)`).run(photoId, text.trim(), Date.now());
  }

  // ---- text read in photos (OCR) ----

  /** Stores what an OCR pack read in a photo's content `hash` (no lines: it has no text), replacing an earlier reading. */
  recordReading(photoId: number, model: string, hash: string, lines: readonly OcrLine[]): boolean {
    return this.transaction(() => {
      // Only for the content the photo still has: a file that changed meanwhile is read again later.
      if (!this.sql('SELECT 1 FROM photos WHERE id = ? AND hash IS ?').get(photoId, hash)) return false;
      this.storeReading(photoId, model, hash, lines, Date.now());
      return true;
    });
  }

  private storeReading(photoId: number, model: string, hash: string, lines: readonly OcrLine[], now: number): void {
    this.sql('INSERT OR REPLACE INTO ocr_readings (photo_id, model, hash, lines, updated_at) VALUES (?, ?, ?, ?, ?)').run(photoId, model, hash, JSON.stringify(lines), now);
    if (lines.length === 0) this.sql(`DELETE FROM texts WHERE photo_id = ? AND source = 'ocr' AND model = ?`).run(photoId, model);
    else
      this.sql(`INSERT OR REPLACE INTO texts (photo_id, source, model, text, updated_at) VALUES (?, 'ocr', ?, ?, ?)`).run(photoId, model, lines.map((l) => l.text).join('\n'), now);
  }

  /** The lines an OCR pack read in a photo's current content (undefined: not read yet). */
  reading(photoId: number, model: string): OcrLine[] | undefined {
    const row = this.sql('SELECT r.lines FROM ocr_readings r JOIN photos p ON p.id = r.photo_id AND p.hash IS r.hash WHERE r.photo_id = ? AND r.model = ?').get(photoId, model) as
      { lines: string } | undefined;
    return row ? (JSON.parse(row.lines) as OcrLine[]) : undefined;
  }

  /** Whether a photo's content `hash` has been read by the OCR pack. */
  hasReading(photoId: number, model: string, hash: string): boolean {
    return this.sql('SELECT 1 FROM ocr_readings WHERE photo_id = ? AND model = ? AND hash = ?').get(photoId, model, hash) !== undefined;
  }

  /** Indexed photos the OCR pack has not read in their current content, in id order (videos are not read). */
  unreadPhotos(model: string, limit: number, afterId = 0): PhotoRow[] {
    return this.sql(
      `SELECT * FROM photos WHERE id > ? AND status = 'indexed' AND hash IS NOT NULL AND media = 'photo'
         AND NOT EXISTS (SELECT 1 FROM ocr_readings r WHERE r.photo_id = photos.id AND r.model = ? AND r.hash = photos.hash) ORDER BY id LIMIT ?`,
    ).all(afterId, model, limit) as PhotoRow[];
  }

  /** Indexed photos read by the OCR pack, and how many are still to read. */
  readingCounts(model: string): { read: number; unread: number; withText: number } {
    return this.sql(
      `SELECT coalesce(sum(r.hash IS NOT NULL), 0) AS read, coalesce(sum(r.hash IS NULL), 0) AS unread, coalesce(sum(r.lines <> '[]'), 0) AS withText
         FROM photos p LEFT JOIN ocr_readings r ON r.photo_id = p.id AND r.model = ? AND r.hash = p.hash WHERE p.status = 'indexed' AND p.hash IS NOT NULL AND p.media = 'photo'`,
    ).get(model) as { read: number; unread: number; withText: number };
  }

  /**
   * Photos whose read text contains `fragment` (compacted as compactText does; at least 3 characters),
   * best first. An empty list for a shorter fragment: a trigram index cannot look it up.
   */
  readTextSearch(fragment: string, limit: number): number[] {
    const compact = compactText(fragment).replace(/\n/g, '');
    if ([...compact].length < 3) return [];
    return this.sql(`SELECT rowid FROM photo_read_text WHERE photo_read_text MATCH ? ORDER BY rank LIMIT ?`)
      .pluck()
      .all(`"${compact.replace(/"/g, '""')}"`, limit) as number[];
  }

  /** The text read in each photo (all OCR packs' lines, one per line). */
  readTexts(ids: readonly number[]): Map<number, string> {
    const rows = this.sql(
      `SELECT photo_id, group_concat(text, char(10)) AS text FROM texts WHERE photo_id IN (SELECT value FROM json_each(?)) AND source = 'ocr' GROUP BY photo_id`,
    ).all(JSON.stringify(ids)) as Array<{ photo_id: number; text: string }>;
    return new Map(rows.map((r) => [r.photo_id, r.text]));
  }

  /**
   * The ids of full-text matches, best first: what ranking needs. Highlighting every match of a large
   * library is most of a keyword query's cost, so `keywordHighlights` does it for the page shown only.
   */
  keywordIds(match: string, limit: number): number[] {
    // The match string is built from quoted terms only (search.ts), so FTS5 always parses it: an error
    // here is a real fault and is raised, never turned into "no results".
    return this.sql(`SELECT rowid FROM photo_text WHERE photo_text MATCH ? ORDER BY bm25(photo_text, 3.0, 2.0, 1.0) LIMIT ?`).pluck().all(match, limit) as number[];
  }

  /**
   * Makes `model` the pack whose captions keyword search sees (with the user's own captions); the
   * keyword table follows by trigger. A no-op when it already is.
   */
  setKeywordModel(model: string): void {
    if (this.keywordModel() === model) return;
    this.sql(`INSERT INTO keyword_model (id, model) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET model = excluded.model`).run(model);
  }

  /** The pack whose captions keyword search sees; null until a writer has opened the library. */
  keywordModel(): string | null {
    return (this.sql(`SELECT model FROM keyword_model WHERE id = 1`).pluck().get() as string | undefined) ?? null;
  }

  /** The highlighted columns of those of `ids` that match. */
  keywordHighlights(match: string, ids: readonly number[]): Map<number, { caption: string; album: string; names: string }> {
    const rows = this.matchAmong(
      match,
      ids,
      `highlight(${SCRATCH}, 0, '«', '»') AS caption, highlight(${SCRATCH}, 1, '«', '»') AS album, highlight(${SCRATCH}, 2, '«', '»') AS names`,
    );
    return new Map(rows.map(({ id, ...columns }) => [id, columns as { caption: string; album: string; names: string }]));
  }

  /** Those of `ids` whose text matches. */
  keywordMatchesAmong(match: string, ids: readonly number[]): Set<number> {
    return new Set(this.matchAmong(match, ids, '1').map((r) => r.id));
  }

  /**
   * Matches among a few photos, answered over a scratch copy of their text: a temporary FTS5 table of
   * this connection, made with photo_text's own definition, so it tokenizes and matches alike. Asked of
   * photo_text, a prefix query ("circle"*) expands over every document of the library that holds the
   * prefix, however few photos are wanted (130 ms for a page of 20 when a third of 100k photos match);
   * over the copy it costs what the photos cost.
   */
  private matchAmong(match: string, ids: readonly number[], columns: string): Array<{ id: number } & Record<string, unknown>> {
    if (ids.length === 0) return [];
    if (!this.scratchReady) {
      const sql = this.sql(`SELECT sql FROM sqlite_master WHERE name = 'photo_text'`).pluck().get() as string;
      this.db.exec(sql.replace(/^CREATE VIRTUAL TABLE photo_text USING/i, `CREATE VIRTUAL TABLE IF NOT EXISTS temp.${SCRATCH} USING`));
      this.scratchReady = true;
    }
    this.db.exec(`DELETE FROM temp.${SCRATCH}`);
    this.sql(
      `INSERT INTO temp.${SCRATCH} (rowid, caption, album, names) SELECT rowid, caption, album, names FROM main.photo_text WHERE rowid IN (SELECT value FROM json_each(?))`,
    ).run(JSON.stringify(ids));
    return this.sql(`SELECT rowid AS id, ${columns} FROM temp.${SCRATCH} WHERE ${SCRATCH} MATCH ?`).all(match) as Array<{ id: number } & Record<string, unknown>>;
  }

  // ---- albums ----

  private static readonly ALBUM_SELECT = `SELECT a.*, (SELECT count(*) FROM photos p WHERE p.dir = a.dir AND p.status = 'indexed') AS photo_count FROM albums a`;

  albums(): AlbumRow[] {
    return this.sql(`${Catalog.ALBUM_SELECT} ORDER BY a.dir`).all() as AlbumRow[];
  }

  album(id: number): AlbumRow | undefined {
    return this.sql(`${Catalog.ALBUM_SELECT} WHERE a.id = ?`).get(id) as AlbumRow | undefined;
  }

  albumForDir(dir: string): AlbumRow | undefined {
    return this.sql(`${Catalog.ALBUM_SELECT} WHERE a.dir = ?`).get(dir) as AlbumRow | undefined;
  }

  /** Directories holding indexed photos, with a signature that changes when their photos do. */
  photoDirs(): Array<{ dir: string; signature: string; count: number }> {
    return this.sql(
      `SELECT dir, count(*) AS count, count(*) || ':' || sum(id) || ':' || max(coalesce(indexed_at, 0)) AS signature FROM photos WHERE status = 'indexed' GROUP BY dir`,
    ).all() as Array<{ dir: string; signature: string; count: number }>;
  }

  indexedIdsInDir(dir: string): number[] {
    return this.sql(`SELECT id FROM photos WHERE dir = ? AND status = 'indexed'`).pluck().all(dir) as number[];
  }

  saveAlbum(a: { dir: string; title: string; summary: string; signature: string; coverId: number | null }): void {
    this.sql(
      `INSERT INTO albums (dir, title, summary, signature, cover_id, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(dir) DO UPDATE SET title = excluded.title, summary = excluded.summary, signature = excluded.signature, cover_id = excluded.cover_id, updated_at = excluded.updated_at`,
    ).run(a.dir, a.title, a.summary, a.signature, a.coverId, Date.now());
  }

  setAlbumTitle(id: number, title: string): void {
    this.sql('UPDATE albums SET user_title = ? WHERE id = ?').run(title, id);
  }

  deleteAlbumsWithout(dirs: ReadonlySet<string>): void {
    for (const a of this.albums()) if (!dirs.has(a.dir)) this.sql('DELETE FROM albums WHERE id = ?').run(a.id);
  }

  // ---- concepts the user teaches ----

  concepts(): ConceptRow[] {
    return this.sql('SELECT id, name, name_key, created_at, updated_at FROM concepts ORDER BY name_key').all() as ConceptRow[];
  }

  concept(id: number): ConceptRow | undefined {
    return this.sql('SELECT id, name, name_key, created_at, updated_at FROM concepts WHERE id = ?').get(id) as ConceptRow | undefined;
  }

  conceptByKey(key: string): ConceptRow | undefined {
    return this.sql('SELECT id, name, name_key, created_at, updated_at FROM concepts WHERE name_key = ?').get(key) as ConceptRow | undefined;
  }

  /** A new concept with its first examples (true: an example, false: a counter-example), in one transaction. */
  createConcept(name: string, key: string, examples: ReadonlyArray<{ photoId: number; positive: boolean }>): number {
    return this.transaction(() => {
      const now = Date.now();
      const id = Number(this.sql('INSERT INTO concepts (name, name_key, created_at, updated_at) VALUES (?, ?, ?, ?)').run(name, key, now, now).lastInsertRowid);
      for (const e of examples) this.setConceptExample(id, e.photoId, e.positive, now);
      return id;
    });
  }

  renameConcept(id: number, name: string, key: string): void {
    this.sql('UPDATE concepts SET name = ?, name_key = ?, updated_at = ? WHERE id = ?').run(name, key, Date.now(), id);
  }

  deleteConcept(id: number): boolean {
    return this.sql('DELETE FROM concepts WHERE id = ?').run(id).changes > 0;
  }

  /** Marks a photo as an example (positive) or a counter-example of a concept, replacing what it was. */
  setConceptExample(conceptId: number, photoId: number, positive: boolean, now = Date.now()): void {
    this.sql(
      'INSERT INTO concept_examples (concept_id, photo_id, positive, added_at) VALUES (?, ?, ?, ?) ON CONFLICT (concept_id, photo_id) DO UPDATE SET positive = excluded.positive, added_at = excluded.added_at',
    ).run(conceptId, photoId, positive ? 1 : 0, now);
    this.sql('UPDATE concepts SET updated_at = ? WHERE id = ?').run(now, conceptId);
  }

  removeConceptExample(conceptId: number, photoId: number): boolean {
    return this.sql('DELETE FROM concept_examples WHERE concept_id = ? AND photo_id = ?').run(conceptId, photoId).changes > 0;
  }

  /** A concept's examples and counter-examples, each with its vector for `model` (null: none yet) and the content it was computed from. */
  conceptExamples(conceptId: number, model: string): ConceptExampleRow[] {
    return (
      this.sql(
        `SELECT e.photo_id, e.positive, v.vector, v.hash FROM concept_examples e LEFT JOIN vectors v ON v.photo_id = e.photo_id AND v.model = ?
           WHERE e.concept_id = ? ORDER BY e.photo_id`,
      ).all(model, conceptId) as Array<{ photo_id: number; positive: number; vector: Buffer | null; hash: string | null }>
    ).map((r) => ({ photoId: r.photo_id, positive: r.positive === 1, vector: r.vector ? blobVector(r.vector) : null, hash: r.hash }));
  }

  /** Examples (and counter-examples) of every concept that a photo is, by concept id. */
  conceptExamplesOf(photoId: number): Map<number, boolean> {
    const rows = this.sql('SELECT concept_id, positive FROM concept_examples WHERE photo_id = ?').all(photoId) as Array<{ concept_id: number; positive: number }>;
    return new Map(rows.map((r) => [r.concept_id, r.positive === 1]));
  }

  conceptClassifier(conceptId: number, model: string): { signature: string; method: string; weights: Float32Array; bias: number } | undefined {
    const row = this.sql('SELECT signature, method, weights, bias FROM concept_classifiers WHERE concept_id = ? AND model = ?').get(conceptId, model) as
      { signature: string; method: string; weights: Buffer; bias: number } | undefined;
    return row ? { signature: row.signature, method: row.method, weights: blobVector(row.weights), bias: row.bias } : undefined;
  }

  saveConceptClassifier(conceptId: number, model: string, c: { signature: string; method: string; weights: Float32Array; bias: number }): void {
    this.sql(
      'INSERT OR REPLACE INTO concept_classifiers (concept_id, model, signature, method, weights, bias, updated_at) SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM concepts WHERE id = ?)',
    ).run(conceptId, model, c.signature, c.method, vectorBlob(c.weights), c.bias, Date.now(), conceptId);
  }

  /**
   * Up to `limit` vectors of a model, spread evenly over the library (every n-th photo id), leaving out
   * `exclude`: the background a concept is told apart from.
   */
  sampleVectors(model: string, limit: number, exclude: ReadonlySet<number>): Float32Array[] {
    const total = this.vectorCount(model);
    const step = Math.max(1, Math.floor(total / limit));
    const rows = this.sql('SELECT photo_id, vector FROM vectors WHERE model = ? AND photo_id % ? = 0 ORDER BY photo_id LIMIT ?').all(model, step, limit + exclude.size) as Array<{
      photo_id: number;
      vector: Buffer;
    }>;
    return rows
      .filter((r) => !exclude.has(r.photo_id))
      .slice(0, limit)
      .map((r) => blobVector(r.vector));
  }

  // ---- queries for search ----

  /** Ids of photos that pass the filters, or undefined when there are no filters. */
  filteredIds(filters: PhotoFilters): Set<number> | undefined {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filters.folder) {
      where.push(`(dir = ? OR dir LIKE ? ESCAPE '\\')`);
      args.push(filters.folder, `${filters.folder.replace(/[\\%_]/g, (c) => `\\${c}`)}/%`);
    }
    if (filters.after) {
      where.push('taken_at >= ?');
      args.push(filters.after);
    }
    if (filters.before) {
      where.push('taken_at < ?');
      args.push(filters.before);
    }
    if (filters.camera) {
      where.push('camera LIKE ?');
      args.push(`%${filters.camera}%`);
    }
    if (filters.media) {
      where.push('media = ?');
      args.push(filters.media);
    }
    if (where.length === 0) return undefined;
    return new Set(
      this.sql(`SELECT id FROM photos WHERE ${where.join(' AND ')}`)
        .pluck()
        .all(...args) as number[],
    );
  }

  /** These photos, newest first by when they were taken (those without a date last, then by id). */
  newestFirst(ids: readonly number[]): number[] {
    return this.sql(`SELECT id FROM photos WHERE id IN (SELECT value FROM json_each(?)) ORDER BY taken_at IS NULL, taken_at DESC, id`).pluck().all(JSON.stringify(ids)) as number[];
  }

  photoTotal(): number {
    return this.sql('SELECT count(*) FROM photos').pluck().get() as number;
  }

  counts(model: string): PhotoCounts {
    return this.sql(
      `SELECT count(*) AS total, coalesce(sum(status = 'indexed' AND NOT work), 0) AS indexed, coalesce(sum(work), 0) AS pending, coalesce(sum(status = 'error'), 0) AS errors,
              coalesce(sum(status = 'indexed' AND NOT work AND media = 'video'), 0) AS videos
         FROM (SELECT status, media, ${NEEDS_WORK} AS work FROM photos)`,
    ).get({ model }) as PhotoCounts;
  }

  // ---- offline folders ----

  offlineDirs(): OfflineDir[] {
    return this.sql('SELECT dir, folder_id, since, reason FROM offline_dirs ORDER BY dir').all() as OfflineDir[];
  }

  /** Marks a folder offline (keeping the time it first went offline) with the reason it could not be listed. */
  setOffline(folderId: number, dir: string, reason: string): void {
    this.sql('INSERT INTO offline_dirs (dir, folder_id, since, reason) VALUES (?, ?, ?, ?) ON CONFLICT (dir) DO UPDATE SET reason = excluded.reason').run(
      dir,
      folderId,
      Date.now(),
      reason,
    );
  }

  clearOffline(dir: string): void {
    this.sql('DELETE FROM offline_dirs WHERE dir = ?').run(dir);
  }

  /** Photos whose path is inside `dir` (a range scan on the path index). */
  photoCountUnder(dir: string): number {
    return this.sql('SELECT count(*) FROM photos WHERE path >= ? AND path < ?')
      .pluck()
      .get(...pathRange(dir)) as number;
  }

  /** Pending photos (as `pendingPhotos` counts them) inside `dir`. */
  pendingCountUnder(model: string, dir: string): number {
    const [from, to] = pathRange(dir);
    return this.sql(`SELECT count(*) FROM photos WHERE path >= @from AND path < @to AND ${NEEDS_WORK}`).pluck().get({ from, to, model }) as number;
  }

  errors(limit = 50): Array<{ path: string; error: string }> {
    return this.sql(`SELECT path, error FROM photos WHERE status = 'error' ORDER BY path LIMIT ?`).all(limit) as Array<{ path: string; error: string }>;
  }

  // ---- how photos look, and near-duplicate stacks ----

  private storeLook(photoId: number, hash: string, look: PhotoLook): void {
    this.sql('INSERT OR REPLACE INTO photo_looks (photo_id, hash, phash, inner_phash, sharpness, measured_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      photoId,
      hash,
      look.phash,
      look.inner,
      look.sharpness,
      Date.now(),
    );
  }

  /** Stores the look of a photo's content `hash`, unless the photo changed meanwhile (false then). */
  recordLook(photoId: number, hash: string, look: PhotoLook): boolean {
    return this.transaction(() => {
      if (!this.sql('SELECT 1 FROM photos WHERE id = ? AND hash IS ?').get(photoId, hash)) return false;
      this.storeLook(photoId, hash, look);
      return true;
    });
  }

  /** Indexed photos without a look of their current content (indexed before looks existed), in id order. */
  photosWithoutLook(limit: number, afterId = 0): PhotoRow[] {
    return this.sql(
      `SELECT * FROM photos WHERE id > ? AND status = 'indexed' AND hash IS NOT NULL AND media = 'photo'
         AND NOT EXISTS (SELECT 1 FROM photo_looks l WHERE l.photo_id = photos.id AND l.hash = photos.hash) ORDER BY id LIMIT ?`,
    ).all(afterId, limit) as PhotoRow[];
  }

  /** Indexed photos with and without a look of their current content (videos have none). */
  lookCounts(): { done: number; missing: number } {
    return this.sql(
      `SELECT coalesce(sum(l.photo_id IS NOT NULL), 0) AS done, coalesce(sum(l.photo_id IS NULL), 0) AS missing
         FROM photos p LEFT JOIN photo_looks l ON l.photo_id = p.id AND l.hash = p.hash WHERE p.status = 'indexed' AND p.hash IS NOT NULL AND p.media = 'photo'`,
    ).get() as { done: number; missing: number };
  }

  /** The look of a photo's current content (undefined: none yet). */
  look(photoId: number): PhotoLook | undefined {
    return this.sql('SELECT l.phash, l.inner_phash AS inner, l.sharpness FROM photo_looks l JOIN photos p ON p.id = l.photo_id AND p.hash = l.hash WHERE l.photo_id = ?').get(
      photoId,
    ) as PhotoLook | undefined;
  }

  /** Every indexed photo with its content fingerprint and, when it has one for that content, its perceptual hash: what grouping reads. */
  groupingRows(): Array<{ id: number; hash: string; phash: string | null; inner: string | null }> {
    return this.sql(
      `SELECT p.id, p.hash, l.phash, l.inner_phash AS inner FROM photos p LEFT JOIN photo_looks l ON l.photo_id = p.id AND l.hash = p.hash
         WHERE p.status = 'indexed' AND p.hash IS NOT NULL ORDER BY p.id`,
    ).all() as Array<{ id: number; hash: string; phash: string | null; inner: string | null }>;
  }

  /** Albums must be titled again: set when the library changed, cleared once they were (so a job stopped between the two catches up). */
  get albumsStale(): boolean {
    return this.sql(`SELECT value FROM meta WHERE key = 'albums_stale'`).pluck().get() === '1';
  }

  set albumsStale(stale: boolean) {
    if (stale) this.sql(`INSERT OR REPLACE INTO meta (key, value) VALUES ('albums_stale', '1')`).run();
    else this.sql(`DELETE FROM meta WHERE key = 'albums_stale'`).run();
  }

  /** What the stacks were last built from (null: never built). */
  stacksBuiltFrom(): string | null {
    return (this.sql(`SELECT value FROM meta WHERE key = 'stacks'`).pluck().get() as string | undefined) ?? null;
  }

  /**
   * What stacks would be built from now for `model`: its vectors (the log position), and the photos' looks
   * and fingerprints. When it equals `stacksBuiltFrom`, the stacks are current.
   */
  stacksSource(model: string): string {
    const looks = this.sql(`SELECT count(*) || ':' || total(sharpness) || ':' || total(photo_id) FROM photo_looks`).pluck().get() as string;
    const photos = this.sql(`SELECT count(*) || ':' || total(id) FROM photos WHERE status = 'indexed'`).pluck().get() as string;
    return `${model}|${this.lastVectorSeq()}|${looks}|${photos}`;
  }

  /** Photos whose vector of `model` changed after log position `afterSeq`, or whose look was measured at `since` or later. */
  changedSinceStacks(model: string, afterSeq: number, since: number): Set<number> {
    const vectors = this.sql('SELECT DISTINCT photo_id FROM vector_log WHERE model = ? AND seq > ?').pluck().all(model, afterSeq) as number[];
    const looks = this.sql('SELECT photo_id FROM photo_looks WHERE measured_at >= ?').pluck().all(since) as number[];
    return new Set([...vectors, ...looks]);
  }

  /** Every stack of two photos or more, as lists of photo ids. */
  stackGroups(): number[][] {
    const groups = new Map<number, number[]>();
    for (const r of this.sql('SELECT stack_id, photo_id FROM stacks ORDER BY stack_id, photo_id').all() as Array<{ stack_id: number; photo_id: number }>) {
      const g = groups.get(r.stack_id);
      if (g) g.push(r.photo_id);
      else groups.set(r.stack_id, [r.photo_id]);
    }
    return [...groups.values()].filter((g) => g.length > 1);
  }

  stackRowCount(): number {
    return this.sql('SELECT count(*) FROM stacks').pluck().get() as number;
  }

  /**
   * Replaces every stack by `groups` (each a list of photo ids; the stack is named by its smallest id), in
   * one transaction, with what they were built from (`builtFrom`, as `stacksSource` says it) and when
   * (the model, the vector log position and the time the build began, for the next incremental build).
   */
  replaceStacks(groups: ReadonlyArray<readonly number[]>, builtFrom: string, build: { model: string; seq: number; at: number } = { model: '', seq: 0, at: 0 }): void {
    const insert = this.sql('INSERT OR IGNORE INTO stacks (photo_id, stack_id) SELECT ?, ? WHERE EXISTS (SELECT 1 FROM photos WHERE id = ?)');
    this.transaction(() => {
      this.sql('DELETE FROM stacks').run();
      for (const group of groups) {
        const stackId = Math.min(...group);
        for (const id of group) insert.run(id, stackId, id);
      }
      const record: StacksBuild = { ...build, rows: this.stackRowCount() };
      this.sql(`INSERT OR REPLACE INTO meta (key, value) VALUES ('stacks', ?), ('stacks_build', ?)`).run(builtFrom, JSON.stringify(record));
    });
  }

  /** How the stacks were last built (null: never). */
  stacksBuild(): StacksBuild | null {
    const value = this.sql(`SELECT value FROM meta WHERE key = 'stacks_build'`).pluck().get() as string | undefined;
    return value ? (JSON.parse(value) as StacksBuild) : null;
  }

  /**
   * The stack of each of these photos that still holds two photos or more: its id and size. Each stack
   * is counted once, however many of its photos are asked about (a search asks about its whole pool:
   * counting per photo cost 3.4 s for a pool inside one stack of 100k).
   */
  stacksOf(ids: readonly number[]): Map<number, { stackId: number; size: number }> {
    const rows = this.sql(
      `WITH asked AS (SELECT s.photo_id, s.stack_id FROM json_each(?) j JOIN stacks s ON s.photo_id = j.value),
              sizes AS (SELECT stack_id, count(*) AS size FROM stacks WHERE stack_id IN (SELECT stack_id FROM asked) GROUP BY stack_id)
         SELECT asked.photo_id, asked.stack_id, sizes.size FROM asked JOIN sizes USING (stack_id)`,
    ).all(JSON.stringify(ids)) as Array<{ photo_id: number; stack_id: number; size: number }>;
    return new Map(rows.filter((r) => r.size > 1).map((r) => [r.photo_id, { stackId: r.stack_id, size: r.size }]));
  }

  /** The photos of stacks that hold two or more (one stack, or all), with what choosing a best shot needs. */
  stackMembers(stackId?: number): StackMemberRow[] {
    return this.sql(
      `SELECT s.stack_id, p.id, p.path, p.hash, p.size, p.width, p.height, l.sharpness FROM stacks s JOIN photos p ON p.id = s.photo_id
         LEFT JOIN photo_looks l ON l.photo_id = p.id AND l.hash = p.hash
         WHERE (@stack IS NULL OR s.stack_id = @stack) AND s.stack_id IN (SELECT stack_id FROM stacks GROUP BY stack_id HAVING count(*) > 1)
         ORDER BY s.stack_id, p.id`,
    ).all({ stack: stackId ?? null }) as StackMemberRow[];
  }
}
