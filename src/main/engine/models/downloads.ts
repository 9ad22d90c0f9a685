import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { downloadPack } from './download.js';
import type { PackManifest } from './manifest.js';
import { SiteUnreachable } from './unreachable.js';
import type { DownloadInfo } from '../../../shared/api.js';

/** Where a pack's download stands, as the model manager shows it. */
export type DownloadState = DownloadInfo & { id: string };

async function bytesUnder(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && !entry.name.startsWith('.')) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

/**
 * The app's model downloads: one at a time per pack, pausable (the transfer stops, what arrived stays
 * in the staging folder), resumable (range requests continue from there, also after a restart of the
 * app: a staging folder on disk is a paused download), and cancellable (the staging folder goes).
 * Verification and installation are downloadPack's: nothing unverified is ever installed.
 */
export class PackDownloads extends EventEmitter<{ change: [DownloadState] }> {
  private readonly running = new Map<string, { controller: AbortController; state: DownloadState; done: Promise<void> }>();
  private readonly failed = new Map<string, DownloadState>();

  constructor(
    private readonly packsDir: string,
    private readonly options: { baseUrl?: string; progressEveryMs?: number } = {},
  ) {
    super();
  }

  private stagingDir(id: string): string {
    return join(this.packsDir, '.staging', id);
  }

  /** The state of a pack's download: running, paused (on disk from an earlier run), failed, or none. */
  async state(manifest: PackManifest): Promise<DownloadState | null> {
    const running = this.running.get(manifest.id);
    if (running) return { ...running.state };
    const failed = this.failed.get(manifest.id);
    if (!existsSync(this.stagingDir(manifest.id))) return failed ?? null;
    const total = manifest.files.every((f) => f.size !== undefined) ? manifest.files.reduce((s, f) => s + f.size!, 0) : null;
    return {
      id: manifest.id,
      phase: failed ? 'failed' : 'paused',
      bytes: await bytesUnder(this.stagingDir(manifest.id)),
      total,
      error: failed?.error ?? null,
      unreachable: failed?.unreachable ?? false,
    };
  }

  /** Starts or resumes a download in the background; its progress and its end come as change events. */
  start(manifest: PackManifest): void {
    if (this.running.has(manifest.id)) return;
    this.failed.delete(manifest.id);
    const controller = new AbortController();
    const state: DownloadState = { id: manifest.id, phase: 'downloading', bytes: 0, total: null, error: null, unreachable: false };
    let lastEmit = 0;
    const done = downloadPack(manifest, {
      packsDir: this.packsDir,
      ...(this.options.baseUrl ? { baseUrl: this.options.baseUrl } : {}),
      signal: controller.signal,
      onProgress: (p) => {
        state.bytes = p.bytes;
        state.total = p.total;
        const now = Date.now();
        if (now - lastEmit >= (this.options.progressEveryMs ?? 250)) {
          lastEmit = now;
          this.emit('change', { ...state });
        }
      },
    }).then(
      () => {
        this.running.delete(manifest.id);
        this.emit('change', { ...state, phase: 'installed', bytes: state.total ?? state.bytes });
      },
      async (error: Error) => {
        this.running.delete(manifest.id);
        if (controller.signal.aborted) {
          this.emit('change', (await this.state(manifest)) ?? { ...state, phase: 'paused' });
          return;
        }
        const failed: DownloadState = { ...state, phase: 'failed', error: error.message, unreachable: error instanceof SiteUnreachable };
        this.failed.set(manifest.id, failed);
        this.emit('change', failed);
      },
    );
    this.running.set(manifest.id, { controller, state, done });
    this.emit('change', { ...state });
  }

  /** Stops the transfer and keeps what arrived; `start` continues from there. */
  async pause(id: string): Promise<void> {
    const running = this.running.get(id);
    if (!running) return;
    running.controller.abort();
    await running.done;
  }

  /** Stops the transfer and deletes what arrived. */
  async cancel(id: string): Promise<void> {
    await this.pause(id);
    this.failed.delete(id);
    await rm(this.stagingDir(id), { recursive: true, force: true });
  }

  /** Waits for every running download to stop (the host closes with this). */
  async close(): Promise<void> {
    await Promise.all([...this.running.keys()].map((id) => this.pause(id)));
  }
}
