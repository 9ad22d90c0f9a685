import type { Album } from '../../../shared/api.js';
import { EngineError } from '../core/errors.js';
import type { AlbumStore } from './album-store.js';

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

  setTitle(id: number, title: string): Album {
    if (!this.albums.album(id)) throw new EngineError(`no album with id ${id}`);
    this.albums.setAlbumTitle(id, title.trim());
    return this.all().find((a) => a.id === id)!;
  }
}
