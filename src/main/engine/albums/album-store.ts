import { CatalogStore } from '../catalog/catalog.js';

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

/** Albums (one per folder of photos): their generated and user titles, summaries and covers. */
export class AlbumStore extends CatalogStore {
  private static readonly ALBUM_SELECT = `SELECT a.*, (SELECT count(*) FROM photos p WHERE p.dir = a.dir AND p.status = 'indexed') AS photo_count FROM albums a`;

  albums(): AlbumRow[] {
    return this.sql(`${AlbumStore.ALBUM_SELECT} ORDER BY a.dir`).all() as AlbumRow[];
  }

  album(id: number): AlbumRow | undefined {
    return this.sql(`${AlbumStore.ALBUM_SELECT} WHERE a.id = ?`).get(id) as AlbumRow | undefined;
  }

  albumForDir(dir: string): AlbumRow | undefined {
    return this.sql(`${AlbumStore.ALBUM_SELECT} WHERE a.dir = ?`).get(dir) as AlbumRow | undefined;
  }

  /** Directories holding indexed photos, with a signature that changes when their photos do. */
  photoDirs(): Array<{ dir: string; signature: string; count: number }> {
    return this.sql(
      `SELECT dir, count(*) AS count, count(*) || ':' || sum(id) || ':' || max(coalesce(indexed_at, 0)) AS signature FROM photos WHERE status = 'indexed' GROUP BY dir`,
    ).all() as Array<{ dir: string; signature: string; count: number }>;
  }

  /** When the indexed photos of a directory were taken: the first and last (null when none says). */
  takenRange(dir: string): { first: string | null; last: string | null } {
    return this.sql(`SELECT min(taken_at) AS first, max(taken_at) AS last FROM photos WHERE dir = ? AND status = 'indexed'`).get(dir) as {
      first: string | null;
      last: string | null;
    };
  }

  /** Whether some album was titled by other rules than `rules` (an older Glimpse): then every album is titled again. */
  titledBefore(rules: string): boolean {
    return this.sql(`SELECT 1 FROM albums WHERE instr(signature, ?) = 0 LIMIT 1`).get(`:${rules}:`) !== undefined;
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

  setGeneratedTitle(id: number, title: string): void {
    this.sql('UPDATE albums SET title = ? WHERE id = ?').run(title, id);
  }

  deleteAlbumsWithout(dirs: ReadonlySet<string>): void {
    for (const a of this.albums()) if (!dirs.has(a.dir)) this.sql('DELETE FROM albums WHERE id = ?').run(a.id);
  }

  /** Albums must be titled again: set when the library changed, cleared once they were (so a job stopped between the two catches up). */
  get albumsStale(): boolean {
    return this.sql(`SELECT value FROM meta WHERE key = 'albums_stale'`).pluck().get() === '1';
  }

  set albumsStale(stale: boolean) {
    if (stale) this.sql(`INSERT OR REPLACE INTO meta (key, value) VALUES ('albums_stale', '1')`).run();
    else this.sql(`DELETE FROM meta WHERE key = 'albums_stale'`).run();
  }
}
