/**
 * All photos by time, favourites, choosing several photos, export and web mode's folder picker, end to
 * end in Chromium as a user sees them: an empty search shows the library newest first, grouped by month,
 * with a scrubber to jump years; a query that is only a time shows that time; a heart marks a favourite
 * and the Favourites filter shows them; Ctrl- and Shift-click choose photos, which are shown in their
 * folders and exported through web mode's folder picker, never over a file already there. Screenshots go
 * to test-output/e2e-timeline/.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { WebServer } from '../../src/main/web/server.js';
import { writeSceneVideo } from '../../src/scenes/scene-video.js';
import { scene, tempDir, writeScene } from '../fixtures.js';
import { type LibraryInBrowser, noChromium, openLibraryInBrowser } from './web-app.js';

const COLOURS = ['red', 'blue', 'green', 'yellow', 'purple', 'orange', 'white'] as const;
const SHAPES = ['circle', 'square', 'star', 'triangle', 'diamond'] as const;
const BACKGROUNDS = ['grass', 'sand', 'night', 'sky', 'plain'] as const;

describe('all photos by time, favourites, choosing and exporting, in a browser', { skip: noChromium }, () => {
  const tmp = tempDir();
  const home = join(tmp.path, 'home');
  const library = join(home, 'Pictures');
  const drive = join(tmp.path, 'media', 'USB');
  const outside = join(tmp.path, 'outside');
  let lib: LibraryInBrowser;
  let server: WebServer;
  let page: Page;
  /** Photos per month, as written. */
  const months = new Map<string, number>();
  const shot = (name: string) => lib.shot(name);
  const headings = () => page.getByTestId('timeline-month').evaluateAll((hs) => hs.map((h) => h.getAttribute('data-month')));
  /** The month headings inside the visible part of the timeline, top first. */
  const visibleMonths = () =>
    page.evaluate(() => {
      const view = document.querySelector('[data-testid="timeline"]')!.getBoundingClientRect();
      return [...document.querySelectorAll<HTMLElement>('[data-testid="timeline-month"]')]
        .filter((h) => {
          const box = h.getBoundingClientRect();
          return box.bottom > view.top && box.top < view.bottom;
        })
        .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
        .map((h) => h.dataset.month);
    });
  const tilesShown = () => page.locator('[data-testid="timeline-tile"] img').count();
  /** Tiles are in view and their thumbnails have loaded. */
  const settled = () =>
    page.waitForFunction(() => {
      const images = [...document.querySelectorAll<HTMLImageElement>('[data-testid="timeline-tile"] img')];
      return images.length > 0 && images.every((i) => i.complete && i.naturalWidth > 0);
    });

  before(async () => {
    // Six years of a life: a few photos most months of 2019-2024, more in the summers.
    let n = 0;
    for (let year = 2019; year <= 2024; year++)
      for (let month = 1; month <= 12; month++) {
        if ((year * 12 + month) % 3 === 0) continue;
        const count = month >= 6 && month <= 8 ? 3 : 1;
        for (let i = 0; i < count; i++) {
          const s = scene([[COLOURS[n % COLOURS.length]!, SHAPES[n % SHAPES.length]!]], BACKGROUNDS[(n >> 1) % BACKGROUNDS.length]!, 'middle', n);
          const takenAt = new Date(Date.UTC(year, month - 1, 3 + i * 9, 12));
          await writeScene(join(library, String(year), `IMG_${String(1000 + n)}.jpg`), s, { width: 480, height: 360, takenAt });
          months.set(`${year}-${String(month).padStart(2, '0')}`, (months.get(`${year}-${String(month).padStart(2, '0')}`) ?? 0) + 1);
          n++;
        }
      }
    // An exact copy (one tile with its count), a video, and screenshots without a date.
    copyFileSync(join(library, '2024', 'IMG_1000.jpg'.replace('1000', String(1000 + n - 1))), join(library, '2024', 'copy of the last one.jpg'));
    await writeSceneVideo(join(library, '2023', 'kites.mp4'), [{ scene: scene([['green', 'triangle']], 'sky', 'left', 90), seconds: 4 }], {
      creationTime: new Date(Date.UTC(2023, 6, 20, 12)),
    });
    for (let i = 0; i < 3; i++)
      await writeScene(join(library, 'Screenshots', `Screenshot ${i + 1}.png`), scene([['white', 'square']], 'plain', 'middle', 200 + i), {
        width: 480,
        height: 360,
        format: 'png',
      });
    // Web mode's folder picker looks in the home folder and a mounted drive only.
    for (const dir of [join(home, 'Export'), join(home, '.config', 'glimpse'), join(drive, 'DCIM', 'Holiday'), outside]) mkdirSync(dir, { recursive: true });
    symlinkSync(outside, join(home, 'Elsewhere'));
    await writeScene(join(drive, 'DCIM', 'Holiday', 'beach.jpg'), scene([['red', 'circle']], 'sand', 'middle', 300), {
      width: 480,
      height: 360,
      takenAt: new Date(Date.UTC(2018, 7, 10, 12)),
    });
    lib = await openLibraryInBrowser({
      dataDir: join(tmp.path, 'data'),
      library,
      shots: 'e2e-timeline',
      settleShots: true,
      device: 'cpu',
      captions: false,
      ocr: false,
      places: async () => [
        { name: 'Home', path: home },
        { name: 'USB', path: drive },
      ],
    });
    ({ server, page } = lib);
  });
  after(async () => {
    await lib?.close();
    tmp.remove();
  });

  it('shows every photo newest first, by month, when nothing is searched', async () => {
    await page.goto(server.loginUrl);
    await page.getByTestId('timeline-tile').first().waitFor();
    await settled();
    const newest = [...months.keys()].sort().reverse();
    assert.deepEqual((await headings()).slice(0, 3), newest.slice(0, 3), 'newest month first');
    // Every file but the unreadable ones is a tile, and each near-duplicate stack (the copy and its original, and any shots alike) is one.
    const files = [...months.values()].reduce((a, b) => a + b, 0) + 1 + 1 + 3; // the photos, the copy, the video, the screenshots
    const stacked = lib.host.engine.duplicates().groups.reduce((n, g) => n + g.photos.length - 1, 0);
    assert.ok(stacked >= 1);
    const total = files - stacked;
    assert.equal(await page.getByTestId('timeline-summary').textContent(), `All photos, newest first: ${total} photos`);
    const first = page.getByTestId('timeline-tile').first();
    assert.equal(await first.locator('[data-testid="stack-badge"]').textContent(), '2', 'the photo and its copy are one tile');
    assert.ok((await tilesShown()) < total, 'only the tiles in view are in the page');
    await shot('timeline');
  });

  it('jumps to a year with the scrubber, and down to the photos without a date', async () => {
    await page.locator('[data-testid="scrubber-year"][data-year="2019"]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="timeline-month"][data-month^="2019"]') !== null);
    await settled();
    const seen = await visibleMonths();
    assert.equal(
      seen[0],
      [...months.keys()]
        .filter((m) => m.startsWith('2019'))
        .sort()
        .reverse()[0],
      `the newest month of 2019 is at the top: ${seen.join(', ')}`,
    );
    await shot('scrubbed-to-2019');
    await page.locator('[data-testid="scrubber-year"][data-year="No date"]').click();
    await page.locator('[data-testid="timeline-month"][data-month="undated"]').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="timeline-tile"][data-name^="Screenshot"]').length === 3);
    await settled();
    assert.match((await page.locator('[data-testid="timeline-month"][data-month="undated"]').textContent()) ?? '', /No date\s*3 photos/);
    const names = await page.getByTestId('timeline-tile').evaluateAll((tiles) => tiles.map((t) => t.getAttribute('data-name')));
    assert.deepEqual(names.slice(-3).sort(), ['Screenshot 1.png', 'Screenshot 2.png', 'Screenshot 3.png']);
    await shot('no-date');
  });

  it('shows a query that is only a time as the timeline of that time', async () => {
    await page.getByTestId('search-input').fill('2023');
    await page.waitForFunction(() => document.querySelector('[data-testid="timeline-summary"]')?.textContent?.startsWith('Taken in 2023'));
    await settled();
    const in2023 = [...months].filter(([m]) => m.startsWith('2023')).reduce((sum, [, c]) => sum + c, 0) + 1; // and the video
    assert.equal(await page.getByTestId('timeline-summary').textContent(), `Taken in 2023: ${in2023} photos`);
    assert.ok((await headings()).every((m) => m?.startsWith('2023')));
    assert.equal(await page.locator('[data-testid="timeline-tile"] [data-testid="result-moment"]').count(), 1, 'the video, as search shows it');
    await shot('query-only-a-time');
    await page.getByTestId('search-input').fill('');
    await page.waitForFunction(() => document.querySelector('[data-testid="timeline-summary"]')?.textContent?.startsWith('All photos'));
  });

  it('marks favourites with a heart, on a tile and in the viewer, and filters by them', async () => {
    const tiles = page.getByTestId('timeline-tile');
    await tiles.nth(1).waitFor();
    const second = await tiles.nth(1).getAttribute('data-name');
    await tiles.nth(1).hover();
    await page.locator('[data-testid="tile-heart"]').nth(1).click();
    await page.locator('[data-testid="tile-heart"][aria-pressed="true"]').waitFor();
    await tiles.nth(2).click();
    const heart = page.getByTestId('viewer-heart');
    await heart.waitFor();
    assert.equal(await heart.getAttribute('aria-pressed'), 'false');
    await heart.click();
    await page.locator('[data-testid="viewer-heart"][aria-pressed="true"]').waitFor();
    await lib.shot('viewer-heart');
    const third = await page.getByTestId('viewer').locator('h2').textContent();
    await page.keyboard.press('Escape');
    await page.getByTestId('favourites-filter').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="timeline-summary"]')?.textContent === 'Your favourites, newest first: 2 photos');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="timeline-tile"]').length === 2);
    await settled();
    assert.deepEqual((await lib.page.getByTestId('timeline-tile').evaluateAll((ts) => ts.map((t) => t.getAttribute('data-name')))).sort(), [second, third].sort());
    await shot('favourites');
    // Kept in the library: the engine says so too.
    const favourites = host().engine.stores.favourites.count();
    assert.equal(favourites, 2);
    await page.getByTestId('favourites-filter').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="timeline-summary"]')?.textContent?.startsWith('All photos'));
  });

  const host = () => lib.host;

  it('chooses photos with Ctrl- and Shift-click, and says where they are (web mode cannot open the file manager)', async () => {
    const tiles = page.getByTestId('timeline-tile');
    await settled();
    await tiles.nth(3).click({ modifiers: ['Control'] });
    await tiles.nth(6).click({ modifiers: ['Shift'] });
    await page.getByTestId('selection-bar').waitFor();
    assert.equal(await page.getByTestId('selection-count').textContent(), '4 photos selected');
    assert.equal(await page.locator('[data-testid="timeline-tile"][data-checked]').count(), 4);
    assert.equal(await page.getByTestId('viewer').count(), 0, 'choosing does not open the viewer');
    // A plain click while choosing adds one more.
    await tiles.nth(8).click();
    assert.equal(await page.getByTestId('selection-count').textContent(), '5 photos selected');
    await tiles.nth(8).click();
    assert.equal(await page.getByTestId('selection-count').textContent(), '4 photos selected');
    await shot('selection');
    await page.getByTestId('selection-show').click();
    const report = page.getByTestId('folders-report');
    await report.waitFor();
    assert.match((await report.textContent()) ?? '', /A browser cannot open your file manager\. The selected photos are in:/);
    assert.match((await report.textContent()) ?? '', new RegExp(`${library.replace(/[/\\]/g, '.')}.2024 \\(4 photos\\)`));
    await shot('show-in-folder');
    await report.getByRole('button', { name: 'Done' }).click();
  });

  it("exports the chosen photos' originals through web mode's folder picker, never over a file already there", async () => {
    const chosen = await page.locator('[data-testid="timeline-tile"][data-checked]').evaluateAll((ts) => ts.map((t) => t.getAttribute('data-name')!));
    writeFileSync(join(home, 'Export', chosen[0]!), 'a file the user keeps');
    await page.getByTestId('selection-export').click();
    const picker = page.getByTestId('folder-picker');
    await picker.waitFor();
    // The places come with the picker's first answer, after the dialog opens.
    await picker.locator('[data-testid="picker-place"]', { hasText: 'USB' }).waitFor();
    assert.deepEqual(
      await picker
        .getByTestId('picker-place')
        .allTextContents()
        .then((t) => t.map((x) => x.trim())),
      ['Home', 'USB'],
    );
    await picker.locator('[data-testid="picker-place"]', { hasText: 'Home' }).click();
    await picker.locator('[data-testid="picker-folder"][data-name="Export"]').waitFor();
    assert.deepEqual(
      await picker.getByTestId('picker-folder').evaluateAll((fs) => fs.map((f) => f.getAttribute('data-name'))),
      ['Export', 'Pictures'],
      'hidden folders and a link out of the home folder are not listed',
    );
    await shot('export-picker');
    await picker.locator('[data-testid="picker-folder"][data-name="Export"]').click();
    await page.waitForFunction((path) => document.querySelector('[data-testid="picker-path"]')?.textContent === path, join(home, 'Export'));
    await picker.getByTestId('picker-choose').click();
    const report = page.getByTestId('export-report');
    await report.waitFor();
    const text = (await report.textContent()) ?? '';
    assert.match(text, new RegExp(`Copied 4 photos to ${join(home, 'Export').replace(/[/\\]/g, '.')}\\.`));
    const numbered = chosen[0]!.replace(/\.jpg$/, ' (2).jpg');
    assert.ok(text.includes(numbered), text);
    await shot('export-report');
    assert.equal(readFileSync(join(home, 'Export', chosen[0]!), 'utf8'), 'a file the user keeps');
    assert.deepEqual(readFileSync(join(home, 'Export', numbered)), readFileSync(join(library, '2024', chosen[0]!)));
    assert.equal(readdirSync(join(home, 'Export')).length, 5);
    await report.getByRole('button', { name: 'Done' }).click();
    await page.keyboard.press('Escape');
    await page.getByTestId('selection-bar').waitFor({ state: 'detached' });
  });

  it('moves through the timeline with the arrow keys, and chooses the tile in focus with Space', async () => {
    await page.locator('[data-testid="timeline-tile"][data-index="0"]').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    const focused = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.index);
    assert.ok(Number(focused) > 1, `the focus moved down a row or into the next month: ${focused}`);
    await page.keyboard.press(' ');
    await page.getByTestId('selection-bar').waitFor();
    assert.equal(await page.getByTestId('selection-count').textContent(), '1 photo selected');
    assert.equal(await page.getByTestId('viewer').count(), 0, 'Space chooses, it does not open');
    await page.keyboard.press(' ');
    await page.getByTestId('selection-bar').waitFor({ state: 'detached' });
    // The tiles as the grid shows them now: the grid under the viewer may lay out other rows.
    const here = await page.locator(`[data-testid="timeline-tile"][data-index="${focused}"]`).getAttribute('data-id');
    const next = await page.locator(`[data-testid="timeline-tile"][data-index="${Number(focused) + 1}"]`).getAttribute('data-id');
    await page.keyboard.press('Enter');
    await page.getByTestId('viewer').waitFor();
    assert.equal(await page.getByTestId('viewer').getAttribute('data-id'), here);
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((id) => document.querySelector('[data-testid="viewer"]')?.getAttribute('data-id') === id, next);
    await page.keyboard.press('Escape');
    await page.getByTestId('viewer').waitFor({ state: 'detached' });
  });

  it("adds a folder from a mounted drive with web mode's folder picker, which refuses to leave the places", async () => {
    await page.getByTestId('nav-library').click();
    await page.getByTestId('choose-folder').click();
    const picker = page.getByTestId('folder-picker');
    await picker.waitFor();
    await picker.locator('[data-testid="picker-place"]', { hasText: 'USB' }).click();
    await picker.locator('[data-testid="picker-folder"][data-name="DCIM"]').click();
    await picker.locator('[data-testid="picker-folder"][data-name="Holiday"]').waitFor();
    await shot('add-folder-picker');
    await picker.locator('[data-testid="picker-folder"][data-name="Holiday"]').click();
    await page.waitForFunction((path) => document.querySelector('[data-testid="picker-path"]')?.textContent === path, join(drive, 'DCIM', 'Holiday'));
    await picker.getByTestId('picker-choose').click();
    await picker.waitFor({ state: 'detached' });
    await page.waitForFunction((path) => document.body.textContent?.includes(path), join(drive, 'DCIM', 'Holiday'));
    assert.ok(
      host()
        .engine.stores.folders.folders()
        .some((f) => f.path === join(drive, 'DCIM', 'Holiday')),
    );
    // The server refuses a folder outside the places, whatever the page asks.
    const refused = await page.evaluate(
      async (path) => {
        const response = await fetch('/api/call', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ method: 'browseFolders', params: { path } }),
        });
        return response.json() as Promise<{ ok: boolean; error?: string }>;
      },
      join(home, 'Elsewhere'),
    );
    assert.deepEqual(refused, { ok: false, error: 'Glimpse shows only the folders in your home folder and on mounted drives.' });
    assert.ok(existsSync(outside));
  });
});
