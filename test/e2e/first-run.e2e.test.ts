/**
 * A new user's first run with real photographs (Debian's darknet package: dog, horses, a giraffe ...):
 * the bundled model recognises none of them, shows no captions, and the app offers a model that knows
 * photographs in one click, saying what it costs. Real Chromium, web mode, a Hugging Face-like server.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { ApiHost } from '../../src/main/host/api-host.js';
import type { WebServer } from '../../src/main/web/server.js';
import { tempDir } from '../fixtures.js';
import { FakeHub } from '../main/engine/models/fake-hub.js';
import { type AppInBrowser, noChromium, offerPackFromHub, openInBrowser } from './web-app.js';

const SHOTS = join(process.cwd(), 'test-output', 'e2e-first-run');
const REAL = join(process.cwd(), '.cache', 'debian-photos', 'usr', 'share', 'darknet', 'data');
const photos = existsSync(REAL) ? readdirSync(REAL).filter((f) => f.endsWith('.jpg')) : [];
const skip = noChromium || (photos.length === 0 ? `no real photos at ${REAL} (bash .ci/run fetches them)` : false);

describe('first run with real photographs', { skip }, () => {
  const tmp = tempDir();
  const hub = new FakeHub();
  let host: ApiHost;
  let app: AppInBrowser;
  let server: WebServer;
  let page: Page;
  let withdrawPack: () => void = () => undefined;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const library = join(tmp.path, 'Pictures');
    mkdirSync(library);
    for (const p of photos) await copyFile(join(REAL, p), join(library, p));
    await hub.start();
    withdrawPack = await offerPackFromHub(join(tmp.path, 'catalogue'), { id: 'photo-model', name: 'A photo model', description: 'Search and captions for everyday photographs.' });
    host = await ApiHost.open({ dataDir: join(tmp.path, 'data'), device: 'cpu', modelBaseUrl: hub.url('hub'), onEvent: (event, data) => server?.broadcast(event, data) });
    host.engine.addFolder(library);
    await host.engine.update();
    app = await openInBrowser(host);
    ({ server, page } = app);
  });
  after(async () => {
    await app?.close();
    await host?.close();
    hub.stop();
    withdrawPack();
    tmp.remove();
  });

  it('says the bundled model did not recognise the photos, and offers a photo model with its cost', async () => {
    await page.goto(server.loginUrl);
    await page.getByTestId('nav-library').click();
    const advice = page.getByTestId('model-advice');
    await advice.getByTestId('get-model').waitFor();
    const text = (await advice.textContent()) ?? '';
    assert.match(text, new RegExp(`did not recognise most of these photos \\(${photos.length} of ${photos.length} got no caption\\)`));
    // The offered pack's manifest pins no sizes and lists none: the card says when the size is known.
    assert.match(text, /A photo model knows photographs: .* one-time download \(its size shows once it starts\), licence MIT;/s);
    await page.screenshot({ path: join(SHOTS, '01-advice.png') });
  });

  it('downloads it in one click and shows the download in Settings', async () => {
    await page.getByTestId('get-model').click();
    const row = page.locator('[data-testid="model"][data-id="photo-model"]');
    await row.getByTestId('model-use').waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(SHOTS, '02-downloaded.png') });
  });

  it('shows each real photo without a caption, saying why', async () => {
    const id = host.engine.stores.photos.photoByPath(join(tmp.path, 'Pictures', 'dog.jpg'))!.id;
    const detail = host.engine.photoDetail(id);
    assert.equal(detail.caption, null);
    assert.match(detail.captionWithheld ?? '', /tiny-coca/);
  });
});
