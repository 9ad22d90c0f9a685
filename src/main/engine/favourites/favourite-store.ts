import { CatalogStore } from '../catalog/catalog.js';

/**
 * The SQL condition "this photo is a favourite", for filters written in other stores (search's filters,
 * the timeline): `id` names the photo's id column there. The favourites table is this store's. A probe of
 * its key, not `IN (SELECT ...)`: inside a correlated subquery SQLite builds the IN list again for every
 * outer row (docs/PERFORMANCE.md, "The timeline").
 */
export function favouriteCondition(id: string): string {
  return `EXISTS (SELECT 1 FROM favourites WHERE photo_id = ${id})`;
}

/** Photos the user marked as favourites (a heart): the user's own data, kept by photo id (schema v13). */
export class FavouriteStore extends CatalogStore {
  /** Marks or unmarks these photos in one transaction; returns how many changed. */
  setFavourite(ids: readonly number[], favourite: boolean): number {
    const list = JSON.stringify(ids);
    return this.catalog.transaction(() =>
      favourite
        ? this.sql(`INSERT OR IGNORE INTO favourites (photo_id, added_at) SELECT p.id, ? FROM photos p WHERE p.id IN (SELECT value FROM json_each(?))`).run(Date.now(), list)
            .changes
        : this.sql(`DELETE FROM favourites WHERE photo_id IN (SELECT value FROM json_each(?))`).run(list).changes,
    );
  }

  isFavourite(id: number): boolean {
    return this.sql('SELECT 1 FROM favourites WHERE photo_id = ?').get(id) !== undefined;
  }

  /** Those of `ids` that are favourites. */
  favouritesAmong(ids: readonly number[]): Set<number> {
    if (ids.length === 0) return new Set();
    return new Set(this.sql('SELECT photo_id FROM favourites WHERE photo_id IN (SELECT value FROM json_each(?))').pluck().all(JSON.stringify(ids)) as number[]);
  }

  count(): number {
    return this.sql('SELECT count(*) FROM favourites').pluck().get() as number;
  }
}
