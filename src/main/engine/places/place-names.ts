/**
 * Places by name, for reading a query ("photos from Paris"): the gazetteer's cities and regions and the
 * countries' English names (every name i18n-iso-countries knows for one: "United States", "USA"), matched
 * whole after folding case and accents, each with how many of the library's photos were taken there.
 */
import countries from 'i18n-iso-countries';
import { type Gazetteer, countryName, gazetteer } from './gazetteer.js';
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

type Entry = Omit<PlaceCandidate, 'photos'>;

let byName: Map<string, Entry[]> | undefined;

function nameIndex(g: Gazetteer): Map<string, Entry[]> {
  const index = new Map<string, Entry[]>();
  const seen = new Set<string>();
  const add = (key: string, entry: Entry) => {
    const id = `${key}|${entry.kind}|${entry.place.country}|${entry.place.region ?? ''}|${entry.place.city ?? ''}`;
    if (!key || seen.has(id)) return;
    seen.add(id);
    index.set(key, [...(index.get(key) ?? []), entry]);
  };
  for (const [code, names] of Object.entries(countries.getNames('en', { select: 'all' }) as Record<string, string[]>)) {
    const name = countryName(code);
    for (const alias of names) add(placeNameKey(alias), { kind: 'country', name, place: { country: code }, label: name });
  }
  for (const [key, region] of g.regions) {
    const country = key.slice(0, 2);
    add(placeNameKey(region), { kind: 'region', name: region, place: { country, region }, label: `${region}, ${countryName(country)}` });
  }
  for (let i = 0; i < g.size; i++) {
    const country = g.country[i]!;
    const city = g.names[i]!;
    const region = g.regionName(country, g.admin1[i]!);
    const place: PlaceFilter = region ? { country, region, city } : { country, city };
    add(placeNameKey(city), { kind: 'city', name: city, place, label: [city, region, countryName(country)].filter(Boolean).join(', ') });
  }
  return index;
}

const KIND_ORDER = { country: 0, region: 1, city: 2 };

/**
 * The places called `name` (whole name, case and accents aside): countries, regions and cities, those
 * with the most of the library's photos first. Empty when no place has that name. The first call reads
 * the gazetteer (about half a second), later ones are a map lookup and a count per candidate.
 */
export function placesByName(name: string, store: PlaceStore, g: Gazetteer = gazetteer()): PlaceCandidate[] {
  const key = placeNameKey(name);
  if (!key) return [];
  const entries = (byName ??= nameIndex(g)).get(key) ?? [];
  return entries
    .map((entry) => ({ ...entry, photos: store.photoCount(entry.place) }))
    .sort((a, b) => b.photos - a.photos || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.label.localeCompare(b.label));
}
