import { readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { type Catalog } from '../catalog/catalog.js';
import { type IndexedPhoto } from './indexing-store.js';
import { type PhotoRow } from '../library/photo-store.js';
import { isUnder } from '../core/paths.js';
import { type CaptionOutcome, captionPhotos, captionRecord } from '../captions/confidence.js';
import type { VectorIndex } from '../index/vector-index.js';
import { MAX_FILE_BYTES, type ModelInput, PhotoError, TooSmallError, bytesFingerprint, fileFingerprint, preparePhoto } from '../media/photo.js';
import { DEFAULT_SAMPLING, type PreparedFrame, type VideoSampling, prepareVideo } from '../media/video.js';
import { poolFrames } from '../models/pool-frames.js';
import type { ImageFeatures } from '../models/pack.js';
import { MISSING_TOOL, toolsAvailable } from '../media/ffmpeg.js';
import type { ThumbnailStore } from '../media/thumbnails.js';
import type { ModelPack } from '../models/pack.js';
import type { RgbPixels } from '../media/decode.js';
import type { PhotoMetadata } from '../media/photo.js';
import type { PhotoLook } from '../media/look.js';
import type { TextReader } from '../ocr/text-reader.js';
import { type JobProgress, JobControl } from '../core/job-control.js';
import { errorText, storageAdvice, storageProblem } from '../core/errors.js';
import { ReadingStore } from '../ocr/reading-store.js';
import { PhotoStore } from '../library/photo-store.js';
import { FolderStore } from '../library/folder-store.js';
import { IndexingStore } from './indexing-store.js';

/** The API's progress, less the phase (the engine knows whether it is scanning or indexing). */

export interface PipelineTimings {
  decodeMs: number;
  /** The image encoder's time, over `images` images (a video's frames each count). */
  inferenceMs: number;
  images: number;
  captionMs: number;
  /** Reading text (OCR), inside the decode stage: each photo is read as soon as it is decoded. */
  readMs: number;
  writeMs: number;
}

export interface PipelineSummary {
  indexed: number;
  errors: number;
  /** Images too small to be photos (icons, sprites), listed as skipped. */
  skipped: number;
  /** Items indexed with a warning: damaged videos indexed from the part that could be read. */
  warnings: number;
  cancelled: boolean;
  seconds: number;
  /** Wall time spent inside each stage (decode overlaps inference, so they add up to more than `seconds`). */
  timings: PipelineTimings;
}

export interface PipelineOptions {
  batchSize?: number;
  /** Photos decoded at once (libvips runs each decode on libuv's thread pool). */
  decodeConcurrency?: number;
  captions?: boolean;
  /**
   * Reads the text (OCR) of a photo it indexes again (its content changed) that this reader has not
   * read in its new content, in the same transaction, so its old text is never shown for new content.
   * A photo indexed for the first time is not read here: reading costs several times what indexing
   * does, so a new library becomes searchable at the image encoder's speed and its text is read after
   * (`ReadingJob`, the update's "reading" phase). None: no reading.
   */
  reader?: TextReader | undefined;
  onProgress?: (progress: JobProgress) => void;
  /** How often the HNSW index file is saved while indexing; the catalogue is always the source of truth. */
  saveEveryMs?: number;
  /** How videos are sampled (frames, interval, time limits). */
  videoSampling?: VideoSampling;
  /** Images smaller than this on their shorter side are skipped, not indexed (the minPhotoSide setting; 0: none). */
  minPhotoSide?: number;
}

/** Indexing stopped part-way: the photos it did not finish are still pending for the next run. */
export class IndexingError extends Error {
  override name = 'IndexingError';
}

/** Saving to the library failed (disk full, read-only, catalogue locked or damaged): no photo's fault. */
class StorageFault extends Error {
  override name = 'StorageFault';
}

interface Prepared {
  row: PhotoRow;
  hash: string;
  metadata: PhotoMetadata;
  inputs: RgbPixels[];
  thumbnail: Buffer;
  /** How a photo looks (perceptual hash, sharpness); videos have none, and never join stacks. */
  look?: PhotoLook;
  /** The text read in it, when it was read this time. */
  reading?: IndexedPhoto['reading'];
  /** A video: its sampled frames (`inputs` is empty; `thumbnail` is chosen from the frames once they are embedded), and what was wrong with it. */
  video?: { duration: number; frames: PreparedFrame[]; warning: string | null };
}

/** A file that is not a photo: skipped with the reason, never indexed. */
interface Skipped {
  row: PhotoRow;
  skipped: { hash: string; width: number; height: number; reason: string };
}

/** How many images an item brings to the model: a photo one, a video one per sampled frame. */
function weight(p: Prepared): number {
  return p.video ? p.video.frames.length : 1;
}

/** Wakes up waiters when the queue state changes. */
class Signal {
  private waiters: Array<() => void> = [];
  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/**
 * Indexes every pending photo: decode in parallel, encode in batches on one model session, caption
 * from the same features, write each batch in one transaction. Memory stays bounded: at most
 * `decodeConcurrency + 2 * batchSize` photos are decoded but not yet written.
 */
export class IndexingJob extends JobControl {
  /** Photos indexed without their text, because reading failed (the last reason is kept). */
  readFailures = 0;
  lastReadFailure: string | null = null;

  constructor(
    private readonly catalog: Catalog,
    private readonly pack: ModelPack,
    private readonly index: VectorIndex,
    private readonly thumbnails: ThumbnailStore,
    private readonly options: PipelineOptions = {},
  ) {
    super(options.onProgress);
  }

  private modelInputs(): ModelInput[] {
    const inputs: ModelInput[] = [this.pack.imageInput];
    if (this.options.captions !== false && this.pack.captionInput) inputs.push(this.pack.captionInput);
    return inputs;
  }

  private async prepare(row: PhotoRow, timings: PipelineTimings): Promise<Prepared | Skipped> {
    const started = performance.now();
    try {
      const info = await stat(row.path);
      if (info.size === 0) throw new PhotoError('empty file (0 bytes)');
      if (row.media === 'video') {
        // A video is never read whole: ffmpeg streams the frames it samples, within its time limit.
        const hash = await fileFingerprint(row.path, info.size);
        const { metadata, duration, frames, warning } = await prepareVideo(row.path, this.modelInputs(), this.options.videoSampling ?? DEFAULT_SAMPLING);
        return { row, hash, metadata, inputs: [], thumbnail: frames[0]!.thumbnail, video: { duration, frames, warning } };
      }
      if (info.size > MAX_FILE_BYTES) throw new PhotoError(`file is too large (${Math.round(info.size / 1e6)} MB)`);
      const bytes = await readFile(row.path);
      const hash = bytesFingerprint(bytes);
      const reader = this.options.reader;
      const read = reader !== undefined && row.indexed_at !== null && !new ReadingStore(this.catalog).hasReading(row.id, reader.manifest.id, hash);
      let photo;
      try {
        photo = await preparePhoto(bytes, this.modelInputs(), { readSide: read ? reader.manifest.readSide : undefined, minSide: this.options.minPhotoSide });
      } catch (error) {
        if (error instanceof TooSmallError) return { row, skipped: { hash, width: error.width, height: error.height, reason: error.message } };
        throw error;
      }
      const { readImage, ...prepared } = photo;
      if (!read || !readImage) return { row, hash, ...prepared };
      // Read now, while the large copy is in memory: only the lines wait for the batch.
      const readStarted = performance.now();
      try {
        return { row, hash, ...prepared, reading: { model: reader.manifest.id, lines: await reader.read(readImage) } };
      } catch (error) {
        // The photo is still indexed; reading it is tried again later (ReadingJob).
        this.readFailures++;
        this.lastReadFailure = errorText(error);
        return { row, hash, ...prepared };
      } finally {
        timings.readMs += performance.now() - readStarted;
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new PhotoError('file disappeared before it could be read');
      if (code === 'EACCES' || code === 'EPERM') throw new PhotoError('permission denied');
      if (code === 'EISDIR') throw new PhotoError('is a folder, not a file');
      throw error;
    } finally {
      timings.decodeMs += performance.now() - started;
    }
  }

  /**
   * Runs until every pending photo is indexed or marked with its error, or the job is cancelled, or a
   * fault stops it (the library's disk is full, the model fails on every photo): then it drains what is
   * in flight and throws an IndexingError; the photos it did not finish stay pending for the next run.
   */
  async run(): Promise<PipelineSummary> {
    const photoStore = new PhotoStore(this.catalog);
    const folderStore = new FolderStore(this.catalog);
    const indexingStore = new IndexingStore(this.catalog);
    const started = performance.now();
    const concurrency = this.options.decodeConcurrency ?? Math.max(2, availableParallelism());
    const captions = this.options.captions !== false && this.pack.hasCaptioner;
    const saveEvery = this.options.saveEveryMs ?? 15_000;
    const timings: PipelineTimings = { decodeMs: 0, inferenceMs: 0, images: 0, captionMs: 0, readMs: 0, writeMs: 0 };
    // Videos that failed because ffmpeg was missing are tried again once it is there.
    if (photoStore.videosWithError(MISSING_TOOL) > 0 && (await toolsAvailable())) photoStore.retryVideosWithError(MISSING_TOOL);
    // Photos in a folder that could not be listed wait until it is back: they are not failures.
    const offline = folderStore.offlineDirs().map((o) => o.dir);
    const waiting = (row: PhotoRow) => !offline.some((dir) => isUnder(row.path, dir));
    this.progress.total = photoStore.counts(this.pack.id).pending - offline.reduce((n, dir) => n + folderStore.pendingCountUnder(this.pack.id, dir), 0);
    this.emit(true);
    // A GPU runs a larger batch in about the time of a small one; the CPU gains nothing past a few dozen.
    // (Asking opens the image encoder, so only when there is work.)
    const onCpu = this.progress.total === 0 || ((await this.pack.imageProvider()) ?? 'cpu') === 'cpu';
    const batchSize = this.options.batchSize ?? (onCpu ? 32 : 64);

    const ready: Prepared[] = [];
    /** Images waiting in `ready` (a video counts its frames). */
    const readyWeight = () => ready.reduce((n, p) => n + weight(p), 0);
    let inFlight = 0;
    let producing = true;
    let fault: unknown;
    const signal = new Signal();
    let rateWindow: Array<{ t: number; done: number }> = [{ t: started, done: 0 }];
    const stop = (error: unknown) => {
      fault ??= error;
      this.wake(); // a paused producer must see the fault too
      signal.notify();
    };

    let skipped = 0;
    let warnings = 0;
    const skip = ({ row, skipped: why }: Skipped) => {
      try {
        indexingStore.recordSkipped(row.id, why);
      } catch (writeError) {
        stop(new StorageFault(storageProblem(writeError), { cause: writeError }));
        return;
      }
      skipped++;
      this.progress.done++;
    };

    const fail = (row: PhotoRow, error: unknown) => {
      try {
        indexingStore.recordError(row.id, errorText(error));
      } catch (writeError) {
        stop(new StorageFault(storageProblem(writeError), { cause: writeError }));
        return;
      }
      this.progress.errors++;
      this.progress.done++;
    };

    const produce = async () => {
      let afterId = 0;
      for (;;) {
        const page = indexingStore.pendingPhotos(this.pack.id, 256, afterId);
        if (page.length === 0) break;
        afterId = page[page.length - 1]!.id;
        for (const row of page.filter(waiting)) {
          await this.unpaused();
          while ((inFlight >= concurrency || readyWeight() >= 2 * batchSize) && fault === undefined) await signal.wait();
          if (this.cancelled || fault !== undefined) return;
          inFlight++;
          this.progress.currentFile = row.path;
          this.prepare(row, timings)
            .then(
              (p) => ('skipped' in p ? skip(p) : ready.push(p)),
              (error: unknown) => fail(row, error),
            )
            .finally(() => {
              inFlight--;
              signal.notify();
            });
        }
      }
    };

    const consume = async () => {
      let lastSave = performance.now();
      for (;;) {
        while (readyWeight() < batchSize && (producing || inFlight > 0) && fault === undefined) await signal.wait();
        if (fault !== undefined) return;
        if (ready.length === 0) {
          if (!producing && inFlight === 0) break;
          continue;
        }
        // Items up to a batch of images (at least one item: a video may bring more frames than a batch).
        let take = 0;
        for (let images = 0; take < ready.length && (take === 0 || images + weight(ready[take]!) <= batchSize); take++) images += weight(ready[take]!);
        const batch = ready.splice(0, take);
        signal.notify();
        const marked = await this.processOrIsolate(batch, captions, timings, fail, batchSize);
        this.progress.done += batch.length - marked;
        warnings += batch.filter((p) => p.video?.warning).length;
        const now = performance.now();
        rateWindow.push({ t: now, done: this.progress.done });
        rateWindow = rateWindow.filter((w) => now - w.t < 10_000 || w === rateWindow[rateWindow.length - 1]);
        const first = rateWindow[0]!;
        const rate = now > first.t ? ((this.progress.done - first.done) * 1000) / (now - first.t) : 0;
        this.progress.rate = Math.round(rate * 10) / 10;
        this.progress.etaSeconds = rate > 0 ? Math.round((this.progress.total - this.progress.done) / rate) : null;
        this.emit();
        if (now - lastSave > saveEvery) {
          this.index.save();
          lastSave = now;
        }
      }
    };

    const consumer = consume().catch(stop);
    await produce().catch(stop);
    producing = false;
    signal.notify();
    await consumer;
    // Nothing may still be decoding when the job returns: the caller may close the catalogue next.
    while (inFlight > 0) await signal.wait();
    this.progress.currentFile = null;
    this.progress.etaSeconds = 0;
    this.emit(true);
    try {
      // A photo indexed before and skipped now left the index with its vectors.
      if (skipped > 0) this.index.refresh(this.catalog);
      this.index.save();
    } catch (error) {
      if (fault === undefined) {
        // Every photo is in the catalogue; only the index is behind (ARCHITECTURE.md, note "The index is a cache").
        throw new IndexingError(
          `Every photo was indexed, but the search index could not be saved: ${storageProblem(error)}. ${storageAdvice(error)} (The index is brought up to date from the catalogue on the next start.)`,
          { cause: error },
        );
      }
    }
    if (fault !== undefined) {
      const left = Math.max(0, this.progress.total - this.progress.done);
      const advice = fault instanceof StorageFault ? ` ${storageAdvice(fault.cause)}` : '';
      throw new IndexingError(`Indexing stopped: ${errorText(fault)}. ${left} photo${left === 1 ? ' is' : 's are'} still waiting and will be indexed on the next run.${advice}`, {
        cause: fault,
      });
    }
    return {
      indexed: this.progress.done - this.progress.errors - skipped,
      errors: this.progress.errors,
      skipped,
      warnings,
      cancelled: this.cancelled,
      seconds: (performance.now() - started) / 1000,
      timings,
    };
  }

  /**
   * Processes a batch; when it fails for a reason other than storage, each photo is tried alone, so one
   * photo the model cannot take is marked with the error and the rest are indexed. When no photo of
   * the batch works alone, the model or runtime is failing, not the photos: that stops the job.
   */
  private async processOrIsolate(
    batch: Prepared[],
    captions: boolean,
    timings: PipelineTimings,
    fail: (row: PhotoRow, error: unknown) => void,
    batchSize: number,
  ): Promise<number> {
    try {
      await this.processBatch(batch, captions, timings, batchSize);
      return 0;
    } catch (error) {
      if (error instanceof StorageFault || batch.length === 1) throw error;
    }
    const failed: Array<[Prepared, unknown]> = [];
    for (const p of batch) {
      try {
        await this.processBatch([p], captions, timings, batchSize);
      } catch (error) {
        if (error instanceof StorageFault) throw error;
        failed.push([p, error]);
      }
    }
    if (failed.length === batch.length) throw failed[0]![1];
    for (const [p, error] of failed) fail(p.row, `the model could not process it: ${errorText(error)}`);
    return failed.length;
  }

  private async processBatch(batch: Prepared[], captions: boolean, timings: PipelineTimings, batchSize: number): Promise<void> {
    let t = performance.now();
    // One image per photo, one per sampled frame of a video, encoded in batches of the model's size.
    const images = batch.flatMap((p) => (p.video ? p.video.frames.map((f) => f.inputs[0]!) : [p.inputs[0]!]));
    const encoded: ImageFeatures[] = [];
    for (let i = 0; i < images.length; i += batchSize) encoded.push(...(await this.pack.embedImages(images.slice(i, i + batchSize))));
    // A video's features are its frames' pooled (its caption, "similar" and concepts read them); its
    // thumbnail is its representative frame, and each frame keeps its own vector and thumbnail.
    let at = 0;
    const items = batch.map((p) => {
      if (!p.video) return { features: encoded[at++]!, pixels: p.inputs[1], thumbnail: p.thumbnail, frames: undefined };
      const frames = encoded.slice(at, (at += p.video.frames.length));
      const { features, representative } = poolFrames(frames);
      const rep = p.video.frames[representative]!;
      return { features, pixels: rep.inputs[1], thumbnail: rep.thumbnail, frames };
    });
    const features = items.map((x) => x.features);
    timings.inferenceMs += performance.now() - t;
    timings.images += images.length;
    let outcomes: CaptionOutcome[] = [];
    if (captions) {
      t = performance.now();
      outcomes = await captionPhotos(
        this.pack,
        items.map((x) => ({ features: x.features, ...(x.pixels ? { pixels: x.pixels } : {}) })),
      );
      timings.captionMs += performance.now() - t;
    }
    t = performance.now();
    const records: IndexedPhoto[] = batch.map((p, i) => ({
      id: p.row.id,
      hash: p.hash,
      width: p.metadata.width,
      height: p.metadata.height,
      takenAt: p.metadata.takenAt,
      camera: p.metadata.camera,
      gps: p.metadata.gps,
      vector: features[i]!.embedding,
      ...captionRecord(outcomes[i]),
      look: p.look,
      warning: p.video?.warning ?? null,
      ...(p.reading ? { reading: p.reading } : {}),
      ...(p.video ? { video: { duration: p.video.duration, frames: p.video.frames.map((f, k) => ({ t: f.t, vector: items[i]!.frames![k]!.embedding })) } } : {}),
    }));
    try {
      await Promise.all(
        batch.flatMap((p, i) => [
          this.thumbnails.write(p.row.id, p.hash, items[i]!.thumbnail),
          ...(p.video?.frames.map((f, k) => this.thumbnails.write(p.row.id, p.hash, f.thumbnail, k)) ?? []),
        ]),
      );
      // A photo deleted while it was being decoded has no row to update any more: it is skipped.
      new IndexingStore(this.catalog).recordIndexed(this.pack.id, records);
    } catch (error) {
      throw new StorageFault(storageProblem(error), { cause: error });
    }
    // A photo indexed before has a thumbnail of its old content: no longer needed.
    await Promise.all(batch.filter((p) => p.row.indexed_at !== null).map((p) => this.thumbnails.removeOthers(p.row.id, p.hash).catch(() => undefined)));
    // The index learns of the batch the way it learns of every change: from the catalogue's vector log,
    // which also moves its log position past these writes.
    this.index.refresh(this.catalog);
    timings.writeMs += performance.now() - t;
  }
}
