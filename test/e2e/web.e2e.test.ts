/**
 * End to end in a real browser: Debian's Chromium, driven by Playwright, against web mode with the
 * bundled model. Screenshots of every step go to test-output/e2e/.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page, Request } from 'playwright-core';
import { ApiHost } from '../../src/main/host/api-host.js';
import type { WebServer } from '../../src/main/web/server.js';
import { scene, tempDir, writeScene } from '../fixtures.js';
import { FakeHub } from '../main/engine/models/fake-hub.js';
import { type AppInBrowser, noChromium, offerPackFromHub, openInBrowser } from './web-app.js';

const SHOTS = join(process.cwd(), 'test-output', 'e2e');

const RED = ['red-left.jpg', 'red-right.jpg', 'red-top.jpg'];

describe('the app in a browser (web mode)', { skip: noChromium }, () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Holiday');
  let host: ApiHost;
  let app: AppInBrowser;
  let server: WebServer;
  let page: Page;
  let withdrawPack: () => void = () => undefined;
  let step = 0;
  const hub = new FakeHub();
  const shot = async (name: string) => page.screenshot({ path: join(SHOTS, `${String(++step).padStart(2, '0')}-${name}.png`), fullPage: false });
  /** The page's WebSockets, and how many messages each brought. */
  const sockets = new Map<string, number>();

  before(async () => {
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    await writeScene(join(library, RED[0]!), scene([['red', 'circle']], 'grass', 'left', 1));
    await writeScene(join(library, RED[1]!), scene([['red', 'circle']], 'sand', 'right', 2));
    await writeScene(join(library, RED[2]!), scene([['red', 'circle']], 'sky', 'top', 3));
    const others = [
      scene([['blue', 'square']], 'sand', 'middle', 4),
      scene([['yellow', 'star', 2]], 'night', null, 5),
      scene([['green', 'triangle']], 'sky', 'bottom', 6),
      scene([['purple', 'diamond']], 'grass', 'left', 7),
      scene(
        [
          ['white', 'star'],
          ['orange', 'square'],
        ],
        'night',
        null,
        8,
      ),
      scene([['black', 'circle']], 'plain', 'right', 9),
    ];
    for (const [i, s] of others.entries()) await writeScene(join(library, `other-${i}.jpg`), s);
    // The downloadable catalogue: one pack, served by a Hugging Face-like loopback server.
    await hub.start();
    withdrawPack = await offerPackFromHub(join(tmp.path, 'catalogue'), { id: 'tiny-coca-hub', name: 'tiny-coca from the hub', description: 'The bundled model, downloaded' });
    host = await ApiHost.open({
      dataDir: join(tmp.path, 'data'),
      device: 'cpu',
      modelBaseUrl: hub.url('hub'),
      onEvent: (event, data) => server?.broadcast(event, data),
      watcherOptions: { debounceMs: 500, writeSettleMs: 300 },
    });
    app = await openInBrowser(host);
    ({ server, page } = app);
    page.on('websocket', (socket) => {
      sockets.set(socket.url(), 0);
      socket.on('framereceived', () => sockets.set(socket.url(), (sockets.get(socket.url()) ?? 0) + 1));
    });
  });
  after(async () => {
    await app?.close();
    await host?.close();
    hub.stop();
    withdrawPack();
    tmp.remove();
  });

  it('opens on an empty library that offers a way in', async () => {
    const response = await page.goto(server.loginUrl);
    await page.getByTestId('empty-state').waitFor();
    await shot('empty-library');
    // The policy the page runs under: no inline script or style, and connections to its own origin only.
    const csp = response?.headers()['content-security-policy'] ?? '';
    assert.match(csp, /(^|; )style-src 'self'(;|$)/, csp);
    assert.match(csp, /(^|; )connect-src 'self'(;|$)/, csp);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, csp);
  });

  it('adds a folder and shows indexing progress until it is done', async () => {
    await page.getByTestId('nav-library').click();
    await page.getByTestId('folder-path-input').fill(library);
    await page.getByTestId('add-folder').click();
    await page.locator('[data-testid="progress"][data-phase="idle"][data-done="9"]').waitFor({ timeout: 120_000 });
    assert.equal(host.engine.stores.photos.counts(host.engine.pack.id).indexed, 9);
    // The totals follow once the page has re-read the library's status.
    await page.locator('[data-testid="library-totals"][data-indexed="9"]').waitFor();
    await page.waitForTimeout(300); // let the progress bar's width transition finish before the screenshot
    await shot('library-indexed');
    // The progress came over the event socket, which connect-src 'self' lets the page open (same host and port).
    const events = `ws://${new URL(server.loginUrl).host}/api/events`;
    assert.ok((sockets.get(events) ?? 0) > 0, `messages on ${events}: ${JSON.stringify([...sockets])}`);
  });

  it('finds the red circles first for "a red circle"', async () => {
    // The photos are asked for as the app's own page's (Sec-Fetch-Site: same-origin), which web mode
    // requires of media requests: a page of another origin gets none (403).
    const sites: Array<Promise<string | undefined>> = [];
    const onRequest = (request: Request) => {
      if (new URL(request.url()).pathname.startsWith('/media/')) sites.push(request.allHeaders().then((h) => h['sec-fetch-site']));
    };
    page.on('request', onRequest);
    await page.getByTestId('nav-search').click();
    await page.getByTestId('search-input').fill('a red circle');
    const tiles = page.getByTestId('result');
    await tiles.first().waitFor();
    await page.waitForFunction(
      () =>
        document.querySelectorAll('[data-testid="result"] img').length > 0 &&
        [...document.querySelectorAll<HTMLImageElement>('[data-testid="result"] img')].every((i) => i.complete),
    );
    const names = await tiles.evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
    assert.deepEqual(new Set(names.slice(0, 3)), new Set(RED), `first results: ${names.join(', ')}`);
    page.off('request', onRequest);
    const loaded = await page.locator('[data-testid="result"] img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth > 0));
    assert.ok(loaded.length > 0 && loaded.every(Boolean), `every thumbnail loaded: ${loaded.join(', ')}`);
    assert.ok(sites.length > 0);
    assert.deepEqual(new Set(await Promise.all(sites)), new Set(['same-origin']));
    await shot('search-red-circle');
  });

  it('opens the viewer with the generated caption, and saves an edit', async () => {
    await page.getByTestId('result').first().click();
    await page.getByTestId('viewer').waitFor();
    assert.match((await page.getByTestId('viewer-caption').textContent()) ?? '', /red circle/);
    await shot('viewer');
    await page.getByTestId('edit-caption').click();
    await page.getByTestId('caption-input').fill('My red balloon at the park');
    await page.getByTestId('save-caption').click();
    await page.getByTestId('viewer-caption').filter({ hasText: 'My red balloon at the park' }).waitFor();
    const id = Number(await page.getByTestId('viewer').getAttribute('data-id'));
    assert.equal(host.engine.photoDetail(id).caption?.text, 'My red balloon at the park');
    await shot('caption-edited');
  });

  it('shows more like this: the other red circles first', async () => {
    const id = Number(await page.getByTestId('viewer').getAttribute('data-id'));
    await page.getByTestId('more-like-this').click();
    await page.waitForFunction((self) => {
      const first = document.querySelector('[data-testid="result"]');
      return first && first.getAttribute('data-id') !== String(self);
    }, id);
    const names = await page.getByTestId('result').evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
    assert.ok(RED.includes(names[0]!), `first similar photo: ${names[0]}`);
    await shot('more-like-this');
  });

  it('lists albums with generated titles', async () => {
    await page.keyboard.press('Escape');
    await page.getByTestId('nav-albums').click();
    await page.getByTestId('album').first().waitFor();
    await shot('albums');
  });

  it('says in Settings where each model runs, and why not on a GPU', async () => {
    await page.getByTestId('nav-settings').click();
    const rows = page.getByTestId('session');
    await rows.first().waitFor();
    const texts = await rows.allInnerTexts();
    assert.ok(
      texts.some((t) => /image encoder\s+CPU/.test(t)),
      `sessions: ${texts.join(' | ')}`,
    );
    assert.ok(
      texts.some((t) => /text encoder\s+CPU/.test(t)),
      `sessions: ${texts.join(' | ')}`,
    );
    await shot('settings');
  });

  it('keeps the photos of an unplugged folder, marked offline, and brings them back as they were', async () => {
    const { rename } = await import('node:fs/promises');
    await rename(library, `${library}-unplugged`);
    await host.engine.update(); // what the watcher or the periodic reconcile does when the folder vanishes
    await page.getByTestId('nav-library').click();
    await page.getByTestId('folder-offline').waitFor();
    assert.match((await page.getByTestId('folder-offline').textContent()) ?? '', /Offline since .*stay searchable/);
    await shot('library-offline');
    await page.getByTestId('nav-search').click();
    await page.getByRole('button', { name: 'Stop searching by example' }).click();
    await page.getByTestId('search-input').fill('a red balloon');
    await page.locator('[data-testid="result"] .offline').first().waitFor();
    const names = await page.getByTestId('result').evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
    assert.ok(names.length > 0 && RED.includes(names[0]!), 'offline photos are still found, the edited caption with them');
    await shot('search-offline');
    await rename(`${library}-unplugged`, library);
    const back = await host.engine.update();
    assert.equal(back.indexing.indexed, 0, 'nothing is embedded again');
    await page.getByTestId('nav-library').click();
    await page.getByTestId('folder-offline').waitFor({ state: 'detached' });
    assert.equal(host.engine.status().offline.length, 0);
  });
  it('downloads a model in Settings (pausing and resuming), then switches the library to it while search keeps working', async () => {
    hub.behaviour = { hashes: 'true', throttle: { bytes: 16 * 1024, everyMs: 10 } };
    await page.getByTestId('nav-settings').click();
    const row = page.locator('[data-testid="model"][data-id="tiny-coca-hub"]');
    await row.getByTestId('model-download').click();
    await row.getByTestId('model-progress').waitFor();
    await shot('model-downloading');
    await row.getByTestId('model-pause').click();
    await row.getByTestId('model-paused').waitFor();
    assert.match((await row.getByTestId('model-paused').textContent()) ?? '', /Paused at [\d.]+ MB/);
    hub.behaviour = { hashes: 'true' };
    await row.getByTestId('model-resume').click();
    await row.getByTestId('model-use').waitFor({ timeout: 60_000 });
    await shot('model-installed');
    await row.getByTestId('model-use').click();
    await row.getByText('In use').waitFor({ timeout: 120_000 });
    assert.equal(host.engine.pack.id, 'tiny-coca-hub');
    await shot('model-in-use');
    const { results } = await host.engine.search({ query: 'a red circle', limit: 5, sort: 'relevance', all: false });
    assert.ok(RED.includes(results[0]!.name), 'the new pack finds the red circles');
  });

  it('ran without one Content-Security-Policy violation, and would have reported one', async () => {
    assert.deepEqual(app.cspViolations, [], 'the app, through every step above, did nothing its CSP blocks');
    // What the policy forbids, done on purpose: an inline <style>, a style attribute, a socket to another port.
    const port = Number(new URL(server.loginUrl).port);
    await page.evaluate((other) => {
      const style = document.createElement('style');
      style.textContent = 'body { outline: 1px solid red }';
      document.head.append(style);
      document.body.insertAdjacentHTML('beforeend', '<div style="color: red"></div>');
      new WebSocket(`ws://127.0.0.1:${other}/`).onerror = () => undefined;
    }, port + 1);
    const deadline = Date.now() + 5_000;
    const seen = () => ['style-src-elem', 'style-src-attr', 'connect-src'].filter((directive) => app.cspViolations.some((v) => v.includes(directive)));
    while (seen().length < 3 && Date.now() < deadline) await page.waitForTimeout(50);
    assert.deepEqual(seen(), ['style-src-elem', 'style-src-attr', 'connect-src'], app.cspViolations.join('\n'));
  });
});
