/**
 * Text in photos, end to end in Chromium: a library indexed with OCR off, OCR turned on in Settings
 * (the photos are read in the background, nothing is re-indexed), a search for words on a receipt,
 * and the viewer's text panel: lines that outline their box on the photo when pointed at, and a copy
 * button. Screenshots go to test-output/e2e-ocr/.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { writtenPhoto } from '../../src/scenes/text-photos.js';
import type { ApiHost } from '../../src/main/host/api-host.js';
import type { WebServer } from '../../src/main/web/server.js';
import { scene, tempDir, writeScene } from '../fixtures.js';
import { type LibraryInBrowser, noChromium, openLibraryInBrowser } from './web-app.js';

describe('text in photos, in a browser', { skip: noChromium }, () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Errands');
  const dataDir = join(tmp.path, 'data');
  let lib: LibraryInBrowser;
  let host: ApiHost;
  let server: WebServer;
  let page: Page;
  const shot = (name: string) => lib.shot(name);

  before(async () => {
    await mkdir(library, { recursive: true });
    const receipt = await writtenPhoto({ layout: 'receipt', lines: ['HARDWARE STORE', 'HAMMER 12.50', 'NAILS 3.20', 'TOTAL 15.70'], fontSize: 36, angle: 6 });
    await writeFile(join(library, 'receipt.jpg'), receipt.bytes);
    const sign = await writtenPhoto({ layout: 'sign', lines: ['CITY LIBRARY'], fontSize: 56, seed: 4 });
    await writeFile(join(library, 'sign.jpg'), sign.bytes);
    await writeScene(join(library, 'red-circle.jpg'), scene([['red', 'circle']], 'grass'), { width: 800, height: 600 });
    await writeScene(join(library, 'blue-square.jpg'), scene([['blue', 'square']], 'sand'), { width: 800, height: 600 });
    // Indexed once with OCR off, as a library from before OCR would be.
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'settings.json'), JSON.stringify({ ocr: false }));
    lib = await openLibraryInBrowser({ dataDir, library, shots: 'e2e-ocr', device: 'cpu' });
    ({ host, server, page } = lib);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  });
  after(async () => {
    await lib?.close();
    tmp.remove();
  });

  it('turns OCR on in Settings and reads the library in the background, indexing nothing again', async () => {
    await page.goto(server.loginUrl);
    await page.getByTestId('nav-settings').click();
    const status = page.getByTestId('ocr-status');
    await status.filter({ hasText: '0 photos read, 4 not read' }).waitFor();
    assert.equal(await page.getByTestId('ocr-toggle').isChecked(), false);
    await shot('settings-ocr-off');
    const vectorWrites = host.engine.stores.vectors.lastVectorSeq();
    await page.getByTestId('ocr-toggle').check();
    await status.filter({ hasText: '4 photos read' }).waitFor({ timeout: 60_000 });
    assert.match((await status.textContent()) ?? '', /text found in 2\b/);
    assert.equal(host.engine.stores.vectors.lastVectorSeq(), vectorWrites, 'no photo was embedded again');
    await shot('settings-ocr-on');
  });

  it('finds the receipt by the words on it and says so on the tile', async () => {
    await page.getByTestId('nav-search').click();
    await page.getByTestId('search-input').fill('receipt hardware store');
    const first = page.getByTestId('result').first();
    await first.waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="result"]')?.getAttribute('data-name') === 'receipt.jpg');
    assert.match((await first.getByTestId('result-read-text').textContent()) ?? '', /HARDWARE STORE/);
    await shot('search-hardware-store');
  });

  it('shows the text read in the viewer, outlines a line on the photo when pointed at, and copies it', async () => {
    await page.getByTestId('result').first().click();
    await page.getByTestId('viewer').waitFor();
    const lines = page.getByTestId('read-line');
    await lines.first().waitFor();
    const texts = await lines.allInnerTexts();
    assert.ok(
      texts.some((t) => t.includes('HARDWARE STORE')),
      `lines: ${texts.join(' | ')}`,
    );
    await page.locator('[data-testid="viewer"] img').evaluate((img: HTMLImageElement) => (img.complete ? null : new Promise((r) => (img.onload = r))));
    await lines.first().hover();
    const box = page.getByTestId('text-box');
    await box.waitFor();
    // The outline sits on the photo: inside the image's rectangle on screen.
    const [image, outline] = await Promise.all([page.locator('[data-testid="viewer"] img').boundingBox(), box.locator('polygon').boundingBox()]);
    assert.ok(image && outline, 'both are on screen');
    assert.ok(
      outline.x >= image.x - 1 && outline.y >= image.y - 1 && outline.x + outline.width <= image.x + image.width + 1 && outline.y + outline.height <= image.y + image.height + 1,
      'the outline is inside the photo',
    );
    assert.ok(outline.width > 40 && outline.height > 10, `the outline has the line's size: ${JSON.stringify(outline)}`);
    await shot('viewer-read-text');
    await page.getByTestId('copy-text').click();
    await page.getByTestId('copy-text').filter({ hasText: 'Copied' }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(copied, /HARDWARE STORE[\s\S]*TOTAL/);
  });
});
