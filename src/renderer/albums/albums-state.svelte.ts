import type { Album, GlimpseApi } from '../../shared/api';
import type { Notices } from '../lib/notices.svelte';

/** Albums (one per folder of photos), with their generated or edited titles. */
export class AlbumsState {
  readonly #api: GlimpseApi;
  readonly #notices: Notices;

  #albums = $state.raw<Album[]>([]);
  #loading = $state(false);
  #loaded = $state(false);
  #saving = $state<number | null>(null);
  #seq = 0;

  constructor(api: GlimpseApi, notices: Notices) {
    this.#api = api;
    this.#notices = notices;
  }

  get albums(): Album[] {
    return this.#albums;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  get saving(): number | null {
    return this.#saving;
  }

  async load(): Promise<void> {
    const seq = ++this.#seq;
    this.#loading = true;
    try {
      const albums = await this.#api.call('albums', {});
      if (seq === this.#seq) this.#albums = albums;
    } catch (error) {
      if (seq === this.#seq) this.#notices.report(error);
    } finally {
      if (seq === this.#seq) {
        this.#loading = false;
        this.#loaded = true;
      }
    }
  }

  /** Reloads only albums that were already shown once. */
  reloadIfLoaded(): void {
    if (this.#loaded) void this.load();
  }

  async rename(id: number, title: string): Promise<boolean> {
    const trimmed = title.trim();
    if (!trimmed) return false;
    this.#saving = id;
    try {
      const album = await this.#api.call('setAlbumTitle', { id, title: trimmed });
      this.#seq++;
      this.#albums = this.#albums.map((a) => (a.id === album.id ? album : a));
      return true;
    } catch (error) {
      this.#notices.report(error);
      return false;
    } finally {
      this.#saving = null;
    }
  }
}
