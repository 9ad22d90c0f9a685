import { SvelteMap } from 'svelte/reactivity';
import type { GlimpseApi, Params, SearchResult, TimelineMonths } from '../../shared/api';
import { type GridMove, type GroupedLayout, groupedMove } from '../grid/layout';
import { appendNew, withFavourite } from '../grid/tiles';
import type { Notices } from '../lib/notices.svelte';
import { Selection } from '../selection/selection.svelte';

/** What the timeline shows: search's filters, and the time a query named ("2023"). */
export type TimelineFilters = Omit<Params<'timeline'>, 'cursor' | 'month' | 'limit'>;

/** A month of the timeline ('YYYY-MM', or 'undated' for the photos without a date) and how many tiles it holds. */
export interface TimelineGroup {
  key: string;
  count: number;
}

const UNDATED = 'undated';
/** Tiles asked for beyond the last one in view, so a slow scroll finds them loaded. */
const AHEAD = 120;

/**
 * The library as a timeline: the month counts (one call) lay the whole grid out, and each month's tiles
 * are loaded as it comes into view, page after page within the month (keyset pages: a month deep in the
 * library costs what the first does, and a page costs at most what its month holds). The latest filters
 * win; answers for older ones are dropped.
 */
export class TimelineState {
  readonly #api: GlimpseApi;
  readonly #notices: Notices;
  readonly selection = new Selection();

  #filters = $state.raw<TimelineFilters | null>(null);
  #months = $state.raw<TimelineMonths | null>(null);
  #failed = $state(false);
  /** Each month's tiles loaded so far, from its first (a prefix of the month). */
  readonly #tiles = new SvelteMap<string, SearchResult[]>();
  /** Months with a page in flight, and how far they are wanted. */
  readonly #wanted = new SvelteMap<string, number>();
  #seq = 0;
  #selected = $state(0);
  #focusRequest = $state(0);
  /** Bumped when the filters change: the grid goes back to the top. */
  #generation = $state(0);
  /** The grid's layout as last drawn (the arrow keys move through it). */
  #layout: GroupedLayout | null = null;

  constructor(api: GlimpseApi, notices: Notices) {
    this.#api = api;
    this.#notices = notices;
  }

  get months(): TimelineMonths | null {
    return this.#months;
  }
  get failed(): boolean {
    return this.#failed;
  }
  get groups(): TimelineGroup[] {
    return (this.#months?.months ?? []).map((m) => ({ key: m.month ?? UNDATED, count: m.count }));
  }
  get total(): number {
    return this.#months?.total ?? 0;
  }
  get selected(): number {
    return this.#selected;
  }
  get focusRequest(): number {
    return this.#focusRequest;
  }
  get generation(): number {
    return this.#generation;
  }
  get filters(): TimelineFilters | null {
    return this.#filters;
  }

  /** The tile at `at` of a month, when it is loaded. */
  tile(key: string, at: number): SearchResult | undefined {
    return this.#tiles.get(key)?.[at];
  }

  /** The tile at `index` among all tiles, when it is loaded. */
  tileAt(index: number): SearchResult | undefined {
    let first = 0;
    for (const g of this.groups) {
      if (index < first + g.count) return this.tile(g.key, index - first);
      first += g.count;
    }
    return undefined;
  }

  /** The ids of the loaded tiles from `from` to `to` (both included): a Shift-click's range. */
  idsBetween(from: number, to: number): number[] {
    const ids: number[] = [];
    for (let i = from; i <= to; i++) {
      const tile = this.tileAt(i);
      if (tile) ids.push(tile.id);
    }
    return ids;
  }

  /** Shows the timeline with these filters (a no-op when they are the ones shown). */
  show(filters: TimelineFilters): void {
    if (this.#filters && JSON.stringify(this.#filters) === JSON.stringify(filters)) return;
    this.#filters = filters;
    this.selection.clear();
    this.#selected = 0;
    this.#generation++;
    void this.#load(true);
  }

  /**
   * The library changed: count again, and load again the months whose count changed (the others keep
   * their tiles, so indexing that adds photos does not blank the grid); the selection and the place in
   * the grid are kept.
   */
  refresh(): void {
    if (this.#filters) void this.#load(false);
  }

  async #load(fresh: boolean): Promise<void> {
    const filters = this.#filters;
    if (!filters) return;
    const seq = ++this.#seq;
    try {
      const months = await this.#api.call('timelineMonths', filters);
      if (seq !== this.#seq) return;
      const before = this.groups;
      const counted = months.months.map((m) => ({ key: m.month ?? UNDATED, count: m.count }));
      // A month keeps its tiles while its count is the same (or all are dropped for other filters).
      for (const key of [...this.#tiles.keys()]) if (fresh || counted.find((g) => g.key === key)?.count !== before.find((g) => g.key === key)?.count) this.#tiles.delete(key);
      this.#wanted.clear();
      this.#months = months;
      this.#failed = false;
      this.#notices.resolved('timeline');
      this.#selected = Math.min(this.#selected, Math.max(0, months.total - 1));
    } catch (error) {
      if (seq !== this.#seq) return;
      this.#failed = true;
      this.#notices.report(error, 'timeline');
    }
  }

  /** Loads a month's tiles up to `at` (and some beyond) unless they are loaded or on their way. */
  want(key: string, at: number): void {
    const group = this.groups.find((g) => g.key === key);
    const loaded = this.#tiles.get(key)?.length ?? 0;
    if (!group || loaded > at || loaded >= group.count) return;
    const wanted = this.#wanted.get(key);
    if (wanted !== undefined) {
      this.#wanted.set(key, Math.max(wanted, at));
      return;
    }
    this.#wanted.set(key, at);
    void this.#page(key, at, loaded, this.#seq);
  }

  async #page(key: string, at: number, loaded: number, seq: number): Promise<void> {
    const filters = this.#filters!;
    const last = this.#tiles.get(key)?.[loaded - 1];
    const limit = Math.max(60, Math.min(2000, at - loaded + 1 + AHEAD));
    try {
      const page = await this.#api.call('timeline', { ...filters, limit, month: key, ...(last ? { cursor: { takenAt: last.takenAt, id: last.id } } : {}) });
      if (seq !== this.#seq) return;
      this.#tiles.set(key, appendNew(this.#tiles.get(key) ?? [], page.tiles));
    } catch (error) {
      if (seq === this.#seq) this.#notices.report(error, 'timeline');
    } finally {
      if (seq === this.#seq) {
        const wanted = this.#wanted.get(key) ?? at;
        this.#wanted.delete(key);
        if (wanted > at) this.want(key, wanted);
      }
    }
  }

  /** Applies a change of favourites to the tiles shown, without loading again. */
  patchFavourite(ids: readonly number[], favourite: boolean): void {
    for (const [month, list] of this.#tiles) {
      const changed = withFavourite(list, ids, favourite);
      if (changed !== list) this.#tiles.set(month, changed);
    }
  }

  select(index: number, focus = false): void {
    if (this.total === 0) return;
    this.#selected = Math.max(0, Math.min(this.total - 1, index));
    if (focus) this.#focusRequest++;
  }

  setLayout(layout: GroupedLayout): void {
    this.#layout = layout;
  }

  move(move: GridMove): void {
    if (this.#layout) this.select(groupedMove(this.#layout, this.#selected, move), true);
  }

  focusSelected(): void {
    if (this.total > 0) this.#focusRequest++;
  }
}
