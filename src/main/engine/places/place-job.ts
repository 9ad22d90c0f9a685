import type { Catalog } from '../catalog/catalog.js';
import { JobControl, type JobProgress } from '../core/job-control.js';
import { gazetteer } from './gazetteer.js';
import { PlaceStore } from './place-store.js';
import { PLACES_VERSION, reverseGeocode } from './reverse-geocode.js';

/** Photos placed per page: one read, one transaction. */
const PAGE = 1000;

export interface PlaceSummary {
  /** Photos whose coordinates were looked up. */
  placed: number;
  /** Of them, those with no place there (at sea). */
  nowhere: number;
  /** Places forgotten because their photo's coordinates went away. */
  forgotten: number;
  cancelled: boolean;
  seconds: number;
}

/**
 * Names the place of every indexed photo or video with GPS coordinates that has none for them yet (new
 * photos, changed coordinates, a new gazetteer): a background phase after faces. Nothing is read from
 * disk or decoded: the coordinates are the catalogue's, the places the offline gazetteer's (read once,
 * about half a second), so a page of a thousand photos takes milliseconds.
 */
export class PlaceJob extends JobControl {
  constructor(
    private readonly catalog: Catalog,
    onProgress?: (progress: JobProgress) => void,
  ) {
    super(onProgress);
  }

  async run(): Promise<PlaceSummary> {
    const store = new PlaceStore(this.catalog);
    const started = performance.now();
    const summary: PlaceSummary = { placed: 0, nowhere: 0, forgotten: store.forgetWithoutCoordinates(), cancelled: false, seconds: 0 };
    this.progress.total = store.counts(PLACES_VERSION).unplaced;
    this.emit(true);
    let afterId = 0;
    for (;;) {
      await this.unpaused();
      if (this.cancelled) {
        summary.cancelled = true;
        break;
      }
      const page = store.unplacedPhotos(PLACES_VERSION, PAGE, afterId);
      if (page.length === 0) break;
      afterId = page[page.length - 1]!.id;
      const g = gazetteer();
      const found = page.map((photo) => ({ photo, place: reverseGeocode(photo.lat, photo.lon, g) }));
      store.record(found, PLACES_VERSION);
      summary.placed += found.length;
      summary.nowhere += found.filter((f) => f.place === null).length;
      this.progress.done += page.length;
      this.progress.currentFile = page[page.length - 1]!.path;
      this.paceSince(started);
      // Searches and the app's calls go on between pages.
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.progress.currentFile = null;
    this.emit(true);
    summary.seconds = (performance.now() - started) / 1000;
    return summary;
  }
}
