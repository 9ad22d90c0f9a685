import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type EventName, type Events, type MethodName, type ModelInfo, type Params, type Reply, type Results, ApiError, parseCall } from '../../shared/api.js';
import type { PhotoRow } from '../engine/library/photo-store.js';
import { GlimpseEngine, type EngineOptions } from '../engine/engine.js';
import { LibraryBusyError } from '../engine/core/library-lock.js';
import { LibraryWatcher, type WatcherOptions } from '../engine/library/watcher.js';
import { writeSampleLibrary } from '../../scenes/sample-library.js';
import { browserPreview } from '../engine/media/photo.js';
import { browserType } from '../engine/media/formats.js';
import { PackDownloads } from '../engine/models/downloads.js';
import { catalogueOfPacks, listPacks, resolvePack } from '../engine/models/store.js';
import { packDownloadSize } from '../engine/models/manifest.js';
import { recommendedPack, systemLanguage } from '../engine/models/recommend.js';
import { measuredCosts } from '../engine/models/measured-cost.js';
import { DATE_LANGUAGES } from '../engine/search/query-languages.js';
import { exportPhotos } from './export-photos.js';
import { FolderBrowser, FolderRefused, type Place } from './folder-browser.js';
import { type MediaFile, type Opened, openIndexedFile, openRegularFile } from './indexed-file.js';
import { ControlServer } from './control.js';
import type { UpdateSummary } from '../engine/updating.js';

export interface ApiHostOptions extends EngineOptions {
  onEvent?: (event: EventName, data: Events[EventName]) => void;
  /** Watch library folders for changes (the app does; tests may not). */
  watch?: boolean;
  watcherOptions?: WatcherOptions;
  /** While another process holds the library's write lock, how often to try to take it over (ms). */
  writerRetryMs?: number;
  /** A mirror of huggingface.co for model downloads (also GLIMPSE_MODEL_BASE_URL). */
  modelBaseUrl?: string;
  /** Where web mode's folder picker may look and exports may go (the home folder and mounted drives unless given). */
  places?: () => Promise<Place[]>;
}

type Handlers = { [M in MethodName]: (params: Required<Params<M>> & Params<M>) => Promise<Results[M]> | Results[M] };

/**
 * The engine behind the one API contract: every call from the renderer (over Electron IPC or the web
 * server) lands in `handle`, is validated against the shared schema, and answers with a `Reply`; a bad
 * call gets an error reply, never an exception. Also serves media for indexed photo ids only.
 */
export class ApiHost {
  private watcher: LibraryWatcher | undefined;
  /** Where `glimpse` commands ask this app to write for them, while it holds the write lock. */
  private control: Promise<ControlServer | null> = Promise.resolve(null);
  private retry: NodeJS.Timeout | undefined;
  private starting: Promise<void> = Promise.resolve();
  /**
   * The start-up scan has run (or could not): `glimpse index` through the app waits for it, so that the
   * scan of every folder does not index the command's folder first and the command report 0 photos.
   */
  private startupScan: Promise<void> = Promise.resolve();
  private closed = false;

  private readonly downloads: PackDownloads;
  private readonly folders: FolderBrowser;

  private constructor(
    readonly engine: GlimpseEngine,
    private readonly options: ApiHostOptions,
  ) {
    this.downloads = new PackDownloads(join(engine.dataDir, 'models'), options.modelBaseUrl ? { baseUrl: options.modelBaseUrl } : {});
    this.folders = new FolderBrowser(options.places);
  }

  /**
   * Opens the library as its writer (the app scans, watches and indexes). When another process holds
   * the write lock (`glimpse index` or `glimpse watch` in a terminal), the app opens it read-only,
   * says so in its status, and takes over as soon as the lock is free.
   */
  static async open(options: ApiHostOptions): Promise<ApiHost> {
    let engine: GlimpseEngine;
    try {
      // The first search must not wait for the whole-file checks (seconds at a million photos): they
      // run on threads once the engine is open, and the watcher and start-up scan wait for them.
      engine = await GlimpseEngine.open({ ...options, checks: options.checks ?? 'after-open', access: 'write', command: options.command ?? 'the Glimpse app' });
    } catch (error) {
      if (!(error instanceof LibraryBusyError)) throw error;
      engine = await GlimpseEngine.open({ ...options, access: 'read' });
    }
    const host = new ApiHost(engine, options);
    // The first query should not wait for a model to load: warm the text encoder while the window opens.
    void engine.pack.load(['text']).catch((error: Error) => console.error(`glimpse: the text encoder could not be loaded: ${error.message}`));
    if (options.onEvent) {
      const emit = options.onEvent;
      engine.on('progress', (p) => emit('progress', p));
      engine.on('libraryChanged', (c) => emit('libraryChanged', c));
      host.downloads.on('change', (d) => emit('modelDownload', d));
    }
    for (const notice of engine.notices) console.error(`glimpse: ${notice}`);
    if (engine.writable) host.startWriting();
    else {
      host.retry = setInterval(() => {
        if (!host.engine.tryBecomeWriter(options.command ?? 'the Glimpse app')) return;
        clearInterval(host.retry);
        host.retry = undefined;
        host.engine.emit('libraryChanged', { reason: 'this window now updates the library' });
        host.startWriting();
      }, options.writerRetryMs ?? 5000);
      host.retry.unref();
    }
    return host;
  }

  /** Catches up with what changed while the app was closed (or read-only), then keeps watching. */
  private startWriting(): void {
    const watcher = this.options.watch === false ? undefined : new LibraryWatcher(this.engine, this.options.watcherOptions);
    watcher?.on('error', (error) => console.error(`glimpse: watching failed: ${error.message}`));
    this.watcher = watcher;
    this.control = ControlServer.listen(
      this.engine.dataDir,
      { index: (folders) => this.indexFor(folders), removeFolder: (id) => this.removeFolder(id) },
      { pid: process.pid, command: this.options.command ?? 'the Glimpse app' },
    ).then(
      (control) => {
        this.engine.on('progress', (p) => control.progress(p));
        return control;
      },
      (error: Error) => {
        console.error(`glimpse: glimpse commands cannot reach this app (${error.message}); they wait for it to close instead`);
        return null;
      },
    );
    const scanned = (async (): Promise<boolean> => {
      try {
        await this.engine.whenChecked();
      } catch (error) {
        // Damage stops all writing; checks that could not finish (a thread that failed, a disk too full
        // to save a rebuilt index) do not, as the engine's own jobs go on after them.
        if (this.engine.damageFound) {
          console.error(`glimpse: the library is not being updated: ${(error as Error).message}`);
          return false;
        }
        console.error(`glimpse: the library's checks did not finish: ${(error as Error).message}`);
      }
      if (this.closed) return false;
      await watcher?.watchAll();
      if (this.closed) return false; // closed while the watchers settled (seconds on a large library)
      await this.engine.update().catch((error: Error) => console.error(`glimpse: start-up scan failed: ${error.message}`));
      return true;
    })();
    this.startupScan = scanned.then(() => undefined);
    this.starting = (async () => {
      if (!(await scanned)) return;
      // A switch of packs that an earlier run did not finish continues (the vectors it made are kept).
      const next = this.engine.settings.nextModel;
      if (next) await this.engine.switchModel(next).catch((error: Error) => console.error(`glimpse: switching to ${next} stopped: ${error.message}`));
    })();
  }

  private readonly handlers: Handlers = {
    status: () => this.engine.status(),
    search: (p) => this.engine.search(p),
    photo: (p) => this.engine.photoDetail(p.id),
    setCaption: (p) => this.engine.setCaption(p.id, p.text),
    albums: () => this.engine.albums(),
    setAlbumTitle: (p) => this.engine.setAlbumTitle(p.id, p.title),
    addFolder: (p) => this.addFolder(p.path),
    removeFolder: (p) => this.removeFolder(p.id),
    pickFolder: () => ({ path: null }),
    controlIndexing: (p) => {
      if (p.action === 'pause') this.engine.pause();
      else if (p.action === 'resume') this.engine.resume();
      else this.engine.cancel();
      return this.engine.progress;
    },
    addSampleLibrary: async () => {
      const dir = join(this.engine.dataDir, 'Sample library');
      await writeSampleLibrary(dir, { count: 60 });
      return this.addFolder(dir);
    },
    models: () => this.models(),
    setOcr: (p) => this.engine.setOcr(p.enabled),
    concepts: () => this.engine.concepts(),
    createConcept: (p) => this.engine.teachConcept(p.name, p.examples, p.counterExamples),
    updateConcept: (p) =>
      this.engine.updateConcept(p.id, { rename: p.rename, addExamples: p.addExamples, addCounterExamples: p.addCounterExamples, removeExamples: p.removeExamples }),
    deleteConcept: (p) => ({ deleted: this.engine.forgetConcept(p.id) }),
    duplicates: () => this.engine.duplicates(),
    stack: (p) => this.engine.stack(p.id),
    modelAction: async (p) => {
      if (p.action === 'pause') await this.downloads.pause(p.id);
      else if (p.action === 'cancel') await this.downloads.cancel(p.id);
      else if (p.action === 'download') {
        const manifest = (await catalogueOfPacks()).find((m) => m.id === p.id);
        if (!manifest) throw new ApiError(`no downloadable pack called ${p.id}`);
        this.downloads.start(manifest);
      } else {
        await resolvePack(join(this.engine.dataDir, 'models'), p.id); // says plainly when it is not installed
        void this.engine.switchModel(p.id).catch((error: Error) => console.error(`glimpse: switching to ${p.id} stopped: ${error.message}`));
      }
      return this.models();
    },
    openInFileManager: () => ({ opened: false }),
    timelineMonths: (p) => this.engine.timelineMonths(p),
    timeline: (p) => this.engine.timelinePage(p),
    places: () => this.engine.places(),
    placePoints: (p) => this.engine.placePoints(p.after, p.limit),
    setFavourite: (p) => this.engine.setFavourite(p.ids, p.favourite),
    browseFolders: (p) => this.refusals(() => this.folders.list(p.path)),
    exportPhotos: (p) => this.exportPhotos(p.ids, p.destination),
    people: () => this.engine.people(),
    renamePerson: (p) => this.engine.renamePerson(p.id, p.name),
    mergePeople: (p) => this.engine.mergePeople(p.into, p.from),
    rejectFace: (p) => this.engine.rejectFace(p.face, p.person),
    assignFace: (p) => this.engine.assignFace(p.face, { person: p.person, name: p.name }),
    hidePerson: (p) => this.engine.hidePerson(p.id, p.hidden),
    setPersonCover: (p) => this.engine.setPersonCover(p.id, p.face),
    setPeople: (p) => this.engine.setPeople(p.enabled, p.forgetNames),
  };

  /** A refusal of the folder picker is the user's answer, said as it is. */
  private async refusals<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw error instanceof FolderRefused ? new ApiError(error.message) : error;
    }
  }

  /**
   * Copies originals into a folder inside the home folder or a mounted drive (the picker's places, in
   * the desktop app as in web mode). Every id must be a photo of the library, or nothing is copied.
   */
  private async exportPhotos(ids: readonly number[], destination: string | undefined): Promise<Results['exportPhotos']> {
    if (destination === undefined) throw new ApiError('Choose the folder to copy the photos to.');
    const rows = this.engine.stores.photos.photos(ids);
    const missing = ids.filter((id) => !rows.has(id));
    if (missing.length > 0)
      throw new ApiError(`${missing.length === 1 ? `${missing[0]} is not a photo` : `${missing.length} of these are not photos`} of the library (it may have been removed).`);
    const { real } = await this.refusals(() => this.folders.resolve(destination));
    const photos = ids.map((id) => rows.get(id)!).map((row) => ({ id: row.id, path: row.path, size: row.size, mtimeMs: row.mtime_ms }));
    return exportPhotos(
      photos,
      real,
      this.engine.stores.folders.folders().map((folder) => folder.path),
    );
  }

  /** Installed packs and the ones that can be downloaded, with their download state. */
  private async models(): Promise<ModelInfo[]> {
    const installed = (await listPacks(join(this.engine.dataDir, 'models'))).flatMap((p) => ('manifest' in p && p.manifest ? [{ manifest: p.manifest, bundled: p.bundled }] : []));
    const ids = new Set(installed.map((p) => p.manifest.id));
    const downloadable = (await catalogueOfPacks()).filter((m) => !ids.has(m.id)).map((manifest) => ({ manifest, bundled: false }));
    const switching = this.engine.switchingTo?.id;
    const here = measuredCosts(this.engine.dataDir);
    const everyPack = [...installed.map((p) => p.manifest), ...downloadable.map((p) => p.manifest)];
    const recommended = recommendedPack(everyPack, systemLanguage()) ?? recommendedPack(everyPack, 'en');
    // The recommended pack leads the downloadable ones: it is the one most people should take.
    downloadable.sort((a, b) => Number(b.manifest.id === recommended?.id) - Number(a.manifest.id === recommended?.id));
    return Promise.all(
      [...installed.map((p) => ({ ...p, installed: true })), ...downloadable.map((p) => ({ ...p, installed: false }))].map(async ({ manifest, bundled, installed }) => ({
        id: manifest.id,
        name: manifest.name,
        description: manifest.description,
        installed,
        active: manifest.id === this.engine.pack.id,
        switching: manifest.id === switching,
        bundled,
        licence: manifest.licence,
        captions: !!manifest.captioner,
        languages: manifest.text.languages,
        timesReadIn: manifest.text.languages.filter((l) => DATE_LANGUAGES.includes(l)),
        measuredHere: here[manifest.id] ? { msPerPhoto: here[manifest.id]!.msPerPhoto, photos: here[manifest.id]!.photos } : null,
        cost: manifest.cost ? { msPerPhoto: manifest.cost.msPerPhoto, msPerQuery: manifest.cost.msPerQuery } : null,
        quality: manifest.quality ? { benchmark: manifest.quality.benchmark, recall: manifest.quality.recall } : null,
        recommended: recommended?.id === manifest.id ? { reason: recommended.reason, language: recommended.language } : null,
        size: packDownloadSize(manifest),
        download: installed ? null : await this.downloads.state(manifest),
      })),
    );
  }

  private async removeFolder(id: number): Promise<{ removed: boolean }> {
    await this.watcher?.unwatchFolder(id);
    return { removed: this.engine.removeFolder(id) };
  }

  /**
   * `glimpse index` while this app has the library: adds the folders (watched as the app's own), then
   * runs the update in the app's job queue and answers with its summary.
   */
  private async indexFor(folders: string[]): Promise<UpdateSummary> {
    await this.startupScan;
    const rows = folders.map((path) => this.engine.addFolder(path));
    for (const row of rows) await this.watcher?.watchFolder(row);
    return this.engine.update(rows.length > 0 ? { folders: rows } : {});
  }

  /**
   * Adds a folder and answers at once; watching it (within the watcher's budget: seconds on a huge
   * tree) and then indexing it follow, in that order, so nothing copied in meanwhile is missed.
   */
  private addFolder(path: string): Results['addFolder'] {
    const row = this.engine.addFolder(path);
    void (async () => {
      await this.watcher?.watchFolder(row);
      if (this.closed || !this.engine.stores.folders.folder(row.id)) return; // removed meanwhile
      await this.engine.update({ folders: [row] });
    })().catch((error: Error) => console.error(`glimpse: indexing ${row.path} failed: ${error.message}`));
    return this.engine.folderInfo(this.engine.stores.folders.folders().find((f) => f.id === row.id) ?? row);
  }

  async handle(method: unknown, params: unknown): Promise<Reply<MethodName>> {
    try {
      const call = parseCall(method, params);
      const handler = this.handlers[call.method] as (p: unknown) => Promise<unknown> | unknown;
      return { ok: true, result: (await handler(call.params)) as Results[MethodName] };
    } catch (error) {
      const message = error instanceof ApiError || error instanceof Error ? error.message : String(error);
      return { ok: false, error: message };
    }
  }

  /**
   * The file behind a media URL, only for photos in the catalogue that were indexed (a photo waiting to
   * be indexed again still shows its last thumbnail). Named by content, so never another photo's. A
   * video's `full` is the file itself (served with byte ranges); `frame` asks for the thumbnail of one of
   * its sampled frames (the moment a search matched), which falls back to the video's own thumbnail.
   *
   * A library file is answered only while it is the file that was indexed (`openIndexedFile`: a regular
   * file of the catalogued size and mtime, not a link out of the library folders), and so is one read to
   * make a thumbnail or preview. The answer carries the file's identity: whoever opens the path to serve
   * it (the web server, Electron's main process) checks its own descriptor with `openSameFile`.
   */
  async mediaFile(kind: 'thumb' | 'full', id: number, frame?: number): Promise<MediaFile | null> {
    if (!Number.isSafeInteger(id) || id <= 0) return null;
    if (frame !== undefined && (!Number.isSafeInteger(frame) || frame < 0 || kind !== 'thumb')) return null;
    const row = this.engine.stores.photos.photo(id);
    if (!row || row.hash === null || row.status === 'error' || row.status === 'skipped') return null;
    try {
      const served = await this.openMedia(kind, { ...row, hash: row.hash }, frame);
      if (!served?.opened.ok) return null;
      await served.opened.handle.close();
      return { path: served.path, mime: served.mime, identity: served.opened.identity };
    } catch {
      return null; // a thumbnail or preview that could not be made (a damaged file)
    }
  }

  /** The photo's own file, opened if it is still the file that was indexed. */
  private openOriginal(row: PhotoRow): Promise<Opened> {
    const folders = this.engine.stores.folders.folders().map((folder) => folder.path);
    return openIndexedFile({ path: row.path, size: row.size, mtimeMs: row.mtime_ms }, folders);
  }

  private async openMedia(kind: 'thumb' | 'full', row: PhotoRow & { hash: string }, frame?: number): Promise<{ path: string; mime: string; opened: Opened } | null> {
    if (kind === 'thumb') {
      const moment = frame !== undefined && row.media === 'video' ? await this.engine.thumbnails.frame(row.id, row.hash, frame) : null;
      const open = async () => {
        const original = await this.openOriginal(row);
        return original.ok ? original.handle : null;
      };
      const thumbnail = moment ?? (await this.engine.thumbnails.ensure(row.id, row.hash, { path: row.path, open }, row.media));
      return thumbnail === null ? null : { path: thumbnail, mime: 'image/webp', opened: await openRegularFile(thumbnail) };
    }
    const mime = browserType(row.path);
    if (row.media === 'video') return { path: row.path, mime: mime ?? 'application/octet-stream', opened: await this.openOriginal(row) };
    if (mime) return { path: row.path, mime, opened: await this.openOriginal(row) };
    const preview = join(this.engine.dataDir, 'previews', `${row.id}-${row.hash.slice(0, 16)}.jpg`);
    try {
      await stat(preview);
    } catch {
      const original = await this.openOriginal(row);
      if (!original.ok) return null;
      let bytes: Buffer;
      try {
        bytes = await original.handle.readFile();
      } finally {
        await original.handle.close();
      }
      await mkdir(join(this.engine.dataDir, 'previews'), { recursive: true });
      await writeFile(preview, await browserPreview(bytes));
    }
    return { path: preview, mime: 'image/jpeg', opened: await openRegularFile(preview) };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.retry);
    await (await this.control)?.close();
    await this.watcher?.close();
    await this.downloads.close(); // a download in flight stops where it is; the next start resumes it
    await this.engine.close(); // cancels the job in flight and waits for it
    await this.starting;
  }
}
