import type { Album, GlimpseApi, PhotoDetail, Progress, SearchResult } from '../../shared/api';
import { AlbumsState } from '../albums/albums-state.svelte';
import { DuplicatesState } from '../duplicates/duplicates-state.svelte';
import { FolderPicker } from '../files/folder-picker.svelte';
import type { GridMove } from '../grid/layout';
import { LibraryState } from '../library/library-state.svelte';
import { PeopleState } from '../people/people-state.svelte';
import { PlacesState } from '../places/places-state.svelte';
import { SearchState } from '../search/search-state.svelte';
import { SelectionActions } from '../selection/selection-actions.svelte';
import type { Selection } from '../selection/selection.svelte';
import { ModelsState } from '../settings/models-state.svelte';
import { TimelineState } from '../timeline/timeline-state.svelte';
import { ViewerState } from '../viewer/viewer-state.svelte';
import { Notices } from './notices.svelte';

export type View = 'search' | 'people' | 'places' | 'albums' | 'duplicates' | 'library' | 'settings';
/** A grid of photos: search results, the timeline, the photos on a person's page, or on a place's (or a dot's on the map). */
export type Grid = 'search' | 'timeline' | 'person' | 'place';

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
  readonly people: PeopleState;
  readonly places: PlacesState;
  /** Web mode's folder picker (adding a folder, exporting). */
  readonly picker: FolderPicker;
  readonly actions: SelectionActions;

  #view = $state<View>('search');
  /** The grid the viewer was opened from: its arrows step through that grid. */
  #source: Grid = 'search';
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
    this.people = new PeopleState(api, this.notices);
    this.places = new PlacesState(api, this.notices);
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
    this.people.reloadIfLoaded(); // faces found, a name given, a face corrected
    this.people.photos.refresh();
    this.places.reloadIfLoaded(); // photos placed, added or removed
    this.places.photos.refresh();
    this.models.reloadIfLoaded(); // a switch of packs started or finished
  }

  go(view: View): void {
    if (view !== this.#view) this.notices.dismiss();
    this.#view = view;
    if (view === 'people') {
      this.people.close();
      void this.people.load();
    }
    if (view === 'places') {
      this.places.close();
      void this.places.load();
    }
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

  // ---- the grids: search results, or the timeline when there is nothing to search; a person's photos ----

  /** The grid shown: a person's photos on their page, a place's on its page, else the search view's. */
  get grid(): Grid {
    if (this.#view === 'people' && this.people.openId !== null) return 'person';
    if (this.#view === 'places' && this.places.page !== null) return 'place';
    return this.search.active ? 'search' : 'timeline';
  }

  /** The search whose results the grid shows (the search view's, a person's or a place's photos); null for the timeline. */
  #results(grid: Grid): SearchState | null {
    return grid === 'search' ? this.search : grid === 'person' ? this.people.photos : grid === 'place' ? this.places.photos : null;
  }

  /** The chosen tiles of the grid shown. */
  get selection(): Selection {
    return (this.#results(this.grid) ?? this.timeline).selection;
  }

  /** The chosen tiles that are loaded, in grid order. */
  get selectedTiles(): SearchResult[] {
    const selection = this.selection;
    const results = this.#results(this.grid);
    if (results) return results.results.filter((r) => selection.has(r.id));
    const tiles: SearchResult[] = [];
    for (let i = 0; i < this.timeline.total && tiles.length < selection.size; i++) {
      const tile = this.timeline.tileAt(i);
      if (tile && selection.has(tile.id)) tiles.push(tile);
    }
    return tiles;
  }

  moveInGrid(move: GridMove): void {
    (this.#results(this.grid) ?? this.timeline).move(move);
  }

  /** How many tiles the grid shown holds. */
  get tiles(): number {
    return this.#results(this.grid)?.results.length ?? this.timeline.total;
  }

  /** Space on a tile: chooses it, or leaves it out. */
  toggleSelected(): void {
    const results = this.#results(this.grid);
    const index = (results ?? this.timeline).selected;
    const tile = results ? results.results[index] : this.timeline.tileAt(index);
    if (tile) this.selection.toggle(tile.id, index);
  }

  openTimeline(index: number): void {
    const tile = this.timeline.tileAt(index);
    if (!tile) return;
    this.timeline.select(index);
    this.#source = 'timeline';
    this.#show(tile.id);
  }

  /** The heart on a tile of the grid shown. */
  async toggleFavourite(index: number): Promise<void> {
    const results = this.#results(this.grid);
    const tile = results ? results.results[index] : this.timeline.tileAt(index);
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
    this.people.photos.patchFavourite(ids, favourite);
    this.places.photos.patchFavourite(ids, favourite);
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
    else this.#show(result.id, result.moment?.at);
  }

  /** A photo on a person's page, in the viewer. */
  openPersonPhoto(index: number): void {
    const photos = this.people.photos;
    const result = photos.results[index];
    if (!result) return;
    photos.select(index);
    this.#source = 'person';
    this.#show(result.id, result.moment?.at);
  }

  /** A photo on a place's page (or a dot's), in the viewer. */
  openPlacePhoto(index: number): void {
    const photos = this.places.photos;
    const result = photos.results[index];
    if (!result) return;
    photos.select(index);
    this.#source = 'place';
    this.#show(result.id, result.moment?.at);
  }

  /** A photo from the Duplicates view, in the viewer. */
  openPhoto(id: number): void {
    this.#show(id);
  }

  /** Enter on the page: the selected tile of the grid shown. */
  openSelected(): void {
    const grid = this.grid;
    if (grid === 'person') this.openPersonPhoto(this.people.photos.selected);
    else if (grid === 'place') this.openPlacePhoto(this.places.photos.selected);
    else if (grid === 'timeline') this.openTimeline(this.timeline.selected);
    else this.openResult(this.search.selected);
  }

  #show(id: number, startAt?: number): void {
    void this.viewer.open(id, startAt);
    // The names offered when naming a face.
    if (!this.people.loaded && !this.people.loading) void this.people.load();
  }

  /** A person's page: their photos, their name, merging, hiding. */
  openPerson(id: number): void {
    this.viewer.close();
    if (this.#view !== 'people') this.notices.dismiss();
    this.#view = 'people';
    this.people.open(id);
  }

  /** Next or previous photo while the viewer is open, in the grid it was opened from. */
  step(delta: 1 | -1): void {
    if (this.#source === 'timeline') {
      const index = this.timeline.selected + delta;
      if (this.timeline.tileAt(index)) this.openTimeline(index);
      return;
    }
    const results = this.#results(this.#source)!;
    const index = results.selected + delta;
    if (index < 0 || index >= results.results.length) return;
    if (this.#source === 'person') this.openPersonPhoto(index);
    else if (this.#source === 'place') this.openPlacePhoto(index);
    else this.openResult(index);
  }

  get canStep(): { previous: boolean; next: boolean } {
    const photo = this.viewer.photo;
    if (this.#source === 'timeline') {
      const at = this.timeline.selected;
      const here = !!photo && this.timeline.tileAt(at)?.id === photo.id;
      return { previous: here && !!this.timeline.tileAt(at - 1), next: here && !!this.timeline.tileAt(at + 1) };
    }
    const results = this.#results(this.#source)!;
    const inResults = !!photo && results.selectedResult?.id === photo.id;
    return { previous: inResults && results.selected > 0, next: inResults && results.selected < results.results.length - 1 };
  }

  closeViewer(): void {
    this.viewer.close();
    const grid = this.grid;
    if (this.#view === 'people' && grid === 'person') this.people.photos.focusSelected();
    if (this.#view === 'places' && grid === 'place') this.places.photos.focusSelected();
    if (this.#view !== 'search') return;
    if (this.#source === 'timeline' && grid === 'timeline') this.timeline.focusSelected();
    else this.search.focusSelected();
  }

  async saveCaption(text: string): Promise<boolean> {
    const photo = await this.viewer.saveCaption(text);
    if (photo) {
      this.search.patchCaption(photo.id, photo.caption?.text ?? null);
      this.people.photos.patchCaption(photo.id, photo.caption?.text ?? null);
      this.places.photos.patchCaption(photo.id, photo.caption?.text ?? null);
    }
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
