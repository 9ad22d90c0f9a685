import type { GlimpseApi, PlaceFilter, PlacePoints, PlacesStatus, PlacesView } from '../../shared/api';
import { plural } from '../lib/format';
import { Loaded } from '../lib/loaded.svelte';
import type { Notices } from '../lib/notices.svelte';
import { SearchState } from '../search/search-state.svelte';
import type { MapPoint } from './world-map';

/** Points asked for a page at a time (the API gives at most 10,000). */
const POINTS_PAGE = 5000;
/** Most photos a dot's page asks for (the search's `only` takes at most 10,000). */
const DOT_PHOTOS = 10_000;

/** The page open in the Places view: a country, region or city of the tree, or the photos of a dot on the map. */
export type PlacePage =
  { kind: 'place'; place: PlaceFilter; title: string; where: string; photos: number } | { kind: 'dot'; ids: number[]; title: string; where: string; photos: number };

/**
 * Places: where the library's photos were taken (countries, their regions and cities, from the photos'
 * GPS), every photo with coordinates as a point on the map, and the page open (a place's photos, or a
 * dot's), with a search of its own.
 */
export class PlacesState {
  readonly #api: GlimpseApi;
  readonly #view: Loaded<PlacesView | null>;
  readonly #points: Loaded<MapPoint[]>;
  /** The open page's photos: all of them newest first, or those matching what is typed on the page. */
  readonly photos: SearchState;
  #page = $state.raw<PlacePage | null>(null);

  constructor(api: GlimpseApi, notices: Notices) {
    this.#api = api;
    this.#view = new Loaded<PlacesView | null>(null, notices, 'places');
    this.#points = new Loaded<MapPoint[]>([], notices, 'places');
    this.photos = new SearchState(api, notices, { stacks: false });
  }

  get loaded(): boolean {
    return this.#view.loaded;
  }
  get loading(): boolean {
    return this.#view.loading;
  }
  get view(): PlacesView | null {
    return this.#view.value;
  }
  get status(): PlacesStatus | null {
    return this.#view.value?.status ?? null;
  }
  /** Every photo with coordinates, as a point on the map. */
  get points(): MapPoint[] {
    return this.#points.value;
  }
  get pointsLoaded(): boolean {
    return this.#points.loaded;
  }
  /** The page open, or null for the map and the list of places. */
  get page(): PlacePage | null {
    return this.#page;
  }

  /** The places and every point (a page of points at a time). */
  async load(): Promise<void> {
    await Promise.all([this.#view.load(() => this.#api.call('places', {})), this.#points.load(() => this.#allPoints())]);
  }

  /** Loads Places again where it was shown once (the library changed: photos placed, added or removed). */
  reloadIfLoaded(): void {
    if (this.#view.loaded) void this.load();
  }

  async #allPoints(): Promise<MapPoint[]> {
    const points: MapPoint[] = [];
    let after: number | null = 0;
    while (after !== null) {
      const page: PlacePoints = await this.#api.call('placePoints', { after, limit: POINTS_PAGE });
      points.push(...page.points);
      after = page.next;
    }
    return points;
  }

  /** A country, region or city's page: its photos, newest first. */
  openPlace(place: PlaceFilter, title: string, where: string, photos: number): void {
    this.#page = { kind: 'place', place: { ...place }, title, where, photos };
    this.photos.withPlace(place);
  }

  /** A dot's page: the photos taken there. */
  openDot(ids: readonly number[]): void {
    const chosen = ids.slice(0, DOT_PHOTOS);
    const title = chosen.length === 1 ? 'A photo here' : `${plural(chosen.length, 'photo')} here`;
    this.#page = { kind: 'dot', ids: chosen, title, where: 'From the map', photos: chosen.length };
    this.photos.withPlace(null, chosen);
  }

  /** Back to the map and the list of places. */
  close(): void {
    this.#page = null;
  }

  /** Searches the open page's photos for these words (all of them when empty). */
  searchHere(query: string): void {
    this.photos.setQuery(query);
  }
}
