/** The words and filters of the Places view's list: what a country, region or city is called, and the search filter that shows its photos. */
import type { PlaceCity, PlaceCountry, PlaceFilter, PlaceRegion, PlacesStatus } from '../../shared/api.js';
import { plural } from '../../shared/counting.js';

/** A row of the list under a country: a region with its cities, or (a region of one city of its own name, or no region known) only cities. */
export interface RegionRow {
  region: PlaceRegion;
  /** The region is shown as a heading of its own (a button); false: its cities stand for it. */
  heading: boolean;
}

export function regionRows(country: PlaceCountry): RegionRow[] {
  return country.regions.map((region) => {
    const one = region.cities.length === 1 && region.cities[0]!.name === region.name && region.cities[0]!.photos === region.photos;
    return { region, heading: region.name !== null && !one };
  });
}

export function regionFilter(country: PlaceCountry, region: PlaceRegion): PlaceFilter {
  return { country: country.code, ...(region.name !== null ? { region: region.name } : {}) };
}

export function cityFilter(country: PlaceCountry, region: PlaceRegion, city: PlaceCity): PlaceFilter {
  return { ...regionFilter(country, region), ...(city.name !== null ? { city: city.name } : {}) };
}

/** Where a place is, under its name on its page: "Lisbon, Portugal" for a city, "Portugal" for a region, "3 places" for a country. */
export function whereIs(country: PlaceCountry, region: PlaceRegion | null, city: PlaceCity | null): string {
  if (!region)
    return plural(
      country.regions.reduce((n: number, r: PlaceRegion) => n + r.cities.filter((c: PlaceCity) => c.name !== null).length, 0),
      'place',
    );
  const inRegion = city && region.name && region.name !== city.name ? `${region.name}, ` : '';
  return `${inRegion}${country.name}`;
}

/** Where finding places stands, in a line. */
export function placesSummary(status: PlacesStatus): string {
  const parts = [`${plural(status.withGps, 'photo')} with a location`, `${status.placed.toLocaleString('en')} placed`];
  if (status.unplaced > 0) parts.push(`${status.unplaced.toLocaleString('en')} still to place`);
  if (status.nowhere > 0) parts.push(`${status.nowhere.toLocaleString('en')} at sea or far from any country`);
  return parts.join(' · ');
}
