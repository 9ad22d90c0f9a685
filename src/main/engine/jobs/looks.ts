import { readFile } from 'node:fs/promises';
import { type Catalog, isUnder } from '../catalog/catalog.js';
import { bytesFingerprint, lookOfFile } from '../media/photo.js';
import type { PipelineProgress } from './pipeline.js';

export interface LookSummary {
  measured: number;
  /** Photos that could not be decoded this time (tried again next time). */
  failed: number;
  cancelled: boolean;
  seconds: number;
}

/**
 * Computes the perceptual hash and sharpness of indexed photos that have none for their content (a
 * library indexed before stacks existed): each is decoded once at the working size, nothing is embedded
 * again. A photo whose file changed since it was indexed is left to the indexer, which measures it with
 * its new content. Decodes run `concurrency` at a time on libuv's pool, as the indexer's do.
 */
export class LookJob {
  private cancelled = false;
  private pausedGate: { promise: Promise<void>; release: () => void } | undefined;
  private readonly progress: PipelineProgress = { done: 0, total: 0, errors: 0, rate: 0, etaSeconds: null, currentFile: null, paused: false };
  private lastEmit = 0;
  lastFailure: string | null = null;

  constructor(
    private readonly catalog: Catalog,
    private readonly onProgress?: (progress: PipelineProgress) => void,
    private readonly concurrency = 2,
  ) {}

  pause(): void {
    if (this.pausedGate) return;
    let release!: () => void;
    this.pausedGate = { promise: new Promise<void>((r) => (release = r)), release };
    this.progress.paused = true;
    this.emit(true);
  }

  resume(): void {
    this.pausedGate?.release();
    this.pausedGate = undefined;
    this.progress.paused = false;
    this.emit(true);
  }

  cancel(): void {
    this.cancelled = true;
    this.resume();
  }

  private emit(force = false): void {
    const now = Date.now();
    if (!force && now - this.lastEmit < 200) return;
    this.lastEmit = now;
    this.onProgress?.({ ...this.progress });
  }

  async run(): Promise<LookSummary> {
    const started = performance.now();
    const offline = this.catalog.offlineDirs().map((o) => o.dir);
    this.progress.total = this.catalog.lookCounts().missing;
    this.emit(true);
    const summary: LookSummary = { measured: 0, failed: 0, cancelled: false, seconds: 0 };
    let afterId = 0;
    while (!this.cancelled) {
      const page = this.catalog.photosWithoutLook(64, afterId);
      if (page.length === 0) break;
      afterId = page[page.length - 1]!.id;
      // Photos in a folder that could not be listed wait until it is back.
      const rows = page.filter((row) => !offline.some((dir) => isUnder(row.path, dir)));
      for (let i = 0; i < rows.length && !this.cancelled; i += this.concurrency) {
        if (this.pausedGate) await this.pausedGate.promise;
        if (this.cancelled) break;
        await Promise.all(
          rows.slice(i, i + this.concurrency).map(async (row) => {
            this.progress.currentFile = row.path;
            try {
              const bytes = await readFile(row.path);
              // Changed since it was indexed: the indexer measures the new content.
              if (bytesFingerprint(bytes) === row.hash && this.catalog.recordLook(row.id, row.hash, await lookOfFile(bytes))) summary.measured++;
            } catch (error) {
              summary.failed++;
              this.progress.errors++;
              this.lastFailure = `${row.path}: ${error instanceof Error ? error.message : String(error)}`;
            }
            this.progress.done++;
          }),
        );
        const seconds = (performance.now() - started) / 1000;
        this.progress.rate = Math.round((this.progress.done / Math.max(seconds, 1e-3)) * 10) / 10;
        this.progress.etaSeconds = this.progress.rate > 0 ? Math.round((this.progress.total - this.progress.done) / this.progress.rate) : null;
        this.emit();
      }
    }
    summary.cancelled = this.cancelled;
    this.progress.currentFile = null;
    this.emit(true);
    summary.seconds = (performance.now() - started) / 1000;
    return summary;
  }
}
