import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  Album,
  Concept,
  Duplicates,
  FolderInfo,
  OcrStatus,
  OfflineFolder,
  PeopleStatus,
  PeopleView,
  Person,
  PhotoDetail,
  PhotoFace,
  PlacePoints,
  PlacesView,
  Progress,
  SearchResponse,
  SearchResult,
  Status,
  TimelineMonths,
  TimelinePage,
} from '../../shared/api.js';
import { AlbumService } from './albums/album-service.js';
import { PhotoDetails } from './captions/photo-details.js';
import type { Catalog } from './catalog/catalog.js';
import { ConceptService } from './concepts/concept-service.js';
import { FavouriteService } from './favourites/favourite-service.js';
import { PeopleService, type PeopleSummary } from './faces/people-service.js';
import { errorText } from './core/errors.js';
import { JobQueue } from './core/job-queue.js';
import type { Settings } from './core/settings.js';
import { WriterGate } from './core/writer-gate.js';
import { ModelSlot } from './index/active-model.js';
import type { VectorIndex } from './index/vector-index.js';
import { recordCost } from './models/measured-cost.js';
import { IndexingService } from './indexing/indexing-service.js';
import type { PipelineSummary } from './indexing/pipeline.js';
import type { FolderRow, OfflineDir } from './library/folder-store.js';
import { LibraryService } from './library/library-service.js';
import type { ReconcileResult, ScanProblem } from './library/scan.js';
import { decodeFileForModel } from './media/photo.js';
import { ThumbnailStore } from './media/thumbnails.js';
import type { ModelPack } from './models/pack.js';
import { sessionInfo } from './models/providers.js';
import { OcrService } from './ocr/ocr-service.js';
import { PlaceService } from './places/place-service.js';
import type { PlaceSummary } from './places/place-job.js';
import type { PlaceCandidate } from './places/place-names.js';
import type { ReadingSummary } from './ocr/reading-job.js';
import { type EngineOptions, type OpenedLibrary, openLibrary } from './opening.js';
import { LibraryUpdate, type UpdateSummary } from './updating.js';
import { WriterChecks } from './checks.js';
import { type SearchRequest, search } from './search/search.js';
import type { LookSummary } from './stacks/look-job.js';
import { StackService } from './stacks/stack-service.js';
import type { StackBuild } from './stacks/stacks.js';
import { type CatalogStores, storesOf } from './stores.js';
import { PackSwitch } from './switching/pack-switch.js';
import type { PhotoFilters } from './search/keyword-store.js';
import { type TimelineRequest, TimelineService } from './timeline/timeline.js';

export { EngineError } from './core/errors.js';
export type { EngineOptions } from './opening.js';
export type { UpdateSummary } from './updating.js';

/**
 * The library engine: opens the library (`opening.ts`) and composes its features, each in its own
 * folder: the library's folders and scan, indexing, reading text, stacks, concepts, albums, photo
 * details, search and pack switching. Plain Node: the CLI, the web server and Electron's engine
 * process all host this same object, and every method here is the features' own, passed through.
 */
export class GlimpseEngine extends EventEmitter<{ progress: [Progress]; libraryChanged: [{ reason: string }] }> {
  readonly dataDir: string;
  readonly settings: Settings;
  readonly catalog: Catalog;
  /** Each feature's gateway to the catalogue. */
  readonly stores: CatalogStores;
  readonly thumbnails: ThumbnailStore;
  /** Things the user should be told once: a recovered catalogue, a settings file set aside, a failed backup. */
  readonly notices: string[];
  /** The pack search uses and its index (a pack switch replaces both). */
  private readonly model: ModelSlot;
  private readonly writer: WriterGate;
  private readonly jobs = new JobQueue((progress) => this.emit('progress', progress));
  private readonly checks: WriterChecks;
  private readonly updating: LibraryUpdate;
  private readonly library: LibraryService;
  private readonly indexing: IndexingService;
  private readonly ocr: OcrService;
  private readonly peopleService: PeopleService;
  private readonly placeService: PlaceService;
  private readonly stackService: StackService;
  private readonly conceptService: ConceptService;
  private readonly albumService: AlbumService;
  private readonly favouriteService: FavouriteService;
  private readonly timeline: TimelineService;
  private readonly photoDetails: PhotoDetails;
  private readonly packSwitch: PackSwitch;

  private constructor(opened: OpenedLibrary) {
    super();
    ({ dataDir: this.dataDir, settings: this.settings, catalog: this.catalog, notices: this.notices } = opened);
    const model = (this.model = new ModelSlot(opened.pack, opened.index));
    this.stores = storesOf(this.catalog);
    this.thumbnails = new ThumbnailStore(join(this.dataDir, 'thumbs'));
    this.writer = new WriterGate(this.dataDir, opened.lock);
    const changed = (reason: string) => this.emit('libraryChanged', { reason });
    const { folders, photos, captions, albums, concepts, readings, stacks, favourites, timeline, faces, people, places } = this.stores;
    this.library = new LibraryService(folders, photos, model, this.thumbnails, this.writer, this.jobs, changed);
    this.ocr = new OcrService(this.dataDir, this.settings, readings, this.notices, this.writer, this.jobs, changed);
    this.peopleService = new PeopleService(this.dataDir, this.settings, faces, people, this.notices, this.writer, this.jobs, changed);
    this.placeService = new PlaceService(places, this.writer, this.jobs, changed);
    this.indexing = new IndexingService(
      this.catalog,
      model,
      this.thumbnails,
      this.settings,
      () => this.ocr.textReader(),
      this.writer,
      this.jobs,
      changed,
      (id, ms, images) => {
        try {
          recordCost(this.dataDir, id, ms, images);
        } catch {
          // A figure for the model manager: never worth failing an update over (a full disk says so elsewhere).
        }
      },
    );
    this.stackService = new StackService(stacks, photos, captions, folders, model, this.writer, this.jobs, changed);
    this.conceptService = new ConceptService(concepts, photos, model, changed);
    this.albumService = new AlbumService(albums);
    this.favouriteService = new FavouriteService(favourites, photos, changed);
    this.timeline = new TimelineService(timeline, captions, folders, stacks, favourites, model);
    this.photoDetails = new PhotoDetails(
      photos,
      captions,
      albums,
      folders,
      model,
      (id) => this.ocr.readTextOf(id),
      (id) => this.peopleService.facesIn(id),
    );
    this.checks = new WriterChecks(this.dataDir, this.catalog, model, this.writer, this.jobs, this.notices);
    const stages = { library: this.library, indexing: this.indexing, ocr: this.ocr, people: this.peopleService, places: this.placeService, stacks: this.stackService };
    this.updating = new LibraryUpdate(this.dataDir, this.catalog, this.stores, model, stages, this.writer, this.checks, this.jobs, this.notices);
    this.packSwitch = new PackSwitch(this.dataDir, this.settings, this.catalog, model, this.indexing, () => this.stackService.refresh(), this.writer, this.jobs, changed);
  }

  /** Opens the library (see `EngineOptions`): the catalogue (recovered if damaged), the pack and its index. */
  static async open(options: EngineOptions): Promise<GlimpseEngine> {
    const opened = await openLibrary(options);
    const engine = new GlimpseEngine(opened);
    if (opened.checksAfterOpen) engine.checks.start();
    return engine;
  }

  // ---- writing: the lock and the writer's checks ----

  /** The damage the writer's checks found (null: none); until the next start recovers it, nothing is written. */
  get damageFound(): string | null {
    return this.writer.damageFound;
  }

  /** Resolves when the writer's checks have run (at once when they ran at open); rejects with what they found. */
  whenChecked(): Promise<void> {
    return this.writer.whenChecked();
  }

  /** True when this engine holds the library's write lock. */
  get writable(): boolean {
    return this.writer.writable;
  }

  readOnlyReason(): string | null {
    return this.writer.readOnlyReason();
  }

  /** Takes the write lock if it has become free (the app retries this while it runs read-only). */
  tryBecomeWriter(command = 'Glimpse'): boolean {
    if (this.writer.writable) return true;
    if (!this.writer.tryAcquire(command)) return false;
    this.model.index.makeWritable();
    this.model.index.refresh(this.catalog);
    // It loaded the index as a reader does and never checked the catalogue: the writer's checks, now.
    this.checks.start();
    return true;
  }

  /** The pack search uses (during a switch, still the old one until the new one covers the library). */
  get pack(): ModelPack {
    return this.model.pack;
  }

  get index(): VectorIndex {
    return this.model.index;
  }

  // ---- updating the library ----

  /**
   * Scan, index and re-title albums: the one call behind `glimpse index`, the watcher and the app's
   * "add folder" (`updating.ts`).
   */
  update = (options?: Parameters<LibraryUpdate['run']>[0]): Promise<UpdateSummary> => this.updating.run(options);
  backupIfDue = (now?: Date): Promise<string | null> => this.updating.backupIfDue(now);

  get progress(): Progress {
    return this.jobs.progress;
  }

  /** Resolves when the queued jobs (update, switch, background reading) have finished. */
  idle(): Promise<void> {
    return this.jobs.idle();
  }

  pause(): void {
    this.jobs.pause();
  }

  resume(): void {
    this.jobs.resume();
  }

  cancel(): void {
    this.jobs.cancel();
  }

  // ---- the features, passed through ----

  addFolder = (path: string): FolderRow => this.library.addFolder(path);
  removeFolder = (id: number): boolean => this.library.removeFolder(id);
  folderInfo = (row: FolderRow, offline?: OfflineDir[]): FolderInfo => this.library.folderInfo(row, offline);
  offlineFolders = (offline?: OfflineDir[]): OfflineFolder[] => this.library.offlineFolders(offline);
  scan = (folders?: FolderRow[], under?: string): Promise<{ result: ReconcileResult; problems: ScanProblem[] }> => this.library.scan(folders, under);
  indexPending = (options?: { onProgress?: (p: Progress) => void; batchSize?: number }): Promise<PipelineSummary> => this.indexing.indexPending(options);
  readUnread = (options?: { onProgress?: (p: Progress) => void }): Promise<ReadingSummary | null> => this.ocr.readUnread(options);
  setOcr = (enabled: boolean): OcrStatus => this.ocr.setOcr(enabled);
  ocrStatus = (): OcrStatus => this.ocr.status();
  measureLooks = (options?: { onProgress?: (p: Progress) => void }): Promise<LookSummary | null> => this.stackService.measureLooks(options);
  refreshStacks = (): StackBuild => this.stackService.refresh();
  duplicates = (): Duplicates => this.stackService.duplicates();
  stack = (id: number): SearchResult[] => this.stackService.stack(id);
  switchModel = (id: string, options?: { onProgress?: (p: Progress) => void }) => this.packSwitch.switchTo(id, options);
  photoDetail = (id: number): PhotoDetail => this.photoDetails.detail(id);
  setCaption = (id: number, text: string): PhotoDetail => this.photoDetails.setCaption(id, text);
  captionPhoto = (id: number): Promise<PhotoDetail> => this.photoDetails.generateCaption(id);
  albums = (): Album[] => this.albumService.all();
  setAlbumTitle = (id: number, title: string): Album => this.albumService.setTitle(id, title);
  conceptInfo = (id: number): Concept => this.conceptService.info(id);
  concepts = (): Concept[] => this.conceptService.all();
  conceptNamed = (name: string): Concept | undefined => this.conceptService.named(name);
  teachConcept = (name: string, examples: readonly number[], counterExamples?: readonly number[]): Concept => this.conceptService.teach(name, examples, counterExamples);
  updateConcept = (id: number, change: Parameters<ConceptService['update']>[1]): Concept => this.conceptService.update(id, change);
  forgetConcept = (id: number): boolean => this.conceptService.forget(id);
  /** Every photo, newest first, one tile per stack: the tiles per month (the scrubber), and a page of tiles. */
  timelineMonths = (filters: PhotoFilters): TimelineMonths => this.timeline.months(filters);
  timelinePage = (request: TimelineRequest): TimelinePage => this.timeline.page(request);
  /** Marks or unmarks photos as the user's favourites (all or none: an id that is not a photo refuses the call). */
  setFavourite = (ids: readonly number[], favourite: boolean): { ids: number[]; favourite: boolean } => this.favouriteService.set(ids, favourite);
  /** People: finding faces, the grouping, and the user's word on them (`faces/`). */
  findFaces = (options?: { onProgress?: (p: Progress) => void }): Promise<PeopleSummary | null> => this.peopleService.findFaces(options);
  regroupFaces = (): ReturnType<PeopleService['group']> => this.peopleService.group([], true);
  people = (): PeopleView => this.peopleService.view();
  person = (id: number): Person => this.peopleService.person(id);
  renamePerson = (id: number, name: string | null): Person => this.peopleService.rename(id, name);
  mergePeople = (into: number, from: number): Person => this.peopleService.merge(into, from);
  rejectFace = (face: number, person: number): PhotoFace[] => this.peopleService.reject(face, person);
  assignFace = (face: number, to: { person?: number | undefined; name?: string | undefined }): PhotoFace[] => this.peopleService.assign(face, to);
  hidePerson = (id: number, hidden: boolean): Person => this.peopleService.hide(id, hidden);
  setPersonCover = (id: number, face: number): Person => this.peopleService.setCover(id, face);
  setPeople = (enabled: boolean, forgetNames?: boolean): PeopleStatus => this.peopleService.setEnabled(enabled, forgetNames);
  /** Places: where photos with GPS coordinates were taken (`places/`). */
  placeUnplaced = (options?: { onProgress?: (p: Progress) => void }): Promise<PlaceSummary | null> => this.placeService.placeUnplaced(options);
  places = (): PlacesView => this.placeService.view();
  placePoints = (after?: number, limit?: number): PlacePoints => this.placeService.points(after, limit);
  /** Places called `name` (case and accents aside), for reading a query: countries, regions and cities, with the library's photos there. */
  placesByName = (name: string): PlaceCandidate[] => this.placeService.byName(name);
  conceptMatches = (id: number): Map<number, { confidence: number; example: boolean }> => this.conceptService.matches(id);

  /** The pack the library is being switched to while its vectors are made (null when none). */
  get switchingTo(): { id: string; name: string } | null {
    return this.packSwitch.switchingTo;
  }

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

  status(): Status {
    const offline = this.stores.folders.offlineDirs();
    return {
      folders: this.stores.folders.folders().map((f) => this.library.folderInfo(f, offline)),
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
      ocr: this.ocr.status(),
      people: this.peopleService.status(),
      places: this.placeService.status(),
      progress: this.progress,
      offline: this.library.offlineFolders(offline),
      readOnly: this.readOnlyReason(),
      notices: [...this.notices],
    };
  }

  async close(): Promise<void> {
    this.jobs.stop();
    this.updating.stop();
    await this.jobs.idle();
    try {
      this.index.save();
    } catch (error) {
      // ARCHITECTURE.md, note "The index is a cache": the next start catches up from the last saved one.
      console.error(`glimpse: the vector index could not be saved (${errorText(error)}); it will be brought up to date on the next start`);
    } finally {
      this.index.close();
      await this.pack.close();
      await this.ocr.close();
      await this.peopleService.close();
      this.catalog.close();
      this.writer.release();
    }
  }
}
