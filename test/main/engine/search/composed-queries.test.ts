/**
 * Queries made of a description, a place and a time ("red circle in Lisbon 2022", "Kyoto blue square
 * summer 2021"), over a library whose photos carry EXIF dates and GPS: the scene world, each photo placed
 * in one of six cities and a time. Held out like the relevance cutoff's quality test (scenes 92,000,000+,
 * query seed 93: neither training nor calibration saw them) and scored the same way: shown precision and
 * shown recall at least 0.9. The places are the engine's own (reverse geocoded from the GPS), the times
 * the parser's, the description the pack's.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { type LabelledQuery, labelledQueries, scoreSearch } from '../../../../src/scenes/query-set.js';
import { renderScene } from '../../../../src/scenes/render.js';
import { type Scene, randomScene, seededRandom } from '../../../../src/scenes/scene.js';
import { searchParams } from '../../../../src/shared/api.js';
import { tempDir } from '../../../fixtures.js';

const SCENES = 180;
const QUERIES = 60;

/** Six cities (two in one country), where the photos were taken: within about 300 m of each centre. */
const CITIES: Array<{ lat: number; lon: number; country: string }> = [
  { lat: 38.7223, lon: -9.1393, country: 'Portugal' },
  { lat: 41.1496, lon: -8.611, country: 'Portugal' },
  { lat: 35.0116, lon: 135.7681, country: 'Japan' },
  { lat: 64.1355, lon: -21.8954, country: 'Iceland' },
  { lat: -33.8688, lon: 151.2093, country: 'Australia' },
  { lat: -1.2864, lon: 36.8172, country: 'Kenya' },
];

interface Shot {
  scene: Scene;
  city: number;
  taken: Date;
}

/** A time as a query names it, and what it covers. */
interface Time {
  words: string;
  covers: (d: Date) => boolean;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function times(random: () => number): Time {
  const year = 2019 + Math.floor(random() * 4);
  const forms: Array<() => Time> = [
    () => ({ words: String(year), covers: (d) => d.getUTCFullYear() === year }),
    () => ({ words: `in ${year}`, covers: (d) => d.getUTCFullYear() === year }),
    () => ({ words: `summer ${year}`, covers: (d) => d.getUTCFullYear() === year && d.getUTCMonth() >= 5 && d.getUTCMonth() <= 7 }),
    () => {
      const month = Math.floor(random() * 12);
      return { words: `${MONTHS[month]!} ${year}`, covers: (d) => d.getUTCFullYear() === year && d.getUTCMonth() === month };
    },
    () => ({ words: `${year - 1} to ${year}`, covers: (d) => d.getUTCFullYear() === year || d.getUTCFullYear() === year - 1 }),
  ];
  return forms[Math.floor(random() * forms.length)]!();
}

describe('queries of a description, a place and a time, on held-out photos with EXIF dates and GPS', () => {
  const tmp = tempDir();
  const shots = new Map<string, Shot>();
  /** Each city's name as the engine found it from the coordinates. */
  const cityNames: string[] = [];
  let engine: GlimpseEngine;

  before(async () => {
    const dir = join(tmp.path, 'Photos');
    await mkdir(dir, { recursive: true });
    const random = seededRandom(92);
    for (let i = 0; i < SCENES; i++) {
      const scene = randomScene(92_000_000 + i);
      const city = i % CITIES.length;
      const { lat, lon } = CITIES[city]!;
      // Noon, UTC, on a day of 2018-2023: a local date that is the same day everywhere these cities are.
      const taken = new Date(Date.UTC(2018 + Math.floor(random() * 6), Math.floor(random() * 12), 1 + Math.floor(random() * 28), 12));
      const path = join(dir, `shot-${i}.jpg`);
      shots.set(path, { scene, city, taken });
      const gps = { lat: lat + (random() - 0.5) * 0.004, lon: lon + (random() - 0.5) * 0.004 };
      await writeFile(path, await renderScene(scene, { width: 480, height: 360, quality: 82, exif: { takenAt: taken, gps } }));
    }
    engine = await GlimpseEngine.open({ dataDir: join(tmp.path, 'data'), device: 'cpu' });
    engine.addFolder(dir);
    await engine.update();
    // The name each city's photos were given (the same for all of them, checked below).
    for (let c = 0; c < CITIES.length; c++) {
      const path = [...shots].find(([, s]) => s.city === c)![0];
      const id = engine.stores.photos.photoByPath(path)!.id;
      cityNames.push(engine.stores.places.placeOf(id)!.city!);
    }
  });
  after(async () => {
    await engine.close();
    tmp.remove();
  });

  it("places every photo in its city, by the gazetteer's name for it", () => {
    for (const [path, shot] of shots) {
      const place = engine.stores.places.placeOf(engine.stores.photos.photoByPath(path)!.id);
      assert.equal(place?.city, cityNames[shot.city], path);
    }
    assert.equal(new Set(cityNames).size, CITIES.length, `six cities: ${cityNames.join(', ')}`);
  });

  it('shows the photos of the description, taken there and then, and misses few (held out)', async () => {
    const random = seededRandom(93);
    const descriptions = labelledQueries(93, QUERIES * 3).filter((q) => q.kind === 'colour' || q.kind === 'shape' || q.kind === 'colour-shape');
    const runs: Array<{ query: LabelledQuery; shown: Scene[]; library: Scene[] }> = [];
    const library = [...shots.values()];
    let read = 0;
    for (const description of descriptions.slice(0, QUERIES)) {
      const city = Math.floor(random() * CITIES.length);
      // The place by its city's name, or by its country's (Portugal holds two of the cities).
      const byCountry = random() < 0.3;
      const placeWords = byCountry ? CITIES[city]!.country : cityNames[city]!;
      const inPlace = (s: Shot) => (byCountry ? CITIES[s.city]!.country === CITIES[city]!.country : s.city === city);
      const time = times(random);
      const order = Math.floor(random() * 3);
      const text =
        order === 0
          ? `${description.text} in ${placeWords} ${time.words}`
          : order === 1
            ? `${placeWords} ${description.text} ${time.words}`
            : `${description.text} ${time.words} ${placeWords}`;
      const response = await engine.search(searchParams.parse({ query: text, limit: 1000 }));
      const kinds = (response.understood ?? []).map((p) => p.kind).sort();
      if (kinds.join() === 'date,place') read++;
      else console.log(`# not read as a place and a time: ${JSON.stringify(text)} -> ${JSON.stringify(response.understood ?? [])}`);
      const byShot = new Map([...shots.values()].map((s) => [s.scene, s]));
      const query: LabelledQuery = { ...description, text, matches: (scene) => description.matches(scene) && inPlace(byShot.get(scene)!) && time.covers(byShot.get(scene)!.taken) };
      runs.push({ query, shown: response.results.map((r) => shots.get(r.path)!.scene), library: library.map((s) => s.scene) });
    }
    const scores = scoreSearch(runs);
    console.log(`# ${JSON.stringify({ ...scores, readAsPlaceAndTime: read, queries: runs.length })}`);
    assert.equal(read, runs.length, 'every query read as a place and a time');
    assert.ok(scores.queries >= 20, `${scores.queries} queries with a matching photo`);
    assert.ok(scores.shownPrecision >= 0.9, `shown precision ${scores.shownPrecision}`);
    assert.ok(scores.shownRecall >= 0.9, `shown recall ${scores.shownRecall}`);
  });

  it('says which part emptied a search, and what there is without it', async () => {
    // A year no photo of the library was taken in, at a place it has photos of.
    const response = await engine.search(searchParams.parse({ query: `${cityNames[0]!} 2031` }));
    assert.equal(response.results.length, 0);
    const years = new Map<number, number>();
    for (const s of shots.values()) if (s.city === 0) years.set(s.taken.getUTCFullYear(), (years.get(s.taken.getUTCFullYear()) ?? 0) + 1);
    const nearest = Math.max(...years.keys());
    assert.equal(response.emptied, `No photos in ${cityNames[0]!} from 2031; ${years.get(nearest)} photos in ${cityNames[0]!} from ${nearest}`);
  });
});
