/** Small, pure changes to lists of tiles, shared by the grids (plain sets here: nothing reactive). */
import type { SearchResult } from '../../shared/api';

/** The tiles with these photos' favourite mark changed (the same list when none of them is there). */
export function withFavourite(tiles: SearchResult[], ids: readonly number[], favourite: boolean): SearchResult[] {
  const changed = new Set(ids);
  return tiles.some((t) => changed.has(t.id)) ? tiles.map((t) => (changed.has(t.id) ? { ...t, favourite } : t)) : tiles;
}

/** `held` and then those of `more` it does not hold yet. */
export function appendNew(held: SearchResult[], more: readonly SearchResult[]): SearchResult[] {
  const have = new Set(held.map((t) => t.id));
  return [...held, ...more.filter((t) => !have.has(t.id))];
}

/** The folder of a path, for either separator. */
export function folderOf(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut <= 0 ? path.slice(0, cut + 1) || path : path.slice(0, cut);
}

/** Tiles grouped by their folder, in the order the folders first appear. */
export function byFolder(tiles: readonly SearchResult[]): Array<{ folder: string; tiles: SearchResult[] }> {
  const groups = new Map<string, SearchResult[]>();
  for (const tile of tiles) groups.set(folderOf(tile.path), [...(groups.get(folderOf(tile.path)) ?? []), tile]);
  return [...groups].map(([folder, list]) => ({ folder, tiles: list }));
}
