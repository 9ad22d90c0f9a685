/**
 * The narrow bridge: the renderer gets `window.glimpse` with `call`, `on` and `shell`, nothing else.
 * Method and event names are checked here and again (with full parameter validation) in the main
 * process; ipcRenderer itself is never exposed.
 *
 * CommonJS (.cts) on purpose: a sandboxed preload cannot be an ES module, and cannot import the
 * contract at run time, so it keeps its own lists (a test checks they match src/shared/api.ts).
 */
import electron = require('electron');

const { contextBridge, ipcRenderer } = electron;

const METHODS = new Set([
  'status',
  'search',
  'photo',
  'setCaption',
  'albums',
  'setAlbumTitle',
  'addFolder',
  'removeFolder',
  'pickFolder',
  'controlIndexing',
  'addSampleLibrary',
  'models',
  'modelAction',
  'openInFileManager',
  'setOcr',
  'concepts',
  'createConcept',
  'updateConcept',
  'deleteConcept',
  'duplicates',
  'stack',
  'timelineMonths',
  'timeline',
  'setFavourite',
  'browseFolders',
  'exportPhotos',
  'people',
  'renamePerson',
  'mergePeople',
  'rejectFace',
  'assignFace',
  'hidePerson',
  'setPersonCover',
  'setPeople',
  'places',
  'placePoints',
]);
const EVENTS = new Set(['progress', 'libraryChanged', 'modelDownload']);

type Listener = (data: unknown) => void;
const listeners = new Map<string, Set<Listener>>();

// One IPC listener, fanned out to the page's listeners; the IPC event object never reaches the page.
ipcRenderer.on('glimpse:event', (_event: electron.IpcRendererEvent, message: unknown) => {
  if (typeof message !== 'object' || message === null) return;
  const { event, data } = message as { event?: unknown; data?: unknown };
  if (typeof event !== 'string' || !EVENTS.has(event)) return;
  for (const listener of [...(listeners.get(event) ?? [])]) {
    try {
      listener(data);
    } catch (error) {
      console.error(`glimpse: a ${event} listener failed`, error);
    }
  }
});

contextBridge.exposeInMainWorld('glimpse', {
  shell: 'desktop',
  call(method: unknown, params: unknown): Promise<unknown> {
    if (typeof method !== 'string' || !METHODS.has(method)) return Promise.resolve({ ok: false, error: `unknown method ${JSON.stringify(method)?.slice(0, 80)}` });
    return ipcRenderer.invoke('glimpse:call', { method, params: params ?? {} });
  },
  on(event: unknown, listener: unknown): () => void {
    if (typeof event !== 'string' || !EVENTS.has(event) || typeof listener !== 'function') return () => undefined;
    const set = listeners.get(event) ?? new Set<Listener>();
    listeners.set(event, set);
    set.add(listener as Listener);
    return () => {
      set.delete(listener as Listener);
    };
  },
});
