import type { Album, GlimpseApi } from '../../shared/api';
import { Loaded, attempt } from '../lib/loaded.svelte';
import type { Notices } from '../lib/notices.svelte';

/** Albums (one per folder of photos), with their generated or edited titles. */
export class AlbumsState {
  readonly #api: GlimpseApi;
  readonly #notices: Notices;
  readonly #albums: Loaded<Album[]>;
  #saving = $state<number | null>(null);

  constructor(api: GlimpseApi, notices: Notices) {
    this.#api = api;
    this.#notices = notices;
    this.#albums = new Loaded<Album[]>([], notices, 'albums');
  }

  get albums(): Album[] {
    return this.#albums.value;
  }
  get loading(): boolean {
    return this.#albums.loading;
  }
  get loaded(): boolean {
    return this.#albums.loaded;
  }
  get saving(): number | null {
    return this.#saving;
  }

  load(): Promise<void> {
    return this.#albums.load(() => this.#api.call('albums', {}));
  }

  /** Reloads only albums that were already shown once. */
  reloadIfLoaded(): void {
    if (this.#albums.loaded) void this.load();
  }

  async rename(id: number, title: string): Promise<boolean> {
    const trimmed = title.trim();
    if (!trimmed) return false;
    const album = await attempt(
      this.#notices,
      'albums',
      (on) => (this.#saving = on ? id : null),
      () => this.#api.call('setAlbumTitle', { id, title: trimmed }),
    );
    if (!album) return false;
    this.#albums.set(this.#albums.value.map((a) => (a.id === album.id ? album : a)));
    return true;
  }
}
