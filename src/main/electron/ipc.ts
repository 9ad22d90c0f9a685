/**
 * The `glimpse:call` IPC handler, without Electron: main.ts describes the sender (which window, which
 * frame, what URL) and hands over the message as it arrived. A call is refused unless it comes from
 * the Glimpse window's top frame showing the app's own document, and validated against the shared
 * contract before anything acts on it; the calls that need the desktop (the folder picker, the file
 * manager) are answered here, the rest go to the engine with a timeout.
 *
 * Adding a folder: the renderer cannot name any folder it likes (a script there could add `/` and read
 * every photo on the disk through `glimpse-media://`). It adds the path the native picker returned,
 * presenting the picker's one-time grant (folder-grants.ts), or a path the user then confirms in a
 * dialog of the main process; the engine is sent the path the user saw, never the renderer's spelling.
 * Exporting photos: the folder they are copied to is always the one the user picks in the native picker
 * this call opens; the renderer cannot name one. Web mode's folder browser is not offered here.
 */
import { existsSync } from 'node:fs';
import { type MethodName, type PhotoDetail, type Reply, parseCall } from '../../shared/api.js';
import { FolderGrants, folderKey } from './folder-grants.js';
import { isAppDocument } from './protocols.js';
import { errorText } from '../../shared/error-text.js';

/** Who sent an IPC message, as main.ts sees it. */
export interface Sender {
  /** It came from the Glimpse window's own web contents (not another window, not a destroyed one). */
  fromOurWindow: boolean;
  /** It came from that window's top frame, not a subframe. */
  topFrame: boolean;
  /** The URL of the frame that sent it ('' when the frame is gone). */
  url: string;
}

/** What the handler needs from the engine broker. */
export interface CallTarget {
  call(method: string, params: unknown, options?: { timeoutMs?: number }): Promise<Reply<MethodName>>;
}

/** The desktop's part (Electron's dialog and shell in main.ts). */
export interface Desktop {
  /** The native folder picker; null when cancelled. */
  pickFolder(): Promise<string | null>;
  /** Asks the user, in a dialog of the main process, whether to add this folder; true when they say yes. */
  confirmAddFolder(path: string): Promise<boolean>;
  showItemInFolder(path: string): void;
  /** The native folder picker, asking where to export photos; null when cancelled. */
  pickExportFolder(): Promise<string | null>;
}

/** Calls that may take longer than the default: adding a folder sets up its watch, the sample library is generated first. */
export const SLOW_CALL_TIMEOUTS_MS: Partial<Record<MethodName, number>> = {
  addFolder: 120_000,
  removeFolder: 120_000,
  addSampleLibrary: 300_000,
  // Copying thousands of originals to a slow drive (the call answers when every copy is done).
  exportPhotos: 1_800_000,
};

export interface CallHandlerOptions {
  engine: CallTarget;
  desktop: Desktop;
  /** How long the engine may take over a call (ms); SLOW_CALL_TIMEOUTS_MS, else 30 s, unless given. */
  timeoutFor?: (method: MethodName) => number;
  /** The picker's grants (a fresh set unless given). */
  grants?: FolderGrants;
}

export const REFUSED_SENDER = 'refused: the call did not come from the Glimpse window';
export const MALFORMED_CALL = 'malformed call: expected {method, params}';
export const NOT_CONFIRMED = 'Glimpse did not add the folder: it was not confirmed.';
export const CONFIRMING = 'Glimpse did not add the folder: another folder is waiting to be confirmed.';
export const DESKTOP_PICKS = 'The desktop app chooses folders with its own picker.';
export const RELATIVE_PATH = "Type the folder's full path (for example /home/you/Pictures or C:\\Users\\you\\Pictures).";

/** Only the Glimpse window's top frame, showing the app's own document, may call. */
export function isTrustedSender(sender: Sender): boolean {
  return sender.fromOurWindow === true && sender.topFrame === true && typeof sender.url === 'string' && isAppDocument(sender.url);
}

/** `{method, params}` and nothing else, or undefined. */
function readEnvelope(message: unknown): { method: unknown; params: unknown } | undefined {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return undefined;
  try {
    const proto: unknown = Object.getPrototypeOf(message);
    if (proto !== Object.prototype && proto !== null) return undefined;
    if (Object.keys(message).some((key) => key !== 'method' && key !== 'params')) return undefined;
    const { method, params } = message as { method?: unknown; params?: unknown };
    return { method, params };
  } catch {
    return undefined;
  }
}

/** The handler main.ts registers for `glimpse:call`; it always resolves to a Reply. */
export function createCallHandler(options: CallHandlerOptions): (sender: Sender, message: unknown) => Promise<Reply<MethodName>> {
  const { engine, desktop } = options;
  const timeoutFor = options.timeoutFor ?? ((method: MethodName) => SLOW_CALL_TIMEOUTS_MS[method] ?? 30_000);
  const grants = options.grants ?? new FolderGrants();
  /** One confirmation dialog at a time: a script cannot stack them up. */
  let confirming = false;

  /** The folder to add: the picker's path for a valid grant, else a full path the user confirms; a string error otherwise. */
  const folderToAdd = async (path: string, grant: string | undefined): Promise<{ folder: string } | { error: string }> => {
    const granted = grants.redeem(grant, path);
    if (granted !== null) return { folder: granted };
    const folder = folderKey(path);
    if (folder === null) return { error: RELATIVE_PATH };
    if (confirming) return { error: CONFIRMING };
    confirming = true;
    try {
      return (await desktop.confirmAddFolder(folder)) ? { folder } : { error: NOT_CONFIRMED };
    } finally {
      confirming = false;
    }
  };

  return async (sender, message) => {
    if (!isTrustedSender(sender)) return { ok: false, error: REFUSED_SENDER };
    const envelope = readEnvelope(message);
    if (!envelope) return { ok: false, error: MALFORMED_CALL };
    let call: ReturnType<typeof parseCall>;
    try {
      call = parseCall(envelope.method, envelope.params);
    } catch (error) {
      return { ok: false, error: errorText(error) };
    }
    try {
      if (call.method === 'pickFolder') {
        const path = await desktop.pickFolder();
        return { ok: true, result: path === null ? { path } : { path, grant: grants.issue(path) } };
      }
      if (call.method === 'addFolder') {
        const { path, grant } = call.params as { path: string; grant?: string };
        const chosen = await folderToAdd(path, grant);
        if ('error' in chosen) return { ok: false, error: chosen.error };
        return await engine.call('addFolder', { path: chosen.folder }, { timeoutMs: timeoutFor('addFolder') });
      }
      if (call.method === 'browseFolders') return { ok: false, error: DESKTOP_PICKS };
      if (call.method === 'exportPhotos') {
        const { ids, destination } = call.params as { ids: number[]; destination?: string };
        if (destination !== undefined) return { ok: false, error: DESKTOP_PICKS };
        const folder = await desktop.pickExportFolder();
        if (folder === null) return { ok: true, result: { destination: null, copied: [], failed: [] } };
        return await engine.call('exportPhotos', { ids, destination: folder }, { timeoutMs: timeoutFor('exportPhotos') });
      }
      if (call.method === 'openInFileManager') {
        const { id } = call.params as { id: number };
        const reply = (await engine.call('photo', { id }, { timeoutMs: timeoutFor('photo') })) as Reply<'photo'>;
        if (!reply.ok) return reply;
        const path = (reply.result as PhotoDetail).path;
        if (typeof path !== 'string' || !existsSync(path)) return { ok: true, result: { opened: false } };
        desktop.showItemInFolder(path);
        return { ok: true, result: { opened: true } };
      }
      return await engine.call(call.method, call.params, { timeoutMs: timeoutFor(call.method) });
    } catch (error) {
      return { ok: false, error: errorText(error) };
    }
  };
}
