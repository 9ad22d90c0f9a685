/**
 * Real users' folders in the app (issue 27.1), as a user sees them in web mode: a folder with symbolic
 * link loops (`a/b -> ..`, `a/c -> /`) made the server stop answering, across restarts; a folder with
 * more folders than are watched live now says it is rescanned instead. Real Chromium, a real watcher.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { ApiHost } from '../../src/main/host/api-host.js';
import type { WebServer } from '../../src/main/web/server.js';
import { scene, tempDir, writeScene } from '../fixtures.js';
import { type AppInBrowser, noChromium, openInBrowser } from './web-app.js';

const SHOTS = join(process.cwd(), 'test-output', 'e2e-real-folders');

describe('folders as real users have them, in the app', { skip: noChromium }, () => {
  const tmp = tempDir();
  const photos = join(tmp.path, 'Photos');
  const archive = join(tmp.path, 'Archive');
  let deepest = archive;
  let host: ApiHost;
  let app: AppInBrowser;
  let server: WebServer | undefined;
  let page: Page;

  before(async () => {
    await mkdir(SHOTS, { recursive: true });
    await writeScene(join(photos, 'a', 'beach.jpg'), scene([['blue', 'circle']], 'sand', 'left', 1), { width: 640, height: 480 });
    await symlink('..', join(photos, 'a', 'b'));
    await symlink('/', join(photos, 'a', 'c'));
    for (let i = 0; i < 80; i++) deepest = join(deepest, `d${i}`);
    await mkdir(deepest, { recursive: true });
    await writeScene(join(archive, 'field.jpg'), scene([['green', 'square']], 'grass', 'right', 2), { width: 640, height: 480 });
    await writeScene(join(tmp.path, 'later.jpg'), scene([['red', 'star']], 'night', 'middle', 3), { width: 640, height: 480 });
    host = await ApiHost.open({
      dataDir: join(tmp.path, 'data'),
      device: 'cpu',
      captions: false,
      ocr: false,
      watcherOptions: { maxFolders: 40, pollMs: 2000, debounceMs: 300, writeSettleMs: 200 },
      onEvent: (event, data) => server?.broadcast(event, data),
    });
    app = await openInBrowser(host);
    ({ server, page } = app);
  });
  after(async () => {
    await app?.close();
    await host?.close();
    tmp.remove();
  });

  it('adds a folder with link loops and one too large to watch live, answers throughout, and says how each is kept up to date', { timeout: 180_000 }, async () => {
    await page.goto(server!.loginUrl);
    await page.getByTestId('nav-library').click();
    for (const folder of [photos, archive]) {
      const added = (await Promise.race([host.handle('addFolder', { path: folder }), new Promise((r) => setTimeout(() => r(null), 10_000))])) as { ok: boolean } | null;
      assert.ok(added?.ok, `adding ${folder} answers at once`);
    }
    const note = page
      .getByTestId('folder')
      .filter({ hasText: archive })
      .getByText(/Not watched live/);
    await note.waitFor({ timeout: 60_000 });
    assert.equal(await note.textContent(), 'Not watched live: it holds more than 40 folders, more than Glimpse watches at once. Changes are picked up by a rescan every 2 s.');
    await page.getByTestId('library-totals').and(page.locator('[data-indexed="2"]')).waitFor({ timeout: 60_000 });
    assert.equal(
      await page
        .getByTestId('folder')
        .filter({ hasText: photos })
        .getByText(/Not watched live/)
        .count(),
      0,
      'the folder with loops is watched live',
    );
    await page.screenshot({ path: join(SHOTS, '01-library-with-loops-and-a-large-folder.png') });
    // A photo copied deep into the large folder arrives by the rescan, and the page shows it.
    await copyFile(join(tmp.path, 'later.jpg'), join(deepest, 'later.jpg'));
    await page.getByTestId('library-totals').and(page.locator('[data-indexed="3"]')).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(SHOTS, '02-new-photo-found-by-the-rescan.png') });
  });
});
