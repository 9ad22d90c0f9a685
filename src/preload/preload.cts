/**
 * The narrow bridge: the renderer gets `window.glimpse` with `call`, `on` and `shell`, nothing else.
 * Method and event names are checked here and again (with full parameter validation) in the main
 * process; ipcRenderer itself is never exposed.
 */
import electron = require('electron');

const { contextBridge, ipcRenderer } = electron;

// Kept in step with src/shared/api.ts (a sandboxed preload cannot import it at run time).
const METHODS = new Set(['status', 'search', 'photo', 'setCaption', 'albums', 'setAlbumTitle', 'addFolder', 'removeFolder', 'pickFolder', 'indexing', 'addSampleLibrary', 'models', 'openInFileManager']);
const EVENTS = new Set(['progress', 'libraryChanged']);

const listeners = new Map<string, Set<(data: unknown) => void>>();
ipcRenderer.on('glimpse:event', (_event: electron.IpcRendererEvent, message: { event: string; data: unknown }) => {
  for (const listener of listeners.get(message.event) ?? []) listener(message.data);
});

contextBridge.exposeInMainWorld('glimpse', {
  shell: 'desktop',
  call(method: string, params: unknown) {
    if (!METHODS.has(method)) return Promise.resolve({ ok: false, error: `unknown method ${String(method)}` });
    return ipcRenderer.invoke('glimpse:call', { method, params });
  },
  on(event: string, listener: (data: unknown) => void) {
    if (!EVENTS.has(event) || typeof listener !== 'function') return () => undefined;
    const set = listeners.get(event) ?? new Set();
    set.add(listener);
    listeners.set(event, set);
    return () => set.delete(listener);
  },
});
