import { CatalogStore } from '../catalog/catalog.js';
import { pathRange } from '../core/paths.js';
import { NEEDS_WORK } from './photo-store.js';

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

/** The library folders, and the folders inside them that could not be listed at the last scan (offline: their photos are kept). */
export class FolderStore extends CatalogStore {
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
      // Images skipped as too small (icons, sprites) are not the folder's photos: status counts them apart.
      `SELECT f.id, f.path, f.watch_note,
           (SELECT count(*) FROM photos p WHERE p.folder_id = f.id AND p.status <> 'skipped') AS photo_count,
           (SELECT count(*) FROM photos p WHERE p.folder_id = f.id AND p.status = 'error') AS error_count
         FROM folders f ORDER BY f.path`,
    ).all() as FolderRow[];
  }

  setWatchNote(folderId: number, note: string | null): void {
    this.sql('UPDATE folders SET watch_note = ? WHERE id = ?').run(note, folderId);
  }

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
}
