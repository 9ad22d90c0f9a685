import { SvelteMap } from 'svelte/reactivity';
import type { GlimpseApi, Params, PlaceFilter, SearchResponse, SearchResult, UnderstoodPart } from '../../shared/api';
import { type GridMove, moveIndex } from '../grid/layout';
import { withFavourite } from '../grid/tiles';
import type { Notices } from '../lib/notices.svelte';
import { dayAfter } from '../lib/format';
import { type QueryDates, onlyATime } from '../../shared/query-dates';
import { Selection } from '../selection/selection.svelte';
import type { TimelineFilters } from '../timeline/timeline-state.svelte';

export interface SearchFilters {
  folder: string;
  after: string;
  before: string;
  /** '' for both. */
  media: '' | 'photo' | 'video';
  /** Only the photos marked as favourites. */
  favourites: boolean;
  sort: 'relevance' | 'date';
}

export interface Example {
  id: number;
  name: string;
}

const NO_FILTERS: SearchFilters = { folder: '', after: '', before: '', media: '', favourites: false, sort: 'relevance' };
/** One page of results: what a keystroke asks for; "Show more" fetches the next. */
const PAGE = 100;
export const TYPING_DELAY_MS = 200;

/**
 * The search: what was typed, the filters, the answer and the selection in the grid. Searches run
 * as you type (debounced); an older answer never overwrites a newer one.
 */
export class SearchState {
  readonly #api: GlimpseApi;
  readonly #notices: Notices;
  /** Each near-duplicate stack shown as one tile (the search view), or every photo (a person's page). */
  readonly #stacks: boolean;
  /** The results chosen for the selection bar. */
  readonly selection = new Selection();

  #query = $state('');
  #filters = $state<SearchFilters>({ ...NO_FILTERS });
  #showAll = $state(false);
  #example = $state<Example | null>(null);
  /** Only photos with all these people (a person's page): their photos are shown even with nothing typed. */
  #people = $state<number[]>([]);
  /** Only photos taken in this place (a place's page): shown even with nothing typed. */
  #place = $state.raw<PlaceFilter | null>(null);
  /** Only these photos (a dot on the map): shown even with nothing typed. */
  #only = $state.raw<number[] | null>(null);
  /** Words of the query the user asked to keep as words (an ambiguous reading undone). */
  #literal = $state<string[]>([]);
  #response = $state.raw<SearchResponse | null>(null);
  /** What the shown response answered (so "No photos match …" names the right words). */
  #answered = $state('');
  #loading = $state(false);
  #failed = $state(false);
  #selected = $state(0);
  /** Bumped for every new search (not for a refresh), so the grid goes back to the top. */
  #generation = $state(0);
  /** Bumped when the selected tile should take the keyboard focus. */
  #focusRequest = $state(0);

  #columns = 1;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #seq = 0;
  #loadingMore = $state(false);
  /** Stacks opened in place in the grid: each stack's id, with the tile its photos replaced. */
  readonly #openStacks = new SvelteMap<number, SearchResult>();
  /** How many results the shown answer holds (pages fetched so far): a refresh fetches as many again. */
  #wanted = PAGE;

  constructor(api: GlimpseApi, notices: Notices, options: { stacks?: boolean } = {}) {
    this.#api = api;
    this.#notices = notices;
    this.#stacks = options.stacks ?? true;
  }

  get query(): string {
    return this.#query;
  }
  get filters(): SearchFilters {
    return this.#filters;
  }
  get showAll(): boolean {
    return this.#showAll;
  }
  get example(): Example | null {
    return this.#example;
  }
  /** The people every result must have in it (a person's page); empty in the search view. */
  get people(): readonly number[] {
    return this.#people;
  }
  get response(): SearchResponse | null {
    return this.#response;
  }
  get results(): SearchResult[] {
    return this.#response?.results ?? [];
  }
  /** How many stacks are open in place. */
  get openStackCount(): number {
    return this.#openStacks.size;
  }
  isStackOpen(id: number): boolean {
    return this.#openStacks.has(id);
  }
  /** The result stands for a stack that is not open: choosing it opens the stack rather than the photo. */
  isClosedStack(result: SearchResult): boolean {
    return result.stack !== null && result.stack.size > 1 && !this.#openStacks.has(result.stack.id);
  }
  /** More shown results wait beyond this page ("Show more"). */
  get more(): number {
    const r = this.#response;
    return r ? Math.max(0, r.total - r.results.length) : 0;
  }
  get loadingMore(): boolean {
    return this.#loadingMore;
  }
  get hidden(): number {
    return this.#showAll ? 0 : (this.#response?.hidden ?? 0);
  }
  get answered(): string {
    return this.#answered;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get failed(): boolean {
    return this.#failed;
  }
  get selected(): number {
    return this.#selected;
  }
  get selectedResult(): SearchResult | undefined {
    return this.results[this.#selected];
  }
  get generation(): number {
    return this.#generation;
  }
  get focusRequest(): number {
    return this.#focusRequest;
  }
  /** The place every result was taken in (a place's page); null in the search view. */
  get place(): PlaceFilter | null {
    return this.#place;
  }
  /** The only photos results may be (a dot on the map's page); null in the search view. */
  get only(): readonly number[] | null {
    return this.#only;
  }
  /** There is something to search for: words, an example photo, people, a place or chosen photos (a query that is only a time is shown as the timeline). */
  get active(): boolean {
    return (this.#query.trim() !== '' && this.timeSpan === null) || this.#example !== null || this.#people.length > 0 || this.#place !== null || this.#only !== null;
  }
  /** Results are bound to people, a place or chosen photos: with nothing typed they are all of them, newest first. */
  get #bound(): boolean {
    return this.#people.length > 0 || this.#place !== null || this.#only !== null;
  }
  /** The time the query names when that is all it names ("2023", "June 2022"): the timeline shows it. */
  get timeSpan(): QueryDates | null {
    return this.#example ? null : onlyATime(this.#query.trim());
  }
  get filtered(): boolean {
    const f = this.#filters;
    return f.folder !== '' || f.after !== '' || f.before !== '' || f.media !== '' || f.favourites;
  }

  /** What the timeline shows when there is nothing to search: the filters, narrowed to the time the query names. */
  get timelineFilters(): TimelineFilters {
    const f = this.#filters;
    const span = this.timeSpan;
    const before = f.before ? dayAfter(f.before) : '';
    const after = span && (!f.after || span.after > f.after) ? span.after : f.after;
    const until = span && (!before || span.before < before) ? span.before : before;
    return {
      ...(f.folder ? { folder: f.folder } : {}),
      ...(after ? { after } : {}),
      ...(until ? { before: until } : {}),
      ...(f.media ? { media: f.media } : {}),
      ...(f.favourites ? { favourites: true } : {}),
    };
  }

  setQuery(query: string): void {
    this.#query = query;
    // Words kept as words stay kept while they are still in the query.
    this.#literal = this.#literal.filter((words) => query.toLowerCase().includes(words.toLowerCase()));
    this.#showAll = false;
    this.#schedule(TYPING_DELAY_MS, true);
  }

  /** Runs the current search now (Enter in the search box). */
  submit(): void {
    this.#schedule(0, true);
  }

  setFilter<K extends keyof SearchFilters>(key: K, value: SearchFilters[K]): void {
    this.#filters = { ...this.#filters, [key]: value };
    this.#showAll = false;
    this.#schedule(0, true);
  }

  clearFilters(): void {
    this.#filters = { ...NO_FILTERS, sort: this.#filters.sort };
    this.#schedule(0, true);
  }

  /** Lifts the relevance cutoff: the same search with `all: true`. */
  showHidden(): void {
    this.#showAll = true;
    this.#schedule(0, false);
  }

  /** Search by example ("More like this"); typed words then refine it. */
  likeThis(example: Example): void {
    this.#example = example;
    this.#query = '';
    this.#showAll = false;
    this.#schedule(0, true);
  }

  clearExample(): void {
    this.#example = null;
    this.#schedule(0, true);
  }

  /** Only photos with these people in them, and these words (a person's page: newest first while nothing is typed). */
  withPeople(people: readonly number[], query = ''): void {
    this.#example = null;
    this.#people = [...people];
    this.#query = query;
    this.#showAll = false;
    this.#schedule(0, true);
  }

  /** Only photos taken in `place`, or only the photos `only` (a place's page, a dot on the map), and these words: newest first while nothing is typed. */
  withPlace(place: PlaceFilter | null, only: readonly number[] | null = null, query = ''): void {
    this.#example = null;
    this.#place = place ? { ...place } : null;
    this.#only = only ? [...only] : null;
    this.#query = query;
    this.#showAll = false;
    this.#schedule(0, true);
  }

  /** Searches again without a part of the query the search read (a chip's ✕): its words go from the query. */
  withoutPart(part: UnderstoodPart): void {
    this.#query = part.without;
    this.#showAll = false;
    this.#schedule(0, true);
  }

  /** Reads a part's words as words, not as what the search took them for ("Nice" the word, not the city). */
  keepAsWords(part: UnderstoodPart): void {
    const words = part.text.replace(/^(?:in|at|from|near|to|around|visiting)\s+(?:the\s+)?/i, '');
    if (!this.#literal.includes(words)) this.#literal = [...this.#literal, words];
    this.#showAll = false;
    this.#schedule(0, true);
  }

  /** Narrows the search to one folder (an album), starting from the album's own words. */
  inFolder(folder: string, words: string): void {
    this.#example = null;
    this.#filters = { ...this.#filters, folder };
    this.#query = words;
    this.#showAll = false;
    this.#schedule(0, true);
  }

  /** The library changed: run the same search again, keeping the selected photo where it can. */
  refresh(): void {
    if (this.active) this.#schedule(400, false);
  }

  /** Applies a change of favourites to the shown results without searching again. */
  patchFavourite(ids: readonly number[], favourite: boolean): void {
    const response = this.#response;
    if (!response) return;
    const results = withFavourite(response.results, ids, favourite);
    if (results !== response.results) this.#response = { ...response, results };
  }

  /** Applies a caption edit to the shown results without searching again. */
  patchCaption(id: number, caption: string | null): void {
    const response = this.#response;
    if (!response || !response.results.some((r) => r.id === id)) return;
    this.#response = { ...response, results: response.results.map((r) => (r.id === id ? { ...r, caption } : r)) };
  }

  // ---- near-duplicate stacks ----

  /**
   * Opens the stack the result at `index` stands for, in place: its photos, best shot first, take the
   * tile's place in the grid (the selection on the best shot).
   */
  async openStack(index: number): Promise<void> {
    const response = this.#response;
    const tile = response?.results[index];
    if (!response || !tile?.stack || this.#openStacks.has(tile.stack.id)) return;
    const seq = this.#seq;
    try {
      const members = await this.#api.call('stack', { id: tile.stack.id });
      if (seq !== this.#seq || this.#response !== response) return;
      const results = [...response.results.slice(0, index), ...members, ...response.results.slice(index + 1).filter((r) => !members.some((m) => m.id === r.id))];
      this.#openStacks.set(tile.stack.id, tile);
      // The stack's photos are counted one by one while it is open (its tile counted as one).
      this.#response = { ...response, results, total: response.total + results.length - response.results.length };
      this.select(index, true);
    } catch (error) {
      this.#notices.report(error, 'search');
    }
  }

  /** Closes every open stack: each one's photos become its one tile again. */
  closeStacks(): void {
    const response = this.#response;
    if (!response || this.#openStacks.size === 0) return;
    const selectedId = this.selectedResult?.id;
    const results: SearchResult[] = [];
    for (const r of response.results) {
      const tile = r.stack ? this.#openStacks.get(r.stack.id) : undefined;
      if (!tile) results.push(r);
      else if (!results.includes(tile)) results.push(tile);
    }
    this.#openStacks.clear();
    this.#response = { ...response, results, total: response.total - (response.results.length - results.length) };
    const kept = results.findIndex((r) => r.id === selectedId);
    this.#selected = Math.max(0, kept);
  }

  // ---- selection ----

  setColumns(columns: number): void {
    this.#columns = Math.max(1, columns);
  }

  select(index: number, focus = false): void {
    if (this.results.length === 0) return;
    this.#selected = Math.max(0, Math.min(this.results.length - 1, index));
    if (focus) this.#focusRequest++;
  }

  move(move: GridMove): void {
    this.select(moveIndex(this.#selected, move, this.#columns, this.results.length), true);
  }

  focusSelected(): void {
    if (this.results.length > 0) this.#focusRequest++;
  }

  /** Appends the next page of the same search. */
  async showMore(): Promise<void> {
    const response = this.#response;
    if (!response || this.more === 0 || this.#loadingMore) return;
    const seq = this.#seq;
    this.#loadingMore = true;
    try {
      const next = await this.#api.call('search', { ...this.#params(), offset: response.results.length, limit: PAGE });
      if (seq !== this.#seq) return; // a newer search replaced this one meanwhile
      this.#response = { ...next, results: [...response.results, ...next.results] };
      this.#wanted = this.#response.results.length;
    } catch (error) {
      this.#notices.report(error, 'search');
    } finally {
      this.#loadingMore = false;
    }
  }

  // ---- running ----

  #params(): Params<'search'> {
    const f = this.#filters;
    const query = this.#query.trim();
    return {
      query,
      limit: PAGE,
      // A person's photos, or a place's, with nothing typed: newest first (they are all equally "them").
      sort: this.#bound && query === '' ? 'date' : f.sort,
      all: this.#showAll,
      stacks: this.#stacks,
      ...(this.#example ? { similarTo: this.#example.id } : {}),
      ...(this.#people.length > 0 ? { people: [...this.#people] } : {}),
      ...(this.#place ? { place: { ...this.#place } } : {}),
      ...(this.#only ? { only: [...this.#only] } : {}),
      ...(this.#literal.length > 0 ? { literal: [...this.#literal] } : {}),
      ...(f.folder ? { folder: f.folder } : {}),
      ...(f.after ? { after: f.after } : {}),
      // "To" a day includes that day: the engine's `before` is exclusive.
      ...(f.before ? { before: dayAfter(f.before) } : {}),
      ...(f.media ? { media: f.media } : {}),
      ...(f.favourites ? { favourites: true } : {}),
    };
  }

  #schedule(delay: number, fresh: boolean): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#run(fresh), delay);
  }

  async #run(fresh: boolean): Promise<void> {
    const seq = ++this.#seq;
    if (!this.active) {
      this.selection.clear();
      this.#response = null;
      this.#loading = false;
      this.#failed = false;
      this.#answered = '';
      this.#selected = 0;
      this.#notices.resolved('search'); // nothing is searched now: a refused search is stale
      return;
    }
    const query = this.#query.trim();
    // A new search starts at one page; a refresh of the same one keeps the pages already shown.
    if (fresh) this.#wanted = PAGE;
    const params: Params<'search'> = { ...this.#params(), limit: Math.min(1000, Math.max(PAGE, this.#wanted)) };
    const keep = fresh ? undefined : this.selectedResult?.id;
    this.#loading = true;
    try {
      const response = await this.#api.call('search', params);
      if (seq !== this.#seq) return;
      this.#response = response;
      this.#openStacks.clear(); // a new answer shows every stack closed
      this.#answered = query;
      this.#failed = false;
      this.#notices.resolved('search'); // a refused search's banner goes once a search works
      const kept = keep === undefined ? -1 : response.results.findIndex((r) => r.id === keep);
      this.#selected = kept >= 0 ? kept : 0;
      if (fresh) {
        this.#generation++;
        this.selection.clear();
      }
    } catch (error) {
      if (seq !== this.#seq) return;
      this.#failed = true;
      this.#notices.report(error, 'search');
    } finally {
      if (seq === this.#seq) this.#loading = false;
    }
  }
}
