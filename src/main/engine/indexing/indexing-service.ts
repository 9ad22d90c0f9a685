import type { Progress } from '../../../shared/api.js';
import type { JobQueue } from '../core/job-queue.js';
import type { Settings } from '../core/settings.js';
import type { WriterGate } from '../core/writer-gate.js';
import type { ActiveModel } from '../index/active-model.js';
import type { ThumbnailStore } from '../media/thumbnails.js';
import type { Catalog } from '../catalog/catalog.js';
import type { TextReader } from '../ocr/text-reader.js';
import { PhotoStore } from '../library/photo-store.js';
import { IndexingJob, type PipelineSummary } from './pipeline.js';

/** Indexing what needs it: the pipeline run as the engine's job, for the active pack or one being switched to. */
export class IndexingService {
  constructor(
    private readonly catalog: Catalog,
    private readonly model: ActiveModel,
    private readonly thumbnails: ThumbnailStore,
    private readonly settings: Settings,
    private readonly reader: () => Promise<TextReader | null>,
    private readonly writer: WriterGate,
    private readonly jobs: JobQueue,
    private readonly changed: (reason: string) => void,
    /** Told what each run's image encoder cost (the model manager shows it as this computer's figure). */
    private readonly measured: (packId: string, inferenceMs: number, images: number) => void = () => {},
  ) {}

  /** Indexes every pending photo; progress goes to `progress` events and the optional callback. */
  async indexPending(options: { onProgress?: (p: Progress) => void; batchSize?: number } = {}, target: ActiveModel = this.model): Promise<PipelineSummary> {
    this.writer.require('index photos');
    const reader = this.settings.ocr ? await this.reader() : null;
    await this.writer.checkedFor('update the library');
    // The smallest photo may have changed since these photos were looked at: they are looked at again.
    new PhotoStore(this.catalog).applyMinSide(this.settings.minPhotoSide);
    const job = new IndexingJob(this.catalog, target.pack, target.index, this.thumbnails, {
      captions: this.settings.captions,
      minPhotoSide: this.settings.minPhotoSide,
      reader: reader ?? undefined,
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      onProgress: this.jobs.reporter('indexing', options.onProgress),
    });
    const summary = await this.jobs.run(job);
    this.measured(target.pack.id, summary.timings.inferenceMs, summary.timings.images);
    if (job.readFailures > 0) console.error(`glimpse: the text of ${job.readFailures} photos could not be read (${job.lastReadFailure}); it will be tried again`);
    if (summary.indexed > 0) this.changed('indexed');
    return summary;
  }
}
