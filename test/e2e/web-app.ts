// What the browser end-to-end tests share: Debian's Chromium, web mode serving an ApiHost, and a
// downloadable-pack catalogue served by the Hugging Face-like test server.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { RENDERER_DIR } from '../../src/cli/web.js';
import type { UpdateSummary } from '../../src/main/engine/engine.js';
import { ApiHost, type ApiHostOptions } from '../../src/main/host/api-host.js';
import { type WebServer, startWebServer } from '../../src/main/web/server.js';
import { unpinnedManifest } from '../main/engine/models/fake-hub.js';

export const CHROMIUM = process.env.GLIMPSE_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Why the browser tests cannot run here, or false. */
export const noChromium = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;

/**
 * Offers one pack for download (the bundled pack's files, under another id) from the hub: writes a
 * catalogue folder and points GLIMPSE_PACK_CATALOGUE at it. Returns the undo.
 */
export async function offerPackFromHub(dir: string, pack: { id: string; name: string; description: string }): Promise<() => void> {
  mkdirSync(dir, { recursive: true });
  await writeFile(join(dir, `${pack.id}.json`), JSON.stringify({ ...(await unpinnedManifest()), ...pack }));
  process.env.GLIMPSE_PACK_CATALOGUE = dir;
  return () => delete process.env.GLIMPSE_PACK_CATALOGUE;
}

export interface AppInBrowser {
  server: WebServer;
  page: Page;
  /** What the page's Content-Security-Policy blocked, as Chromium reported it (its console and `securitypolicyviolation` events). */
  cspViolations: string[];
  close: () => Promise<void>;
}

/** Serves the built renderer for `host` and opens a 1280 x 800 page in Chromium (not yet navigated). */
export async function openInBrowser(host: ApiHost): Promise<AppInBrowser> {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) throw new Error('the renderer is not built: run npm run build:renderer');
  const server = await startWebServer({ host, rendererDir: RENDERER_DIR });
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  // Both ways Chromium tells of a blocked script, style or connection (the event also covers what it does not log).
  const cspViolations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  await page.exposeFunction('glimpseTestCspViolation', (text: string) => cspViolations.push(text));
  await page.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { glimpseTestCspViolation: (text: string) => void }).glimpseTestCspViolation;
      report(`${event.effectiveDirective} blocked ${event.blockedURI || 'inline'} at ${event.sourceFile}:${event.lineNumber}`);
    }),
  );
  return {
    server,
    page,
    cspViolations,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/** A library served to Chromium, as the feature end-to-end tests drive it. */
export interface LibraryInBrowser extends AppInBrowser {
  host: ApiHost;
  /** What indexing the library folder did when it was opened. */
  summary: UpdateSummary;
  /** A numbered screenshot in the test's folder (after animations have finished, when the test settles its shots). */
  shot: (name: string) => Promise<void>;
  /** The file names of the result tiles, in grid order. */
  resultNames: () => Promise<Array<string | null>>;
}

/**
 * Opens a host on `dataDir` (no folder watching), adds and indexes `library`, and serves the app to a
 * 1280 x 800 Chromium page (not yet navigated); screenshots go to test-output/`shots`/, emptied first.
 * `settleShots`: each screenshot waits for running animations to end (not for a page with a spinner).
 */
export async function openLibraryInBrowser(
  options: Omit<ApiHostOptions, 'onEvent' | 'watch'> & { library: string; shots: string; settleShots?: boolean },
): Promise<LibraryInBrowser> {
  const { library, shots, settleShots = false, ...hostOptions } = options;
  const dir = join(process.cwd(), 'test-output', shots);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let server: WebServer | undefined;
  const host = await ApiHost.open({ ...hostOptions, watch: false, onEvent: (event, data) => server?.broadcast(event, data) });
  try {
    host.engine.addFolder(library);
    const summary = await host.engine.update();
    const app = await openInBrowser(host);
    server = app.server;
    const { page } = app;
    let step = 0;
    return {
      ...app,
      host,
      summary,
      shot: async (name) => {
        if (settleShots) await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
        await page.screenshot({ path: join(dir, `${String(++step).padStart(2, '0')}-${name}.png`), fullPage: false });
      },
      resultNames: () => page.getByTestId('result').evaluateAll((tiles) => tiles.map((t) => t.getAttribute('data-name'))),
      close: async () => {
        await app.close();
        await host.close();
      },
    };
  } catch (error) {
    await host.close();
    throw error;
  }
}
