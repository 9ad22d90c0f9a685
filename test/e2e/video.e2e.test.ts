/**
 * Videos, end to end in Chromium: a search for a scene that a video shows only from 00:12 to 00:18
 * finds the video, its tile shows the matching frame with the moment, and the viewer plays the video
 * from there (the web server answers the player's byte-range requests). Screenshots go to
 * test-output/e2e-video/.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { writeSceneVideo } from '../../src/scenes/scene-video.js';
import type { WebServer } from '../../src/main/web/server.js';
import { scene, tempDir, writeScene } from '../fixtures.js';
import { type LibraryInBrowser, noChromium, openLibraryInBrowser } from './web-app.js';

describe('videos, in a browser', { skip: noChromium }, () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Holiday');
  const dataDir = join(tmp.path, 'data');
  let lib: LibraryInBrowser;
  let server: WebServer;
  let page: Page;
  const shot = (name: string) => lib.shot(name);

  before(async () => {
    await writeSceneVideo(join(library, 'walk.webm'), [
      { scene: scene([['blue', 'square']], 'sand', 'middle', 1), seconds: 12 },
      { scene: scene([['red', 'star']], 'night', 'middle', 2), seconds: 6 },
      { scene: scene([['yellow', 'circle']], 'grass', 'middle', 3), seconds: 12 },
    ]);
    await writeScene(join(library, 'beach.jpg'), scene([['blue', 'square']], 'sand', 'left', 4), { width: 800, height: 600 });
    await writeScene(join(library, 'garden.jpg'), scene([['yellow', 'circle']], 'grass', 'right', 5), { width: 800, height: 600 });
    lib = await openLibraryInBrowser({ dataDir, library, shots: 'e2e-video', device: 'cpu' });
    ({ server, page } = lib);
    assert.equal(lib.summary.indexing.errors, 0, JSON.stringify(lib.host.engine.stores.photos.errors()));
  });
  after(async () => {
    await lib?.close();
    tmp.remove();
  });

  it('finds the video by a scene it shows from 00:12 to 00:18, its tile showing that moment', async () => {
    await page.goto(server.loginUrl);
    await page.getByTestId('search-input').fill('a red star at night');
    await page.waitForFunction(() => document.querySelector('[data-testid="result"]')?.getAttribute('data-name') === 'walk.webm');
    // The summary counts the video as a video, and the photos shown with it as photos.
    const names = await page.getByTestId('result').evaluateAll((tiles) => tiles.map((t) => t.getAttribute('data-name')));
    const photos = names.filter((n) => n !== 'walk.webm').length;
    const summary = (await page.getByTestId('search-summary').textContent()) ?? '';
    assert.match(summary, photos === 0 ? /^1 video for / : new RegExp(`^${photos} photos? and 1 video for `), summary);
    // The library's count beside it: two photos and the video.
    assert.equal((await page.getByTestId('library-count').textContent())?.trim(), '2 photos and 1 video');
    const first = page.getByTestId('result').first();
    const moment = (await first.getByTestId('result-moment').textContent())?.trim() ?? '';
    assert.match(moment, /^00:1[2-8]$/);
    // The tile's picture is the frame of that moment (a night scene), not the video's first frame.
    const src = await first.locator('img').getAttribute('src');
    assert.match(src ?? '', /^\/media\/thumb\/\d+\/\d+$/);
    await first.locator('img').evaluate((img: HTMLImageElement) => (img.complete ? null : new Promise((r) => (img.onload = r))));
    await page.waitForTimeout(400); // the tile fades in (160 ms)
    await shot('search-red-star');
  });

  it('shows only the videos, then only the photos, with the photos-or-videos filter', async () => {
    const names = () => page.getByTestId('result').evaluateAll((tiles) => tiles.map((t) => t.getAttribute('data-name')));
    await page.getByTestId('search-input').fill('a yellow circle on grass');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="result"]')].some((t) => t.getAttribute('data-name') === 'garden.jpg'));
    await page.getByTestId('media-filter').selectOption('video');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="result"]')].every((t) => t.getAttribute('data-name') === 'walk.webm'));
    assert.deepEqual(await names(), ['walk.webm']);
    assert.match((await page.getByTestId('search-summary').textContent()) ?? '', /^1 video for /);
    await shot('videos-only');
    await page.getByTestId('media-filter').selectOption('photo');
    await page.waitForFunction(() => ![...document.querySelectorAll('[data-testid="result"]')].some((t) => t.getAttribute('data-name') === 'walk.webm'));
    assert.ok((await names()).includes('garden.jpg'));
    await page.getByTestId('media-filter').selectOption('');
    await page.getByTestId('search-input').fill('a red star at night');
    await page.waitForFunction(() => document.querySelector('[data-testid="result"]')?.getAttribute('data-name') === 'walk.webm');
  });

  it('opens the video in the viewer, playing from the matched moment', async () => {
    await page.getByTestId('result').first().click();
    const video = page.getByTestId('viewer-video');
    await video.waitFor();
    await page.waitForFunction(() => {
      const v = document.querySelector<HTMLVideoElement>('[data-testid="viewer-video"]');
      return !!v && v.readyState >= 2 && v.currentTime >= 12;
    });
    const state = await video.evaluate((v: HTMLVideoElement) => ({ at: v.currentTime, duration: v.duration, error: v.error?.message ?? null }));
    assert.equal(state.error, null);
    assert.ok(state.at >= 12 && state.at <= 18.5, `the player is at ${state.at} s`);
    assert.ok(Math.abs(state.duration - 30) < 0.5, `duration ${state.duration}`);
    assert.match((await page.getByTestId('viewer-moment').textContent()) ?? '', /Playing from 00:1[2-8]/);
    // Paused for the screenshot, so the picture is the moment's.
    await video.evaluate((v: HTMLVideoElement) => v.pause());
    await shot('viewer-video-at-moment');
  });
});
