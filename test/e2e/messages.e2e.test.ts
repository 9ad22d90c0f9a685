/**
 * What the app says when something goes wrong, as a user meets it in Chromium (web mode): a refused
 * search in words, a banner that goes once the same kind of thing works again, a path typed with "~",
 * and the files of a folder that could not be read, each with why. Screenshots go to
 * test-output/e2e-messages/.
 */
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { writeSampleLibrary } from '../../src/scenes/sample-library.js';
import { tempDir } from '../fixtures.js';
import { type LibraryInBrowser, noChromium, openLibraryInBrowser } from './web-app.js';

describe('messages and banners in the app', { skip: noChromium }, () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Photos');
  const home = join(tmp.path, 'home');
  let app: LibraryInBrowser;
  let page: Page;
  const banner = () => page.getByTestId('error-banner');

  before(async () => {
    const photos = await writeSampleLibrary(library, { count: 8, width: 320, height: 240 });
    // Two files a real folder holds: one that is not a photo, one cut short by a failed copy.
    writeFileSync(join(library, 'notes.jpg'), 'shopping list: milk, eggs');
    const whole = await readFile(photos[0]!.path);
    writeFileSync(join(library, 'cut short.jpg'), whole.subarray(0, Math.floor(whole.length / 3)));
    await writeSampleLibrary(join(home, 'Pictures 2'), { count: 2, width: 320, height: 240 });
    copyFileSync(photos[1]!.path, join(home, 'Pictures 2', 'extra.jpg'));
    app = await openLibraryInBrowser({ dataDir: join(tmp.path, 'data'), device: 'cpu', ocr: false, library, shots: 'e2e-messages', settleShots: true });
    page = app.page;
    await page.goto(app.server.loginUrl);
  });
  after(async () => {
    await app?.close();
    tmp.remove();
  });

  it('says in words why a search was refused, and the banner goes with the next search that works', async () => {
    const input = page.getByTestId('search-input');
    await input.fill(`a red circle ${'and a blue square '.repeat(60)}`);
    await banner().waitFor();
    assert.equal(((await banner().textContent()) ?? '').trim(), 'The search is too long: a query is at most 1,000 characters');
    await app.shot('search-too-long');
    await input.fill('a red circle');
    await page.getByTestId('result').first().waitFor();
    await banner().waitFor({ state: 'detached' });
    await app.shot('search-works-again');
  });

  it('says why a folder could not be added, and the banner goes when one is; "~" is the home folder', async () => {
    await page.getByTestId('nav-library').click();
    const path = page.getByTestId('folder-path-input');
    await path.fill('/no/such/folder');
    await page.getByTestId('add-folder').click();
    await banner().waitFor();
    assert.equal(((await banner().textContent()) ?? '').trim(), '/no/such/folder does not exist');
    await app.shot('folder-refused');
    const before = process.env.HOME;
    process.env.HOME = home; // the engine runs in this process: "~" is this home
    try {
      await path.fill('~/Pictures 2');
      await page.getByTestId('add-folder').click();
      await page.locator(`[data-testid="folder"][data-path="${join(home, 'Pictures 2')}"]`).waitFor();
    } finally {
      process.env.HOME = before;
    }
    await banner().waitFor({ state: 'detached' });
    await page
      .locator(`[data-testid="folder"][data-path="${join(home, 'Pictures 2')}"]`)
      .getByText('3 photos')
      .waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="library-totals"][data-indexed="11"]').waitFor({ timeout: 60_000 });
    await app.shot('folder-added-from-home');
  });

  it("lists a folder's files that could not be read, each with why", async () => {
    const folder = page.locator(`[data-testid="folder"][data-path="${library}"]`);
    const toggle = folder.getByTestId('folder-unreadable-toggle');
    assert.equal(((await toggle.textContent()) ?? '').trim(), '2 could not be read');
    await toggle.click();
    const items = folder.getByTestId('folder-unreadable').locator('li');
    await items.nth(1).waitFor(); // the list opens on the click's next render
    const texts = (await items.allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    assert.equal(texts.length, 2, texts.join(' | '));
    assert.match(texts[0]!, /^cut short\.jpg: damaged or truncated image data \(.+\)$/);
    assert.equal(texts[1], 'notes.jpg: not an image, or a format Glimpse cannot read');
    await app.shot('unreadable-files');
  });
});
