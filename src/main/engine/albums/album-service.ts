import type { Album } from '../../../shared/api.js';
import { EngineError } from '../core/errors.js';
import type { AlbumStore } from './album-store.js';
import { uniqueTitle } from './albums.js';

/** Albums as the API shows them: the user's title over the generated one. */
export class AlbumService {
  constructor(private readonly albums: AlbumStore) {}

  all(): Album[] {
    return this.albums.albums().map((a) => ({
      id: a.id,
      path: a.dir,
      title: a.user_title ?? a.title,
      summary: a.summary,
      photoCount: a.photo_count,
      coverId: a.cover_id,
      edited: a.user_title !== null,
    }));
  }

  /**
   * The user's title for an album. Titles are unique in a library: another album's generated title that
   * is the same steps aside ("Sand (Beach day)"); another album the user titled so is a refusal.
   */
  setTitle(id: number, title: string): Album {
    if (!this.albums.album(id)) throw new EngineError(`no album with id ${id}`);
    const wanted = title.trim();
    const others = this.albums.albums().filter((a) => a.id !== id);
    const same = others.find((a) => (a.user_title ?? a.title).toLowerCase() === wanted.toLowerCase());
    if (same?.user_title) throw new EngineError(`Another album is already called “${same.user_title}” (${same.dir}): give this one another title.`);
    this.albums.catalog.transaction(() => {
      this.albums.setAlbumTitle(id, wanted);
      if (same) {
        const taken = new Set([wanted, ...others.filter((a) => a !== same).map((a) => a.user_title ?? a.title)].map((t) => t.toLowerCase()));
        this.albums.setGeneratedTitle(same.id, uniqueTitle(same.title, same.dir, taken));
      }
    });
    return this.all().find((a) => a.id === id)!;
  }
}
