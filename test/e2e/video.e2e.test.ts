/**
 * Videos, end to end in Chromium: a search for a scene that a video shows only from 00:12 to 00:18
 * finds the video, its tile shows the matching frame with the moment, and the viewer plays the video
 * from there (the web server answers the player's byte-range requests). Screenshots go to
 * test-output/e2e-video/.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { writeSceneVideo } from '../../src/main/engine/scenes/scene-video.js';
import { ApiHost } from '../../src/main/host/api-host.js';
import type { WebServer } from '../../src/main/web/server.js';
import { scene, tempDir, writeScene } from '../fixtures.js';
import { type AppInBrowser, noChromium, openInBrowser } from './web-app.js';

const SHOTS = join(process.cwd(), 'test-output', 'e2e-video');

describe('videos, in a browser', { skip: noChromium }, () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Holiday');
  const dataDir = join(tmp.path, 'data');
  let host: ApiHost;
  let app: AppInBrowser;
  let server: WebServer;
  let page: Page;
  let step = 0;
  const shot = async (name: string) => page.screenshot({ path: join(SHOTS, `${String(++step).padStart(2, '0')}-${name}.png`), fullPage: false });

  before(async () => {
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    await writeSceneVideo(join(library, 'walk.webm'), [
      { scene: scene([['blue', 'square']], 'sand', 'middle', 1), seconds: 12 },
      { scene: scene([['red', 'star']], 'night', 'middle', 2), seconds: 6 },
      { scene: scene([['yellow', 'circle']], 'grass', 'middle', 3), seconds: 12 },
    ]);
    await writeScene(join(library, 'beach.jpg'), scene([['blue', 'square']], 'sand', 'left', 4), { width: 800, height: 600 });
    await writeScene(join(library, 'garden.jpg'), scene([['yellow', 'circle']], 'grass', 'right', 5), { width: 800, height: 600 });
    host = await ApiHost.open({ dataDir, device: 'cpu', watch: false, onEvent: (event, data) => server?.broadcast(event, data) });
    host.engine.addFolder(library);
    const summary = await host.engine.update();
    assert.equal(summary.indexing.errors, 0, JSON.stringify(host.engine.catalog.errors()));
    app = await openInBrowser(host);
    ({ server, page } = app);
  });
  after(async () => {
    await app?.close();
    await host?.close();
    tmp.remove();
  });

  it('finds the video by a scene it shows from 00:12 to 00:18, its tile showing that moment', async () => {
    await page.goto(server.loginUrl);
    await page.getByTestId('search-input').fill('a red star at night');
    await page.waitForFunction(() => document.querySelector('[data-testid="result"]')?.getAttribute('data-name') === 'walk.webm');
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
