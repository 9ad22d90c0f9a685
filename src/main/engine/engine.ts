import { EventEmitter } from 'node:events';
import { readFileSync, statSync, writeFileSync, mkdirSync, accessSync, constants } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { z } from 'zod';
import type { Album, FolderInfo, PhotoDetail, Progress, SearchResponse, Status } from '../../shared/api.js';
import { Catalog, type FolderRow } from './catalog/catalog.js';
import { refreshAlbums } from './captions/albums.js';
import { VectorIndex } from './index/vector-index.js';
import { IndexingJob, type PipelineSummary } from './jobs/pipeline.js';
import { type ReconcileResult, type ScanProblem, reconcile, walkFolder } from './library/scan.js';
import { decodeFileForModel, preparePhoto } from './media/photo.js';
import { ThumbnailStore } from './media/thumbnails.js';
import { ModelPack } from './models/pack.js';
import type { DevicePreference } from './models/providers.js';
import { resolvePack } from './models/store.js';
import { type SearchRequest, search } from './search/search.js';

export const settingsSchema = z.object({
  model: z.string().default('tiny-coca'),
  device: z.enum(['auto', 'gpu', 'cpu']).default('auto'),
  captions: z.boolean().default(true),
});
export type Settings = z.infer<typeof settingsSchema>;

export interface EngineOptions {
  dataDir: string;
  /** Overrides the saved settings for this run. */
  model?: string | undefined;
  device?: DevicePreference | undefined;
  captions?: boolean | undefined;
}

export interface UpdateSummary {
  scan: ReconcileResult;
  problems: ScanProblem[];
  indexing: PipelineSummary;
  albums: number;
}

export class EngineError extends Error {
  override name = 'EngineError';
}

const IDLE: Progress = { phase: 'idle', done: 0, total: 0, errors: 0, rate: 0, etaSeconds: null, currentFile: null };

export function readSettings(dataDir: string): Settings {
  try {
    return settingsSchema.parse(JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')));
  } catch {
    return settingsSchema.parse({});
  }
}

export function writeSettings(dataDir: string, settings: Settings): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'settings.json'), JSON.stringify(settings, null, 2));
}

/**
 * The library engine: the catalogue, the model pack, the vector index and the jobs that keep them in
 * step with the folders on disk. Plain Node: the CLI, the web server and Electron's engine process
 * all host this same object.
 */
export class GlimpseEngine extends EventEmitter<{ progress: [Progress]; libraryChanged: [{ reason: string }] }> {
  private job: IndexingJob | undefined;
  private progressState: Progress = { ...IDLE };
  private running: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly dataDir: string,
    readonly settings: Settings,
    readonly catalog: Catalog,
    readonly pack: ModelPack,
    readonly index: VectorIndex,
    readonly thumbnails: ThumbnailStore,
  ) {
    super();
  }

  static async open(options: EngineOptions): Promise<GlimpseEngine> {
    const dataDir = resolve(options.dataDir);
    const saved = readSettings(dataDir);
    const settings: Settings = {
      model: options.model ?? saved.model,
      device: options.device ?? saved.device,
      captions: options.captions ?? saved.captions,
    };
    const catalog = new Catalog(join(dataDir, 'catalog.sqlite'));
    try {
      const pack = await ModelPack.open(await resolvePack(join(dataDir, 'models'), settings.model), { device: settings.device });
      const index = VectorIndex.open(join(dataDir, 'index', `${pack.id}.hnsw`), pack.id, pack.dimensions, catalog);
      // Photos indexed by another model have no vector for this one: queue them again.
      catalog.requeueMissingVectors(pack.id);
      return new GlimpseEngine(dataDir, settings, catalog, pack, index, new ThumbnailStore(join(dataDir, 'thumbs')));
    } catch (error) {
      catalog.close();
      throw error;
    }
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
    const dir = resolve(path);
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
      accessSync(dir, constants.R_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new EngineError(code === 'ENOENT' ? `${dir} does not exist` : `${dir} cannot be read (${code ?? 'error'})`);
    }
    if (!isDir) throw new EngineError(`${dir} is not a folder`);
    const folders = this.catalog.folders();
    const same = folders.find((f) => f.path === dir);
    if (same) return same;
    const outer = folders.find((f) => dir.startsWith(f.path + sep));
    if (outer) throw new EngineError(`${dir} is already in the library, inside ${outer.path}`);
    const inner = folders.find((f) => f.path.startsWith(dir + sep));
    if (inner) throw new EngineError(`${dir} contains ${inner.path}, which is already in the library; remove that folder first, then add ${dir}`);
    return this.catalog.addFolder(dir);
  }

  removeFolder(id: number): boolean {
    const ids = this.catalog.photosInFolder(id).map((p) => p.id);
    const removed = this.catalog.removeFolder(id);
    for (const photoId of ids) this.index.remove(photoId);
    this.index.save();
    if (removed) this.emit('libraryChanged', { reason: 'folder removed' });
    return removed;
  }

  folderInfo(row: FolderRow): FolderInfo {
    return { id: row.id, path: row.path, photoCount: row.photo_count, errorCount: row.error_count, watchNote: row.watch_note };
  }

  // ---- scanning and indexing ----

  /** Walks folders (all, or the given ones / one subfolder of one) and reconciles the catalogue with them. */
  async scan(folders: FolderRow[] = this.catalog.folders(), under?: string): Promise<{ result: ReconcileResult; problems: ScanProblem[] }> {
    const problems: ScanProblem[] = [];
    this.setProgress({ ...IDLE, phase: 'scanning' });
    const scopes = [];
    for (const folder of folders) {
      const root = under ?? folder.path;
      scopes.push({ folder, files: await walkFolder(root, problems), ...(under ? { under } : {}) });
    }
    const { removedIds, ...result } = await reconcile(this.catalog, scopes);
    for (const id of removedIds) this.index.remove(id);
    if (removedIds.length > 0) this.index.save();
    if (result.added + result.changed + result.moved + result.removed > 0) this.emit('libraryChanged', { reason: 'scan' });
    return { result, problems };
  }

  /** Indexes every pending photo; progress goes to `progress` events and the optional callback. */
  async indexPending(options: { onProgress?: (p: Progress) => void; batchSize?: number } = {}): Promise<PipelineSummary> {
    const job = new IndexingJob(this.catalog, this.pack, this.index, this.thumbnails, {
      captions: this.settings.captions,
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      onProgress: (p) => {
        const { paused, ...counts } = p;
        const progress: Progress = { phase: paused ? 'paused' : 'indexing', ...counts };
        this.setProgress(progress);
        options.onProgress?.(progress);
      },
    });
    this.job = job;
    try {
      const summary = await job.run();
      if (summary.indexed > 0) this.emit('libraryChanged', { reason: 'indexed' });
      return summary;
    } finally {
      this.job = undefined;
    }
  }

  /**
   * Scan, index and re-title albums: the one call behind `glimpse index`, the watcher and the app's
   * "add folder". Calls are serialised, so a burst of watcher events never runs two jobs at once.
   */
  update(options: { folders?: FolderRow[]; under?: string; onProgress?: (p: Progress) => void } = {}): Promise<UpdateSummary> {
    const next = this.running.then(async () => {
      const { result, problems } = await this.scan(options.folders, options.under);
      const indexing = await this.indexPending(options.onProgress ? { onProgress: options.onProgress } : {});
      const albums = result.added + result.changed + result.moved + result.removed + indexing.indexed > 0 ? await refreshAlbums(this.catalog, this.pack) : 0;
      this.setProgress({ ...this.progressState, phase: 'idle', currentFile: null, etaSeconds: null });
      return { scan: result, problems, indexing, albums };
    });
    this.running = next.catch(() => undefined);
    return next;
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
    const row = this.catalog.photo(id);
    if (!row) throw new EngineError(`no photo with id ${id}`);
    const caption = this.catalog.caption(id);
    const album = this.catalog.albumForDir(row.dir);
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
      album: album ? { id: album.id, title: album.user_title ?? album.title } : null,
      status: row.status,
      error: row.error,
    };
  }

  setCaption(id: number, text: string): PhotoDetail {
    if (!this.catalog.photo(id)) throw new EngineError(`no photo with id ${id}`);
    this.catalog.setUserCaption(id, text);
    return this.photoDetail(id);
  }

  /** Generates a caption for one photo now (the CLI's `glimpse caption`); stored like the indexer's. */
  async captionPhoto(id: number): Promise<string> {
    const row = this.catalog.photo(id);
    if (!row) throw new EngineError(`no photo with id ${id}`);
    if (!this.pack.hasCaptioner) throw new EngineError(`model pack ${this.pack.id} has no captioner`);
    const bytes = await readFile(row.path);
    const inputs = [this.pack.imageInput, ...(this.pack.captionInput ? [this.pack.captionInput] : [])];
    const prepared = await preparePhoto(bytes, inputs);
    const [features] = await this.pack.embedImages([prepared.inputs[0]!]);
    const [caption] = await this.pack.caption([{ features: features!, ...(prepared.inputs[1] ? { pixels: prepared.inputs[1] } : {}) }]);
    this.catalog.setGeneratedCaption(id, this.pack.id, caption!);
    return caption!;
  }

  albums(): Album[] {
    return this.catalog.albums().map((a) => ({
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
    if (!this.catalog.album(id)) throw new EngineError(`no album with id ${id}`);
    this.catalog.setAlbumTitle(id, title.trim());
    return this.albums().find((a) => a.id === id)!;
  }

  status(): Status {
    return {
      folders: this.catalog.folders().map((f) => this.folderInfo(f)),
      photos: this.catalog.counts(),
      model: { id: this.pack.id, name: this.pack.manifest.name, captions: this.pack.hasCaptioner, providers: [...new Set(this.pack.sessions.map((s) => s.provider))] },
      progress: this.progress,
    };
  }

  async close(): Promise<void> {
    this.job?.cancel();
    await this.running;
    this.index.save();
    await this.pack.close();
    this.catalog.close();
  }
}
