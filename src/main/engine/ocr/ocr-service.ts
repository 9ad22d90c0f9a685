import { join } from 'node:path';
import type { OcrStatus, PhotoDetail, Progress } from '../../../shared/api.js';
import { errorText } from '../core/errors.js';
import type { JobQueue } from '../core/job-queue.js';
import { type Settings, loadSettings, writeSettings } from '../core/settings.js';
import type { WriterGate } from '../core/writer-gate.js';
import { type SessionReport, sessionInfo } from '../models/providers.js';
import { DEFAULT_OCR_PACK, type OcrManifest, locateOcrPack, readOcrManifest, readOcrManifestSync } from './ocr-pack.js';
import { ReadingJob, type ReadingSummary } from './reading-job.js';
import type { ReadingStore } from './reading-store.js';
import { TextReader } from './text-reader.js';

/** Reading the text in photos: the OCR models (opened on first use), reading what is unread, the setting. */
export class OcrService {
  /** The OCR models, opened the first time a photo is read; null when they could not be opened (see problem). */
  private readerPart: Promise<TextReader | null> | undefined;
  private problem: string | null = null;
  private manifest: OcrManifest | undefined;
  private sessions: SessionReport[] = [];

  constructor(
    private readonly dataDir: string,
    private readonly settings: Settings,
    private readonly readings: ReadingStore,
    private readonly notices: string[],
    private readonly writer: WriterGate,
    private readonly jobs: JobQueue,
    private readonly changed: (reason: string) => void,
  ) {}

  /** The OCR models, opened on first use; null (with the reason in status) when they cannot be. */
  textReader(): Promise<TextReader | null> {
    return (this.readerPart ??= (async () => {
      try {
        const manifest = (this.manifest ??= await readOcrManifest());
        const reader = await TextReader.open(manifest, await locateOcrPack(manifest, join(this.dataDir, 'models')), { device: this.settings.device });
        this.sessions = reader.sessions;
        return reader;
      } catch (error) {
        this.problem = errorText(error);
        this.notices.push(`Text in photos cannot be read: ${this.problem}`);
        return null;
      }
    })());
  }

  /**
   * Reads the text in indexed photos the OCR pack has not read (a library indexed with OCR off, or a
   * reading that failed); nothing is re-embedded. Null when OCR is off or its models cannot be opened.
   */
  async readUnread(options: { onProgress?: (p: Progress) => void } = {}): Promise<ReadingSummary | null> {
    this.writer.require('read text in photos');
    if (!this.settings.ocr || this.jobs.closing) return null;
    const reader = await this.textReader();
    if (!reader || this.readings.readingCounts(reader.manifest.id).unread === 0) return null;
    const job = new ReadingJob(this.readings.catalog, reader, this.jobs.reporter('reading', options.onProgress));
    await this.writer.checkedFor('update the library');
    const summary = await this.jobs.run(job);
    if (job.lastFailure) console.error(`glimpse: ${summary.failed} photos could not be read for text (last: ${job.lastFailure}); they will be tried again`);
    if (summary.withText > 0) this.changed('text read');
    return summary;
  }

  /** Turns OCR on or off (saved); turned on, the photos indexed without it are read in the background. */
  setOcr(enabled: boolean): OcrStatus {
    this.settings.ocr = enabled;
    writeSettings(this.dataDir, { ...loadSettings(this.dataDir).settings, ocr: enabled });
    if (!enabled && this.jobs.job instanceof ReadingJob) this.jobs.job.cancel();
    if (enabled && this.writer.writable)
      void this.jobs.enqueue(
        async () => {
          try {
            await this.readUnread();
          } finally {
            this.jobs.settle();
          }
        },
        (error) => console.error(`glimpse: reading text in photos stopped: ${errorText(error)}`),
      );
    return this.status();
  }

  status(): OcrStatus {
    // The manifest names the pack; its models open only when a photo is read. A CLI search never reads it.
    try {
      this.manifest ??= readOcrManifestSync();
    } catch {
      // reported by textReader() when reading is attempted
    }
    const id = this.manifest?.id ?? DEFAULT_OCR_PACK;
    return {
      enabled: this.settings.ocr,
      model: id,
      name: this.manifest?.name ?? id,
      ...this.readings.readingCounts(id),
      problem: this.settings.ocr ? this.problem : null,
      sessions: this.sessions.map(sessionInfo),
    };
  }

  /** The text read in a photo's current content, as the viewer shows it (null: not read). */
  readTextOf(id: number): PhotoDetail['readText'] {
    const lines = this.readings.reading(id, this.manifest?.id ?? DEFAULT_OCR_PACK);
    return lines ? { lines: lines.map((l) => ({ text: l.text, box: l.box })) } : null;
  }

  /** Frees the OCR models' sessions (when they were opened). */
  async close(): Promise<void> {
    await (await this.readerPart)?.release();
  }
}
