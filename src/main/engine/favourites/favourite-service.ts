import { EngineError } from '../core/errors.js';
import type { PhotoStore } from '../library/photo-store.js';
import type { FavouriteStore } from './favourite-store.js';

/** Favourites as the API changes them: only photos of the library, all or none. */
export class FavouriteService {
  constructor(
    private readonly favourites: FavouriteStore,
    private readonly photos: PhotoStore,
    private readonly changed: (reason: string) => void,
  ) {}

  /**
   * Marks (or unmarks) photos as favourites. An id that is not a photo of the library refuses the whole
   * call, so a stale selection never half-applies. Returns the ids that are now favourites among them.
   */
  set(ids: readonly number[], favourite: boolean): { ids: number[]; favourite: boolean } {
    const rows = this.photos.photos(ids);
    const missing = ids.filter((id) => !rows.has(id));
    if (missing.length > 0)
      throw new EngineError(`${missing.length === 1 ? `${missing[0]} is not a photo` : `${missing.length} of these are not photos`} of the library (it may have been removed)`);
    if (this.favourites.setFavourite(ids, favourite) > 0) this.changed('favourites');
    return { ids: [...ids], favourite };
  }
}
