import { readFile } from 'node:fs/promises';
import { type Catalog } from '../catalog/catalog.js';
import { isUnder } from '../core/paths.js';
import { bytesFingerprint, lookOfFile } from '../media/photo.js';
import { JobControl } from '../core/job-control.js';
import type { JobProgress } from '../core/job-control.js';
import { FolderStore } from '../library/folder-store.js';
import { StackStore } from './stack-store.js';

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
export class LookJob extends JobControl {
  constructor(
    private readonly catalog: Catalog,
    onProgress?: (progress: JobProgress) => void,
    private readonly concurrency = 2,
  ) {
    super(onProgress);
  }

  async run(): Promise<LookSummary> {
    const stackStore = new StackStore(this.catalog);
    const started = performance.now();
    const offline = new FolderStore(this.catalog).offlineDirs().map((o) => o.dir);
    this.progress.total = stackStore.lookCounts().missing;
    this.emit(true);
    const summary: LookSummary = { measured: 0, failed: 0, cancelled: false, seconds: 0 };
    let afterId = 0;
    while (!this.cancelled) {
      const page = stackStore.photosWithoutLook(64, afterId);
      if (page.length === 0) break;
      afterId = page[page.length - 1]!.id;
      // Photos in a folder that could not be listed wait until it is back.
      const rows = page.filter((row) => !offline.some((dir) => isUnder(row.path, dir)));
      for (let i = 0; i < rows.length && !this.cancelled; i += this.concurrency) {
        await this.unpaused();
        if (this.cancelled) break;
        await Promise.all(
          rows.slice(i, i + this.concurrency).map(async (row) => {
            this.progress.currentFile = row.path;
            try {
              const bytes = await readFile(row.path);
              // Changed since it was indexed: the indexer measures the new content.
              if (bytesFingerprint(bytes) === row.hash && stackStore.recordLook(row.id, row.hash, await lookOfFile(bytes))) summary.measured++;
            } catch (error) {
              summary.failed++;
              this.failed(row.path, error);
            }
            this.progress.done++;
          }),
        );
        this.paceSince(started);
      }
    }
    summary.cancelled = this.cancelled;
    this.progress.currentFile = null;
    this.emit(true);
    summary.seconds = (performance.now() - started) / 1000;
    return summary;
  }
}
