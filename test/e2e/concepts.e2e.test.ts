/**
 * Teaching a concept, end to end in Chromium: three photos taught from the viewer ("Teach Glimpse…",
 * a name the bundled model has no word for), a search for the name that answers with the concept's
 * matches and says why, and a wrong match corrected with "Not Dune", after which it is gone from the
 * results. Screenshots go to test-output/e2e-concepts/.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { conceptLibrary } from '../../src/scenes/concept-set.js';
import type { ApiHost } from '../../src/main/host/api-host.js';
import type { WebServer } from '../../src/main/web/server.js';
import { scene, tempDir, writeScene } from '../fixtures.js';
import { type LibraryInBrowser, noChromium, openLibraryInBrowser } from './web-app.js';

describe('teaching a concept, in a browser', { skip: noChromium }, () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Holidays');
  const dataDir = join(tmp.path, 'data');
  let lib: LibraryInBrowser;
  let host: ApiHost;
  let server: WebServer;
  let page: Page;
  const shot = (name: string) => lib.shot(name);
  const results = () => lib.resultNames();

  before(async () => {
    await mkdir(library, { recursive: true });
    const dunes: Array<Parameters<typeof scene>> = [
      [[['purple', 'circle']], 'sand', 'middle', 1],
      [[['purple', 'star', 2]], 'sand', 'left', 2],
      [[['purple', 'triangle']], 'sand', 'right', 3],
      [[['purple', 'square', 3]], 'sand', 'top', 4],
      [
        [
          ['purple', 'diamond'],
          ['red', 'circle'],
        ],
        'sand',
        null,
        5,
      ],
    ];
    const others: Array<Parameters<typeof scene>> = [
      [[['purple', 'circle']], 'grass', 'middle', 6],
      [[['purple', 'star']], 'sky', 'left', 7],
      [[['red', 'circle']], 'sand', 'middle', 8],
      [[['green', 'triangle', 2]], 'sand', 'bottom', 9],
      [[['blue', 'square']], 'grass', 'middle', 10],
      [[['yellow', 'star']], 'night', 'top', 11],
      [[['white', 'diamond']], 'night', 'middle', 12],
      [
        [
          ['red', 'triangle'],
          ['black', 'circle'],
        ],
        'plain',
        null,
        13,
      ],
    ];
    for (const [i, args] of dunes.entries()) await writeScene(join(library, `dune-${i + 1}.jpg`), scene(...args), { width: 640, height: 480 });
    for (const [i, args] of others.entries()) await writeScene(join(library, `other-${i + 1}.jpg`), scene(...args), { width: 640, height: 480 });
    // The rest of the library (the background the concept is told apart from): held-out scenes that are not it.
    const rest = conceptLibrary(60).filter((s) => !(s.background === 'sand' && s.groups.some((g) => g.colour === 'purple')));
    for (const [i, s] of rest.entries()) await writeScene(join(library, 'more', `scene-${i + 1}.jpg`), s, { width: 320, height: 240 });
    lib = await openLibraryInBrowser({ dataDir, library, shots: 'e2e-concepts', settleShots: true, device: 'cpu', captions: false, ocr: false });
    ({ host, server, page } = lib);
  });
  after(async () => {
    await lib?.close();
    tmp.remove();
  });

  it('teaches "Dune" from the viewer with three photos', async () => {
    await page.goto(server.loginUrl);
    await page.getByTestId('search-input').fill('purple on sand');
    for (const name of ['dune-1.jpg', 'dune-2.jpg', 'dune-3.jpg']) {
      const tile = page.locator(`[data-testid="result"][data-name="${name}"]`);
      await tile.waitFor();
      await tile.click();
      await page.locator(`[data-testid="viewer"]`).waitFor();
      await page.getByTestId('teach-concept').click();
      await page.getByTestId('concept-name').fill('Dune');
      if (name === 'dune-1.jpg') await shot('teach-form');
      await page.getByTestId('concept-save').click();
      // A photo the concept already matches shows its chip before the save ("Dune 0.79"); the save turns it into an example.
      const chip = page.locator('[data-testid="concept-chip"][data-name="Dune"]').filter({ hasText: 'example' });
      await chip.waitFor();
      assert.match((await chip.textContent()) ?? '', /^Dune\s*example/);
      if (name === 'dune-3.jpg') await shot('taught-third-example');
      await page.getByTestId('close-viewer').click();
      await page.getByTestId('viewer').waitFor({ state: 'detached' });
    }
    const concepts = host.engine.concepts();
    assert.equal(concepts.length, 1, 'one concept, three examples: "Dune" was found again by its name');
    assert.equal(concepts[0]!.examples.length, 3);
  });

  it('finds the concept by its name, says why, and forgets a match the user corrects', async () => {
    await page.getByTestId('search-input').fill('dune');
    await page.getByTestId('result-concept').first().waitFor();
    assert.match((await page.getByTestId('result-concept').first().textContent()) ?? '', /Concept Dune, .*confidence \d\.\d\d/);
    const found = await results();
    for (const name of ['dune-1.jpg', 'dune-2.jpg', 'dune-3.jpg']) assert.ok(found.includes(name), `${name} (an example) is a result: ${found.join(', ')}`);
    await shot('search-by-name');
    // Correct a match that is wrong (a photo that is not purple things on sand), or else the first one the concept found by itself.
    const examples = new Set(host.engine.concepts()[0]!.examples);
    const taught = await page.getByTestId('result').evaluateAll((tiles) => tiles.map((t) => ({ id: Number(t.getAttribute('data-id')), name: t.getAttribute('data-name')! })));
    const wrong = taught.find((t) => !examples.has(t.id) && !t.name.startsWith('dune')) ?? taught.find((t) => !examples.has(t.id));
    assert.ok(wrong, `the concept matched a photo of its own: ${found.join(', ')}`);
    await page.locator(`[data-testid="result"][data-name="${wrong.name}"]`).click();
    const chip = page.locator('[data-testid="concept-chip"][data-name="Dune"]');
    await chip.waitFor();
    await shot('viewer-chip-before-correction');
    await chip.getByTestId('concept-not').click();
    await chip.waitFor({ state: 'detached' });
    await shot('viewer-after-not-dune');
    await page.getByTestId('close-viewer').click();
    await page.waitForFunction((name) => ![...document.querySelectorAll('[data-testid="result"]')].some((t) => t.getAttribute('data-name') === name), wrong.name);
    await page.getByTestId('result-concept').first().waitFor();
    assert.ok(!(await results()).includes(wrong.name), `${wrong.name} is no longer a result`);
    assert.deepEqual(host.engine.concepts()[0]!.counterExamples, [wrong.id]);
    await shot('search-after-correction');
  });
});
