import { basename, dirname } from 'node:path';
import { CatalogStore } from '../catalog/catalog.js';
import { type MediaKind, mediaKindOf } from '../media/formats.js';

/** `skipped`: a file with a photo's name that is not one (smaller than a photo on a side), with the reason in `error`. */
export type PhotoStatus = 'pending' | 'indexed' | 'error' | 'skipped';

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
  /** What was wrong with an item indexed all the same (a video read only in part); null when nothing. */
  warning: string | null;
}

export interface PhotoCounts {
  total: number;
  /** Photos with a vector for the model and nothing left to do. */
  indexed: number;
  /** New or changed files, and photos that have no vector for the model yet. */
  pending: number;
  errors: number;
  /** Files with a photo's name that are not photos (icons, sprites): listed, not indexed. */
  skipped: number;
  /** Indexed items with a warning (a damaged video indexed from the part that could be read). */
  warnings: number;
  /** How many of `indexed` are videos. */
  videos: number;
}

/**
 * A photo that needs work for the model `@model`: a new or changed file, or one whose vector for this
 * model is missing or was computed from other content (the file changed and another model re-indexed it).
 */
export const NEEDS_WORK = `(status = 'pending' OR (status = 'indexed' AND NOT EXISTS (SELECT 1 FROM vectors v WHERE v.photo_id = photos.id AND v.model = @model AND v.hash IS photos.hash)))`;

/** The catalogue's photos (and videos) as files: what the scan finds and reconciles, and what the library counts. */
export class PhotoStore extends CatalogStore {
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

  /** Videos marked with this error (ffmpeg was missing), and putting them back in the queue. */
  videosWithError(fragment: string): number {
    return this.sql(`SELECT count(*) FROM photos WHERE media = 'video' AND status = 'error' AND instr(error, ?) > 0`).pluck().get(fragment) as number;
  }

  retryVideosWithError(fragment: string): number {
    return this.sql(`UPDATE photos SET status = 'pending', error = NULL WHERE media = 'video' AND status = 'error' AND instr(error, ?) > 0`).run(fragment).changes;
  }

  photoTotal(): number {
    return this.sql('SELECT count(*) FROM photos').pluck().get() as number;
  }

  counts(model: string): PhotoCounts {
    return this.sql(
      `SELECT count(*) AS total, coalesce(sum(status = 'indexed' AND NOT work), 0) AS indexed, coalesce(sum(work), 0) AS pending, coalesce(sum(status = 'error'), 0) AS errors,
              coalesce(sum(status = 'skipped'), 0) AS skipped, coalesce(sum(status = 'indexed' AND warning IS NOT NULL), 0) AS warnings, coalesce(sum(status = 'indexed' AND NOT work AND media = 'video'), 0) AS videos
         FROM (SELECT status, media, warning, ${NEEDS_WORK} AS work FROM photos)`,
    ).get({ model }) as PhotoCounts;
  }

  /** Items indexed with a warning (a damaged video read in part), with what it says. */
  warnings(limit = 50): Array<{ path: string; warning: string }> {
    return this.sql(`SELECT path, warning FROM photos WHERE status = 'indexed' AND warning IS NOT NULL ORDER BY path LIMIT ?`).all(limit) as Array<{
      path: string;
      warning: string;
    }>;
  }

  /** Files skipped as not photos, with why. */
  skippedFiles(limit = 50): Array<{ path: string; error: string }> {
    return this.sql(`SELECT path, error FROM photos WHERE status = 'skipped' ORDER BY path LIMIT ?`).all(limit) as Array<{ path: string; error: string }>;
  }

  /**
   * Applies the smallest photo size (`minPhotoSide`) to what was decided under another: skipped images
   * that are large enough now go back to be indexed, and indexed photos smaller than it go back to be
   * looked at again (the indexer then skips them and drops their vectors). Returns how many changed.
   */
  applyMinSide(minSide: number): number {
    return this.sql(
      `UPDATE photos SET status = 'pending', error = NULL
         WHERE media = 'photo' AND width IS NOT NULL AND height IS NOT NULL
           AND ((status = 'skipped' AND min(width, height) >= @minSide) OR (status = 'indexed' AND min(width, height) < @minSide))`,
    ).run({ minSide }).changes;
  }

  /** A library folder's photos that could not be read, by path, with why. */
  errorsInFolder(folderId: number, limit: number): Array<{ path: string; error: string }> {
    return this.sql(`SELECT path, error FROM photos WHERE folder_id = ? AND status = 'error' ORDER BY path LIMIT ?`).all(folderId, limit) as Array<{ path: string; error: string }>;
  }

  errors(limit = 50): Array<{ path: string; error: string }> {
    return this.sql(`SELECT path, error FROM photos WHERE status = 'error' ORDER BY path LIMIT ?`).all(limit) as Array<{ path: string; error: string }>;
  }
}
