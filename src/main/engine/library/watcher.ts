import { EventEmitter } from 'node:events';
import { readdir } from 'node:fs/promises';
import { dirname, sep } from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import type { FolderRow, FolderStore } from './folder-store.js';

export interface WatcherOptions {
  /** Quiet time after the last event before a job starts (a burst of copies is one job). */
  debounceMs?: number;
  /** A job starts at the latest this long after the first event of a burst, even if events keep coming. */
  maxWaitMs?: number;
  /** How long a file's size must stay unchanged before it counts as completely written. */
  writeSettleMs?: number;
  /** Reconciliation interval for folders the OS cannot watch (inotify limit reached). */
  pollMs?: number;
  /** How often offline folders are looked at: one that can be listed again is rescanned (and watched anew). */
  offlinePollMs?: number;
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

function commonDir(paths: readonly string[]): string {
  let common = dirname(paths[0]!);
  for (const p of paths.slice(1)) {
    while (!(p === common || p.startsWith(common + sep)) && common !== dirname(common)) common = dirname(common);
  }
  return common;
}

/**
 * Keeps library folders indexed: file events are collected per library folder, debounced into one
 * scan-and-index job over the smallest subfolder that holds them all, and run one at a time through
 * the engine. Files still being written are only reported once their size has settled. When the OS
 * refuses more watches (Linux inotify limit), that folder falls back to periodic reconciliation and
 * its watch note tells the user.
 */
export class LibraryWatcher<Summary = unknown> extends EventEmitter<{ job: [WatchJob<Summary>]; error: [Error]; fallback: [{ folder: string; reason: string }] }> {
  private watchers = new Map<number, FSWatcher>();
  /** Ends the wait of a watcher still settling (its first walk of the folder), when it is unwatched first. */
  private readonly settling = new Map<number, () => void>();
  private closed = false;
  private polls = new Map<number, NodeJS.Timeout>();
  private pending = new Map<number, { paths: Set<string>; events: number; timer: NodeJS.Timeout; firstAt: number }>();
  private offlineTimer: NodeJS.Timeout | undefined;
  private checkingOffline = false;
  private readonly options: Required<WatcherOptions>;

  constructor(
    private readonly engine: WatchedLibrary<Summary>,
    options: WatcherOptions = {},
  ) {
    super();
    this.options = { debounceMs: 1500, maxWaitMs: 15_000, writeSettleMs: 1000, pollMs: 60_000, offlinePollMs: 30_000, ...options };
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

  async watchFolder(folder: FolderRow): Promise<void> {
    if (this.closed || this.watchers.has(folder.id) || this.polls.has(folder.id)) return;
    const watcher = watch(folder.path, {
      ignoreInitial: true,
      ignored: (path: string) => path.split(sep).some((part) => part.startsWith('.') && part.length > 1),
      awaitWriteFinish: { stabilityThreshold: this.options.writeSettleMs, pollInterval: 100 },
      followSymlinks: true,
    });
    this.watchers.set(folder.id, watcher);
    const onEvent = (path: string) => this.record(folder, path);
    watcher.on('add', onEvent).on('change', onEvent).on('unlink', onEvent).on('addDir', onEvent).on('unlinkDir', onEvent);
    watcher.on('error', (error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EMFILE')
        this.fallBack(folder, `the system's file-watch limit is reached (${code}); changes are picked up every ${Math.round(this.options.pollMs / 1000)} s`);
      else this.emit('error', error instanceof Error ? error : new Error(String(error)));
    });
    await new Promise<void>((resolve) => {
      this.settling.set(folder.id, resolve);
      watcher.once('ready', () => resolve());
    });
    this.settling.delete(folder.id);
    // Unwatched (the app closing) or fallen back to polling while it settled: nothing more to note.
    if (this.watchers.get(folder.id) !== watcher || this.polls.has(folder.id)) return;
    this.engine.stores.folders.setWatchNote(folder.id, null);
  }

  /** Periodic reconciliation for a folder the OS will not watch. */
  fallBack(folder: FolderRow, reason: string): void {
    void this.watchers.get(folder.id)?.close();
    this.watchers.delete(folder.id);
    if (this.polls.has(folder.id)) return;
    this.engine.stores.folders.setWatchNote(folder.id, reason);
    this.emit('fallback', { folder: folder.path, reason });
    const timer = setInterval(() => void this.engine.update({ folders: [folder] }).catch((e: Error) => this.emit('error', e)), this.options.pollMs);
    timer.unref();
    this.polls.set(folder.id, timer);
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
    this.settling.get(id)?.(); // a watcher still settling is not waited for
    await this.watchers.get(id)?.close();
    this.watchers.delete(id);
    clearInterval(this.polls.get(id));
    this.polls.delete(id);
    const entry = this.pending.get(id);
    if (entry) clearTimeout(entry.timer);
    this.pending.delete(id);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.offlineTimer);
    this.offlineTimer = undefined;
    for (const id of [...this.watchers.keys(), ...this.polls.keys()]) await this.unwatchFolder(id);
    for (const entry of this.pending.values()) clearTimeout(entry.timer);
    this.pending.clear();
  }
}
