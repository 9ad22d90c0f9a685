import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { type Catalog } from '../catalog/catalog.js';
import { type PhotoRow } from '../library/photo-store.js';
import { isUnder } from '../core/paths.js';
import { bytesFingerprint, decodeForReading } from '../media/photo.js';
import type { TextReader } from './text-reader.js';
import { JobControl } from '../core/job-control.js';
import type { JobProgress } from '../core/job-control.js';
import { ReadingStore } from './reading-store.js';
import { FolderStore } from '../library/folder-store.js';

export interface ReadingSummary {
  read: number;
  /** Photos in which text was found. */
  withText: number;
  /** Photos that could not be read this time (they stay unread, and are tried again next time). */
  failed: number;
  cancelled: boolean;
  seconds: number;
}

/**
 * Reads the text in indexed photos that the OCR pack has not read yet: every photo of a first index
 * (the pipeline leaves new photos to this phase, so they are searchable first), a library indexed while
 * OCR was off, photos whose reading failed. Nothing is re-embedded: only the text layer changes. A photo
 * whose file changed since it was indexed is left to the indexer, which reads it with its new content.
 * Photos are read `concurrency` at a time (the cores), as the pipeline decodes them: one photo's
 * decoding overlaps another's reading.
 */
export class ReadingJob extends JobControl {
  /** The reason the last photo could not be read, for the log. */

  constructor(
    private readonly catalog: Catalog,
    private readonly reader: TextReader,
    onProgress?: (progress: JobProgress) => void,
    private readonly concurrency = Math.max(2, availableParallelism()),
  ) {
    super(onProgress);
  }

  private async readOne(row: PhotoRow): Promise<{ lines: number } | 'changed'> {
    const bytes = await readFile(row.path);
    if (bytesFingerprint(bytes) !== row.hash) return 'changed';
    const image = await decodeForReading(bytes, this.reader.manifest.readSide);
    const lines = await this.reader.read(image);
    return new ReadingStore(this.catalog).recordReading(row.id, this.reader.manifest.id, row.hash!, lines) ? { lines: lines.length } : 'changed';
  }

  async run(): Promise<ReadingSummary> {
    const readingStore = new ReadingStore(this.catalog);
    const started = performance.now();
    const model = this.reader.manifest.id;
    const offline = new FolderStore(this.catalog).offlineDirs().map((o) => o.dir);
    this.progress.total = readingStore.readingCounts(model).unread;
    this.emit(true);
    const summary: ReadingSummary = { read: 0, withText: 0, failed: 0, cancelled: false, seconds: 0 };
    // Photos in a folder that could not be listed wait until it is back.
    const finished = await this.eachFile(
      (afterId) => readingStore.unreadPhotos(model, 64, afterId),
      (row) => !offline.some((dir) => isUnder(row.path, dir)),
      this.concurrency,
      async (row) => {
        const outcome = await this.readOne(row);
        if (outcome === 'changed') return;
        summary.read++;
        if (outcome.lines > 0) summary.withText++;
      },
      () => summary.failed++,
    );
    summary.cancelled = !finished;
    summary.seconds = (performance.now() - started) / 1000;
    return summary;
  }
}
