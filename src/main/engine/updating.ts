import { join } from 'node:path';
import type { Progress } from '../../shared/api.js';
import { TITLE_RULES, refreshAlbums } from './albums/albums.js';
import { backupCatalog, backupDue, isDamage } from './catalog/backup.js';
import type { Catalog } from './catalog/catalog.js';
import type { WriterChecks } from './checks.js';
import { errorText, inStage } from './core/errors.js';
import type { JobQueue } from './core/job-queue.js';
import type { WriterGate } from './core/writer-gate.js';
import type { ActiveModel } from './index/active-model.js';
import type { IndexingService } from './indexing/indexing-service.js';
import type { PipelineSummary } from './indexing/pipeline.js';
import type { FolderRow } from './library/folder-store.js';
import type { LibraryService } from './library/library-service.js';
import type { ReconcileResult, ScanProblem } from './library/scan.js';
import type { PeopleService, PeopleSummary } from './faces/people-service.js';
import type { OcrService } from './ocr/ocr-service.js';
import type { PlaceService } from './places/place-service.js';
import type { PlaceSummary } from './places/place-job.js';
import type { ReadingSummary } from './ocr/reading-job.js';
import type { LookSummary } from './stacks/look-job.js';
import type { StackService } from './stacks/stack-service.js';
import type { StackBuild } from './stacks/stacks.js';
import type { CatalogStores } from './stores.js';

export interface UpdateSummary {
  scan: ReconcileResult;
  problems: ScanProblem[];
  indexing: PipelineSummary;
  /**
   * Photos whose text was read after they were indexed: every new photo (so it is searchable first),
   * and those indexed with OCR off or whose reading failed (null: OCR is off or unavailable, or none was unread).
   */
  reading: ReadingSummary | null;
  /** Faces found in photos not looked at yet, and how they were grouped (null: people are off or unavailable, or none was new). */
  faces: PeopleSummary | null;
  /** Places named for photos with GPS coordinates not looked up yet (null: none were new). */
  places: PlaceSummary | null;
  /** Photos indexed earlier whose perceptual hash and sharpness were computed afterwards (null: none needed it). */
  looks: LookSummary | null;
  /** The near-duplicate stacks, rebuilt when what they are built from changed. */
  stacks: StackBuild;
  albums: number;
}

/** The features an update runs, in order. */
export interface UpdateStages {
  library: LibraryService;
  indexing: IndexingService;
  ocr: OcrService;
  people: PeopleService;
  places: PlaceService;
  stacks: StackService;
}

/**
 * Bringing the library up to date: scan, index, split an outgrown index, title albums, read text,
 * find faces, name places, measure looks, group near-duplicates, then a backup when one is due. The one job behind `glimpse
 * index`, the watcher and the app's "add folder"; queued, so a burst of watcher events never runs two.
 */
export class LibraryUpdate {
  /** Stops a split of the index into more graphs when the engine closes (the next update splits it). */
  private splitting: AbortController | null = null;

  constructor(
    private readonly dataDir: string,
    private readonly catalog: Catalog,
    private readonly stores: CatalogStores,
    private readonly model: ActiveModel,
    private readonly stages: UpdateStages,
    private readonly writer: WriterGate,
    private readonly checks: WriterChecks,
    private readonly jobs: JobQueue,
    private readonly notices: string[],
  ) {}

  run(options: { folders?: FolderRow[]; under?: string; onProgress?: (p: Progress) => void } = {}): Promise<UpdateSummary> {
    this.writer.require('update the library');
    return this.jobs.enqueue(async () => {
      try {
        // Each stage names itself, so a fault late in the job (a disk that filled up while photos were
        // indexed) says where it stopped and what to do, not only SQLite's words.
        const stage = <T>(name: string, work: () => T | Promise<T>) => inStage(name, this.dataDir, work);
        const progress = options.onProgress ? { onProgress: options.onProgress } : {};
        const { result, problems } = await stage('scanning the folders', () => this.stages.library.scan(options.folders, options.under));
        const indexing = await stage('indexing photos', () => this.stages.indexing.indexPending(progress));
        if (!indexing.cancelled) await stage('splitting the search index', () => this.splitIfOutgrown());
        // Marked stale by every change the scan applied and every batch indexed, in their own transactions;
        // titled by an older Glimpse's rules, every album is titled again once.
        const albums =
          this.stores.albums.albumsStale || this.stores.albums.titledBefore(TITLE_RULES)
            ? await stage('titling albums', async () => {
                const titled = await refreshAlbums(this.catalog, this.model.pack);
                this.stores.albums.albumsStale = false;
                return titled;
              })
            : 0;
        const reading = indexing.cancelled ? null : await stage('reading text in photos', () => this.stages.ocr.readUnread(progress));
        const faces = indexing.cancelled ? null : await stage('finding faces in photos', () => this.stages.people.findFaces(progress));
        const places = indexing.cancelled ? null : await stage('finding the places of photos', () => this.stages.places.placeUnplaced(progress));
        const looks = indexing.cancelled ? null : await stage('measuring photos for duplicates', () => this.stages.stacks.measureLooks(progress));
        const stacks = await stage('grouping near-duplicates', () => this.stages.stacks.refresh());
        this.jobs.settle(null);
        await this.backupIfDue();
        return { scan: result, problems, indexing, reading, faces, places, looks, stacks, albums };
      } catch (error) {
        if (isDamage(error)) this.checks.reportDamage(errorText(error));
        this.jobs.settle(errorText(error));
        throw error;
      }
    });
  }

  /**
   * A library indexed photo by photo grows its index in the graphs it has: past OUTGROWN x SHARD_SIZE a
   * graph, it is rebuilt into more graphs (minutes at 1M, on worker threads, while searches go on).
   */
  private async splitIfOutgrown(): Promise<void> {
    const index = this.model.index;
    if (this.jobs.closing || !index.outgrown()) return;
    const splitting = (this.splitting = new AbortController());
    try {
      if (await index.split(this.catalog, splitting.signal)) index.save();
    } finally {
      this.splitting = null;
    }
  }

  /**
   * Copies the catalogue to `backups/` when the newest copy is a day old (the writer, after a job).
   * A failure is reported, never fatal: the library itself is fine.
   */
  async backupIfDue(now = new Date()): Promise<string | null> {
    if (!this.writer.writable) return null;
    const dir = join(this.dataDir, 'backups');
    if (!backupDue(dir, now.getTime())) return null;
    try {
      return await backupCatalog(this.catalog, dir, now);
    } catch (error) {
      if (isDamage(error)) this.checks.reportDamage(errorText(error));
      else this.notices.push(`The catalogue could not be backed up: ${errorText(error)}`);
      return null;
    }
  }

  /** The engine is closing: a split in flight stops (the index is as it was). */
  stop(): void {
    this.splitting?.abort(new Error('the engine is closing'));
  }
}
