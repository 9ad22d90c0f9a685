import { EventEmitter } from 'node:events';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type {
  Album,
  Concept,
  Duplicates,
  FolderInfo,
  OcrStatus,
  OfflineFolder,
  PhotoDetail,
  Progress,
  SearchResponse,
  SearchResult,
  SessionInfo,
  Status,
} from '../../shared/api.js';
import { CatalogDamagedError, backupCatalog, backupDue, isDamage, markDamaged, openCatalog } from './catalog/backup.js';
import { quickCheckOnThread } from './catalog/file-checks.js';
import { errorText, inStage } from './core/errors.js';
import { Catalog } from './catalog/catalog.js';
import { type FolderRow, type OfflineDir } from './library/folder-store.js';
import { isUnder } from './core/paths.js';
import { refreshAlbums } from './albums/albums.js';
import { ConceptError, cleanName, conceptKey, conceptMatches, conceptsOfPhoto } from './concepts/concepts.js';
import { VectorIndex } from './index/vector-index.js';
import type { JobControl } from './core/job-control.js';
import { IndexingJob, type PipelineSummary } from './indexing/pipeline.js';
import type { JobProgress } from './core/job-control.js';
import { ReadingJob, type ReadingSummary } from './ocr/reading-job.js';
import { LookJob, type LookSummary } from './stacks/look-job.js';
import { type StackBuild, duplicates, refreshStacks, stackGroup } from './stacks/stacks.js';
import { DEFAULT_OCR_PACK, type OcrManifest, locateOcrPack, readOcrManifest, readOcrManifestSync } from './ocr/ocr-pack.js';
import { TextReader } from './ocr/text-reader.js';
import { captionPhotos, captionRecord } from './captions/confidence.js';
import { LibraryLock, type LockHolder, describeHolder } from './core/library-lock.js';
import { type ReconcileResult, type ScanProblem, reconcile, walkFolder } from './library/scan.js';
import { decodeFileForModel, preparePhoto } from './media/photo.js';
import { ThumbnailStore } from './media/thumbnails.js';
import { ModelPack, type PackPart } from './models/pack.js';
import { type SessionReport, adapterName } from './models/providers.js';
import { DEVICE_PREFERENCES, type DevicePreference, isDevicePreference } from './core/device-preference.js';
import { resolvePack } from './models/store.js';
import { type SearchRequest, search } from './search/search.js';
import { searchResult } from './search/results.js';
import { type CatalogStores, storesOf } from './stores.js';
import { type Settings, loadSettings, writeSettings } from './core/settings.js';
import { VectorStore } from './index/vector-store.js';
import { KeywordStore } from './search/keyword-store.js';

export interface EngineOptions {
  dataDir: string;
  /** Overrides the saved settings for this run. */
  model?: string | undefined;
  device?: DevicePreference | undefined;
  captions?: boolean | undefined;
  /** Read the text in photos (OCR); overrides the saved setting for this run. */
  ocr?: boolean | undefined;
  /**
   * 'write' (the default) takes the library's write lock: this engine may scan, index and manage
   * folders. 'read' searches and edits captions and album titles while another process writes.
   */
  access?: 'write' | 'read' | undefined;
  /** How long a writer waits for another one to finish before giving up (ms; default 0). */
  lockWaitMs?: number | undefined;
  onLockWait?: ((holder: LockHolder | null) => void) | undefined;
  /** How this process is named to others that find the library busy. */
  command?: string | undefined;
  /**
   * Model parts to open while the vector index loads (on another thread), for a caller that will use
   * them at once: `glimpse search` opens the text encoder this way. A part that fails to open reports
   * its error where it is first used.
   */
  warm?: readonly PackPart[] | undefined;
  /**
   * When a writer runs its whole-file checks (the catalogue's quick check, the graphs' checksums: about
   * 5 s of reading at a million photos). 'at-open' (the default): before `open` returns. 'after-open'
   * (the app): once open has returned, on threads, so the first search does not wait; every job waits
   * for them, and the index is not saved before them. After a writer that ended uncleanly (a crash, a
   * kill, a power cut: what it wrote may be torn) they always run at open.
   */
  checks?: 'at-open' | 'after-open' | undefined;
}

export interface UpdateSummary {
  scan: ReconcileResult;
  problems: ScanProblem[];
  indexing: PipelineSummary;
  /** Photos indexed earlier whose text was read afterwards (null: OCR is off or unavailable). */
  reading: ReadingSummary | null;
  /** Photos indexed earlier whose perceptual hash and sharpness were computed afterwards (null: none needed it). */
  looks: LookSummary | null;
  /** The near-duplicate stacks, rebuilt when what they are built from changed. */
  stacks: StackBuild;
  albums: number;
}

export class EngineError extends Error {
  override name = 'EngineError';
}

/** GLIMPSE_DEVICE overrides the saved device setting for one run (between the saved setting and an explicit option). */
function deviceFromEnvironment(notices: string[]): DevicePreference | undefined {
  const value = process.env.GLIMPSE_DEVICE;
  if (!value) return undefined;
  if (isDevicePreference(value)) return value;
  notices.push(`GLIMPSE_DEVICE=${value} is not one of ${DEVICE_PREFERENCES.join(', ')}; it was ignored`);
  return undefined;
}

const IDLE: Progress = { phase: 'idle', done: 0, total: 0, errors: 0, rate: 0, etaSeconds: null, currentFile: null, failure: null };

/** An offline folder as the API shows it: since when (ISO) and why. */
function offlineMark(o: OfflineDir | undefined): { since: string; reason: string } | null {
  return o ? { since: new Date(o.since).toISOString(), reason: o.reason } : null;
}

function sessionInfo(s: SessionReport): SessionInfo {
  return { session: s.session, provider: s.provider, adapter: s.adapter ? adapterName(s.adapter) : null, fallbackReason: s.fallbackReason ?? null };
}

/**
 * The library engine: the catalogue, the model pack, the vector index and the jobs that keep them in
 * step with the folders on disk. Plain Node: the CLI, the web server and Electron's engine process
 * all host this same object.
 */
export class GlimpseEngine extends EventEmitter<{ progress: [Progress]; libraryChanged: [{ reason: string }] }> {
  private job: JobControl | undefined;
  /** The OCR models, opened the first time a photo is read; null when they could not be opened (see readerProblem). */
  private readerPart: Promise<TextReader | null> | undefined;
  private readerProblem: string | null = null;
  private ocrManifest: OcrManifest | undefined;
  private progressState: Progress = { ...IDLE };
  private running: Promise<unknown> = Promise.resolve();
  /** The writer's checks run after open (resolved when they ran at open, or there are none to run). */
  private checks: Promise<void> = Promise.resolve();
  /** Damage those checks found: nothing more is written until the next start recovers it. */
  private damage: string | null = null;
  private closing = false;
  /** Stops a split of the index into more graphs when the engine closes (the next update splits it). */
  private splitting: AbortController | null = null;
  private switching: { id: string; name: string } | null = null;
  /** Things the user should be told once: a recovered catalogue, a settings file set aside, a failed backup. */
  readonly notices: string[];
  /** Each feature's gateway to the catalogue. */
  readonly stores: CatalogStores;

  private constructor(
    readonly dataDir: string,
    readonly settings: Settings,
    readonly catalog: Catalog,
    private currentPack: ModelPack,
    private currentIndex: VectorIndex,
    readonly thumbnails: ThumbnailStore,
    private lock: LibraryLock | null,
    notices: string[],
  ) {
    super();
    this.notices = notices;
    this.stores = storesOf(catalog);
  }

  static async open(options: EngineOptions): Promise<GlimpseEngine> {
    const dataDir = resolve(options.dataDir);
    const notices: string[] = [];
    const { settings: saved, notice } = loadSettings(dataDir);
    if (notice) notices.push(notice);
    const settings: Settings = {
      model: options.model ?? saved.model,
      device: options.device ?? deviceFromEnvironment(notices) ?? saved.device,
      captions: options.captions ?? saved.captions,
      ocr: options.ocr ?? saved.ocr,
      ...(saved.nextModel && saved.nextModel !== (options.model ?? saved.model) ? { nextModel: saved.nextModel } : {}),
    };
    const command = options.command ?? `${basename(process.argv[1] ?? 'glimpse')} ${process.argv.slice(2).join(' ')}`.trim();
    const lock =
      options.access === 'read'
        ? null
        : await LibraryLock.acquire(dataDir, command, { waitMs: options.lockWaitMs ?? 0, ...(options.onLockWait ? { onWait: options.onLockWait } : {}) });
    const checksAfterOpen = lock !== null && options.checks === 'after-open' && lock.endedUncleanly === null;
    let catalog: Catalog | undefined;
    let pack: ModelPack | undefined;
    try {
      catalog = await openCatalog(dataDir, lock !== null, notices, { quickCheck: !checksAfterOpen });
      pack = await ModelPack.open(await resolvePack(join(dataDir, 'models'), settings.model), { device: settings.device });
      const warming = options.warm ? pack.load(options.warm).catch(() => undefined) : undefined;
      const index = await VectorIndex.open(join(dataDir, 'index'), pack.id, pack.dimensions, catalog, { writable: lock !== null, checksumsAfterOpen: checksAfterOpen });
      await warming;
      if (lock && !checksAfterOpen) GlimpseEngine.writerOpened(catalog, pack.id);
      const engine = new GlimpseEngine(dataDir, settings, catalog, pack, index, new ThumbnailStore(join(dataDir, 'thumbs')), lock, notices);
      if (checksAfterOpen) engine.startChecks();
      return engine;
    } catch (error) {
      await pack?.close(); // sessions the warm-up opened
      catalog?.close();
      lock?.release();
      // Damage met while opening before the checks: open again with them, which recovers it.
      if (checksAfterOpen && isDamage(error)) return GlimpseEngine.open({ ...options, checks: 'at-open' });
      throw error;
    }
  }

  /** What a writer does once its checks have passed: tidy the vector log, point keyword search at its pack. */
  private static writerOpened(catalog: Catalog, packId: string): void {
    const vectorStore = new VectorStore(catalog);
    // Compacts the vector log when superseded entries make up most of it.
    if (vectorStore.vectorLogSize() > 2 * vectorStore.vectorCountAll() + 1000) vectorStore.compactVectorLog();
    new KeywordStore(catalog).setKeywordModel(packId);
  }

  /** Runs the writer's checks in the background; jobs queued meanwhile run after them (`whenChecked`). */
  private startChecks(): void {
    const checks = this.checkAfterOpen();
    this.checks = checks;
    this.running = this.running.then(() => checks).catch(() => undefined);
  }

  /**
   * The catalogue's quick check, then the checksums of the graphs loaded on trust (a damaged graph is
   * rebuilt from the catalogue), each on a thread. Damage in the catalogue is marked for recovery at
   * the next start (with the user's captions salvaged from the damaged file), and stops all writing.
   */
  private async checkAfterOpen(): Promise<void> {
    try {
      const check = await quickCheckOnThread(join(this.dataDir, 'catalog.sqlite'));
      if (check !== 'ok') throw new CatalogDamagedError(`its integrity check found: ${check}`);
      await this.currentIndex.verify(this.catalog);
      GlimpseEngine.writerOpened(this.catalog, this.currentPack.id);
    } catch (error) {
      if (isDamage(error)) {
        this.damage = errorText(error);
        this.reportDamage(this.damage);
      }
      throw error;
    }
  }

  /** The damage the writer's checks found (null: none); until the next start recovers it, nothing is written. */
  get damageFound(): string | null {
    return this.damage;
  }

  /** Resolves when the writer's checks have run (at once when they ran at open); rejects with what they found. */
  whenChecked(): Promise<void> {
    return this.checks;
  }

  /** Waits for the writer's checks, then makes sure this engine may still write. */
  private async checkedFor(action: string): Promise<void> {
    await this.checks.catch(() => undefined);
    this.requireWriter(action);
  }

  /** The pack search uses (during a switch, still the old one until the new one covers the library). */
  get pack(): ModelPack {
    return this.currentPack;
  }

  get index(): VectorIndex {
    return this.currentIndex;
  }

  /** True when this engine holds the library's write lock. */
  get writable(): boolean {
    return this.lock !== null;
  }

  /** Why this engine cannot write: another process is updating the library (null when none is, or this one holds the lock). */
  readOnlyReason(): string | null {
    if (this.lock) return null;
    const holder = LibraryLock.activeHolder(this.dataDir);
    return holder ? `another Glimpse process (${describeHolder(holder)}) is updating this library` : null;
  }

  /** Takes the write lock if it has become free (the app retries this while it runs read-only). */
  tryBecomeWriter(command = 'Glimpse'): boolean {
    if (this.lock) return true;
    this.lock = LibraryLock.tryAcquire(this.dataDir, command);
    if (!this.lock) return false;
    this.index.makeWritable();
    this.index.refresh(this.catalog);
    // It loaded the index as a reader does and never checked the catalogue: the writer's checks, now.
    this.startChecks();
    return true;
  }

  private requireWriter(action: string): void {
    if (this.damage) throw new EngineError(`Cannot ${action}: the library's catalogue is damaged (${this.damage}). Glimpse restores it from its backup the next time it starts.`);
    if (!this.lock)
      throw new EngineError(`Cannot ${action}: ${this.readOnlyReason() ?? 'this Glimpse opened the library read-only'}. Searching and editing captions work meanwhile.`);
  }

  get progress(): Progress {
    return { ...this.progressState };
  }

  private setProgress(progress: Progress): void {
    this.progressState = progress;
    this.emit('progress', { ...progress });
  }

  // ---- folders ----

  addFolder(path: string): FolderRow {
    this.requireWriter('add a folder');
    const dir = resolve(path);
    let isDir: boolean;
    try {
      isDir = statSync(dir).isDirectory();
      accessSync(dir, constants.R_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new EngineError(code === 'ENOENT' ? `${dir} does not exist` : `${dir} cannot be read (${code ?? 'error'})`);
    }
    if (!isDir) throw new EngineError(`${dir} is not a folder`);
    const folders = this.stores.folders.folders();
    const same = folders.find((f) => f.path === dir);
    if (same) return same;
    const outer = folders.find((f) => dir.startsWith(f.path + sep));
    if (outer) throw new EngineError(`${dir} is already in the library, inside ${outer.path}`);
    const inner = folders.find((f) => f.path.startsWith(dir + sep));
    if (inner) throw new EngineError(`${dir} contains ${inner.path}, which is already in the library; remove that folder first, then add ${dir}`);
    return this.stores.folders.addFolder(dir);
  }

  removeFolder(id: number): boolean {
    this.requireWriter('remove a folder');
    const ids = this.stores.photos.photosInFolder(id).map((p) => p.id);
    const removed = this.stores.folders.removeFolder(id);
    this.index.refresh(this.catalog);
    this.index.save();
    void this.thumbnails.removeAll(ids).catch(() => undefined);
    if (removed) this.emit('libraryChanged', { reason: 'folder removed' });
    return removed;
  }

  /** `offline`: the catalogue's offline folders, when the caller has them already (status lists every folder). */
  folderInfo(row: FolderRow, offline: OfflineDir[] = this.stores.folders.offlineDirs()): FolderInfo {
    return {
      id: row.id,
      path: row.path,
      photoCount: row.photo_count,
      errorCount: row.error_count,
      watchNote: row.watch_note,
      offline: offlineMark(offline.find((o) => o.dir === row.path)),
    };
  }

  /** Folders (library folders or folders inside them) that could not be listed, and the photos kept for them. */
  offlineFolders(offline: OfflineDir[] = this.stores.folders.offlineDirs()): OfflineFolder[] {
    return offline.map((o) => ({ path: o.dir, ...offlineMark(o)!, photos: this.stores.folders.photoCountUnder(o.dir) }));
  }

  // ---- scanning and indexing ----

  /**
   * Walks folders (all, or the given ones / one folder inside one) and reconciles the catalogue with
   * them. A folder inside a library folder that no longer exists is judged from its nearest existing
   * parent (its listing is what proves the folder is gone, not offline).
   */
  async scan(folders: FolderRow[] = this.stores.folders.folders(), under?: string): Promise<{ result: ReconcileResult; problems: ScanProblem[] }> {
    await this.checkedFor('scan folders');
    const problems: ScanProblem[] = [];
    this.setProgress({ ...IDLE, phase: 'scanning' });
    const scopes = [];
    for (const folder of folders) {
      let root = under && isUnder(under, folder.path) ? under : folder.path;
      while (root !== folder.path && !existsSync(root)) root = dirname(root);
      scopes.push({ folder, root, listing: await walkFolder(root, problems) });
    }
    const offlineBefore = this.stores.folders
      .offlineDirs()
      .map((o) => o.dir)
      .join('\n');
    const { removedIds, ...result } = await reconcile(this.catalog, scopes);
    const offlineChanged =
      this.stores.folders
        .offlineDirs()
        .map((o) => o.dir)
        .join('\n') !== offlineBefore;
    if (removedIds.length > 0) {
      this.index.refresh(this.catalog);
      this.index.save();
      await this.thumbnails.removeAll(removedIds);
    }
    if (result.added + result.changed + result.moved + result.removed > 0 || offlineChanged) this.emit('libraryChanged', { reason: 'scan' });
    return { result, problems };
  }

  /** Indexes every pending photo; progress goes to `progress` events and the optional callback. */
  async indexPending(options: { onProgress?: (p: Progress) => void; batchSize?: number } = {}, target: { pack: ModelPack; index: VectorIndex } = this): Promise<PipelineSummary> {
    this.requireWriter('index photos');
    const reader = this.settings.ocr ? await this.textReader() : null;
    const job = new IndexingJob(this.catalog, target.pack, target.index, this.thumbnails, {
      captions: this.settings.captions,
      reader: reader ?? undefined,
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      onProgress: this.reportAs('indexing', options.onProgress),
    });
    const summary = await this.runJob(job);
    if (job.readFailures > 0) console.error(`glimpse: the text of ${job.readFailures} photos could not be read (${job.lastReadFailure}); it will be tried again`);
    if (summary.indexed > 0) this.emit('libraryChanged', { reason: 'indexed' });
    return summary;
  }

  /** A job's progress as the engine's, in `phase` (or paused): to status and events, and to the caller. */
  private reportAs(phase: Progress['phase'], onProgress?: (p: Progress) => void): (p: JobProgress) => void {
    return ({ paused, ...counts }) => {
      const progress: Progress = { phase: paused ? 'paused' : phase, ...counts, failure: null };
      this.setProgress(progress);
      onProgress?.(progress);
    };
  }

  /** Runs a background job as the current one, so that pause, resume and cancel reach it. */
  private async runJob<T>(job: JobControl & { run(): Promise<T> }): Promise<T> {
    await this.checkedFor('update the library');
    this.job = job;
    if (this.closing) job.cancel();
    try {
      return await job.run();
    } finally {
      this.job = undefined;
    }
  }

  // ---- reading text (OCR) ----

  /** The OCR models, opened on first use; null (with the reason in status) when they cannot be. */
  textReader(): Promise<TextReader | null> {
    return (this.readerPart ??= (async () => {
      try {
        const manifest = (this.ocrManifest ??= await readOcrManifest());
        const reader = await TextReader.open(manifest, await locateOcrPack(manifest, join(this.dataDir, 'models')), { device: this.settings.device });
        this.readerSessions = reader.sessions;
        return reader;
      } catch (error) {
        this.readerProblem = errorText(error);
        this.notices.push(`Text in photos cannot be read: ${this.readerProblem}`);
        return null;
      }
    })());
  }

  /**
   * Reads the text in indexed photos the OCR pack has not read (a library indexed with OCR off, or a
   * reading that failed); nothing is re-embedded. Null when OCR is off or its models cannot be opened.
   */
  async readUnread(options: { onProgress?: (p: Progress) => void } = {}): Promise<ReadingSummary | null> {
    this.requireWriter('read text in photos');
    if (!this.settings.ocr || this.closing) return null;
    const reader = await this.textReader();
    if (!reader || this.stores.readings.readingCounts(reader.manifest.id).unread === 0) return null;
    const job = new ReadingJob(this.catalog, reader, this.reportAs('reading', options.onProgress));
    const summary = await this.runJob(job);
    if (job.lastFailure) console.error(`glimpse: ${summary.failed} photos could not be read for text (last: ${job.lastFailure}); they will be tried again`);
    if (summary.withText > 0) this.emit('libraryChanged', { reason: 'text read' });
    return summary;
  }

  // ---- near-duplicate stacks ----

  /**
   * Computes the perceptual hash and sharpness of indexed photos that have none for their content (a
   * library indexed before stacks existed); nothing is re-embedded. Null when every photo has them.
   */
  async measureLooks(options: { onProgress?: (p: Progress) => void } = {}): Promise<LookSummary | null> {
    this.requireWriter('measure photos');
    if (this.closing || this.stores.stacks.lookCounts().missing === 0) return null;
    const job = new LookJob(this.catalog, this.reportAs('measuring', options.onProgress));
    const summary = await this.runJob(job);
    if (job.lastFailure) console.error(`glimpse: ${summary.failed} photos could not be measured for stacks (last: ${job.lastFailure}); they will be tried again`);
    return summary;
  }

  /** Rebuilds the stacks when their sources changed (the writer; a reader shows the last ones built). */
  refreshStacks(): StackBuild {
    if (!this.lock) return { built: false, incremental: false, groups: 0, photos: 0, seconds: 0 };
    const build = refreshStacks(this.catalog, this.index, this.pack.id);
    if (build.built) this.emit('libraryChanged', { reason: 'stacks' });
    return build;
  }

  /** Exact and near-duplicate groups, largest first, each with its best shot first. Glimpse never deletes a file. */
  duplicates(): Duplicates {
    // While a job runs, the stacks it will rebuild when it ends are shown as they were (a rebuild is a
    // pass over the whole library: not once per look at the view).
    if (!this.job) this.refreshStacks();
    return duplicates(this.catalog);
  }

  /** The photos of one stack, best shot first, as search results (to open the stack in place in the grid). */
  stack(id: number): SearchResult[] {
    const group = stackGroup(this.catalog, id);
    if (!group) throw new EngineError(`no stack with id ${id}`);
    const ids = group.photos.map((p) => p.id);
    const rows = this.stores.photos.photos(ids);
    const captions = this.stores.captions.captions(ids, this.pack.id);
    const offline = this.stores.folders.offlineDirs().map((o) => o.dir);
    return group.photos.map((p) => {
      const detail = p.best ? 'the best shot of its stack (sharpest, then largest)' : p.copyOf !== null ? 'an exact copy in its stack' : 'a near-duplicate in its stack';
      return searchResult(
        rows.get(p.id)!,
        { score: 0, caption: captions.get(p.id) ?? null, why: [{ kind: 'stack', detail }], moment: null, stack: { id, size: group.photos.length } },
        offline,
      );
    });
  }

  /** Turns OCR on or off (saved); turned on, the photos indexed without it are read in the background. */
  setOcr(enabled: boolean): OcrStatus {
    this.settings.ocr = enabled;
    writeSettings(this.dataDir, { ...loadSettings(this.dataDir).settings, ocr: enabled });
    if (!enabled && this.job instanceof ReadingJob) this.job.cancel();
    if (enabled && this.lock) {
      const next = this.running.then(async () => {
        try {
          await this.readUnread();
        } finally {
          this.setProgress({ ...this.progressState, phase: 'idle', currentFile: null, etaSeconds: null });
        }
      });
      this.running = next.catch((error: Error) => console.error(`glimpse: reading text in photos stopped: ${error.message}`));
    }
    return this.ocrStatus();
  }

  ocrStatus(): OcrStatus {
    // The manifest names the pack; its models open only when a photo is read. A CLI search never reads it.
    try {
      this.ocrManifest ??= readOcrManifestSync();
    } catch {
      // reported by textReader() when reading is attempted
    }
    const id = this.ocrManifest?.id ?? DEFAULT_OCR_PACK;
    return {
      enabled: this.settings.ocr,
      model: id,
      name: this.ocrManifest?.name ?? id,
      ...this.stores.readings.readingCounts(id),
      problem: this.settings.ocr ? this.readerProblem : null,
      sessions: this.readerSessions.map(sessionInfo),
    };
  }

  private readerSessions: SessionReport[] = [];

  /**
   * Scan, index and re-title albums: the one call behind `glimpse index`, the watcher and the app's
   * "add folder". Calls are serialised, so a burst of watcher events never runs two jobs at once.
   */
  update(options: { folders?: FolderRow[]; under?: string; onProgress?: (p: Progress) => void } = {}): Promise<UpdateSummary> {
    this.requireWriter('update the library');
    const next = this.running.then(async () => {
      try {
        // Each stage names itself, so a fault late in the job (a disk that filled up while photos were
        // indexed) says where it stopped and what to do, not only SQLite's words.
        const stage = <T>(name: string, work: () => T | Promise<T>) => inStage(name, this.dataDir, work);
        const progress = options.onProgress ? { onProgress: options.onProgress } : {};
        const { result, problems } = await stage('scanning the folders', () => this.scan(options.folders, options.under));
        const indexing = await stage('indexing photos', () => this.indexPending(progress));
        if (!indexing.cancelled) await stage('splitting the search index', () => this.splitIndexIfOutgrown());
        // Marked stale by every change the scan applied and every batch indexed, in their own transactions.
        const albums = this.stores.albums.albumsStale
          ? await stage('titling albums', async () => {
              const titled = await refreshAlbums(this.catalog, this.pack);
              this.stores.albums.albumsStale = false;
              return titled;
            })
          : 0;
        const reading = indexing.cancelled ? null : await stage('reading text in photos', () => this.readUnread(progress));
        const looks = indexing.cancelled ? null : await stage('measuring photos for duplicates', () => this.measureLooks(progress));
        const stacks = await stage('grouping near-duplicates', () => this.refreshStacks());
        this.setProgress({ ...this.progressState, phase: 'idle', currentFile: null, etaSeconds: null, failure: null });
        await this.backupIfDue();
        return { scan: result, problems, indexing, reading, looks, stacks, albums };
      } catch (error) {
        if (isDamage(error)) this.reportDamage(errorText(error));
        this.setProgress({ ...this.progressState, phase: 'idle', currentFile: null, etaSeconds: null, failure: errorText(error) });
        throw error;
      }
    });
    this.running = next.catch(() => undefined);
    return next;
  }

  /**
   * A library indexed photo by photo grows its index in the graphs it has: past OUTGROWN x SHARD_SIZE a
   * graph, it is rebuilt into more graphs (minutes at 1M, on worker threads, while searches go on).
   */
  private async splitIndexIfOutgrown(): Promise<void> {
    if (this.closing || !this.index.outgrown()) return;
    const splitting = (this.splitting = new AbortController());
    try {
      if (await this.index.split(this.catalog, splitting.signal)) this.index.save();
    } finally {
      this.splitting = null;
    }
  }

  private reportDamage(reason: string): void {
    markDamaged(this.dataDir, reason);
    this.notices.push(`The library's catalogue is damaged (${reason}). Glimpse will restore it from its backup the next time it starts.`);
  }

  /**
   * Copies the catalogue to `backups/` when the newest copy is a day old (the writer, after a job).
   * A failure is reported, never fatal: the library itself is fine.
   */
  async backupIfDue(now = new Date()): Promise<string | null> {
    if (!this.lock) return null;
    const dir = join(this.dataDir, 'backups');
    if (!backupDue(dir, now.getTime())) return null;
    try {
      return await backupCatalog(this.catalog, dir, now);
    } catch (error) {
      if (isDamage(error)) this.reportDamage(errorText(error));
      else this.notices.push(`The catalogue could not be backed up: ${errorText(error)}`);
      return null;
    }
  }

  /** Resolves when the queued jobs (update, switch, background reading) have finished. */
  async idle(): Promise<void> {
    await this.running;
  }

  pause(): void {
    this.job?.pause();
  }
  resume(): void {
    this.job?.resume();
  }
  cancel(): void {
    this.job?.cancel();
  }

  // ---- switching packs ----

  /** The pack the library is being switched to while its vectors are made (null when none). */
  get switchingTo(): { id: string; name: string } | null {
    return this.switching ? { id: this.switching.id, name: this.switching.name } : null;
  }

  /**
   * Switches the library to another installed pack. Every photo is embedded (and captioned) with it in
   * the background while search keeps using the current pack; when no reachable photo still lacks a
   * vector of the new pack, the new pack takes over and becomes the saved setting. Interrupted (closed,
   * cancelled, a fault), the intent stays in settings.json (`nextModel`) and the next writer continues
   * where this one stopped: vectors already made are kept. Photos in offline folders are embedded when
   * their folder is back.
   */
  switchModel(id: string, options: { onProgress?: (p: Progress) => void } = {}): Promise<{ switched: boolean; indexing: PipelineSummary | null }> {
    this.requireWriter('switch model packs');
    const next = this.running.then(async () => {
      const saved = loadSettings(this.dataDir).settings;
      if (id === this.pack.id) {
        if (saved.nextModel) writeSettings(this.dataDir, { ...saved, nextModel: undefined });
        return { switched: false, indexing: null };
      }
      let dir: string;
      try {
        dir = await resolvePack(join(this.dataDir, 'models'), id);
      } catch (error) {
        // The pack was removed since the switch began: there is nothing to continue.
        if (saved.nextModel === id) writeSettings(this.dataDir, { ...saved, nextModel: undefined });
        throw error;
      }
      const pack = await ModelPack.open(dir, { device: this.settings.device });
      let index: VectorIndex | undefined;
      try {
        index = await VectorIndex.open(join(this.dataDir, 'index'), pack.id, pack.dimensions, this.catalog, { writable: true });
        writeSettings(this.dataDir, { ...saved, nextModel: id });
        this.switching = { id, name: pack.manifest.name };
        this.emit('libraryChanged', { reason: `switching to ${pack.manifest.name}` });
        const indexing = await this.indexPending(options.onProgress ? { onProgress: options.onProgress } : {}, { pack, index });
        const offline = this.stores.folders.offlineDirs().reduce((n, o) => n + this.stores.folders.pendingCountUnder(id, o.dir), 0);
        if (indexing.cancelled || this.stores.photos.counts(id).pending > offline) {
          index.save();
          return { switched: false, indexing };
        }
        const [oldPack, oldIndex] = [this.currentPack, this.currentIndex];
        this.currentPack = pack;
        this.currentIndex = index;
        this.settings.model = id;
        this.stores.keywords.setKeywordModel(id);
        writeSettings(this.dataDir, { ...loadSettings(this.dataDir).settings, model: id, nextModel: undefined });
        try {
          oldIndex.save();
        } finally {
          oldIndex.close();
        }
        await oldPack.close();
        await refreshAlbums(this.catalog, this.pack);
        this.refreshStacks(); // built from the new pack's vectors
        this.emit('libraryChanged', { reason: `now using ${pack.manifest.name}` });
        return { switched: true, indexing };
      } catch (error) {
        index?.save();
        throw error;
      } finally {
        if (index && this.currentIndex !== index) index.close();
        this.switching = null;
        if (this.currentPack !== pack) await pack.close();
        this.setProgress({ ...this.progressState, phase: 'idle', currentFile: null, etaSeconds: null });
      }
    });
    this.running = next.catch(() => undefined);
    return next;
  }

  // ---- search ----

  /** Brings the in-memory index up to date with vectors another process wrote, then searches. */
  async search(request: SearchRequest): Promise<SearchResponse> {
    this.index.refresh(this.catalog);
    return search(this.catalog, this.pack, this.index, request);
  }

  /** Search by example with an image file that need not be in the library. */
  async searchByFile(file: string, request: SearchRequest): Promise<SearchResponse> {
    const pixels = await decodeFileForModel(await readFile(file), this.pack.imageInput);
    const [features] = await this.pack.embedImages([pixels]);
    return this.search({ ...request, exampleVector: features!.embedding });
  }

  // ---- photos, captions, albums ----

  photoDetail(id: number): PhotoDetail {
    const row = this.stores.photos.photo(id);
    if (!row) throw new EngineError(`no photo with id ${id}`);
    const caption = this.stores.captions.caption(id, this.pack.id);
    const album = this.stores.albums.albumForDir(row.dir);
    return {
      id,
      path: row.path,
      name: basename(row.path),
      folder: dirname(row.path),
      size: row.size,
      width: row.width,
      height: row.height,
      takenAt: row.taken_at,
      camera: row.camera,
      gps: row.gps_lat !== null && row.gps_lon !== null ? { lat: row.gps_lat, lon: row.gps_lon } : null,
      caption: caption ? { text: caption.text, source: caption.source, edited: caption.source === 'user' } : null,
      captionWithheld: caption ? null : (this.stores.captions.withheldCaption(id, this.pack.id)?.reason ?? null),
      readText: this.readTextOf(id),
      album: album ? { id: album.id, title: album.user_title ?? album.title } : null,
      concepts: conceptsOfPhoto(this.catalog, this.pack.id, id),
      status: row.status,
      error: row.error,
      offline: offlineMark(this.stores.folders.offlineDirs().find((d) => isUnder(row.path, d.dir))),
      media: row.media,
      duration: row.duration,
    };
  }

  private readTextOf(id: number): PhotoDetail['readText'] {
    const lines = this.stores.readings.reading(id, this.ocrManifest?.id ?? DEFAULT_OCR_PACK);
    return lines ? { lines: lines.map((l) => ({ text: l.text, box: l.box })) } : null;
  }

  setCaption(id: number, text: string): PhotoDetail {
    if (!this.stores.photos.photo(id)) throw new EngineError(`no photo with id ${id}`);
    this.stores.captions.setUserCaption(id, text);
    return this.photoDetail(id);
  }

  /** Generates a caption for one photo now (the CLI's `glimpse caption`); judged and stored like the indexer's. */
  async captionPhoto(id: number): Promise<PhotoDetail> {
    const row = this.stores.photos.photo(id);
    if (!row) throw new EngineError(`no photo with id ${id}`);
    if (!this.pack.hasCaptioner) throw new EngineError(`model pack ${this.pack.id} has no captioner`);
    const bytes = await readFile(row.path);
    const inputs = [this.pack.imageInput, ...(this.pack.captionInput ? [this.pack.captionInput] : [])];
    const prepared = await preparePhoto(bytes, inputs);
    const [features] = await this.pack.embedImages([prepared.inputs[0]!]);
    const [outcome] = await captionPhotos(this.pack, [{ features: features!, ...(prepared.inputs[1] ? { pixels: prepared.inputs[1] } : {}) }]);
    this.stores.captions.setGeneratedCaption(id, this.pack.id, captionRecord(outcome));
    return this.photoDetail(id);
  }

  albums(): Album[] {
    return this.stores.albums.albums().map((a) => ({
      id: a.id,
      path: a.dir,
      title: a.user_title ?? a.title,
      summary: a.summary,
      photoCount: a.photo_count,
      coverId: a.cover_id,
      edited: a.user_title !== null,
    }));
  }

  setAlbumTitle(id: number, title: string): Album {
    if (!this.stores.albums.album(id)) throw new EngineError(`no album with id ${id}`);
    this.stores.albums.setAlbumTitle(id, title.trim());
    return this.albums().find((a) => a.id === id)!;
  }

  // ---- concepts the user teaches ----

  /** A concept as the API shows it, with how many photos it matches now (with the active pack). */
  conceptInfo(id: number): Concept {
    const row = this.stores.concepts.concept(id);
    if (!row) throw new EngineError(`no concept with id ${id}`);
    const examples = this.stores.concepts.conceptExamples(id, this.pack.id);
    this.index.refresh(this.catalog);
    return {
      id,
      name: row.name,
      examples: examples.filter((e) => e.positive).map((e) => e.photoId),
      counterExamples: examples.filter((e) => !e.positive).map((e) => e.photoId),
      matches: conceptMatches(this.catalog, this.pack.id, this.index, id).size,
    };
  }

  concepts(): Concept[] {
    return this.stores.concepts.concepts().map((c) => this.conceptInfo(c.id));
  }

  /** The concept called `name` (any case, any spacing), if there is one. */
  conceptNamed(name: string): Concept | undefined {
    const row = this.stores.concepts.conceptByKey(conceptKey(name));
    return row ? this.conceptInfo(row.id) : undefined;
  }

  private checkPhotos(ids: readonly number[]): void {
    const rows = this.stores.photos.photos(ids);
    const missing = ids.filter((id) => !rows.has(id));
    if (missing.length > 0) throw new EngineError(`no photo with id ${missing.join(', ')}`);
  }

  private wrapConcept<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      if (error instanceof ConceptError) throw new EngineError(error.message);
      throw error;
    }
  }

  /** Teaches a new concept from example photos (and counter-examples); its name becomes searchable. */
  teachConcept(name: string, examples: readonly number[], counterExamples: readonly number[] = []): Concept {
    const clean = this.wrapConcept(() => cleanName(name));
    if (examples.length === 0) throw new EngineError('a concept needs at least one example photo');
    if (counterExamples.some((c) => examples.includes(c))) throw new EngineError('a photo cannot be both an example and a counter-example');
    this.checkPhotos([...examples, ...counterExamples]);
    const key = conceptKey(clean);
    const same = this.stores.concepts.conceptByKey(key);
    if (same) throw new EngineError(`there is already a concept called "${same.name}": add examples to it instead`);
    const id = this.stores.concepts.createConcept(
      clean,
      key,
      [...new Set(examples)].map((photoId) => ({ photoId, positive: true })).concat([...new Set(counterExamples)].map((photoId) => ({ photoId, positive: false }))),
    );
    this.emit('libraryChanged', { reason: `taught ${clean}` });
    return this.conceptInfo(id);
  }

  /**
   * Adds examples or counter-examples (a counter-example replaces an example of the same photo: "not
   * Miso"), removes examples, or renames; the classifier is trained again on the next use.
   */
  updateConcept(
    id: number,
    change: { rename?: string | undefined; addExamples?: readonly number[]; addCounterExamples?: readonly number[]; removeExamples?: readonly number[] },
  ): Concept {
    const row = this.stores.concepts.concept(id);
    if (!row) throw new EngineError(`no concept with id ${id}`);
    const add = change.addExamples ?? [];
    const not = change.addCounterExamples ?? [];
    if (not.some((c) => add.includes(c))) throw new EngineError('a photo cannot be both an example and a counter-example');
    this.checkPhotos([...add, ...not]);
    const rename = change.rename !== undefined ? this.wrapConcept(() => cleanName(change.rename!)) : undefined;
    if (rename !== undefined) {
      const other = this.stores.concepts.conceptByKey(conceptKey(rename));
      if (other && other.id !== id) throw new EngineError(`there is already a concept called "${other.name}"`);
    }
    this.catalog.transaction(() => {
      if (rename !== undefined) this.stores.concepts.renameConcept(id, rename, conceptKey(rename));
      for (const p of add) this.stores.concepts.setConceptExample(id, p, true);
      for (const p of not) this.stores.concepts.setConceptExample(id, p, false);
      for (const p of change.removeExamples ?? []) this.stores.concepts.removeConceptExample(id, p);
    });
    this.emit('libraryChanged', { reason: `concept ${rename ?? row.name} changed` });
    return this.conceptInfo(id);
  }

  forgetConcept(id: number): boolean {
    const row = this.stores.concepts.concept(id);
    const deleted = this.stores.concepts.deleteConcept(id);
    if (deleted) this.emit('libraryChanged', { reason: `forgot ${row?.name ?? 'a concept'}` });
    return deleted;
  }

  /** The photos a concept matches now, with confidence (examples always, counter-examples never). */
  conceptMatches(id: number): Map<number, { confidence: number; example: boolean }> {
    if (!this.stores.concepts.concept(id)) throw new EngineError(`no concept with id ${id}`);
    this.index.refresh(this.catalog);
    return conceptMatches(this.catalog, this.pack.id, this.index, id);
  }

  status(): Status {
    const offline = this.stores.folders.offlineDirs();
    return {
      folders: this.stores.folders.folders().map((f) => this.folderInfo(f, offline)),
      photos: this.stores.photos.counts(this.pack.id),
      model: {
        id: this.pack.id,
        name: this.pack.manifest.name,
        captions: this.pack.hasCaptioner,
        providers: [...new Set(this.pack.sessions.map((s) => s.provider))],
        switchingTo: this.switchingTo,
        withheldCaptions: this.stores.captions.withheldCount(this.pack.id),
        sessions: this.pack.sessions.map(sessionInfo),
      },
      ocr: this.ocrStatus(),
      progress: this.progress,
      offline: this.offlineFolders(offline),
      readOnly: this.readOnlyReason(),
      notices: [...this.notices],
    };
  }

  async close(): Promise<void> {
    this.closing = true;
    this.job?.cancel();
    this.splitting?.abort(new Error('the engine is closing'));
    await this.running;
    try {
      this.index.save();
    } catch (error) {
      // The index is a cache of the catalogue: the next start catches up from the last saved one.
      console.error(`glimpse: the vector index could not be saved (${errorText(error)}); it will be brought up to date on the next start`);
    } finally {
      this.index.close();
      await this.pack.close();
      await (await this.readerPart)?.release();
      this.catalog.close();
      this.lock?.release();
      this.lock = null;
    }
  }
}
