/**
 * The Places part of the API contract: where the library's photos were taken (country, region, city, from
 * their GPS coordinates and an offline gazetteer), the place filter search and the timeline share, and
 * the photos' coordinates for a map. Spread into `methods` and `Results` in api.ts; free of Node and DOM like it.
 */
import { z } from 'zod';

/** Where a photo was taken, as a filter: a country (ISO 3166 alpha-2, e.g. "FR"), and within it a region and a city by the names `places` gives. */
export const placeFilter = z
  .object({
    country: z
      .string()
      .regex(/^[A-Za-z]{2}$/, 'a two-letter country code like FR')
      .transform((code) => code.toUpperCase())
      .optional(),
    region: z.string().min(1).max(200, "a region's name is at most 200 characters").optional(),
    city: z.string().min(1).max(200, "a city's name is at most 200 characters").optional(),
  })
  .strict();

export type PlaceFilter = z.infer<typeof placeFilter>;

/** Most map points one call gives. */
export const PLACE_POINTS_MAX = 10_000;

export const placesMethods = {
  /** The library's places: countries, their regions, their cities, each with how many photos and a cover. */
  places: z.object({}).strict(),
  /** Photos with GPS coordinates, by id, a page at a time (`after`: the last id of the page before). */
  placePoints: z
    .object({
      after: z.number().int().min(0).default(0),
      limit: z
        .number()
        .int()
        .min(1)
        .max(PLACE_POINTS_MAX, `at most ${PLACE_POINTS_MAX.toLocaleString('en')} points at once`)
        .default(5000),
    })
    .strict(),
};

/** Where finding places stands. */
export interface PlacesStatus {
  /** Indexed photos and videos with GPS coordinates. */
  withGps: number;
  /** Of them: placed (a country at least), with no place there (at sea), and still to look up. */
  placed: number;
  nowhere: number;
  unplaced: number;
}

export interface PlaceCity {
  /** null: photos in the country (or region) far from any town. */
  name: string | null;
  photos: number;
  /** The newest photo taken there. */
  cover: number;
}

export interface PlaceRegion {
  /** null: not known (far from towns, or a town whose region the gazetteer does not name). */
  name: string | null;
  photos: number;
  cover: number;
  cities: PlaceCity[];
}

export interface PlaceCountry {
  /** ISO 3166 alpha-2, and the English name. */
  code: string;
  name: string;
  photos: number;
  cover: number;
  regions: PlaceRegion[];
}

/** Countries, most photos first; their regions and cities likewise. */
export interface PlacesView {
  status: PlacesStatus;
  countries: PlaceCountry[];
}

export interface PlacePoints {
  points: Array<{ id: number; lat: number; lon: number }>;
  /** Where the next page starts (its `after`); null after the last. */
  next: number | null;
}

export interface PlacesResults {
  places: PlacesView;
  placePoints: PlacePoints;
}
