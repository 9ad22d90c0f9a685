/**
 * Naming the place at a photo's coordinates, offline: the nearest populated place of the gazetteer within
 * CITY_RADIUS_KM on the great circle (a spatial index, never a scan of the 170k places) gives the city, its
 * region and its country; farther from any, the country whose outline holds the point; at sea, nothing.
 */
import { around } from 'geokdbush';
import { type Gazetteer, countryName, gazetteer } from './gazetteer.js';

/**
 * How far a photo may be from a place for the place to name it. GeoNames' list has every place of 500-1,000
 * people or more (171k), so in settled land one is within a few km and the nearest is the right name; 25 km
 * is about a town's reach (its suburbs, its outskirts, a day's walk around it): past that, in deserts,
 * mountains and the sea, the nearest town can be 100 km off and would name the wrong place, so only the
 * country is said.
 */
export const CITY_RADIUS_KM = 25;

/**
 * What the places of a library were found with: a photo placed under another version is placed again
 * (bump it when the gazetteer or these rules change).
 */
export const PLACES_VERSION = 'geonames-1.1.64+ne-50m/25km/1';

export interface Place {
  /** ISO 3166 alpha-2, and its English name. */
  countryCode: string;
  country: string;
  /** The first-level region (state, province) and its GeoNames code; null when unknown or when the photo is far from any place. */
  regionCode: string | null;
  region: string | null;
  /** The nearest populated place; null beyond CITY_RADIUS_KM. */
  city: string | null;
  /** How far the photo is from `city` (km); null without a city. */
  distanceKm: number | null;
}

/** Coordinates a place can be found for: real numbers in range, and not (0, 0), which is what a GPS without a fix writes. */
export function usableCoordinates(lat: number, lon: number): boolean {
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return false;
  return !(Math.abs(lat) < 1e-6 && Math.abs(lon) < 1e-6);
}

const RAD = Math.PI / 180;

function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const h = Math.sin(((lat2 - lat1) * RAD) / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(((lon2 - lon1) * RAD) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The place at these coordinates, or null (unusable coordinates, or at sea far from any place). */
export function reverseGeocode(lat: number, lon: number, g: Gazetteer = gazetteer()): Place | null {
  if (!usableCoordinates(lat, lon)) return null;
  const [nearest] = around(g.index, lon, lat, 1, CITY_RADIUS_KM);
  if (nearest !== undefined) {
    const code = g.country[nearest]!;
    const admin1 = g.admin1[nearest]!;
    const region = g.regionName(code, admin1);
    return {
      countryCode: code,
      country: countryName(code),
      regionCode: region ? admin1 : null,
      region,
      city: g.names[nearest]!,
      distanceKm: distanceKm(lat, lon, g.lat[nearest]!, g.lon[nearest]!),
    };
  }
  const code = g.countryAt(lat, lon);
  return code ? { countryCode: code, country: countryName(code), regionCode: null, region: null, city: null, distanceKm: null } : null;
}
