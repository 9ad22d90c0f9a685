/**
 * Places by name, for reading a query ("photos from Paris"): the cities and regions the library's photos
 * were taken in and the countries' English names (every name i18n-iso-countries knows for one: "United
 * States", "USA"), matched whole after folding case and accents, each with how many of the library's
 * photos were taken there.
 */
import countries from 'i18n-iso-countries';
import { countryName } from './gazetteer.js';
import type { PlaceFilter, PlaceStore } from './place-store.js';

export interface PlaceCandidate {
  kind: 'country' | 'region' | 'city';
  /** The place's own name (a country's English name), and the filter that selects its photos. */
  name: string;
  place: PlaceFilter;
  /** Where it is, for telling apart places of one name ("Paris, Île-de-France, France"). */
  label: string;
  /** The library's photos taken there. */
  photos: number;
}

/** A name as it is compared: no accents, lower case, hyphens and runs of spaces as one space. */
export function placeNameKey(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[\s\-‐–]+/g, ' ')
    .trim();
}

/** Every English name i18n-iso-countries knows for a country ("United States", "USA"), by name key. */
let countryAliases: Map<string, string[]> | undefined;

function countriesNamed(key: string): string[] {
  if (!countryAliases) {
    countryAliases = new Map();
    for (const [code, names] of Object.entries(countries.getNames('en', { select: 'all' }) as Record<string, string[]>))
      for (const alias of [...names, countryName(code)]) {
        const k = placeNameKey(alias);
        const codes = countryAliases.get(k) ?? [];
        if (!codes.includes(code)) countryAliases.set(k, [...codes, code]);
      }
  }
  return countryAliases.get(key) ?? [];
}

const KIND_ORDER = { country: 0, region: 1, city: 2 };

/**
 * The places of the library a name can mean, read once per query: its countries (by every English name
 * and alias), regions and cities, each with the library's photos there. Only places with photos: a query
 * names a place to find photos taken there, so the gazetteer itself is never read to answer a query.
 */
export function libraryPlaces(store: PlaceStore): (name: string) => PlaceCandidate[] {
  const groups = store.namedPlaces();
  const byKey = new Map<string, PlaceCandidate[]>();
  const add = (key: string, candidate: PlaceCandidate) => {
    const list = byKey.get(key) ?? [];
    const same = list.find(
      (c) => c.kind === candidate.kind && c.place.country === candidate.place.country && c.place.region === candidate.place.region && c.place.city === candidate.place.city,
    );
    if (same) same.photos += candidate.photos;
    else byKey.set(key, [...list, candidate]);
  };
  const inCountry = new Map<string, number>();
  for (const g of groups) {
    inCountry.set(g.country, (inCountry.get(g.country) ?? 0) + g.photos);
    const country = countryName(g.country);
    if (g.region)
      add(placeNameKey(g.region), { kind: 'region', name: g.region, place: { country: g.country, region: g.region }, label: `${g.region}, ${country}`, photos: g.photos });
    if (g.city) {
      const place: PlaceFilter = g.region ? { country: g.country, region: g.region, city: g.city } : { country: g.country, city: g.city };
      add(placeNameKey(g.city), { kind: 'city', name: g.city, place, label: [g.city, g.region, country].filter(Boolean).join(', '), photos: g.photos });
    }
  }
  return (name) => {
    const key = placeNameKey(name);
    if (!key) return [];
    const found = [...(byKey.get(key) ?? [])];
    for (const code of countriesNamed(key)) {
      const photos = inCountry.get(code) ?? 0;
      if (photos > 0) found.push({ kind: 'country', name: countryName(code), place: { country: code }, label: countryName(code), photos });
    }
    return found.sort((a, b) => b.photos - a.photos || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.label.localeCompare(b.label));
  };
}

/** The library's places called `name` (whole name, case and accents aside), most photos first; empty when none. */
export function placesByName(name: string, store: PlaceStore): PlaceCandidate[] {
  return libraryPlaces(store)(name);
}
