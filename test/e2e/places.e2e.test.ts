/**
 * Places, end to end in Chromium: real JPEG scenes with GPS in their EXIF, taken in Lisbon, Porto and
 * Kyoto, one at sea and two without a location, indexed by the engine (its places phase names where each
 * was taken). The Places view lists the countries with their cities and counts as the engine has them, the
 * map's dots add up to the photos with coordinates, a city's page shows exactly the engine's photos there
 * newest first (and searches them), a dot's page shows its photos, and the map zooms: the + button splits
 * a group of dots, dragging moves the map, double-clicking a group zooms in on it. Screenshots go to
 * test-output/e2e-places/.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { PlaceCountry } from '../../src/shared/api.js';
import { searchParams } from '../../src/shared/api.js';
import { dotRadius } from '../../src/renderer/places/world-map.js';
import { scene, tempDir, writeScene } from '../fixtures.js';
import { type LibraryInBrowser, noChromium, openLibraryInBrowser } from './web-app.js';

/** Where the photos were taken: a few steps apart in each city, so each city is one place. */
const CITIES = {
  lisbon: { lat: 38.7223, lon: -9.1393, photos: 3 },
  porto: { lat: 41.1496, lon: -8.611, photos: 2 },
  kyoto: { lat: 35.0116, lon: 135.7681, photos: 2 },
} as const;
const SEA = { lat: 0.5, lon: -30 };
const COLOURS = ['red', 'blue', 'green', 'yellow', 'purple', 'orange', 'white'] as const;
const SHAPES = ['circle', 'square', 'star', 'triangle', 'diamond'] as const;

describe('places, in a browser', { skip: noChromium }, () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Pictures');
  let lib: LibraryInBrowser;
  let page: Page;
  /** The photos written in each city, by file path. */
  const written = new Map<string, string[]>();
  const idOf = (path: string) => lib.host.engine.stores.photos.photoByPath(path)!.id;
  const tileIds = () => page.getByTestId('result').evaluateAll((tiles) => tiles.map((t) => Number(t.getAttribute('data-id'))));
  const dotCounts = () => page.getByTestId('map-dot').evaluateAll((dots) => dots.map((d) => Number(d.getAttribute('data-count'))));
  const sum = (numbers: number[]) => numbers.reduce((a, b) => a + b, 0);
  /** The map's outlines and the thumbnails shown have loaded. */
  const settled = async () => {
    if (await page.getByTestId('world-map').count()) await page.locator('[data-testid="world-map"] path').first().waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('main img')].every((i) => i.complete));
  };
  /** Every photo the engine has in the country (as the places view counts them). */
  const engineCountry = (code: string): PlaceCountry => lib.host.engine.places().countries.find((c) => c.code === code)!;
  const placedIn = (test: (place: { country: string; region: string | null; city: string | null }) => boolean) =>
    [...written.values()]
      .flat()
      .map(idOf)
      .filter((id) => {
        const place = lib.host.engine.stores.places.placeOf(id);
        return place !== null && test(place);
      });

  before(async () => {
    let n = 0;
    for (const [city, where] of Object.entries(CITIES)) {
      const paths: string[] = [];
      for (let i = 0; i < where.photos; i++) {
        const path = join(library, city, `IMG_${1000 + n}.jpg`);
        const gps = { lat: where.lat + i * 0.0004, lon: where.lon - i * 0.0003 };
        // Taken on different days, so newest first is an order to check.
        const takenAt = new Date(Date.UTC(2023, n % 12, 1 + n, 12));
        await writeScene(path, scene([[COLOURS[n % COLOURS.length]!, SHAPES[n % SHAPES.length]!]], n % 2 ? 'sand' : 'grass', 'middle', n), {
          width: 480,
          height: 360,
          takenAt,
          gps,
        });
        paths.push(path);
        n++;
      }
      written.set(city, paths);
    }
    await writeScene(join(library, 'boat', 'IMG_2000.jpg'), scene([['blue', 'circle']], 'sky', 'middle', 50), { width: 480, height: 360, gps: SEA });
    for (let i = 0; i < 2; i++) await writeScene(join(library, 'scans', `scan ${i + 1}.jpg`), scene([['white', 'square']], 'plain', 'middle', 60 + i), { width: 480, height: 360 });
    lib = await openLibraryInBrowser({
      dataDir: join(tmp.path, 'data'),
      device: 'cpu',
      captions: false,
      ocr: false,
      people: false,
      library,
      shots: 'e2e-places',
      settleShots: true,
    });
    page = lib.page;
  });
  after(async () => {
    await lib?.close();
    tmp.remove();
  });

  it('lists the countries, regions and cities the engine found, with counts, and where finding places stands', { timeout: 120_000 }, async () => {
    const view = lib.host.engine.places();
    assert.equal(view.status.withGps, 8, 'seven photos in cities and one at sea have coordinates');
    assert.equal(view.status.unplaced, 0, 'the update placed them all');
    await page.goto(lib.server.loginUrl);
    await page.getByTestId('nav-places').click();
    await page.getByTestId('place-country').first().waitFor();

    const countries = await page
      .getByTestId('place-country')
      .evaluateAll((els) => els.map((e) => ({ code: e.getAttribute('data-code'), photos: Number(e.getAttribute('data-photos')) })));
    assert.deepEqual(
      countries,
      view.countries.map((c) => ({ code: c.code, photos: c.photos })),
    );
    assert.deepEqual(
      countries.map((c) => c.code),
      ['PT', 'JP'],
      'Portugal (most photos) first, then Japan; the photo at sea is in no country',
    );
    assert.equal(sum(countries.map((c) => c.photos)), view.status.placed);

    // Portugal's two cities with their counts, as the engine named the places of the Lisbon and Porto photos.
    const portugal = page.locator('[data-testid="place-country"][data-code="PT"]');
    const cities = await portugal
      .getByTestId('place-city')
      .evaluateAll((els) => els.map((e) => ({ name: e.getAttribute('data-name'), photos: Number(e.getAttribute('data-photos')) })));
    const engineCities = engineCountry('PT').regions.flatMap((r) => r.cities.map((c) => ({ name: c.name, photos: c.photos })));
    assert.deepEqual(cities, engineCities);
    assert.equal(cities.length, 2, `two cities in Portugal: ${JSON.stringify(cities)}`);
    assert.deepEqual(cities.map((c) => c.photos).sort(), [CITIES.porto.photos, CITIES.lisbon.photos].sort());
    assert.equal(await page.locator('[data-testid="place-country"][data-code="JP"]').getByTestId('place-city').count(), 1);

    const status = (await page.getByTestId('places-status').textContent()) ?? '';
    assert.match(status, new RegExp(`${view.status.withGps} photos with a location · ${view.status.placed} placed`));
    assert.match(status, /1 at sea or far from any country/);
    assert.doesNotMatch(status, /still to place|Finding places/);
    // The view has a heading; the list is of buttons.
    assert.equal(await page.getByRole('heading', { level: 1, name: 'Places' }).count(), 1);
    assert.ok((await page.getByRole('navigation', { name: 'Countries, regions and cities' }).getByRole('button').count()) >= 5);
    await settled();
    await lib.shot('places');
  });

  it('draws every photo with coordinates as dots on the map, their counts adding up', async () => {
    let points = 0;
    for (let after: number | null = 0; after !== null;) {
      const got = lib.host.engine.placePoints(after, 5000);
      points += got.points.length;
      after = got.next;
    }
    assert.equal(points, lib.host.engine.places().status.withGps);
    await page.getByTestId('map-dot').first().waitFor();
    assert.equal(sum(await dotCounts()), points, 'each photo with coordinates in exactly one dot (the one at sea too: it has a place on the map, if not in a country)');
    // Dots are buttons with labels.
    const labels = await page
      .getByTestId('map-dot')
      .evaluateAll((dots) => dots.map((d) => `${d.getAttribute('role')} ${d.getAttribute('aria-label')} ${d.getAttribute('tabindex')}`));
    for (const label of labels) assert.match(label, /^button \d+ photos? 0$/);
  });

  it("opens Lisbon's page: exactly the engine's photos there, newest first, searchable, and back", async () => {
    const lisbonPhotos = written.get('lisbon')!.map(idOf);
    const lisbon = lib.host.engine.stores.places.placeOf(lisbonPhotos[0]!)!;
    assert.ok(lisbon.city, `the Lisbon photos are in a town: ${JSON.stringify(lisbon)}`);
    const there = placedIn((p) => p.country === lisbon.country && p.region === lisbon.region && p.city === lisbon.city);
    assert.deepEqual([...there].sort(), [...lisbonPhotos].sort(), 'the engine put the Lisbon photos, and only them, in one city');

    await page.locator(`[data-testid="place-city"][data-name="${lisbon.city}"]`).click();
    await page.getByTestId('place-page').waitFor();
    assert.equal(await page.getByTestId('place-title').textContent(), lisbon.city);
    await page.getByTestId('result').first().waitFor();
    const shown = await tileIds();
    const engine = await lib.host.engine.search(
      searchParams.parse({ query: '', place: { country: lisbon.country, region: lisbon.region ?? undefined, city: lisbon.city }, sort: 'date' }),
    );
    assert.deepEqual(
      shown,
      engine.results.map((r) => r.id),
      'the page shows what the engine answers for the place',
    );
    assert.deepEqual([...shown].sort(), [...lisbonPhotos].sort(), "exactly Lisbon's photos");
    const takenAt = (id: number) => lib.host.engine.stores.photos.photo(id)!.taken_at ?? '';
    assert.deepEqual(
      shown,
      [...shown].sort((a, b) => takenAt(b).localeCompare(takenAt(a))),
      'newest first',
    );
    assert.equal(new Set(shown.map(takenAt)).size, shown.length, 'each taken on a day of its own (so the order means something)');
    assert.match((await page.getByTestId('place-summary').textContent()) ?? '', new RegExp(`^${lisbonPhotos.length} photos, newest first$`));
    await settled();
    await lib.shot('lisbon');

    // The keyboard moves through the photos and opens one, as in the other grids.
    await page.keyboard.press('ArrowRight');
    await page.locator('[data-testid="result"][data-index="1"]').and(page.locator(':focus')).waitFor();
    await page.keyboard.press('Enter');
    await page.locator(`[data-testid="viewer"][data-id="${shown[1]}"]`).waitFor();
    await page.keyboard.press('ArrowRight');
    await page.locator(`[data-testid="viewer"][data-id="${shown[2]}"]`).waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('viewer').waitFor({ state: 'detached' });

    // A search of the page's own: only the photos there that match.
    const words = 'red circle';
    await page.getByTestId('place-search').fill(words);
    await page.getByTestId('place-summary').filter({ hasText: words }).waitFor();
    const matching = await tileIds();
    assert.ok(
      matching.every((id) => lisbonPhotos.includes(id)),
      'a search on the page stays in the place',
    );

    await page.getByTestId('places-back').click();
    await page.getByTestId('places-view').waitFor();
  });

  it("opens a dot's photos: Portugal's group at the whole world's zoom", async () => {
    const portugal = placedIn((p) => p.country === 'PT');
    const dot = page.locator(`[data-testid="map-dot"][data-count="${portugal.length}"]`);
    assert.equal(await dot.count(), 1, `Lisbon and Porto are one dot at the world's zoom: ${JSON.stringify(await dotCounts())}`);
    await dot.click();
    await page.getByTestId('place-page').waitFor();
    assert.equal(await page.getByTestId('place-title').textContent(), `${portugal.length} photos here`);
    await page.getByTestId('result').first().waitFor();
    assert.deepEqual([...(await tileIds())].sort(), [...portugal].sort());
    await settled();
    await lib.shot('dot-page');
    await page.getByTestId('places-back').click();
    await page.getByTestId('places-view').waitFor();
  });

  it('zooms: + splits a group of dots, dragging moves the map, a double-click zooms in on a group', async () => {
    const portugal = placedIn((p) => p.country === 'PT').length;
    const group = page.locator(`[data-testid="map-dot"][data-count="${portugal}"]`);
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await page.waitForTimeout(400);
    // Drag from the sea beside Portugal to the map's middle: Portugal comes to the middle.
    const map = (await page.getByTestId('world-map').boundingBox())!;
    const before = (await group.boundingBox())!;
    const from = { x: before.x + before.width / 2 - 40, y: before.y + before.height / 2 };
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(map.x + map.width / 2 - 40, map.y + map.height / 2, { steps: 8 });
    await page.mouse.up();
    const moved = (await group.boundingBox())!;
    assert.ok(Math.abs(moved.x + moved.width / 2 - (map.x + map.width / 2)) < 30, `Portugal came to the middle: ${JSON.stringify({ before, moved, map })}`);
    assert.equal(await page.getByTestId('place-page').count(), 0, 'a drag is no click on a dot');
    await lib.shot('dragged');

    // + zooms on the middle until Lisbon and Porto are dots of their own.
    for (let i = 0; i < 6 && (await group.count()) === 1; i++) {
      await page.getByRole('button', { name: 'Zoom in' }).click();
      await page.waitForTimeout(300);
    }
    assert.equal(await group.count(), 0, 'the group fell apart');
    const counts = await dotCounts();
    assert.ok(counts.includes(CITIES.lisbon.photos) && counts.includes(CITIES.porto.photos), `Lisbon's and Porto's dots: ${JSON.stringify(counts)}`);
    // Dots keep their size on screen whatever the zoom and the window: a circle of dotRadius pixels, and its 2-pixel rim.
    for (const dot of await page.locator('[data-testid="map-dot"] circle').all()) {
      const count = Number(await dot.evaluate((c) => c.parentElement!.getAttribute('data-count')));
      const { width } = (await dot.boundingBox())!;
      assert.ok(Math.abs(width - 2 * dotRadius(count)) <= 3, `a dot of ${count} is ${width} pixels wide, not ${2 * dotRadius(count)}`);
    }
    await lib.shot('zoomed-in');

    // The whole world again; the wheel zooms in where the pointer is: the group stays under it, Japan's dot moves away.
    await page.getByRole('button', { name: 'Show the whole world' }).click();
    await group.waitFor();
    const centre = async (dot: typeof group) => {
      const box = (await dot.boundingBox())!;
      return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    };
    const japan = page.locator(`[data-testid="map-dot"][data-count="${placedIn((p) => p.country === 'JP').length}"]`);
    const [pt0, jp0] = [await centre(group), await centre(japan)];
    await page.mouse.move(pt0.x, pt0.y);
    await page.mouse.wheel(0, -200);
    await page.waitForTimeout(500);
    const pt1 = await centre(group);
    assert.ok(Math.hypot(pt1.x - pt0.x, pt1.y - pt0.y) < 6, `the group stays under the pointer: ${JSON.stringify({ pt0, pt1 })}`);
    assert.ok((await japan.count()) === 0 || (await centre(japan)).x - pt1.x > (jp0.x - pt0.x) * 1.2, 'the map zoomed in');
    await page.getByRole('button', { name: 'Show the whole world' }).click();
    await page.waitForTimeout(400);

    // A double-click on the group zooms in on it until it falls apart.
    await group.dblclick();
    await page.waitForTimeout(400);
    assert.equal(await page.getByTestId('place-page').count(), 0, "a double-click zooms in, and does not open the group's photos");
    assert.equal(await group.count(), 0, 'the double-clicked group fell apart');
    assert.equal(sum(await dotCounts()) >= portugal, true);
    await lib.shot('double-clicked');
  });
});

describe('places, in a browser, with no photo that has a location', { skip: noChromium }, () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Scans');
  let lib: LibraryInBrowser;

  before(async () => {
    for (let i = 0; i < 2; i++) await writeScene(join(library, `scan ${i + 1}.jpg`), scene([['white', 'square']], 'plain', 'middle', 70 + i), { width: 480, height: 360 });
    lib = await openLibraryInBrowser({
      dataDir: join(tmp.path, 'data'),
      device: 'cpu',
      captions: false,
      ocr: false,
      people: false,
      library,
      shots: join('e2e-places', 'empty'),
      settleShots: true,
    });
  });
  after(async () => {
    await lib?.close();
    tmp.remove();
  });

  it('says why Places is empty and what gives photos a place', async () => {
    assert.equal(lib.host.engine.places().status.withGps, 0);
    await lib.page.goto(lib.server.loginUrl);
    await lib.page.getByTestId('nav-places').click();
    const empty = lib.page.getByTestId('places-empty');
    await empty.waitFor();
    const text = (await empty.textContent()) ?? '';
    assert.match(text, /No photos with a location/);
    assert.match(text, /Phones record it/);
    assert.equal(await lib.page.getByTestId('world-map').count(), 0, 'no map of nothing');
    assert.equal(await lib.page.getByTestId('place-country').count(), 0);
    await lib.shot('places-empty');
  });
});
