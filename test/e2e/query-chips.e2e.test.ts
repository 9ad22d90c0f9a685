/**
 * Asking like a person, in Chromium: a library of scenes with EXIF dates and GPS (Lisbon and Kyoto); a
 * query with a description, a place and a time shows what it read as chips ("Lisbon", "2021") and only
 * the photos taken there and then; a chip's ✕ searches again without it; a query whose filters leave
 * nothing says which part emptied it and what there is instead. Screenshots: test-output/e2e-query/.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { renderScene } from '../../src/scenes/render.js';
import { type Scene, randomScene } from '../../src/scenes/scene.js';
import { tempDir } from '../fixtures.js';
import { type LibraryInBrowser, noChromium, openLibraryInBrowser } from './web-app.js';

/** Lisbon, Kyoto, and Nice (a place that is also a word). */
const CITIES = [
  { lat: 38.7223, lon: -9.1393 },
  { lat: 35.0116, lon: 135.7681 },
  { lat: 43.7102, lon: 7.262 },
];

describe('what a query was read as, in a browser', { skip: noChromium }, () => {
  const tmp = tempDir();
  let app: LibraryInBrowser;
  let page: Page;
  /** Each photo's file name, city (index) and year. */
  const shots = new Map<string, { city: number; year: number; scene: Scene }>();
  const lisbon = () => app.host.engine.stores.places.placeOf(idOf([...shots].find(([, s]) => s.city === 0)![0]))!.city!;
  const idOf = (name: string) => app.host.engine.stores.photos.photoByPath(join(tmp.path, 'Trips', name))!.id;

  before(async () => {
    const dir = join(tmp.path, 'Trips');
    await mkdir(dir, { recursive: true });
    for (let i = 0; i < 27; i++) {
      const scene = randomScene(94_000_000 + i);
      const city = i < 24 ? i % 2 : 2;
      const year = 2020 + (Math.floor(i / 2) % 3);
      const name = city === 2 ? `nice-${i}.jpg` : `trip-${i}.jpg`;
      shots.set(name, { city, year, scene });
      const exif = { takenAt: new Date(Date.UTC(year, i % 12, 10, 12)), gps: { lat: CITIES[city]!.lat + i * 1e-4, lon: CITIES[city]!.lon } };
      await writeFile(join(dir, name), await renderScene(scene, { width: 480, height: 360, quality: 82, exif }));
    }
    app = await openLibraryInBrowser({ dataDir: join(tmp.path, 'data'), device: 'cpu', captions: false, ocr: false, library: dir, shots: 'e2e-query', settleShots: true });
    page = app.page;
    await page.goto(app.server.loginUrl);
  });
  after(async () => {
    await app?.close();
    tmp.remove();
  });

  it('shows the place and the time it read as chips, and only photos taken there and then', async () => {
    const city = lisbon();
    await page.getByTestId('search-input').fill(`${city} 2021`);
    const placeChip = page.locator(`[data-testid="query-chip"][data-kind="place"][data-label="${city}"]`);
    const dateChip = page.locator('[data-testid="query-chip"][data-kind="date"][data-label="2021"]');
    await placeChip.waitFor();
    await dateChip.waitFor();
    await page.getByTestId('result').first().waitFor();
    const expected = [...shots]
      .filter(([, s]) => s.city === 0 && s.year === 2021)
      .map(([name]) => name)
      .sort();
    assert.deepEqual((await app.resultNames()).sort(), expected);
    await app.shot('place-and-time');

    // The time's ✕: the place alone, every year.
    await dateChip.getByTestId('query-chip-remove').click();
    await dateChip.waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('search-input').inputValue(), city);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="result"]').length === n, [...shots.values()].filter((s) => s.city === 0).length);
    await app.shot('place-only');
  });

  it('reads a place that is also a word as the place only when the query says so, and undoes it', async () => {
    await page.getByTestId('search-input').fill('photos in Nice');
    const chip = page.locator('[data-testid="query-chip"][data-kind="place"][data-label="Nice"]');
    await chip.waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="result"]').length === 3);
    assert.deepEqual((await app.resultNames()).sort(), ['nice-24.jpg', 'nice-25.jpg', 'nice-26.jpg']);
    await app.shot('nice-the-place');
    // "as words": the same query, with Nice a word (no place filter, no chip).
    await chip.getByTestId('query-chip-words').click();
    await chip.waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('search-input').inputValue(), 'photos in Nice');
    // Lower case inside a description, "nice" is a word from the start.
    await page.getByTestId('search-input').fill('a nice red circle');
    await page.locator('[data-testid="search-summary"], [data-testid="no-results"]').filter({ hasText: 'a nice red circle' }).first().waitFor();
    assert.equal(await page.getByTestId('query-chip').count(), 0);
  });

  it('says which part of the query emptied it', async () => {
    const city = lisbon();
    await page.getByTestId('search-input').fill(`${city} 2031`);
    const emptied = page.getByTestId('emptied-by');
    await emptied.waitFor();
    const latest = Math.max(...[...shots.values()].filter((s) => s.city === 0).map((s) => s.year));
    const there = [...shots.values()].filter((s) => s.city === 0 && s.year === latest).length;
    assert.equal(await emptied.textContent(), `No photos in ${city} from 2031; ${there} photos in ${city} from ${latest}.`);
    await app.shot('emptied');
    // The way out: that year's photos there.
    await page.getByTestId('search-instead').click();
    assert.equal(await page.getByTestId('search-input').inputValue(), `${city} ${latest}`);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="result"]').length === n, there);
  });
});
