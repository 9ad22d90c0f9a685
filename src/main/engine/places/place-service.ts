import type { PlaceCity, PlaceCountry, PlacePoints, PlaceRegion, PlacesStatus, PlacesView, Progress } from '../../../shared/api.js';
import type { JobQueue } from '../core/job-queue.js';
import type { WriterGate } from '../core/writer-gate.js';
import { countryName } from './gazetteer.js';
import { PlaceJob, type PlaceSummary } from './place-job.js';
import { type PlaceCandidate, placesByName } from './place-names.js';
import type { PlaceGroup, PlaceStore } from './place-store.js';
import { PLACES_VERSION } from './reverse-geocode.js';

/** Sums groups into one entry: their photos, and the newest photo's id as the cover. */
function summed(groups: readonly PlaceGroup[]): { photos: number; cover: number } {
  let newest = groups[0]!;
  for (const g of groups) if (g.newest > newest.newest) newest = g;
  return { photos: groups.reduce((sum, g) => sum + g.photos, 0), cover: newest.cover };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string | null): Map<string | null, T[]> {
  const map = new Map<string | null, T[]>();
  for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item]);
  return map;
}

/** Most photos first, then by name (unnamed last). */
function byPhotos<T extends { photos: number; name: string | null }>(a: T, b: T): number {
  return b.photos - a.photos || (a.name === null ? 1 : b.name === null ? -1 : a.name.localeCompare(b.name));
}

/**
 * Places: naming where photos with GPS coordinates were taken (a background phase after faces, offline),
 * the places view (countries, regions, cities), the map's points, and places by name for a query.
 */
export class PlaceService {
  constructor(
    private readonly places: PlaceStore,
    private readonly writer: WriterGate,
    private readonly jobs: JobQueue,
    private readonly changed: (reason: string) => void,
  ) {}

  /** Names the places of photos with coordinates not looked up yet; null when there are none (and no place to forget). */
  async placeUnplaced(options: { onProgress?: (p: Progress) => void } = {}): Promise<PlaceSummary | null> {
    this.writer.require('find the places of photos');
    if (this.jobs.closing) return null;
    if (this.places.counts(PLACES_VERSION).unplaced === 0 && this.places.forgetWithoutCoordinates() === 0) return null;
    await this.writer.checkedFor('update the library');
    const summary = await this.jobs.run(new PlaceJob(this.places.catalog, this.jobs.reporter('places', options.onProgress)));
    if (summary.placed > 0 || summary.forgotten > 0) this.changed('places found');
    return summary;
  }

  status(): PlacesStatus {
    const { withGps, placed, nowhere, unplaced } = this.places.counts(PLACES_VERSION);
    return { withGps, placed, nowhere, unplaced };
  }

  view(): PlacesView {
    const countries: PlaceCountry[] = [...groupBy(this.places.groups(), (g) => g.country)].map(([code, inCountry]) => {
      const regions: PlaceRegion[] = [...groupBy(inCountry, (g) => g.region)].map(([region, inRegion]) => {
        const cities: PlaceCity[] = inRegion.map((g) => ({ name: g.city, photos: g.photos, cover: g.cover })).sort(byPhotos);
        return { name: region, ...summed(inRegion), cities };
      });
      return { code: code!, name: countryName(code!), ...summed(inCountry), regions: regions.sort(byPhotos) };
    });
    return { status: this.status(), countries: countries.sort(byPhotos) };
  }

  /** Photos with coordinates, for a map: a page by id from `after`. */
  points(after = 0, limit = 5000): PlacePoints {
    const rows = this.places.coordinates(limit, after);
    // To 1e-6 degrees (about 10 cm): what a map can show, without EXIF's rounding noise.
    const points = rows.map((p) => ({ id: p.id, lat: Math.round(p.lat * 1e6) / 1e6, lon: Math.round(p.lon * 1e6) / 1e6 }));
    return { points, next: rows.length === limit ? rows[rows.length - 1]!.id : null };
  }

  /** Places called `name` (case and accents aside), with the library's photos there, most first. */
  byName(name: string): PlaceCandidate[] {
    return placesByName(name, this.places);
  }
}
