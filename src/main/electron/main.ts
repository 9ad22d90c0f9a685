/**
 * The Electron shell: the window, its menu, dialogs, the two app protocols and the IPC bridge.
 * Everything else happens in the engine's utility process (engine-process.ts), behind the shared
 * API contract in src/shared/api.ts.
 *
 * Security: the window is sandboxed with context isolation and no Node; the renderer is served from
 * the `glimpse-app://app/` origin with a CSP header (and the same policy in its meta tag); it cannot
 * navigate anywhere else or open windows; photos reach it only through `glimpse-media://`, which
 * serves indexed photo ids and nothing else; every IPC call is checked for its sender and validated
 * against the contract before anything acts on it.
 */
import {
  BrowserWindow,
  Menu,
  app,
  dialog,
  ipcMain,
  nativeTheme,
  net,
  protocol,
  screen,
  session,
  shell,
  utilityProcess,
  type IpcMainInvokeEvent,
  type MenuItemConstructorOptions,
  type UtilityProcess,
} from 'electron';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type MethodName, type PhotoDetail, type Reply, parseCall } from '../../shared/api.js';
import type { EngineToMain, MainToEngine, MediaFile } from './messages.js';

const here = dirname(fileURLToPath(import.meta.url));
/** out/electron/main/electron -> out/renderer (the Vite build). */
const RENDERER_DIR = resolve(here, '../../../renderer');
const PRELOAD = join(here, '../../preload/preload.cjs');
const ENGINE_ENTRY = join(here, 'engine-process.js');

const APP_SCHEME = 'glimpse-app';
const APP_HOST = 'app';
const APP_INDEX = `${APP_SCHEME}://${APP_HOST}/index.html`;
const MEDIA_SCHEME = 'glimpse-media';
/** Sent as a header with the renderer's HTML; index.html carries the same policy in a meta tag. */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  `img-src 'self' ${MEDIA_SCHEME}: data:`,
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

// Before `ready`: the schemes, the sandbox for every renderer, and the data folder.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } },
  { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);
app.enableSandbox();

const override = process.env.GLIMPSE_DATA_DIR;
const dataDir = override ? resolve(override) : app.getPath('userData');
// An overridden data folder holds the whole profile (window state, Chromium's caches) as well.
if (override) {
  mkdirSync(dataDir, { recursive: true });
  app.setPath('userData', dataDir);
}

let win: BrowserWindow | undefined;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const notFound = () => new Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } });

/** The renderer's own document: nothing else may be loaded in, or navigated to by, the window. */
function isAppDocument(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && (parsed.pathname === '/' || parsed.pathname === '/index.html');
  } catch {
    return false;
  }
}

// ---- the engine's utility process ----

type Pending = { settle: (reply: EngineToMain & { kind: 'reply' }) => void; fail: (reason: string) => void };

/** The engine in its utility process: requests with ids, replies, events, restarts after a crash. */
class EngineProcess {
  #child: UtilityProcess | undefined;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #crashes: number[] = [];
  #closing: Promise<void> | undefined;
  #fatal: string | undefined;
  /** Settles once the current child has opened the library (or failed to): requests wait for it. */
  #up: Promise<void> = Promise.resolve();
  #markUp: () => void = () => undefined;

  start(): void {
    const bundled = app.isPackaged ? { GLIMPSE_BUNDLED_MODELS: join(process.resourcesPath, 'models') } : {};
    const child = utilityProcess.fork(ENGINE_ENTRY, [], {
      serviceName: 'Glimpse engine',
      stdio: 'inherit',
      env: { ...process.env, ...bundled, GLIMPSE_DATA_DIR: dataDir },
    });
    this.#child = child;
    this.#fatal = undefined;
    this.#up = new Promise<void>((resolve) => (this.#markUp = resolve));
    child.on('message', (msg: EngineToMain) => this.#receive(msg));
    child.on('exit', (code) => this.#exited(child, code));
  }

  #receive(msg: EngineToMain): void {
    if (msg.kind === 'reply') {
      const pending = this.#pending.get(msg.callId);
      this.#pending.delete(msg.callId);
      pending?.settle(msg);
    } else if (msg.kind === 'event') {
      if (win && !win.isDestroyed()) win.webContents.send('glimpse:event', { event: msg.event, data: msg.data });
    } else if (msg.kind === 'ready') {
      this.#markUp();
    } else if (msg.kind === 'fatal') {
      this.#fatal = msg.error;
      this.#markUp();
      dialog.showErrorBox('Glimpse could not open its library', `${msg.error}\n\nLibrary folder: ${dataDir}`);
    }
  }

  #exited(child: UtilityProcess, code: number): void {
    if (child !== this.#child) return;
    this.#child = undefined;
    this.#markUp();
    const reason = `The library engine stopped (exit code ${code}).`;
    for (const pending of this.#pending.values()) pending.fail(reason);
    this.#pending.clear();
    if (this.#closing) return;
    const now = Date.now();
    this.#crashes = [...this.#crashes.filter((t) => now - t < 60_000), now];
    if (this.#crashes.length <= 3) {
      console.error(`glimpse: ${reason} Starting it again.`);
      this.start();
    } else {
      this.#fatal = reason;
      dialog.showErrorBox('Glimpse', `${reason} It stopped several times in a minute, so Glimpse will not restart it. Quit and open Glimpse again.`);
    }
  }

  #request<T>(message: MainToEngine & { callId: number }, onReply: (reply: (EngineToMain & { kind: 'reply' })['reply']) => T, onFail: (reason: string) => T): Promise<T> {
    return this.#up.then(
      () =>
        new Promise<T>((resolve) => {
          const child = this.#child;
          if (!child || this.#closing) {
            resolve(onFail(this.#fatal ?? 'The library engine is not running.'));
            return;
          }
          this.#pending.set(message.callId, { settle: (msg) => resolve(onReply(msg.reply)), fail: (reason) => resolve(onFail(reason)) });
          child.postMessage(message);
        }),
    );
  }

  /** A contract call; always resolves to a Reply. */
  call(method: MethodName, params: unknown): Promise<Reply<MethodName>> {
    return this.#request(
      { kind: 'call', callId: this.#nextId++, method, params },
      (reply) => (reply && 'ok' in reply ? reply : { ok: false, error: 'The library engine sent a malformed reply.' }),
      (reason) => ({ ok: false, error: reason }),
    );
  }

  /** The file behind a media URL, or null unless the id is an indexed photo. */
  media(mediaKind: 'thumb' | 'full', id: number): Promise<MediaFile | null> {
    return this.#request(
      { kind: 'media', callId: this.#nextId++, mediaKind, id },
      (reply) => (reply && 'path' in reply && typeof reply.path === 'string' ? reply : null),
      () => null,
    );
  }

  /** Asks the engine to close its database cleanly; kills it if it takes too long. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      const child = this.#child;
      if (!child) return resolve();
      const timer = setTimeout(() => {
        child.kill();
        resolve();
      }, 5_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.postMessage({ kind: 'close' } satisfies MainToEngine);
    });
    return this.#closing;
  }
}

const engine = new EngineProcess();

// ---- window state ----

interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

const DEFAULT_STATE: WindowState = { width: 1280, height: 820, maximized: false };
const stateFile = () => join(app.getPath('userData'), 'window-state.json');

function loadWindowState(): WindowState {
  try {
    const raw = JSON.parse(readFileSync(stateFile(), 'utf8')) as Partial<WindowState>;
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : undefined);
    const width = Math.max(720, num(raw.width) ?? DEFAULT_STATE.width);
    const height = Math.max(480, num(raw.height) ?? DEFAULT_STATE.height);
    const x = num(raw.x);
    const y = num(raw.y);
    const state: WindowState = { width, height, maximized: raw.maximized === true };
    // Only where it is still on a screen (a monitor may have gone since).
    if (x !== undefined && y !== undefined) {
      const onScreen = screen.getAllDisplays().some(({ workArea: a }) => x + width - 100 > a.x && x + 100 < a.x + a.width && y >= a.y - 10 && y + 50 < a.y + a.height);
      if (onScreen) Object.assign(state, { x, y });
    }
    return state;
  } catch {
    return { ...DEFAULT_STATE };
  }
}

function saveWindowState(window: BrowserWindow): void {
  if (window.isDestroyed()) return;
  const state: WindowState = { ...window.getNormalBounds(), maximized: window.isMaximized() };
  try {
    const file = stateFile();
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify(state));
    renameSync(`${file}.tmp`, file);
  } catch (error) {
    console.error(`glimpse: could not save the window's size: ${message(error)}`);
  }
}

// ---- IPC ----

/** Only our window's top frame, showing our own document, may call. */
function fromOurWindow(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return !!win && !win.isDestroyed() && event.sender.id === win.webContents.id && !!frame && frame.parent === null && isAppDocument(frame.url);
}

async function pickFolder(): Promise<string | null> {
  const options = { title: 'Add a folder of photos', buttonLabel: 'Add Folder', properties: ['openDirectory' as const] };
  const picked = win && !win.isDestroyed() ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  return picked.canceled ? null : (picked.filePaths[0] ?? null);
}

/** Validates a call, handles the two that need the desktop (dialogs, the file manager), forwards the rest. */
async function handleCall(method: unknown, params: unknown): Promise<Reply<MethodName>> {
  let call: ReturnType<typeof parseCall>;
  try {
    call = parseCall(method, params);
  } catch (error) {
    return { ok: false, error: message(error) };
  }
  try {
    if (call.method === 'pickFolder') return { ok: true, result: { path: await pickFolder() } };
    if (call.method === 'openInFileManager') {
      const { id } = call.params as { id: number };
      const reply = (await engine.call('photo', { id })) as Reply<'photo'>;
      if (!reply.ok) return reply;
      const path = (reply.result as PhotoDetail).path;
      if (!existsSync(path)) return { ok: true, result: { opened: false } };
      shell.showItemInFolder(path);
      return { ok: true, result: { opened: true } };
    }
    return await engine.call(call.method, call.params);
  } catch (error) {
    return { ok: false, error: message(error) };
  }
}

// ---- protocols ----

function registerProtocols(): void {
  // The renderer's files, from the Vite build only, with the CSP as a header.
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST || (request.method !== 'GET' && request.method !== 'HEAD')) return notFound();
    let relative: string;
    try {
      relative = decodeURIComponent(url.pathname).replace(/^\/+/, '') || 'index.html';
    } catch {
      return notFound();
    }
    const file = resolve(RENDERER_DIR, relative);
    if (!file.startsWith(RENDERER_DIR + sep)) return notFound();
    const response = await net.fetch(pathToFileURL(file).toString()).catch(() => undefined);
    if (!response?.ok) return notFound();
    const headers: Record<string, string> = {
      'content-type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    };
    if (extname(file).toLowerCase() === '.html') headers['content-security-policy'] = CSP;
    return new Response(response.body, { headers });
  });

  // Photos: `glimpse-media://thumb/<id>` and `glimpse-media://full/<id>`, for indexed photo ids only.
  protocol.handle(MEDIA_SCHEME, async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return notFound();
    const url = new URL(request.url);
    const kind = url.host;
    const id = /^\/(\d{1,15})\/?$/.exec(url.pathname)?.[1];
    if ((kind !== 'thumb' && kind !== 'full') || !id || !Number.isSafeInteger(Number(id)) || Number(id) <= 0) return notFound();
    const file = await engine.media(kind, Number(id));
    if (!file) return notFound();
    const response = await net.fetch(pathToFileURL(file.path).toString()).catch(() => undefined);
    if (!response?.ok) return notFound();
    return new Response(response.body, { headers: { 'content-type': file.mime, 'cache-control': 'private, max-age=300', 'x-content-type-options': 'nosniff' } });
  });
}

// ---- window and menu ----

function createWindow(): void {
  const state = loadWindowState();
  const window = new BrowserWindow({
    ...state,
    minWidth: 720,
    minHeight: 480,
    title: 'Glimpse',
    show: false,
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#141416' : '#f5f5f3',
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });
  win = window;
  if (state.maximized) window.maximize();
  window.once('ready-to-show', () => window.show());

  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  const saveSoon = () => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => saveWindowState(window), 500);
  };
  window.on('resize', saveSoon);
  window.on('move', saveSoon);
  window.on('close', () => {
    clearTimeout(saveTimer);
    saveWindowState(window);
  });
  window.on('closed', () => {
    if (win === window) win = undefined;
  });

  void window.loadURL(APP_INDEX);
}

async function addFolderFromMenu(): Promise<void> {
  const path = await pickFolder();
  if (!path) return;
  const reply = await engine.call('addFolder', { path });
  if (!reply.ok) dialog.showErrorBox('Glimpse could not add the folder', reply.error);
}

function buildMenu(): void {
  const mac = process.platform === 'darwin';
  const about = async () => {
    await dialog.showMessageBox({
      type: 'info',
      title: 'About Glimpse',
      message: `Glimpse ${app.getVersion()}`,
      detail: `Search your own photos by describing them. Everything stays on this computer.\n\nLibrary: ${dataDir}`,
      buttons: ['OK'],
    });
  };
  const template: MenuItemConstructorOptions[] = [
    ...(mac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Add Folder…', accelerator: 'CmdOrCtrl+O', click: () => void addFolderFromMenu() },
        { label: 'Show Library Data Folder', click: () => void shell.openPath(dataDir) },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(app.isPackaged ? [] : [{ type: 'separator' as const }, { role: 'reload' as const }, { role: 'toggleDevTools' as const }]),
      ],
    },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: 'About Glimpse', click: () => void about() }] },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

// ---- lifecycle ----

function lockDown(): void {
  // No camera, microphone, notifications, geolocation…: the app asks for nothing.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => {
      if (!isAppDocument(event.url)) event.preventDefault();
    });
    contents.on('will-redirect', (event) => {
      if (!isAppDocument(event.url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

function main(): void {
  lockDown();

  app.on('second-instance', () => {
    if (!win || win.isDestroyed()) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });

  void app.whenReady().then(() => {
    if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
      dialog.showErrorBox('Glimpse', `The renderer is not built (no ${join(RENDERER_DIR, 'index.html')}): run npm run build:renderer.`);
      app.quit();
      return;
    }
    registerProtocols();
    ipcMain.handle('glimpse:call', async (event, call: unknown): Promise<Reply<MethodName>> => {
      if (!fromOurWindow(event)) return { ok: false, error: 'refused: the call did not come from the Glimpse window' };
      if (typeof call !== 'object' || call === null) return { ok: false, error: 'malformed call: expected {method, params}' };
      const { method, params } = call as { method?: unknown; params?: unknown };
      return handleCall(method, params);
    });
    engine.start();
    buildMenu();
    createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Let the engine close SQLite cleanly before the app goes.
  let engineClosed = false;
  app.on('before-quit', (event) => {
    if (engineClosed) return;
    event.preventDefault();
    void engine.close().finally(() => {
      engineClosed = true;
      app.quit();
    });
  });
}

// One app per library: a second start focuses the first window instead.
if (app.requestSingleInstanceLock()) main();
else app.quit();
