import type { Album, PhotoDetail, Progress, SearchResponse, Status } from '../../shared/api';
import { api } from './transport';

export type View = 'search' | 'albums' | 'library' | 'settings';

const IDLE: Progress = { phase: 'idle', done: 0, total: 0, errors: 0, rate: 0, etaSeconds: null, currentFile: null };

/** The renderer's state: one place, fed by API calls and engine events. */
export class AppState {
  view = $state<View>('search');
  status = $state<Status | null>(null);
  progress = $state<Progress>(IDLE);
  error = $state<string | null>(null);

  query = $state('');
  folder = $state('');
  after = $state('');
  before = $state('');
  sort = $state<'relevance' | 'date'>('relevance');
  showAll = $state(false);
  similarTo = $state<{ id: number; name: string } | null>(null);
  response = $state<SearchResponse | null>(null);
  searching = $state(false);
  selected = $state(0);

  viewer = $state<PhotoDetail | null>(null);
  albums = $state<Album[]>([]);

  #searchTimer: ReturnType<typeof setTimeout> | undefined;
  #searchSeq = 0;

  constructor() {
    api.on('progress', (p) => {
      this.progress = p;
      if (p.phase === 'idle') void this.refreshStatus();
    });
    api.on('libraryChanged', () => {
      void this.refreshStatus();
      if (this.view === 'albums') void this.loadAlbums();
      if (this.query || this.similarTo) this.search(0);
    });
    void this.refreshStatus();
  }

  get isEmpty(): boolean {
    return !!this.status && this.status.folders.length === 0;
  }

  async guard<T>(work: () => Promise<T>): Promise<T | undefined> {
    try {
      this.error = null;
      return await work();
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
      return undefined;
    }
  }

  async refreshStatus(): Promise<void> {
    const status = await this.guard(() => api.call('status', {}));
    if (status) {
      this.status = status;
      if (this.progress.phase === 'idle' || status.progress.phase !== 'idle') this.progress = status.progress;
    }
  }

  /** Debounced search as you type; `delay` 0 runs now. Older answers never overwrite newer ones. */
  search(delay = 200): void {
    clearTimeout(this.#searchTimer);
    this.#searchTimer = setTimeout(() => void this.runSearch(), delay);
  }

  async runSearch(): Promise<void> {
    const seq = ++this.#searchSeq;
    if (!this.query.trim() && !this.similarTo) {
      this.response = null;
      return;
    }
    this.searching = true;
    const response = await this.guard(() =>
      api.call('search', {
        query: this.query,
        limit: 500,
        sort: this.sort,
        all: this.showAll,
        ...(this.similarTo ? { similarTo: this.similarTo.id } : {}),
        ...(this.folder ? { folder: this.folder } : {}),
        ...(this.after ? { after: this.after } : {}),
        ...(this.before ? { before: this.before } : {}),
      }),
    );
    if (seq !== this.#searchSeq) return;
    this.searching = false;
    if (response) {
      this.response = response;
      this.selected = 0;
    }
  }

  async openPhoto(id: number): Promise<void> {
    const detail = await this.guard(() => api.call('photo', { id }));
    if (detail) this.viewer = detail;
  }

  closeViewer(): void {
    this.viewer = null;
  }

  moreLikeThis(photo: PhotoDetail): void {
    this.viewer = null;
    this.view = 'search';
    this.similarTo = { id: photo.id, name: photo.name };
    this.query = '';
    this.showAll = false;
    this.search(0);
  }

  clearExample(): void {
    this.similarTo = null;
    this.search(0);
  }

  async saveCaption(id: number, text: string): Promise<boolean> {
    const detail = await this.guard(() => api.call('setCaption', { id, text }));
    if (detail) this.viewer = detail;
    return !!detail;
  }

  async addFolder(path: string): Promise<boolean> {
    const folder = await this.guard(() => api.call('addFolder', { path }));
    await this.refreshStatus();
    return !!folder;
  }

  async pickAndAddFolder(): Promise<string | null> {
    const picked = await this.guard(() => api.call('pickFolder', {}));
    if (picked?.path) await this.addFolder(picked.path);
    return picked?.path ?? null;
  }

  async removeFolder(id: number): Promise<void> {
    await this.guard(() => api.call('removeFolder', { id }));
    await this.refreshStatus();
  }

  async addSample(): Promise<void> {
    await this.guard(() => api.call('addSampleLibrary', {}));
    await this.refreshStatus();
    this.view = 'library';
  }

  async indexing(action: 'pause' | 'resume' | 'cancel'): Promise<void> {
    const progress = await this.guard(() => api.call('indexing', { action }));
    if (progress) this.progress = progress;
  }

  async loadAlbums(): Promise<void> {
    const albums = await this.guard(() => api.call('albums', {}));
    if (albums) this.albums = albums;
  }

  async setAlbumTitle(id: number, title: string): Promise<void> {
    await this.guard(() => api.call('setAlbumTitle', { id, title }));
    await this.loadAlbums();
  }

  openAlbum(album: Album): void {
    this.folder = album.path;
    this.view = 'search';
    this.similarTo = null;
    if (!this.query) this.query = album.title;
    this.search(0);
  }
}
