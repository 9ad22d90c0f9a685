/**
 * The Electron shell: the window, its menu, dialogs, the two app protocols and the IPC bridge.
 * Everything else happens in the engine's utility process (engine-process.ts), behind the shared
 * API contract in src/shared/api.ts.
 *
 * This file is wiring only; what can run without Electron lives in plain-Node modules with their own
 * tests: engine-broker.ts (calls to the engine, timeouts, restarts), protocols.ts (what the two
 * protocols serve), ipc.ts (who may call, and what), folder-grants.ts (which folders the renderer may
 * add), window-state.ts (the window's size and place).
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
  protocol,
  screen,
  session,
  shell,
  utilityProcess,
  type IpcMainInvokeEvent,
  type MenuItemConstructorOptions,
} from 'electron';
import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ChildLike, EngineBroker } from './engine-broker.js';
import { engineEnvironment } from './engine-env.js';
import type { ProbeRun } from '../engine/models/webgpu-probe-script.js';
import { SLOW_CALL_TIMEOUTS_MS, type Sender, createCallHandler } from './ipc.js';
import { APP_INDEX, APP_SCHEME, MEDIA_SCHEME, type Refusal, isAppDocument, mediaFileResponse, routeAppRequest, routeMediaRequest } from './protocols.js';
import { MIN_HEIGHT, MIN_WIDTH, readWindowState, writeWindowState } from './window-state.js';
import { errorText } from '../../shared/error-text.js';

const here = dirname(fileURLToPath(import.meta.url));
/** out/electron/main/electron -> out/renderer (the Vite build). */
const RENDERER_DIR = resolve(here, '../../../renderer');
const PRELOAD = join(here, '../../preload/preload.cjs');
const ENGINE_ENTRY = join(here, 'engine-process.js');
const WEBGPU_PROBE_ENTRY = join(here, 'webgpu-probe.js');

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

const message = errorText;
const textResponse = (status: number, text: string) =>
  new Response(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' } });
const notFound = () => textResponse(404, 'not found');
const refused = (refusal: Refusal) => textResponse(refusal.status, refusal.reason);

// ---- the engine's utility process ----

/**
 * Electron's utility process as the broker's child: the engine, with the data folder and the bundled
 * models, and only the environment it needs (engine-env.ts: never NODE_OPTIONS or ELECTRON_RUN_AS_NODE).
 */
function forkEngine(): ChildLike {
  const bundled: Record<string, string> = app.isPackaged ? { GLIMPSE_BUNDLED_MODELS: join(process.resourcesPath, 'models') } : {};
  const child = utilityProcess.fork(ENGINE_ENTRY, [], {
    serviceName: 'Glimpse engine',
    stdio: 'inherit',
    env: engineEnvironment(process.env, { ...bundled, GLIMPSE_DATA_DIR: dataDir }),
  });
  return {
    postMessage: (msg) => child.postMessage(msg),
    on(event: 'message' | 'exit', listener: (value: never) => void) {
      if (event === 'message') child.on('message', (msg: unknown) => (listener as (msg: unknown) => void)(msg));
      else child.on('exit', (code) => (listener as (code: number | null) => void)(code));
      return this;
    },
    kill: () => child.kill(),
  };
}

/**
 * The WebGPU adapter probe in a utility process of its own, for the engine (its driver may write to
 * stderr or crash; a packaged app cannot run itself as Node, so the engine cannot start the probe).
 */
function probeWebgpu(moduleUrl: string, backend: string): Promise<ProbeRun> {
  return new Promise((resolve) => {
    const child = utilityProcess.fork(WEBGPU_PROBE_ENTRY, [moduleUrl, backend], { serviceName: 'Glimpse GPU check', stdio: 'pipe', env: engineEnvironment(process.env, {}) });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill(), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ failure: code === 0 ? null : `the probe exited with code ${code}`, stdout, stderr });
    });
  });
}

/** Calls, media look-ups, events, timeouts and restarts: see engine-broker.ts. */
const engine = new EngineBroker({
  spawn: forkEngine,
  probeWebgpu,
  onEvent: (event, data) => {
    if (win && !win.isDestroyed()) win.webContents.send('glimpse:event', { event, data });
  },
  onRestart: (reason) => console.error(`glimpse: ${reason} Starting it again.`),
  onFatal: (text) => dialog.showErrorBox('Glimpse', `${text}\n\nLibrary folder: ${dataDir}`),
});

// ---- window state ----

const stateFile = () => join(app.getPath('userData'), 'window-state.json');

function saveWindowState(window: BrowserWindow): void {
  if (window.isDestroyed()) return;
  try {
    writeWindowState(stateFile(), { ...window.getNormalBounds(), maximized: window.isMaximized() });
  } catch (error) {
    console.error(`glimpse: could not save the window's size: ${message(error)}`);
  }
}

// ---- IPC ----

/** Who sent an IPC message; ipc.ts decides whether to trust it. */
function senderOf(event: IpcMainInvokeEvent): Sender {
  const fromOurWindow = !!win && !win.isDestroyed() && event.sender.id === win.webContents.id;
  try {
    const frame = event.senderFrame;
    return { fromOurWindow, topFrame: !!frame && frame.parent === null, url: frame?.url ?? '' };
  } catch {
    // The frame went away while the message was on its way.
    return { fromOurWindow, topFrame: false, url: '' };
  }
}

async function pickFolder(): Promise<string | null> {
  const options = { title: 'Add a folder of photos', buttonLabel: 'Add Folder', properties: ['openDirectory' as const] };
  const picked = win && !win.isDestroyed() ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  return picked.canceled ? null : (picked.filePaths[0] ?? null);
}

async function pickExportFolder(): Promise<string | null> {
  const options = { title: 'Export photos to a folder', buttonLabel: 'Export Here', properties: ['openDirectory' as const, 'createDirectory' as const] };
  const picked = win && !win.isDestroyed() ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  return picked.canceled ? null : (picked.filePaths[0] ?? null);
}

/** A folder the renderer names without the picker's grant (the user typed it) is added only once the user says so here. */
async function confirmAddFolder(path: string): Promise<boolean> {
  const options = {
    type: 'question' as const,
    title: 'Add a folder',
    message: `Add this folder to Glimpse?\n\n${path}`,
    detail: 'Glimpse will read every photo and video in it and in its subfolders, and show them in this window.',
    buttons: ['Add Folder', 'Cancel'],
    // The safe answer is the default: Enter alone adds nothing.
    defaultId: 1,
    cancelId: 1,
    noLink: true,
  };
  const answer = win && !win.isDestroyed() ? await dialog.showMessageBox(win, options) : await dialog.showMessageBox(options);
  return answer.response === 0;
}

/** Checks the sender, validates the call, answers those that need the desktop, forwards the rest with a timeout. */
const handleCall = createCallHandler({
  engine,
  desktop: { pickFolder, confirmAddFolder, pickExportFolder, showItemInFolder: (path) => shell.showItemInFolder(path) },
});

// ---- protocols ----

function registerProtocols(): void {
  // The renderer's files, from the Vite build only, with the CSP as a header (see protocols.ts). Read
  // with Node's fs, which reads inside app.asar, not net.fetch('file://…'): the packaged app's fuses
  // take file: URLs' extra privileges away, asar reading among them (electron.config.ts).
  protocol.handle(APP_SCHEME, async (request) => {
    const route = routeAppRequest(request.url, request.method, RENDERER_DIR);
    if (route.kind === 'refuse') return refused(route);
    const body = await readFile(route.path).catch(() => undefined);
    if (!body) return notFound();
    return new Response(request.method === 'HEAD' ? null : body, { headers: route.headers });
  });

  // Photos: `glimpse-media://thumb/<id>` and `glimpse-media://full/<id>`, for indexed photo ids only.
  protocol.handle(MEDIA_SCHEME, async (request) => {
    const route = routeMediaRequest(request.url, request.method);
    if (route.kind === 'refuse') return refused(route);
    const answer = await engine.media(route.mediaKind, route.id, { frame: route.frame });
    if (!answer.ok) return textResponse(503, answer.error);
    if (!answer.file) return notFound();
    // Byte ranges (a video plays from the moment a search found, and seeks), read straight from the file.
    return (await mediaFileResponse(answer.file, request)) ?? notFound();
  });
}

// ---- window and menu ----

function createWindow(): void {
  const state = readWindowState(
    stateFile(),
    screen.getAllDisplays().map((display) => display.workArea),
  );
  const window = new BrowserWindow({
    ...state,
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
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
      // A middle click on a link must not open it in a new window (new windows are denied as well).
      disableBlinkFeatures: 'Auxclick',
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
  const reply = await engine.call('addFolder', { path }, { timeoutMs: SLOW_CALL_TIMEOUTS_MS.addFolder });
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
    ipcMain.handle('glimpse:call', (event, message: unknown) => handleCall(senderOf(event), message));
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
