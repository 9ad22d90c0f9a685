/**
 * Naming the place at a photo's coordinates, offline: the nearest populated place of the gazetteer within
 * CITY_RADIUS_KM on the great circle (a spatial index, never a scan of the 170k places) gives the city, its
 * region and its country; farther from any, the country whose outline holds the point; at sea, nothing.
 */
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
export const PLACES_VERSION = 'geonames-cities1000-3.1.0+ne-50m/25km/reach-3';

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

const KM_PER_DEGREE = 111.19;

/**
 * The places in a box around the point that holds every place within `km` (a range query on the kd-tree:
 * much cheaper than a nearest-first walk, which at sea visits much of the tree before it gives up). The
 * box is split where it crosses the antimeridian, and is the whole circle of longitudes near a pole.
 */
function placesWithin(g: Gazetteer, lat: number, lon: number, km: number): number[] {
  const dLat = km / KM_PER_DEGREE;
  const [south, north] = [Math.max(-90, lat - dLat), Math.min(90, lat + dLat)];
  const cos = Math.cos(Math.min(89, Math.max(Math.abs(south), Math.abs(north))) * RAD);
  const dLon = km / (KM_PER_DEGREE * cos);
  if (dLon >= 180) return g.index.range(-180, south, 180, north);
  const [west, east] = [lon - dLon, lon + dLon];
  if (west < -180) return [...g.index.range(west + 360, south, 180, north), ...g.index.range(-180, south, east, north)];
  if (east > 180) return [...g.index.range(west, south, 180, north), ...g.index.range(-180, south, east - 360, north)];
  return g.index.range(west, south, east, north);
}
/** People per km² of a city's built-up area, roughly, for its extent from its population. */
const CITY_DENSITY = 40_000;

/**
 * How far from its point a place reaches: the radius of a disc of its population at CITY_DENSITY (Paris,
 * 2.1 million: 4.1 km; Mumbai, 12.7 million: 10 km; Neuilly-sur-Seine, 60,000: 0.7 km; a village of
 * 1,000: 0.1 km). Dense on purpose: a city's extent should take in its own districts (GeoNames lists many
 * as places), not the towns around it.
 */
export function reachKm(population: number): number {
  return Math.sqrt(population / (Math.PI * CITY_DENSITY));
}

/** The place at these coordinates, or null (unusable coordinates, or at sea far from any place). */
export function reverseGeocode(lat: number, lon: number, g: Gazetteer = gazetteer()): Place | null {
  if (!usableCoordinates(lat, lon)) return null;
  // A city is not a point: a photo at the Eiffel Tower is nearer Neuilly's point than Paris's, but it is in
  // Paris. Each place within reach counts from the edge of its extent (reach), the nearest edge wins.
  let nearest: number | undefined;
  let best = Infinity;
  // Over 25 km the flat-earth distance is within a metre of the great circle's: the winner's is then measured exactly.
  const cos = Math.cos(lat * RAD);
  for (const i of placesWithin(g, lat, lon, CITY_RADIUS_KM)) {
    let dLon = Math.abs(lon - g.lon[i]!);
    if (dLon > 180) dLon = 360 - dLon;
    const d = KM_PER_DEGREE * Math.hypot(lat - g.lat[i]!, dLon * cos);
    if (d > CITY_RADIUS_KM) continue;
    const edge = d - reachKm(g.population[i]!);
    if (edge < best) [nearest, best] = [i, edge];
  }
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
