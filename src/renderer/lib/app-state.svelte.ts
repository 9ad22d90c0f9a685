import type { Album, GlimpseApi, PhotoDetail, Progress, SearchResult } from '../../shared/api';
import { AlbumsState } from '../albums/albums-state.svelte';
import { DuplicatesState } from '../duplicates/duplicates-state.svelte';
import { FolderPicker } from '../files/folder-picker.svelte';
import type { GridMove } from '../grid/layout';
import { LibraryState } from '../library/library-state.svelte';
import { SearchState } from '../search/search-state.svelte';
import { SelectionActions } from '../selection/selection-actions.svelte';
import type { Selection } from '../selection/selection.svelte';
import { ModelsState } from '../settings/models-state.svelte';
import { TimelineState } from '../timeline/timeline-state.svelte';
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
  readonly timeline: TimelineState;
  /** Web mode's folder picker (adding a folder, exporting). */
  readonly picker: FolderPicker;
  readonly actions: SelectionActions;

  #view = $state<View>('search');
  /** The grid the viewer was opened from: its arrows step through that grid. */
  #source: 'search' | 'timeline' = 'search';
  /** When the timeline was last counted again while indexing added photos. */
  #timelineCounted = 0;
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
    this.picker = new FolderPicker(api);
    this.library = new LibraryState(api, this.notices, this.picker);
    this.albums = new AlbumsState(api, this.notices);
    this.models = new ModelsState(api, this.notices);
    this.duplicates = new DuplicatesState(api, this.notices);
    this.timeline = new TimelineState(api, this.notices);
    this.actions = new SelectionActions(api, this.notices, this.picker);
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
      // A first indexing run takes a while: the timeline shows the photos done so far, counted again every few seconds.
      else if (progress.phase === 'indexing' && progress.done > 0 && Date.now() - this.#timelineCounted > 5000) {
        this.#timelineCounted = Date.now();
        this.timeline.refresh();
      }
      // Indexed: every photo is searchable now, while their text is still being read.
      if (lastPhase === 'indexing' && (progress.phase === 'reading' || progress.phase === 'faces' || progress.phase === 'measuring' || progress.phase === 'idle'))
        this.#searchable();
      lastPhase = progress.phase;
    });
    const offChanged = this.api.on('libraryChanged', ({ reason }) => this.#libraryChanged(reason));
    const offDownload = this.api.on('modelDownload', (event) => this.models.onDownload(event));
    void this.library.refresh();
    return () => {
      offProgress();
      offChanged();
      offDownload();
    };
  }

  #libraryChanged(reason = ''): void {
    // A heart changes nothing shown but the heart (patched in place), unless only favourites are shown.
    if (reason === 'favourites' && !this.search.filters.favourites) return;
    this.library.scheduleRefresh();
    this.search.refresh();
    this.timeline.refresh();
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

  /** "Add a folder": the folder picker (the desktop's, or web mode's own), else the Library view's path field. */
  async addFolder(): Promise<void> {
    const outcome = await this.library.pickAndAdd();
    if (outcome === 'added') {
      this.go('library');
      return;
    }
    if (outcome !== 'none') return;
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

  // ---- the grids: search results, or the timeline when there is nothing to search ----

  /** The grid the search view shows. */
  get grid(): 'search' | 'timeline' {
    return this.search.active ? 'search' : 'timeline';
  }

  /** The chosen tiles of the grid shown. */
  get selection(): Selection {
    return this.grid === 'search' ? this.search.selection : this.timeline.selection;
  }

  /** The chosen tiles that are loaded, in grid order. */
  get selectedTiles(): SearchResult[] {
    const selection = this.selection;
    if (this.grid === 'search') return this.search.results.filter((r) => selection.has(r.id));
    const tiles: SearchResult[] = [];
    for (let i = 0; i < this.timeline.total && tiles.length < selection.size; i++) {
      const tile = this.timeline.tileAt(i);
      if (tile && selection.has(tile.id)) tiles.push(tile);
    }
    return tiles;
  }

  moveInGrid(move: GridMove): void {
    if (this.grid === 'search') this.search.move(move);
    else this.timeline.move(move);
  }

  /** Space on a tile: chooses it, or leaves it out. */
  toggleSelected(): void {
    const index = this.grid === 'search' ? this.search.selected : this.timeline.selected;
    const tile = this.grid === 'search' ? this.search.results[index] : this.timeline.tileAt(index);
    if (tile) this.selection.toggle(tile.id, index);
  }

  openTimeline(index: number): void {
    const tile = this.timeline.tileAt(index);
    if (!tile) return;
    this.timeline.select(index);
    this.#source = 'timeline';
    void this.viewer.open(tile.id);
  }

  /** The heart on a tile of the grid shown. */
  async toggleFavourite(index: number): Promise<void> {
    const tile = this.grid === 'search' ? this.search.results[index] : this.timeline.tileAt(index);
    if (tile) await this.#setFavourite([tile.id], !tile.favourite);
  }

  /** The heart in the viewer. */
  async toggleViewerFavourite(): Promise<void> {
    const photo = this.viewer.photo;
    if (photo) await this.#setFavourite([photo.id], !photo.favourite);
  }

  /** The selection bar's heart: all favourites become not, otherwise all become favourites. */
  async favouriteSelection(): Promise<void> {
    const tiles = this.selectedTiles;
    if (tiles.length > 0)
      await this.#setFavourite(
        tiles.map((t) => t.id),
        !tiles.every((t) => t.favourite),
      );
  }

  async #setFavourite(ids: number[], favourite: boolean): Promise<void> {
    if (!(await this.actions.setFavourite(ids, favourite))) return;
    this.search.patchFavourite(ids, favourite);
    this.timeline.patchFavourite(ids, favourite);
    this.viewer.patchFavourite(ids, favourite);
  }

  showSelectionInFolders(): void {
    void this.actions.showInFolders(this.selectedTiles);
  }

  exportSelection(): void {
    const ids = this.selectedTiles.map((t) => t.id);
    if (ids.length > 0) void this.actions.export(ids);
  }

  // ---- results and the viewer ----

  /** Opens the photo, or, for a tile that stands for a stack of near-duplicates, opens the stack in place. */
  openResult(index: number): void {
    const result = this.search.results[index];
    if (!result) return;
    this.search.select(index);
    this.#source = 'search';
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

  /** Next or previous photo while the viewer is open, in the grid it was opened from. */
  step(delta: 1 | -1): void {
    if (this.#source === 'timeline') {
      const index = this.timeline.selected + delta;
      if (this.timeline.tileAt(index)) this.openTimeline(index);
      return;
    }
    const index = this.search.selected + delta;
    if (index >= 0 && index < this.search.results.length) this.openResult(index);
  }

  get canStep(): { previous: boolean; next: boolean } {
    const photo = this.viewer.photo;
    if (this.#source === 'timeline') {
      const at = this.timeline.selected;
      const here = !!photo && this.timeline.tileAt(at)?.id === photo.id;
      return { previous: here && !!this.timeline.tileAt(at - 1), next: here && !!this.timeline.tileAt(at + 1) };
    }
    const current = this.search.selectedResult;
    const inResults = !!photo && current?.id === photo.id;
    return { previous: inResults && this.search.selected > 0, next: inResults && this.search.selected < this.search.results.length - 1 };
  }

  closeViewer(): void {
    this.viewer.close();
    if (this.#view !== 'search') return;
    if (this.#source === 'timeline' && this.grid === 'timeline') this.timeline.focusSelected();
    else this.search.focusSelected();
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
