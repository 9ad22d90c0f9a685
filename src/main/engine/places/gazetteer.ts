/**
 * The offline gazetteer (models/places/, built by scripts/build-gazetteer.ts): GeoNames' populated places
 * with their region and country, the regions' names, and Natural Earth's country outlines. Read once,
 * when a place is first needed (about a third of a second), and kept: a spatial index over the places
 * (kdbush: range queries, measured on the great circle by reverse-geocode.ts) and the outlines with their
 * bounding boxes and a 1° grid of which outlines meet each cell.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import countries from 'i18n-iso-countries';
import KDBush from 'kdbush';
import { bundledPacksDir } from '../models/store.js';

/** The place files' scales (as the build script writes them). */
const PLACE_SCALE = 1e5;

/** A country's outline: its rings (lon, lat pairs in degrees), each ring's box, and the whole box. */
interface Outline {
  code: string;
  rings: Float64Array[];
  /** minLon, minLat, maxLon, maxLat per ring. */
  boxes: Float64Array;
  box: [number, number, number, number];
}

function readText(dir: string, file: string): string {
  return gunzipSync(readFileSync(join(dir, file))).toString('utf8');
}

/**
 * The names people use where i18n-iso-countries' English name is the formal one ("United States of
 * America", "People's Republic of China", "Moldova, Republic of"): a photo is "in China". Its other names
 * still find a country in a query (place-names.ts).
 */
const EVERYDAY_NAMES: Record<string, string> = {
  US: 'United States',
  CN: 'China',
  RU: 'Russia',
  IR: 'Iran',
  TZ: 'Tanzania',
  SY: 'Syria',
  LA: 'Laos',
  MD: 'Moldova',
  CZ: 'Czechia',
  MK: 'North Macedonia',
  FM: 'Micronesia',
  PS: 'Palestine',
  TW: 'Taiwan',
  VA: 'Vatican City',
  CD: 'DR Congo',
  BN: 'Brunei',
};

/** English names of countries by ISO alpha-2, as people say them (i18n-iso-countries); the code itself for one it does not know. */
export function countryName(code: string): string {
  return EVERYDAY_NAMES[code] ?? countries.getName(code, 'en') ?? code;
}

export class Gazetteer {
  readonly names: string[] = [];
  readonly lat: Float64Array;
  readonly lon: Float64Array;
  readonly country: string[] = [];
  readonly admin1: string[] = [];
  /** How many people live there (GeoNames; 0 when it does not say). */
  readonly population: Float64Array;
  /** Every place, by longitude and latitude. */
  readonly index: KDBush;
  /** Region names by `CC.code`. */
  readonly regions = new Map<string, string>();
  private readonly outlines: Outline[] = [];
  /** For each 1° cell (by latitude, then longitude), the outlines with a ring whose box meets it: most of the sea has none. */
  private readonly cells: Array<number[] | undefined> = new Array<number[] | undefined>(180 * 360);

  constructor(dir = join(bundledPacksDir(), 'places')) {
    const lines = readText(dir, 'cities.tsv.gz').split('\n');
    const lat: number[] = [];
    const lon: number[] = [];
    const population: number[] = [];
    for (const line of lines) {
      if (!line || line.startsWith('#')) continue;
      const [name, y, x, country, admin1, people] = line.split('\t');
      population.push(Number(people) || 0);
      this.names.push(name!);
      lat.push(Number(y) / PLACE_SCALE);
      lon.push(Number(x) / PLACE_SCALE);
      this.country.push(country!);
      this.admin1.push(admin1 ?? '');
    }
    this.lat = Float64Array.from(lat);
    this.lon = Float64Array.from(lon);
    this.population = Float64Array.from(population);
    this.index = new KDBush(this.names.length);
    for (let i = 0; i < this.names.length; i++) this.index.add(this.lon[i]!, this.lat[i]!);
    this.index.finish();
    for (const line of readText(dir, 'regions.tsv.gz').split('\n')) {
      if (!line || line.startsWith('#')) continue;
      const [code, name] = line.split('\t');
      this.regions.set(code!, name!);
    }
    const outlines = JSON.parse(readText(dir, 'countries.json.gz')) as { scale: number; countries: Array<{ cc: string; rings: number[][] }> };
    for (const c of outlines.countries) {
      const rings = c.rings.map((deltas) => {
        const ring = new Float64Array(deltas.length);
        let x = 0;
        let y = 0;
        for (let i = 0; i < deltas.length; i += 2) {
          x += deltas[i]!;
          y += deltas[i + 1]!;
          ring[i] = x / outlines.scale;
          ring[i + 1] = y / outlines.scale;
        }
        return ring;
      });
      const boxes = new Float64Array(rings.length * 4);
      const box: Outline['box'] = [Infinity, Infinity, -Infinity, -Infinity];
      rings.forEach((ring, r) => {
        let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
        for (let i = 0; i < ring.length; i += 2) {
          minX = Math.min(minX, ring[i]!);
          maxX = Math.max(maxX, ring[i]!);
          minY = Math.min(minY, ring[i + 1]!);
          maxY = Math.max(maxY, ring[i + 1]!);
        }
        boxes.set([minX, minY, maxX, maxY], r * 4);
        box[0] = Math.min(box[0], minX);
        box[1] = Math.min(box[1], minY);
        box[2] = Math.max(box[2], maxX);
        box[3] = Math.max(box[3], maxY);
      });
      this.outlines.push({ code: c.cc, rings, boxes, box });
      const o = this.outlines.length - 1;
      for (let r = 0; r < rings.length; r++) {
        const [x0, y0, x1, y1] = [cellOf(boxes[r * 4]!, 180), cellOf(boxes[r * 4 + 1]!, 90), cellOf(boxes[r * 4 + 2]!, 180), cellOf(boxes[r * 4 + 3]!, 90)];
        for (let y = y0; y <= y1; y++)
          for (let x = x0; x <= x1; x++) {
            const list = (this.cells[y * 360 + x] ??= []);
            if (list.at(-1) !== o) list.push(o);
          }
      }
    }
  }

  get size(): number {
    return this.names.length;
  }

  regionName(country: string, admin1: string): string | null {
    return admin1 ? (this.regions.get(`${country}.${admin1}`) ?? null) : null;
  }

  /** The country whose outline holds the point (even-odd over all its rings, holes included); null at sea. */
  countryAt(lat: number, lon: number): string | null {
    for (const n of this.cells[cellOf(lat, 90) * 360 + cellOf(lon, 180)] ?? []) {
      const o = this.outlines[n]!;
      if (lon < o.box[0] || lat < o.box[1] || lon > o.box[2] || lat > o.box[3]) continue;
      let inside = false;
      o.rings.forEach((ring, r) => {
        const b = r * 4;
        if (lon < o.boxes[b]! || lat < o.boxes[b + 1]! || lon > o.boxes[b + 2]! || lat > o.boxes[b + 3]!) return;
        for (let i = 0, j = ring.length - 2; i < ring.length; j = i, i += 2) {
          const xi = ring[i]!;
          const yi = ring[i + 1]!;
          const xj = ring[j]!;
          const yj = ring[j + 1]!;
          if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
        }
      });
      if (inside) return o.code;
    }
    return null;
  }
}

/** The 1° cell a coordinate falls in (0 .. 2 * half - 1). */
function cellOf(degrees: number, half: number): number {
  return Math.min(2 * half - 1, Math.max(0, Math.floor(degrees + half)));
}

let shared: Gazetteer | undefined;

/** The gazetteer, read on first use and kept for the life of the process. */
export function gazetteer(): Gazetteer {
  return (shared ??= new Gazetteer());
}
