/**
 * The first hour, as a new user meets it in a browser (issue 27): the sample library is searchable as
 * soon as it is indexed and Search opens then, while the text in its photos is read after as a phase of
 * its own (27.11); the totals under the progress bar move with it (27.11); a query the bundled model
 * cannot read says so instead of guessing (27.2). Screenshots go to test-output/e2e-first-hour/.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { ApiHost } from '../../src/main/host/api-host.js';
import type { WebServer } from '../../src/main/web/server.js';
import { randomScene } from '../../src/scenes/scene.js';
import { tempDir, writeScene } from '../fixtures.js';
import { type AppInBrowser, noChromium, openInBrowser } from './web-app.js';

const SHOTS = join(process.cwd(), 'test-output', 'e2e-first-hour');

describe('the first hour, in a browser', { skip: noChromium }, () => {
  const tmp = tempDir();
  let host: ApiHost;
  let app: AppInBrowser;
  let server: WebServer;
  let page: Page;
  let step = 0;
  const shot = async (name: string) => {
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity));
    await page.screenshot({ path: join(SHOTS, `${String(++step).padStart(2, '0')}-${name}.png`), fullPage: false });
  };
  const progress = () => page.getByTestId('progress');

  before(async () => {
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    host = await ApiHost.open({ dataDir: join(tmp.path, 'data'), device: 'cpu', watch: false, onEvent: (event, data) => server?.broadcast(event, data) });
    app = await openInBrowser(host);
    ({ server, page } = app);
  });
  after(async () => {
    await app?.close();
    await host?.close();
    tmp.remove();
  });

  it('the sample library: indexing shown in Library, Search once it is searchable, its text read after in a phase of its own', async () => {
    await page.goto(server.loginUrl);
    await page.getByTestId('empty-state').waitFor();
    // What Glimpse does besides search, and that the user can turn it off, is said before anything is added.
    assert.match((await page.getByTestId('first-run-people').textContent()) ?? '', /groups the faces in them into people[\s\S]*on this computer only; Settings turns\s+either off/);
    await page.getByTestId('try-sample').click();
    await page.locator('[data-testid="progress"][data-phase="indexing"]').waitFor({ timeout: 120_000 });
    await shot('sample-indexing');
    // Search opens by itself once every photo is searchable, while the text in them is still being read.
    await page.locator('[data-testid="nav-search"][aria-current="page"]').waitFor({ timeout: 120_000 });
    assert.equal(host.engine.progress.phase, 'reading', 'Search opened before the text was read');
    assert.equal(host.engine.stores.photos.counts(host.engine.pack.id).indexed, 60);
    await page.getByTestId('search-input').fill('a red circle on grass');
    await page.getByTestId('result').first().waitFor();
    await shot('sample-search-while-reading');
    await page.getByTestId('nav-library').click();
    await page.locator('[data-testid="progress"][data-phase="reading"]').waitFor();
    await page.getByTestId('reading-note').waitFor();
    await page.locator('[data-testid="library-totals"][data-indexed="60"]').waitFor();
    await shot('sample-reading-text');
    await page.locator('[data-testid="progress"][data-phase="idle"]').waitFor({ timeout: 300_000 });
    await shot('sample-done');
  });

  it('says which words the bundled model does not know, and shows no guessed matches', async () => {
    await page.getByTestId('nav-search').click();
    await page.getByTestId('search-input').fill('a bird');
    const notice = page.getByTestId('unknown-words');
    await notice.waitFor();
    assert.equal(await notice.textContent(), "tiny-coca does not know 'bird': showing name and text matches only.");
    await page.getByTestId('no-results').waitFor();
    assert.equal(await page.getByTestId('result').count(), 0);
    await shot('unknown-words');
    await page.getByTestId('search-input').fill('a red circle');
    await page.getByTestId('result').first().waitFor();
    assert.equal(await notice.count(), 0, 'a query it knows says nothing of the kind');
  });

  it('names a pack that reads words in another language, and opens Models from the notice', async () => {
    await page.getByTestId('search-input').fill('猫');
    const notice = page.getByTestId('unknown-words');
    await notice.waitFor();
    const text = (await notice.textContent()) ?? '';
    const reader = /\. (.+) reads Chinese\.$/.exec(text);
    assert.ok(text.startsWith("tiny-coca does not know '猫': showing name and text matches only.") && reader, text);
    await shot('unknown-words-reader');
    await page.getByTestId('unknown-words-models').click();
    const row = page.locator('[data-testid="model"]').filter({ has: page.getByText(reader[1]!, { exact: true }) });
    await row.first().waitFor();
    assert.equal(await row.count(), 1, 'Settings lists the pack the notice named');
    await page.getByTestId('nav-search').click();
  });

  it('moves the totals under the progress bar while photos are indexed, not only when the job ends', async () => {
    const folder = join(tmp.path, 'More');
    for (let i = 0; i < 240; i++) await writeScene(join(folder, `IMG_${2000 + i}.jpg`), randomScene(5_000_000 + i), { width: 320, height: 240 });
    await page.getByTestId('nav-library').click();
    await page.getByTestId('folder-path-input').fill(folder);
    await page.getByTestId('add-folder').click();
    // Part-way: the bar has moved, and so has "searchable" (60 sample photos before, 300 after).
    await page.waitForFunction(
      () => {
        const bar = document.querySelector<HTMLElement>('[data-testid="progress"]');
        const totals = document.querySelector<HTMLElement>('[data-testid="library-totals"]');
        const indexed = Number(totals?.dataset.indexed);
        return bar?.dataset.phase === 'indexing' && Number(bar.dataset.done) > 0 && indexed > 60 && indexed < 300;
      },
      undefined,
      { timeout: 120_000, polling: 50 },
    );
    await shot('totals-follow-the-bar');
    await progress().and(page.locator('[data-phase="reading"], [data-phase="idle"]')).waitFor({ timeout: 120_000 });
    await page.locator('[data-testid="library-totals"][data-indexed="300"]').waitFor();
  });
});
