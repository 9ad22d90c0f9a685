/**
 * The Electron shell: window, menus, dialogs, the media protocol and the IPC bridge. Everything else
 * happens in the engine's utility process (engine-process.ts), behind the shared API contract.
 */
import { BrowserWindow, Menu, app, dialog, ipcMain, net, protocol, screen, shell, utilityProcess, type UtilityProcess } from 'electron';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseCall, type MethodName, type Reply } from '../../shared/api.js';
import type { EngineToMain, MainToEngine } from './messages.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const RENDERER = join(here, '../../../renderer/index.html');
const PRELOAD = join(here, '../../preload/preload.cjs');

protocol.registerSchemesAsPrivileged([{ scheme: 'glimpse-media', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]);

const dataDir = process.env.GLIMPSE_DATA_DIR ?? app.getPath('userData');
let win: BrowserWindow | undefined;
let engine: UtilityProcess | undefined;
let nextCall = 1;
const pending = new Map<number, (message: EngineToMain) => void>();

type Request = Extract<MainToEngine, { callId: number }> extends infer R ? (R extends unknown ? Omit<R, 'callId'> : never) : never;

function ask<T extends EngineToMain>(message: Request): Promise<T> {
  return new Promise((resolve) => {
    const callId = nextCall++;
    pending.set(callId, (reply) => resolve(reply as T));
    engine?.postMessage({ ...message, callId } as MainToEngine);
  });
}

function startEngine(): void {
  const bundled = app.isPackaged ? { GLIMPSE_BUNDLED_MODELS: join(process.resourcesPath, 'models') } : {};
  engine = utilityProcess.fork(join(here, 'engine-process.js'), [], { serviceName: 'Glimpse engine', env: { ...process.env, ...bundled, GLIMPSE_DATA_DIR: dataDir } });
  engine.on('message', (message: EngineToMain) => {
    if (message.kind === 'event') win?.webContents.send('glimpse:event', { event: message.event, data: message.data });
    else if (message.kind === 'fatal') dialog.showErrorBox('Glimpse could not open its library', message.error);
    else {
      pending.get(message.callId)?.(message);
      pending.delete(message.callId);
    }
  });
  engine.on('exit', (code) => {
    if (code !== 0) dialog.showErrorBox('Glimpse', `The library engine stopped unexpectedly (exit code ${code}).`);
  });
}

// ---- window state ----

interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}
const stateFile = join(dataDir, 'window-state.json');

function loadWindowState(): WindowState {
  try {
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as WindowState;
    const visible = screen.getAllDisplays().some((d) => state.x !== undefined && state.y !== undefined && state.x >= d.bounds.x - 50 && state.y >= d.bounds.y - 50 && state.x < d.bounds.x + d.bounds.width && state.y < d.bounds.y + d.bounds.height);
    return visible ? state : { width: state.width, height: state.height, maximized: state.maximized };
  } catch {
    return { width: 1280, height: 820, maximized: false };
  }
}

function saveWindowState(window: BrowserWindow): void {
  const bounds = window.getNormalBounds();
  writeFileSync(stateFile, JSON.stringify({ ...bounds, maximized: window.isMaximized() } satisfies WindowState));
}

// ---- IPC ----

async function handleCall(method: unknown, params: unknown): Promise<Reply<MethodName>> {
  try {
    const call = parseCall(method, params);
    if (call.method === 'pickFolder') {
      const picked = await dialog.showOpenDialog(win!, { properties: ['openDirectory'], title: 'Add a folder of photos' });
      return { ok: true, result: { path: picked.canceled ? null : (picked.filePaths[0] ?? null) } };
    }
    if (call.method === 'openInFileManager') {
      const { path } = await ask<Extract<EngineToMain, { kind: 'path' }>>({ kind: 'path', id: (call.params as { id: number }).id });
      if (path) shell.showItemInFolder(path);
      return { ok: true, result: { opened: !!path } };
    }
    return (await ask<Extract<EngineToMain, { kind: 'reply' }>>({ kind: 'call', method: call.method, params: call.params })).reply;
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function createWindow(): void {
  const state = loadWindowState();
  win = new BrowserWindow({
    ...state,
    minWidth: 720,
    minHeight: 480,
    title: 'Glimpse',
    show: false,
    webPreferences: { preload: PRELOAD, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, spellcheck: false },
  });
  if (state.maximized) win.maximize();
  win.once('ready-to-show', () => win?.show());
  win.on('close', () => win && saveWindowState(win));
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  void win.loadFile(RENDERER);
}

async function addFolderFromMenu(): Promise<void> {
  const picked = await dialog.showOpenDialog(win!, { properties: ['openDirectory'], title: 'Add a folder of photos' });
  const path = picked.filePaths[0];
  if (picked.canceled || !path) return;
  const { reply } = await ask<Extract<EngineToMain, { kind: 'reply' }>>({ kind: 'call', method: 'addFolder', params: { path } });
  if (!reply.ok) dialog.showErrorBox('Glimpse could not add the folder', reply.error);
}

function buildMenu(): void {
  const template: Electron.MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    { label: 'File', submenu: [{ label: 'Add Folder…', accelerator: 'CmdOrCtrl+O', click: () => void addFolderFromMenu() }, { type: 'separator' }, { role: 'quit' }] },
    { role: 'editMenu' },
    { label: 'View', submenu: [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }, ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }])] },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: 'Glimpse on the web', click: () => void shell.openExternal('https://github.com/') }] },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

void app.whenReady().then(() => {
  if (!existsSync(RENDERER)) {
    dialog.showErrorBox('Glimpse', 'The renderer is not built: run npm run build:renderer.');
    app.quit();
    return;
  }
  startEngine();
  protocol.handle('glimpse-media', async (request) => {
    const url = new URL(request.url);
    const id = Number(url.pathname.replace(/^\//, ''));
    if ((url.host !== 'thumb' && url.host !== 'full') || !Number.isSafeInteger(id)) return new Response('not found', { status: 404 });
    const { file } = await ask<Extract<EngineToMain, { kind: 'media' }>>({ kind: 'media', mediaKind: url.host, id });
    if (!file) return new Response('not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file.path).toString());
    return new Response(response.body, { headers: { 'content-type': file.mime } });
  });
  ipcMain.handle('glimpse:call', async (event, message: { method?: unknown; params?: unknown } | undefined) => {
    if (!win || event.senderFrame !== win.webContents.mainFrame) return { ok: false, error: 'call from an unknown frame refused' };
    if (typeof message !== 'object' || message === null) return { ok: false, error: 'malformed call' };
    return handleCall(message.method, message.params);
  });
  buildMenu();
  createWindow();
});

app.on('window-all-closed', () => {
  engine?.postMessage({ kind: 'close' } satisfies MainToEngine);
  app.quit();
});
