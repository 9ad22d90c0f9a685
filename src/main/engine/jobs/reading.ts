import { readFile } from 'node:fs/promises';
import { type Catalog, type PhotoRow, isUnder } from '../catalog/catalog.js';
import { bytesFingerprint, decodeForReading } from '../media/photo.js';
import type { TextReader } from '../ocr/text-reader.js';
import type { PipelineProgress } from './pipeline.js';

export interface ReadingSummary {
  read: number;
  /** Photos in which text was found. */
  withText: number;
  /** Photos that could not be read this time (they stay unread, and are tried again next time). */
  failed: number;
  cancelled: boolean;
  seconds: number;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Reads the text in indexed photos that the OCR pack has not read yet: a library indexed while OCR was
 * off, or photos whose reading failed. Nothing is re-embedded: only the text layer changes. A photo
 * whose file changed since it was indexed is left to the indexer, which reads it with its new content.
 */
export class ReadingJob {
  private cancelled = false;
  private pausedGate: { promise: Promise<void>; release: () => void } | undefined;
  private readonly progress: PipelineProgress = { done: 0, total: 0, errors: 0, rate: 0, etaSeconds: null, currentFile: null, paused: false };
  private lastEmit = 0;
  /** The reason the last photo could not be read, for the log. */
  lastFailure: string | null = null;

  constructor(
    private readonly catalog: Catalog,
    private readonly reader: TextReader,
    private readonly onProgress?: (progress: PipelineProgress) => void,
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

  private async readOne(row: PhotoRow): Promise<{ lines: number } | 'changed'> {
    const bytes = await readFile(row.path);
    if (bytesFingerprint(bytes) !== row.hash) return 'changed';
    const image = await decodeForReading(bytes, this.reader.manifest.readSide);
    const lines = await this.reader.read(image);
    return this.catalog.recordReading(row.id, this.reader.manifest.id, row.hash!, lines) ? { lines: lines.length } : 'changed';
  }

  async run(): Promise<ReadingSummary> {
    const started = performance.now();
    const model = this.reader.manifest.id;
    const offline = this.catalog.offlineDirs().map((o) => o.dir);
    this.progress.total = this.catalog.readingCounts(model).unread;
    this.emit(true);
    const summary: ReadingSummary = { read: 0, withText: 0, failed: 0, cancelled: false, seconds: 0 };
    let afterId = 0;
    for (;;) {
      // Photos in a folder that could not be listed wait until it is back.
      const page = this.catalog.unreadPhotos(model, 64, afterId).filter((row) => !offline.some((dir) => isUnder(row.path, dir)));
      if (page.length === 0) break;
      afterId = Math.max(afterId, ...page.map((r) => r.id));
      for (const row of page) {
        if (this.pausedGate) await this.pausedGate.promise;
        if (this.cancelled) {
          summary.cancelled = true;
          break;
        }
        this.progress.currentFile = row.path;
        try {
          const outcome = await this.readOne(row);
          if (outcome !== 'changed') {
            summary.read++;
            if (outcome.lines > 0) summary.withText++;
          }
        } catch (error) {
          summary.failed++;
          this.progress.errors++;
          this.lastFailure = `${row.path}: ${message(error)}`;
        }
        this.progress.done++;
        const seconds = (performance.now() - started) / 1000;
        this.progress.rate = Math.round((this.progress.done / Math.max(seconds, 1e-3)) * 10) / 10;
        this.progress.etaSeconds = this.progress.rate > 0 ? Math.round((this.progress.total - this.progress.done) / this.progress.rate) : null;
        this.emit();
      }
      if (summary.cancelled) break;
    }
    this.progress.currentFile = null;
    this.emit(true);
    summary.seconds = (performance.now() - started) / 1000;
    return summary;
  }
}
