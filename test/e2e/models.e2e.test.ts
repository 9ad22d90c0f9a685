/**
 * The model advice a new user meets, with the packs Glimpse really offers (models/packs) and a computer
 * that cannot reach the download site: real photographs the bundled model does not know (Debian's
 * darknet package), the Library's advice card, Settings → Models, and a Download that fails offline.
 * Real Chromium, web mode. Screenshots go to test-output/e2e-models/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Server, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { packDownloadSize } from '../../src/main/engine/models/manifest.js';
import { recommendedPack } from '../../src/main/engine/models/recommend.js';
import { catalogueOfPacks } from '../../src/main/engine/models/store.js';
import { writeSampleLibrary } from '../../src/scenes/sample-library.js';
import { downloadSizeText } from '../../src/shared/download-size.js';
import { DEVELOPER_WORDING, tempDir } from '../fixtures.js';
import { type LibraryInBrowser, noChromium, openLibraryInBrowser } from './web-app.js';

const REAL = join(process.cwd(), '.cache', 'debian-photos', 'usr', 'share', 'darknet', 'data');
const photos = existsSync(REAL) ? readdirSync(REAL).filter((f) => f.endsWith('.jpg')) : [];
const skip = noChromium || (photos.length === 0 ? `no real photos at ${REAL} (bash .ci/run fetches them)` : false);
/** A name that never resolves (RFC 2606): the download site as an offline computer sees it. */
const OFFLINE_SITE = 'huggingface.invalid';

describe('the model advice, with the real catalogue, on a computer that cannot reach the download site', { skip }, () => {
  const tmp = tempDir();
  let app: LibraryInBrowser;
  let page: Page;

  before(async () => {
    delete process.env.GLIMPSE_PACK_CATALOGUE;
    process.env.GLIMPSE_LANGUAGE = 'en';
    const library = join(tmp.path, 'Pictures');
    mkdirSync(library);
    for (const p of photos) await copyFile(join(REAL, p), join(library, p));
    app = await openLibraryInBrowser({ dataDir: join(tmp.path, 'data'), device: 'cpu', modelBaseUrl: `http://${OFFLINE_SITE}`, library, shots: 'e2e-models' });
    page = app.page;
    await page.goto(app.server.loginUrl);
  });
  after(async () => {
    delete process.env.GLIMPSE_LANGUAGE;
    await app?.close();
    tmp.remove();
  });

  it('offers a pack that knows photographs with its size and licence, in words for users', async () => {
    const catalogue = await catalogueOfPacks();
    const suggested = catalogue.find((m) => m.id === recommendedPack(catalogue, 'en')?.id)!;
    await page.getByTestId('nav-library').click();
    const advice = page.getByTestId('model-advice');
    await advice.getByTestId('get-model').waitFor();
    const text = ((await advice.textContent()) ?? '').replace(/\s+/g, ' ');
    assert.doesNotMatch(text, DEVELOPER_WORDING, text);
    assert.ok(text.includes(`${suggested.name} knows photographs: ${suggested.description}`), text);
    assert.ok(text.includes(recommendedPack(catalogue, 'en')!.reason), 'and says why it is the one to take');
    const size = downloadSizeText(packDownloadSize(suggested));
    assert.ok(size, 'the real pack has a size');
    assert.ok(text.includes(`one-time download of ${size}, licence ${suggested.licence};`), text);
    await app.shot('advice');
  });

  it('lists every pack in Settings with its size and licence, and nothing about how Glimpse was built', async () => {
    await page.getByTestId('nav-settings').click();
    const rows = page.getByTestId('model');
    await rows.first().waitFor();
    const catalogue = await catalogueOfPacks();
    assert.equal(await rows.count(), catalogue.length + 1, 'the bundled pack and the catalogue');
    for (const row of await rows.all()) {
      const text = ((await row.textContent()) ?? '').replace(/\s+/g, ' ');
      assert.doesNotMatch(text, DEVELOPER_WORDING, text);
      const id = await row.getAttribute('data-id');
      const manifest = catalogue.find((m) => m.id === id);
      const size = ((await row.getByTestId('model-size').textContent()) ?? '').trim();
      assert.equal(size, manifest ? downloadSizeText(packDownloadSize(manifest)) : 'Included');
      if (manifest) assert.ok(text.includes(manifest.licence), text);
    }
    const table = (await page.locator('section[aria-labelledby="models-title"]').textContent()) ?? '';
    assert.doesNotMatch(table, DEVELOPER_WORDING);
    await app.shot('settings-models');

    // One pack is recommended, with why, first among the downloadable ones; every measured pack says its cost.
    const recommended = recommendedPack(catalogue, 'en')!;
    const marked = page.getByTestId('model-recommended');
    assert.equal(await marked.count(), 1);
    const row = page.locator(`[data-testid="model"][data-id="${recommended.id}"]`);
    assert.equal(((await row.getByTestId('model-recommended').textContent()) ?? '').replace(/\s+/g, ' ').trim(), `Recommended ${recommended.reason}`);
    const ids = await rows.evaluateAll((all) => all.map((r) => r.getAttribute('data-id')));
    assert.equal(ids[1], recommended.id, 'right after the pack in use');
    for (const manifest of catalogue.filter((m) => m.cost)) {
      const figures = (await page.locator(`[data-testid="model"][data-id="${manifest.id}"]`).getByTestId('model-figures').textContent()) ?? '';
      assert.ok(figures.includes(`Looks at a photo in about ${manifest.cost!.msPerPhoto} ms on 2 CPU cores`), figures);
    }
    await row.scrollIntoViewIfNeeded();
    await app.shot('settings-recommended');
  });

  it('says in words that the site cannot be reached, and offers the ways to install without it', async () => {
    const catalogue = await catalogueOfPacks();
    const suggested = catalogue.find((m) => m.id === recommendedPack(catalogue, 'en')?.id)!;
    await page.getByTestId('nav-library').click();
    await page.getByTestId('get-model').click(); // the advice's one click: the download starts, Settings shows it
    const row = page.locator(`[data-testid="model"][data-id="${suggested.id}"]`);
    const failed = row.getByTestId('model-failed');
    await failed.waitFor({ timeout: 30_000 });
    assert.equal(
      ((await failed.textContent()) ?? '').trim(),
      `Glimpse could not reach ${OFFLINE_SITE}: this computer seems to be offline, or ${OFFLINE_SITE} cannot be found from this network.`,
    );
    const routes = ((await row.getByTestId('model-offline-routes').textContent()) ?? '').replace(/\s+/g, ' ');
    assert.ok(routes.includes(`glimpse models download ${suggested.id}`), routes);
    assert.ok(routes.includes('glimpse models import <folder>'), routes);
    assert.ok(routes.includes('GLIMPSE_MODEL_BASE_URL'), routes);
    assert.equal(((await row.getByTestId('model-download').textContent()) ?? '').trim(), 'Try again');
    const body = (await page.locator('body').textContent()) ?? '';
    assert.doesNotMatch(body, /getaddrinfo|ENOTFOUND|EAI_AGAIN|fetch failed/);
    await row.scrollIntoViewIfNeeded();
    await app.shot('download-offline');
  });
});

describe('a download that fails while the answer to its click is still on the way', { skip: noChromium }, () => {
  const tmp = tempDir();
  let app: LibraryInBrowser;
  let site: Server;

  before(async () => {
    delete process.env.GLIMPSE_PACK_CATALOGUE;
    // A download site that takes the connection and drops it a moment later: the failure comes after
    // the engine has answered the click ("downloading"), and before the page has that answer.
    site = createServer((socket) => void setTimeout(() => socket.destroy(), 300));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    const library = join(tmp.path, 'Photos');
    await writeSampleLibrary(library, { count: 2, width: 320, height: 240 });
    const port = (site.address() as AddressInfo).port;
    app = await openLibraryInBrowser({ dataDir: join(tmp.path, 'data'), device: 'cpu', ocr: false, modelBaseUrl: `http://127.0.0.1:${port}`, library, shots: 'e2e-models-late' });
    await app.page.goto(app.server.loginUrl);
  });
  after(async () => {
    await app?.close();
    site?.close();
    tmp.remove();
  });

  it('shows the failure, not the answer that said it was downloading', async () => {
    const { page } = app;
    let answered: () => void = () => undefined;
    const answer = new Promise<void>((resolve) => (answered = resolve));
    await page.route('**/api/call', async (route) => {
      if (!route.request().postData()?.includes('"modelAction"')) return route.continue();
      const response = await route.fetch();
      await new Promise((resolve) => setTimeout(resolve, 1500)); // a busy machine
      await route.fulfill({ response });
      answered();
    });
    await page.getByTestId('nav-settings').click();
    const row = page.locator('[data-testid="model"][data-id="clip-vit-b32"]');
    await row.getByTestId('model-download').click();
    await answer;
    const failed = row.getByTestId('model-failed');
    await failed.waitFor({ timeout: 10_000 });
    assert.match(((await failed.textContent()) ?? '').trim(), /^Glimpse could not reach 127\.0\.0\.1:\d+: it did not answer/);
    await page.waitForTimeout(1000);
    assert.equal(await row.getByTestId('model-progress').count(), 0, 'no longer shown as downloading');
    assert.equal(await failed.count(), 1);
  });
});
