import type { Album, GlimpseApi, PhotoDetail, Progress } from '../../shared/api';
import { AlbumsState } from '../albums/albums-state.svelte';
import { DuplicatesState } from '../duplicates/duplicates-state.svelte';
import { LibraryState } from '../library/library-state.svelte';
import { SearchState } from '../search/search-state.svelte';
import { ModelsState } from '../settings/models-state.svelte';
import { ViewerState } from '../viewer/viewer-state.svelte';
import { Notices } from './notices.svelte';

export type View = 'search' | 'albums' | 'duplicates' | 'library' | 'settings';

/**
 * The whole renderer's state: one object per feature, wired to the engine's events. Views read it
 * through getters and change it only through these methods.
 */
export class AppState {
  readonly api: GlimpseApi;
  readonly notices = new Notices();
  readonly search: SearchState;
  readonly viewer: ViewerState;
  readonly library: LibraryState;
  readonly albums: AlbumsState;
  readonly models: ModelsState;
  readonly duplicates: DuplicatesState;

  #view = $state<View>('search');
  /** Bumped to ask the search box for the keyboard focus. */
  #searchFocus = $state(0);
  /** Bumped to ask the Library view's path field for the focus. */
  #pathFocus = $state(0);
  /** The sample library was asked for: Search opens once its photos are searchable (its text is read after). */
  #landOnSearch = false;

  constructor(api: GlimpseApi) {
    this.api = api;
    this.search = new SearchState(api, this.notices);
    this.viewer = new ViewerState(api, this.notices);
    this.library = new LibraryState(api, this.notices);
    this.albums = new AlbumsState(api, this.notices);
    this.models = new ModelsState(api, this.notices);
    this.duplicates = new DuplicatesState(api, this.notices);
  }

  get view(): View {
    return this.#view;
  }
  get searchFocus(): number {
    return this.#searchFocus;
  }
  get pathFocus(): number {
    return this.#pathFocus;
  }

  /** Subscribes to the engine's events and loads the first status; returns the unsubscribe. */
  start(): () => void {
    let lastPhase: Progress['phase'] = 'idle';
    const offProgress = this.api.on('progress', (progress) => {
      this.library.onProgress(progress);
      // Finished (or stopped): counts, albums and results may all have moved.
      if (progress.phase === 'idle' && lastPhase !== 'idle') this.#libraryChanged();
      // Indexed: every photo is searchable now, while their text is still being read.
      if (lastPhase === 'indexing' && (progress.phase === 'reading' || progress.phase === 'measuring' || progress.phase === 'idle')) this.#searchable();
      lastPhase = progress.phase;
    });
    const offChanged = this.api.on('libraryChanged', () => this.#libraryChanged());
    const offDownload = this.api.on('modelDownload', (event) => this.models.onDownload(event));
    void this.library.refresh();
    return () => {
      offProgress();
      offChanged();
      offDownload();
    };
  }

  #libraryChanged(): void {
    this.library.scheduleRefresh();
    this.search.refresh();
    this.albums.reloadIfLoaded();
    this.duplicates.reloadIfLoaded();
    this.models.reloadIfLoaded(); // a switch of packs started or finished
  }

  go(view: View): void {
    if (view !== this.#view) this.notices.dismiss();
    this.#view = view;
    if (view === 'albums') void this.albums.load();
    if (view === 'duplicates') void this.duplicates.load();
    if (view === 'library') void this.library.refresh();
    if (view === 'settings' && !this.models.loaded) void this.models.load();
  }

  focusSearch(): void {
    if (this.viewer.isOpen) this.viewer.close();
    this.#view = 'search';
    this.#searchFocus++;
  }

  /** Typing in the top bar always searches, whatever view was showing. */
  typed(query: string): void {
    this.#view = 'search';
    this.search.setQuery(query);
  }

  /** "Add a folder": the native picker where there is one, else the Library view's path field. */
  async addFolder(): Promise<void> {
    if (this.api.shell === 'desktop') {
      const outcome = await this.library.pickAndAdd();
      if (outcome === 'added') {
        this.go('library');
        return;
      }
      if (outcome === 'failed') return;
    }
    this.go('library');
    this.#pathFocus++;
  }

  /**
   * Writes and adds the sample library, shows its indexing in the Library view, and opens Search as soon
   * as its photos are searchable (a new user came to search, not to watch text being read).
   */
  async addSample(): Promise<void> {
    this.#landOnSearch = true;
    if (await this.library.addSample()) this.go('library');
    else this.#landOnSearch = false;
  }

  #searchable(): void {
    if (!this.#landOnSearch) return;
    this.#landOnSearch = false;
    // Only from the Library view the sample flow showed: a user who went elsewhere meanwhile stays there.
    if (this.#view === 'library') this.focusSearch();
  }

  // ---- results and the viewer ----

  /** Opens the photo, or, for a tile that stands for a stack of near-duplicates, opens the stack in place. */
  openResult(index: number): void {
    const result = this.search.results[index];
    if (!result) return;
    this.search.select(index);
    // A closed stack opens in place; a video opens at the moment the search found in it.
    if (this.search.isClosedStack(result)) void this.search.openStack(index);
    else void this.viewer.open(result.id, result.moment?.at);
  }

  /** A photo from the Duplicates view, in the viewer. */
  openPhoto(id: number): void {
    void this.viewer.open(id);
  }

  openSelected(): void {
    this.openResult(this.search.selected);
  }

  /** Next or previous photo while the viewer is open. */
  step(delta: 1 | -1): void {
    const index = this.search.selected + delta;
    if (index >= 0 && index < this.search.results.length) this.openResult(index);
  }

  get canStep(): { previous: boolean; next: boolean } {
    const photo = this.viewer.photo;
    const current = this.search.selectedResult;
    const inResults = !!photo && current?.id === photo.id;
    return { previous: inResults && this.search.selected > 0, next: inResults && this.search.selected < this.search.results.length - 1 };
  }

  closeViewer(): void {
    this.viewer.close();
    if (this.#view === 'search') this.search.focusSelected();
  }

  async saveCaption(text: string): Promise<boolean> {
    const photo = await this.viewer.saveCaption(text);
    if (photo) this.search.patchCaption(photo.id, photo.caption?.text ?? null);
    return !!photo;
  }

  moreLikeThis(photo: PhotoDetail): void {
    this.viewer.close();
    this.#view = 'search';
    this.search.likeThis({ id: photo.id, name: photo.name });
  }

  openAlbum(album: Album): void {
    this.#view = 'search';
    this.search.inFolder(album.path, album.title);
  }
}
