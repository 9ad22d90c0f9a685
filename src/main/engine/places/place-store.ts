import { CatalogStore } from '../catalog/catalog.js';
import type { Place } from './reverse-geocode.js';

/** Where a photo was taken, as a filter: a country (ISO alpha-2), and within it a region and a city, by the names the places view gives. */
export interface PlaceFilter {
  country?: string | undefined;
  region?: string | undefined;
  city?: string | undefined;
}

/** A photo with coordinates and no place found for them yet. */
export interface UnplacedPhoto {
  id: number;
  path: string;
  lat: number;
  lon: number;
}

/** The photos of one city (or of a country or region with no city named: far from towns). */
export interface PlaceGroup {
  country: string;
  region: string | null;
  city: string | null;
  photos: number;
  /** The group's newest photo (by when it was taken). */
  cover: number;
  newest: string;
}

/** Photos with usable coordinates: in range, and not (0, 0), which a GPS without a fix writes (reverse-geocode.ts). */
const USABLE = `gps_lat IS NOT NULL AND gps_lon IS NOT NULL AND abs(gps_lat) <= 90 AND abs(gps_lon) <= 180 AND NOT (abs(gps_lat) < 1e-6 AND abs(gps_lon) < 1e-6)`;

export interface NamedPlace {
  country: string;
  region: string | null;
  city: string | null;
  photos: number;
}

/** The library's places as last read, per catalogue connection, with what they were read at (namedPlaces). */
const namedPlacesKept = new WeakMap<object, { key: string; places: NamedPlace[] }>();

/**
 * The place filter as an SQL condition on a photo's id (`id`: its expression in the query), with its
 * arguments; none when the filter names nothing. Search's allowed set and the timeline read it (filterSql).
 */
export function placeCondition(place: PlaceFilter | undefined, id: string): { where: string; args: unknown[] } | null {
  if (!place) return null;
  const where: string[] = [];
  const args: unknown[] = [];
  if (place.country) {
    where.push('country = ?');
    args.push(place.country.toUpperCase());
  }
  if (place.region) {
    where.push('region = ?');
    args.push(place.region);
  }
  if (place.city) {
    where.push('city = ?');
    args.push(place.city);
  }
  if (where.length === 0) return null;
  return { where: `${id} IN (SELECT photo_id FROM photo_places WHERE ${where.join(' AND ')})`, args };
}

/**
 * The places found for photos' coordinates (derived: redone when the coordinates or the gazetteer change,
 * gone with the photo), and the photos' coordinates for a map.
 */
export class PlaceStore extends CatalogStore {
  /** Indexed photos and videos with usable coordinates and no place found for them (under `version`), in id order. */
  unplacedPhotos(version: string, limit: number, afterId = 0): UnplacedPhoto[] {
    return this.sql(
      `SELECT id, path, gps_lat AS lat, gps_lon AS lon FROM photos WHERE id > ? AND status = 'indexed' AND ${USABLE}
         AND NOT EXISTS (SELECT 1 FROM photo_places pp WHERE pp.photo_id = photos.id AND pp.lat = photos.gps_lat AND pp.lon = photos.gps_lon AND pp.version = ?)
         ORDER BY id LIMIT ?`,
    ).all(afterId, version, limit) as UnplacedPhoto[];
  }

  /** Indexed photos with usable coordinates: placed (with a place, or none there), and still to place. */
  counts(version: string): { withGps: number; placed: number; unplaced: number; nowhere: number } {
    return this.sql(
      `SELECT count(*) AS withGps, coalesce(sum(pp.country IS NOT NULL), 0) AS placed, coalesce(sum(pp.photo_id IS NULL), 0) AS unplaced,
              coalesce(sum(pp.photo_id IS NOT NULL AND pp.country IS NULL), 0) AS nowhere
         FROM photos p LEFT JOIN photo_places pp ON pp.photo_id = p.id AND pp.lat = p.gps_lat AND pp.lon = p.gps_lon AND pp.version = ?
         WHERE p.status = 'indexed' AND ${USABLE.replaceAll('gps_', 'p.gps_')}`,
    ).get(version) as { withGps: number; placed: number; unplaced: number; nowhere: number };
  }

  /**
   * Forgets the places of photos whose coordinates are gone or unusable (a file changed and indexed again
   * without them), and of files that are no longer photos (rewritten unreadable, or skipped: the catalogue
   * keeps their last coordinates, but they were another picture's).
   */
  forgetWithoutCoordinates(): number {
    return this.sql(`DELETE FROM photo_places WHERE photo_id IN (SELECT id FROM photos WHERE status IN ('error', 'skipped') OR NOT (${USABLE}))`).run().changes;
  }

  /**
   * Stores the places found for photos' coordinates (null: none there), in one transaction; a photo whose
   * coordinates changed meanwhile is left for the next run. How many were stored.
   */
  record(found: ReadonlyArray<{ photo: UnplacedPhoto; place: Place | null }>, version: string): number {
    const insert = this.sql(
      `INSERT OR REPLACE INTO photo_places (photo_id, lat, lon, version, country, region_code, region, city, placed_at)
         SELECT id, gps_lat, gps_lon, ?, ?, ?, ?, ?, ? FROM photos WHERE id = ? AND gps_lat = ? AND gps_lon = ?`,
    );
    const now = Date.now();
    return this.catalog.transaction(() => {
      let stored = 0;
      for (const { photo, place } of found)
        stored += insert.run(
          version,
          place?.countryCode ?? null,
          place?.regionCode ?? null,
          place?.region ?? null,
          place?.city ?? null,
          now,
          photo.id,
          photo.lat,
          photo.lon,
        ).changes;
      return stored;
    });
  }

  /** The library's photos by city (indexed photos with a place), each group with its count and newest photo. */
  groups(): PlaceGroup[] {
    // SQLite gives the bare column `cover` from the row that holds the max().
    return this.sql(
      `SELECT pp.country AS country, pp.region AS region, pp.city AS city, count(*) AS photos, max(coalesce(p.taken_at, '') || printf('%012d', p.id)) AS newest, p.id AS cover
         FROM photo_places pp JOIN photos p ON p.id = pp.photo_id
         WHERE pp.country IS NOT NULL AND p.status = 'indexed' GROUP BY pp.country, pp.region, pp.city`,
    ).all() as PlaceGroup[];
  }

  /**
   * Each city (or region, or country far from towns) the library's photos were taken in, with how many.
   * Every search that may name a place asks, and grouping 100k photos takes 60 ms, so the answer is kept
   * until the catalogue changes: a write on this connection (`total_changes()`) or a commit by another
   * (`PRAGMA data_version`), both known at once. While photos are indexed it is read again per search.
   */
  namedPlaces(): NamedPlace[] {
    const key = `${String(this.catalog.db.pragma('data_version', { simple: true }))}:${String(this.sql('SELECT total_changes()').pluck().get())}`;
    const kept = namedPlacesKept.get(this.catalog);
    if (kept?.key === key) return kept.places;
    const places = this.sql(
      // Places are found only for indexed photos, and go with them (placeCondition counts the indexed ones).
      `SELECT country, region, city, count(*) AS photos FROM photo_places WHERE country IS NOT NULL GROUP BY country, region, city`,
    ).all() as NamedPlace[];
    namedPlacesKept.set(this.catalog, { key, places });
    return places;
  }

  /** Whether any photo has a place (else no query can name one). */
  hasPlaced(): boolean {
    return this.sql('SELECT EXISTS (SELECT 1 FROM photo_places WHERE country IS NOT NULL)').pluck().get() === 1;
  }

  /** How many indexed photos were taken at this place. */
  photoCount(place: PlaceFilter): number {
    const condition = placeCondition(place, 'id');
    if (!condition) return 0;
    return this.sql(`SELECT count(*) FROM photos WHERE status = 'indexed' AND ${condition.where}`)
      .pluck()
      .get(...condition.args) as number;
  }

  /** Indexed photos with usable coordinates, by id from `afterId` (a map's points, a page at a time). */
  coordinates(limit: number, afterId = 0): Array<{ id: number; lat: number; lon: number }> {
    return this.sql(`SELECT id, gps_lat AS lat, gps_lon AS lon FROM photos WHERE id > ? AND status = 'indexed' AND ${USABLE} ORDER BY id LIMIT ?`).all(afterId, limit) as Array<{
      id: number;
      lat: number;
      lon: number;
    }>;
  }

  /** The place found for a photo (null: none, or not yet). */
  placeOf(photoId: number): { country: string; region: string | null; city: string | null } | null {
    return (
      (this.sql('SELECT country, region, city FROM photo_places WHERE photo_id = ? AND country IS NOT NULL').get(photoId) as
        { country: string; region: string | null; city: string | null } | undefined) ?? null
    );
  }
}
