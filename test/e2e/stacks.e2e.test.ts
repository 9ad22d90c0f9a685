/**
 * Near-duplicate stacks, end to end in Chromium: a shot kept as an original, an exact copy, a resized
 * copy and a crop shows as one tile with its count; clicking it opens the stack in place with the best
 * shot first; the Duplicates view lists the group with its size, and "Show in folder" says plainly that a
 * browser cannot open the file manager. Screenshots go to test-output/e2e-stacks/.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import type { WebServer } from '../../src/main/web/server.js';
import { scene, tempDir, writeScene } from '../fixtures.js';
import { type LibraryInBrowser, noChromium, openLibraryInBrowser } from './web-app.js';

describe('near-duplicate stacks, in a browser', { skip: noChromium }, () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Garden');
  const dataDir = join(tmp.path, 'data');
  let lib: LibraryInBrowser;
  let server: WebServer;
  let page: Page;
  const shot = (name: string) => lib.shot(name);
  const tiles = () => lib.resultNames();

  before(async () => {
    mkdirSync(library, { recursive: true });
    const original = await writeScene(join(library, 'IMG_2001.jpg'), scene([['red', 'circle']], 'grass', 'middle', 3), { width: 1200, height: 900 });
    copyFileSync(original, join(library, 'IMG_2001 copy.jpg'));
    writeFileSync(join(library, 'IMG_2001 small.jpg'), await sharp(original).resize(480).jpeg({ quality: 80 }).toBuffer());
    writeFileSync(join(library, 'IMG_2001 crop.jpg'), await sharp(original).extract({ left: 40, top: 30, width: 1110, height: 830 }).jpeg({ quality: 88 }).toBuffer());
    const others: Array<Parameters<typeof scene>> = [
      [[['blue', 'square']], 'sand', 'left', 4],
      [[['yellow', 'star']], 'night', 'top', 5],
      [[['red', 'triangle']], 'sky', 'right', 6],
      [[['purple', 'diamond', 2]], 'plain', 'middle', 7],
      [[['red', 'circle', 2]], 'sand', 'bottom', 8],
    ];
    for (const [i, args] of others.entries()) await writeScene(join(library, `IMG_30${i}.jpg`), scene(...args), { width: 800, height: 600 });
    lib = await openLibraryInBrowser({ dataDir, library, shots: 'e2e-stacks', settleShots: true, device: 'cpu', captions: false, ocr: false });
    ({ server, page } = lib);
  });
  after(async () => {
    await lib?.close();
    tmp.remove();
  });

  it('shows the shot as one tile with its count, and opens the stack in place, best shot first', async () => {
    await page.goto(server.loginUrl);
    await page.getByTestId('search-input').fill('a red circle on grass');
    const badge = page.getByTestId('stack-badge');
    await badge.waitFor();
    assert.equal((await badge.textContent())?.trim(), '4');
    const names = await tiles();
    assert.equal(names.filter((n) => n?.startsWith('IMG_2001')).length, 1, `one tile for the stack: ${names.join(', ')}`);
    const counted = async () => Number(/^(\d+) photos?/.exec((await page.getByTestId('search-summary').textContent()) ?? '')?.[1]);
    assert.equal(await counted(), names.length, 'the summary counts the tiles');
    await shot('stack-tile');

    await page.locator('[data-testid="result"]:has([data-testid="stack-badge"])').click();
    await page.getByTestId('best-shot').waitFor();
    const opened = await tiles();
    const stack = opened.filter((n) => n?.startsWith('IMG_2001'));
    assert.equal(stack.length, 4, `the stack's four photos are tiles: ${opened.join(', ')}`);
    assert.ok(['IMG_2001.jpg', 'IMG_2001 copy.jpg'].includes(stack[0]!), `the best shot (full size, best file) comes first: ${stack.join(', ')}`);
    assert.equal(
      opened.indexOf(stack[0]!),
      names.findIndex((n) => n?.startsWith('IMG_2001')),
      'opened in place',
    );
    assert.equal(await page.getByTestId('viewer').count(), 0, 'opening a stack does not open the viewer');
    assert.equal(await counted(), opened.length, "an open stack's photos are counted one by one");
    await shot('stack-open');

    await page.getByTestId('close-stacks').click();
    await page.getByTestId('stack-badge').waitFor();
    assert.equal((await tiles()).filter((n) => n?.startsWith('IMG_2001')).length, 1);
    assert.equal(await counted(), names.length, 'closed, the stack counts as one tile again');
  });

  it('lists the group in the Duplicates view with its size, and never deletes', async () => {
    await page.getByTestId('nav-duplicates').click();
    const group = page.getByTestId('duplicate-group');
    await group.first().waitFor();
    assert.equal(await group.count(), 1);
    assert.equal(await group.first().getAttribute('data-size'), '4');
    assert.match((await page.getByTestId('duplicates-summary').textContent()) ?? '', /1 group of 4 photos; 3 photos/);
    assert.match((await group.first().textContent()) ?? '', /Best shot[\s\S]*Exact copy/);
    await shot('duplicates-view');
    await page.getByTestId('reveal').first().click();
    await page.getByText(/A browser cannot open your file manager/).waitFor();
    await shot('reveal-in-web-mode');
    for (const name of ['IMG_2001.jpg', 'IMG_2001 copy.jpg', 'IMG_2001 small.jpg', 'IMG_2001 crop.jpg']) assert.ok(existsSync(join(library, name)));
  });
});
