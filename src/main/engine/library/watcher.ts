import { EventEmitter } from 'node:events';
import { type FSWatcher, watch } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, sep } from 'node:path';
import { isUnder } from '../core/paths.js';
import { isMediaFile } from '../media/formats.js';
import type { FolderRow, FolderStore } from './folder-store.js';
import { isHidden, isSkippedDir, walkTree } from './walk.js';

export interface WatcherOptions {
  /** Quiet time after the last event before a job starts (a burst of copies is one job). */
  debounceMs?: number;
  /** A job starts at the latest this long after the first event of a burst, even if events keep coming. */
  maxWaitMs?: number;
  /** How long a file's size must stay unchanged before it counts as completely written. */
  writeSettleMs?: number;
  /** Rescan interval for folders not watched live (past the budget below, or the OS watch limit). */
  pollMs?: number;
  /** How often offline folders are looked at: one that can be listed again is rescanned (and watched anew). */
  offlinePollMs?: number;
  /**
   * The most folders watched live in one library folder. Each costs one OS watch (Linux's inotify
   * watches are shared with every other program of the user) and about 1 KB of memory
   * (`docs/PERFORMANCE.md`, "Watching folders"); past it the library folder is rescanned every `pollMs`.
   */
  maxFolders?: number;
  /** The longest that listing a library folder's folders to watch them may take; past it, rescans every `pollMs`. */
  startMs?: number;
}

/** What the watcher keeps up to date: the library's folders, and the update it runs over one (or a folder inside it). */
export interface WatchedLibrary<Summary> {
  readonly stores: { readonly folders: FolderStore };
  update(options: { folders: FolderRow[]; under?: string }): Promise<Summary>;
}

export interface WatchJob<Summary = unknown> {
  folder: string;
  under: string;
  events: number;
  summary: Summary;
}

/** The live watch of one library folder: one OS watch per real folder the scan walks. */
interface FolderWatch {
  folder: FolderRow;
  /** Watched folders by the path the scan names them by, with their real path. */
  dirs: Map<string, { real: string; ino: number; handle: FSWatcher }>;
  /** Real paths watched (shared with the walks, so each real folder is watched once). */
  visited: Set<string>;
  stopped: boolean;
}

/** A photo file that changed, waiting for its size and time to stay the same for `writeSettleMs`. */
interface Settling {
  folder: FolderRow;
  size: number;
  mtimeMs: number;
  since: number;
}

function commonDir(paths: readonly string[]): string {
  let common = dirname(paths[0]!);
  for (const p of paths.slice(1)) {
    while (!(p === common || p.startsWith(common + sep)) && common !== dirname(common)) common = dirname(common);
  }
  return common;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

/**
 * Keeps library folders indexed: file events are collected per library folder, debounced into one
 * scan-and-index job over the smallest subfolder that holds them all, and run one at a time through
 * the engine. Files still being written are only reported once their size has settled.
 *
 * It watches the folders the scan walks, by the scan's own walk (`walkTree`: each real folder once, a
 * link that loops back never followed), with one OS watch per folder (Node's `fs.watch`), which sees
 * its files come, change and go. Not chokidar, which watches every file as well (about 10 KB each) and
 * whose loop detection in 5.0 lets a link to `..` or `/` be followed until the OS refuses: a library
 * with such a link grew to 4 GB and stopped the app from answering. Past a budget (`maxFolders`,
 * `startMs`) or the OS watch limit, a library folder is rescanned every `pollMs` instead, and its watch
 * note tells the user.
 */
export class LibraryWatcher<Summary = unknown> extends EventEmitter<{ job: [WatchJob<Summary>]; error: [Error]; fallback: [{ folder: string; reason: string }] }> {
  private readonly watches = new Map<number, FolderWatch>();
  private closed = false;
  private readonly polls = new Map<number, NodeJS.Timeout>();
  private readonly pending = new Map<number, { paths: Set<string>; events: number; timer: NodeJS.Timeout; firstAt: number }>();
  private readonly settling = new Map<string, Settling>();
  private settleTimer: NodeJS.Timeout | undefined;
  private checkingSettled = false;
  private offlineTimer: NodeJS.Timeout | undefined;
  private checkingOffline = false;
  private readonly options: Required<WatcherOptions>;

  constructor(
    private readonly engine: WatchedLibrary<Summary>,
    options: WatcherOptions = {},
  ) {
    super();
    this.options = { debounceMs: 1500, maxWaitMs: 15_000, writeSettleMs: 1000, pollMs: 60_000, offlinePollMs: 30_000, maxFolders: 20_000, startMs: 20_000, ...options };
  }

  /** Starts watching every library folder not yet watched, and looking out for offline folders coming back. */
  async watchAll(): Promise<void> {
    for (const folder of this.engine.stores.folders.folders()) {
      if (this.closed) return;
      await this.watchFolder(folder);
    }
    if (!this.offlineTimer && !this.closed) {
      this.offlineTimer = setInterval(() => void this.checkOffline(), this.options.offlinePollMs);
      this.offlineTimer.unref();
    }
  }

  /**
   * An offline folder (an unplugged drive) sends no events when it comes back, and the OS watch on a
   * library folder that went away is gone: so offline folders are looked at now and then, and one
   * that lists with entries again is watched anew and rescanned.
   */
  async checkOffline(): Promise<void> {
    if (this.checkingOffline) return;
    this.checkingOffline = true;
    try {
      await this.rescanReturned();
    } finally {
      this.checkingOffline = false;
    }
  }

  private async rescanReturned(): Promise<void> {
    for (const o of this.engine.stores.folders.offlineDirs()) {
      let entries: string[];
      try {
        entries = await readdir(o.dir);
      } catch {
        continue; // still offline
      }
      const folder = this.engine.stores.folders.folder(o.folder_id);
      if (!folder || entries.length === 0) continue;
      if (o.dir === folder.path) {
        await this.unwatchFolder(folder.id);
        await this.watchFolder(folder);
      }
      try {
        const summary = await this.engine.update({ folders: [folder], ...(o.dir !== folder.path ? { under: o.dir } : {}) });
        this.emit('job', { folder: folder.path, under: o.dir, events: 0, summary });
      } catch (error) {
        this.emit('error', error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  /**
   * Watches a library folder: every folder the scan walks in it gets an OS watch, within the budget.
   * Resolves once they are all watched or the folder has fallen back to rescans (within `startMs`).
   */
  async watchFolder(folder: FolderRow): Promise<void> {
    if (this.closed || this.watches.has(folder.id) || this.polls.has(folder.id)) return;
    const w: FolderWatch = { folder, dirs: new Map(), visited: new Set(), stopped: false };
    this.watches.set(folder.id, w);
    const trouble = await this.watchTree(w, folder.path);
    // Unwatched (the app closing) or fallen back to rescans meanwhile: nothing more to note.
    if (this.watches.get(folder.id) !== w) return;
    if (trouble) this.fallBack(folder, trouble);
    else this.engine.stores.folders.setWatchNote(folder.id, null);
  }

  /**
   * Watches the folders under `root` (a library folder, or a folder that appeared in one: `fresh`, its
   * photos reported as they settle, for they may still be being copied); returns why it could not stay
   * within the budget, if it could not.
   */
  private async watchTree(w: FolderWatch, root: string, fresh = false): Promise<string | null> {
    const { maxFolders, startMs } = this.options;
    const deadline = Date.now() + startMs;
    const every = `Changes are picked up by a rescan every ${Math.round(this.options.pollMs / 1000)} s.`;
    let trouble: string | null = null;
    await walkTree(root, {
      library: w.folder.path,
      visited: w.visited,
      problems: [], // the scan reports them
      stopped: () => this.closed || w.stopped,
      folder: async (dir, real, entries) => {
        if (this.closed || w.stopped) return false;
        if (fresh) for (const entry of entries) if (entry.kind === 'file' && isMediaFile(entry.name)) this.settle(w.folder, entry.path);
        if (w.dirs.size >= maxFolders) {
          trouble = `Not watched live: it holds more than ${maxFolders.toLocaleString('en')} folders, more than Glimpse watches at once. ${every}`;
          return false;
        }
        if (Date.now() > deadline) {
          trouble = `Not watched live: listing its folders took longer than ${Math.round(startMs / 1000)} s. ${every}`;
          return false;
        }
        try {
          const { ino } = await stat(dir);
          if (this.closed || w.stopped) return false;
          const handle = watch(dir, { persistent: true }, (_event, name) => this.onEvent(w, dir, name));
          handle.on('error', (error) => this.onWatchError(w, dir, error));
          w.dirs.set(dir, { real, ino, handle });
        } catch (error) {
          const code = errorCode(error);
          if (code === 'ENOSPC' || code === 'EMFILE') {
            trouble = this.limitReason(code);
            return false;
          }
          // Gone between its listing and its watch: its parent's watch reports it.
        }
        return true;
      },
    });
    return trouble;
  }

  private limitReason(code: string): string {
    return `Not watched live: the system's file-watch limit is reached (${code}). Changes are picked up by a rescan every ${Math.round(this.options.pollMs / 1000)} s.`;
  }

  private onWatchError(w: FolderWatch, dir: string, error: Error): void {
    const code = errorCode(error);
    if (code === 'ENOSPC' || code === 'EMFILE') this.fallBack(w.folder, this.limitReason(code));
    else {
      // The folder went away (Windows reports a deleted folder this way): its parent's scan settles it.
      this.unwatchUnder(w, dir);
      this.record(w.folder, dir);
    }
  }

  /** One OS event in a watched folder: `name` changed in it (null: something did). */
  private onEvent(w: FolderWatch, dir: string, name: string | null): void {
    if (this.closed || this.watches.get(w.folder.id) !== w) return;
    // No name (some systems): something changed in `dir`; recorded as an entry of it, so `dir` is rescanned.
    if (name === null) return this.record(w.folder, `${dir}${sep}.`);
    if (isHidden(name)) return;
    const path = `${dir}${sep}${name}`;
    if (isMediaFile(name)) this.settle(w.folder, path);
    else void this.folderChanged(w, path);
  }

  /** Something that is not a photo's name changed: a folder came (watch it), went (unwatch it) or was replaced (watch it anew). */
  private async folderChanged(w: FolderWatch, path: string): Promise<void> {
    let now: { ino: number; folder: boolean } | null = null;
    try {
      const s = await stat(path);
      now = { ino: s.ino, folder: s.isDirectory() };
    } catch {
      // gone
    }
    if (this.closed || this.watches.get(w.folder.id) !== w) return;
    const known = w.dirs.get(path);
    if (known && now?.folder && now.ino === known.ino) return; // the folder watched, its attributes changed
    const watchedUnder = known !== undefined || [...w.dirs.keys()].some((d) => isUnder(d, path));
    if (watchedUnder) this.unwatchUnder(w, path);
    if (!now?.folder) {
      if (watchedUnder) this.record(w.folder, path); // a watched folder went away
      return;
    }
    if (isSkippedDir(basename(path))) return;
    this.record(w.folder, path);
    const trouble = await this.watchTree(w, path, true);
    if (trouble && this.watches.get(w.folder.id) === w) this.fallBack(w.folder, trouble);
  }

  /** Stops watching `path` and every folder under it (it went away). */
  private unwatchUnder(w: FolderWatch, path: string): void {
    for (const [dir, { real, handle }] of w.dirs) {
      if (!isUnder(dir, path)) continue;
      handle.close();
      w.dirs.delete(dir);
      w.visited.delete(real);
    }
  }

  /** Reports a photo file once its size and time have stayed the same for `writeSettleMs` (or at once when it is gone). */
  private settle(folder: FolderRow, path: string): void {
    const entry = this.settling.get(path);
    if (entry) entry.since = Date.now();
    else this.settling.set(path, { folder, size: -1, mtimeMs: -1, since: Date.now() });
    this.settleTimer ??= setInterval(() => void this.checkSettled(), Math.max(20, Math.min(100, this.options.writeSettleMs / 3)));
  }

  private async checkSettled(): Promise<void> {
    if (this.checkingSettled) return;
    this.checkingSettled = true;
    try {
      await Promise.all(
        [...this.settling].map(async ([path, entry]) => {
          let s: { size: number; mtimeMs: number } | null = null;
          try {
            s = await stat(path);
          } catch {
            // gone: a deletion, reported at once
          }
          if (this.settling.get(path) !== entry) return;
          if (s && (s.size !== entry.size || s.mtimeMs !== entry.mtimeMs)) {
            entry.size = s.size;
            entry.mtimeMs = s.mtimeMs;
            entry.since = Date.now();
          } else if (!s || Date.now() - entry.since >= this.options.writeSettleMs) {
            this.settling.delete(path);
            if (!this.closed && this.watches.get(entry.folder.id)?.folder === entry.folder) this.record(entry.folder, path);
          }
        }),
      );
    } finally {
      this.checkingSettled = false;
      if (this.settling.size === 0) {
        clearInterval(this.settleTimer);
        this.settleTimer = undefined;
      }
    }
  }

  /** Periodic rescans for a folder not watched live. */
  fallBack(folder: FolderRow, reason: string): void {
    this.stopWatch(folder.id);
    if (this.polls.has(folder.id) || this.closed) return;
    this.engine.stores.folders.setWatchNote(folder.id, reason);
    this.emit('fallback', { folder: folder.path, reason });
    const timer = setInterval(() => void this.engine.update({ folders: [folder] }).catch((e: Error) => this.emit('error', e)), this.options.pollMs);
    timer.unref();
    this.polls.set(folder.id, timer);
  }

  private stopWatch(id: number): void {
    const w = this.watches.get(id);
    if (!w) return;
    w.stopped = true;
    for (const { handle } of w.dirs.values()) handle.close();
    w.dirs.clear();
    this.watches.delete(id);
    for (const [path, entry] of this.settling) if (entry.folder.id === id) this.settling.delete(path);
  }

  private record(folder: FolderRow, path: string): void {
    let entry = this.pending.get(folder.id);
    if (!entry) {
      entry = { paths: new Set(), events: 0, timer: setTimeout(() => undefined, 0), firstAt: Date.now() };
      this.pending.set(folder.id, entry);
    }
    entry.paths.add(path);
    entry.events++;
    clearTimeout(entry.timer);
    const wait = Math.max(0, Math.min(this.options.debounceMs, entry.firstAt + this.options.maxWaitMs - Date.now()));
    entry.timer = setTimeout(() => void this.flush(folder), wait);
  }

  private async flush(folder: FolderRow): Promise<void> {
    const entry = this.pending.get(folder.id);
    if (!entry) return;
    this.pending.delete(folder.id);
    let under = commonDir([...entry.paths]);
    if (!(under === folder.path || under.startsWith(folder.path + sep))) under = folder.path;
    try {
      const summary = await this.engine.update({ folders: [folder], ...(under !== folder.path ? { under } : {}) });
      this.emit('job', { folder: folder.path, under, events: entry.events, summary });
    } catch (error) {
      this.emit('error', error instanceof Error ? error : new Error(String(error)));
    }
  }

  async unwatchFolder(id: number): Promise<void> {
    this.stopWatch(id);
    clearInterval(this.polls.get(id));
    this.polls.delete(id);
    const entry = this.pending.get(id);
    if (entry) clearTimeout(entry.timer);
    this.pending.delete(id);
    await Promise.resolve();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.offlineTimer);
    this.offlineTimer = undefined;
    for (const id of [...this.watches.keys(), ...this.polls.keys()]) await this.unwatchFolder(id);
    for (const entry of this.pending.values()) clearTimeout(entry.timer);
    this.pending.clear();
    this.settling.clear();
    clearInterval(this.settleTimer);
    this.settleTimer = undefined;
  }
}
