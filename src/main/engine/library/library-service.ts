import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { type FolderInfo, type OfflineFolder, UNREADABLE_SHOWN } from '../../../shared/api.js';
import { EngineError } from '../core/errors.js';
import { IDLE, type JobQueue } from '../core/job-queue.js';
import { expandHome, isUnder } from '../core/paths.js';
import type { WriterGate } from '../core/writer-gate.js';
import type { ActiveModel } from '../index/active-model.js';
import type { ThumbnailStore } from '../media/thumbnails.js';
import { type FolderRow, FolderStore, type OfflineDir } from './folder-store.js';
import { PhotoStore } from './photo-store.js';
import { type ReconcileResult, type ScanProblem, reconcile, walkFolder } from './scan.js';

/** An offline folder as the API shows it: since when (ISO) and why. */
export function offlineMark(o: OfflineDir | undefined): { since: string; reason: string } | null {
  return o ? { since: new Date(o.since).toISOString(), reason: o.reason } : null;
}

/** The library's folders: adding and removing them, and scanning them into the catalogue. */
export class LibraryService {
  constructor(
    private readonly folders: FolderStore,
    private readonly photos: PhotoStore,
    private readonly model: ActiveModel,
    private readonly thumbnails: ThumbnailStore,
    private readonly writer: WriterGate,
    private readonly jobs: JobQueue,
    private readonly changed: (reason: string) => void,
  ) {}

  addFolder(path: string): FolderRow {
    this.writer.require('add a folder');
    const dir = resolve(expandHome(path));
    let isDir: boolean;
    try {
      isDir = statSync(dir).isDirectory();
      accessSync(dir, constants.R_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new EngineError(code === 'ENOENT' ? `${dir} does not exist` : `${dir} cannot be read (${code ?? 'error'})`);
    }
    if (!isDir) throw new EngineError(`${dir} is not a folder`);
    const folders = this.folders.folders();
    const same = folders.find((f) => f.path === dir);
    if (same) return same;
    const outer = folders.find((f) => dir.startsWith(f.path + sep));
    if (outer) throw new EngineError(`${dir} is already in the library, inside ${outer.path}`);
    const inner = folders.find((f) => f.path.startsWith(dir + sep));
    if (inner) throw new EngineError(`${dir} contains ${inner.path}, which is already in the library; remove that folder first, then add ${dir}`);
    return this.folders.addFolder(dir);
  }

  removeFolder(id: number): boolean {
    this.writer.require('remove a folder');
    const ids = this.photos.photosInFolder(id).map((p) => p.id);
    const removed = this.folders.removeFolder(id);
    this.model.index.refresh(this.folders.catalog);
    this.model.index.save();
    void this.thumbnails.removeAll(ids).catch(() => undefined);
    if (removed) this.changed('folder removed');
    return removed;
  }

  /** `offline`: the catalogue's offline folders, when the caller has them already (status lists every folder). */
  folderInfo(row: FolderRow, offline: OfflineDir[] = this.folders.offlineDirs()): FolderInfo {
    return {
      id: row.id,
      path: row.path,
      photoCount: row.photo_count,
      errorCount: row.error_count,
      unreadable: row.error_count > 0 ? this.photos.errorsInFolder(row.id, UNREADABLE_SHOWN) : [],
      watchNote: row.watch_note,
      offline: offlineMark(offline.find((o) => o.dir === row.path)),
    };
  }

  /** Folders (library folders or folders inside them) that could not be listed, and the photos kept for them. */
  offlineFolders(offline: OfflineDir[] = this.folders.offlineDirs()): OfflineFolder[] {
    return offline.map((o) => ({ path: o.dir, ...offlineMark(o)!, photos: this.folders.photoCountUnder(o.dir) }));
  }

  /**
   * Walks folders (all, or the given ones / one folder inside one) and reconciles the catalogue with
   * them. A folder inside a library folder that no longer exists is judged from its nearest existing
   * parent (its listing is what proves the folder is gone, not offline).
   */
  async scan(folders: FolderRow[] = this.folders.folders(), under?: string): Promise<{ result: ReconcileResult; problems: ScanProblem[] }> {
    await this.writer.checkedFor('scan folders');
    const problems: ScanProblem[] = [];
    this.jobs.set({ ...IDLE, phase: 'scanning' });
    const scopes = [];
    for (const folder of folders) {
      let root = under && isUnder(under, folder.path) ? under : folder.path;
      while (root !== folder.path && !existsSync(root)) root = dirname(root);
      scopes.push({ folder, root, listing: await walkFolder(root, problems, folder.path) });
    }
    const offlineNow = () =>
      this.folders
        .offlineDirs()
        .map((o) => o.dir)
        .join('\n');
    const offlineBefore = offlineNow();
    const { removedIds, ...result } = await reconcile(this.folders.catalog, scopes);
    if (removedIds.length > 0) {
      this.model.index.refresh(this.folders.catalog);
      this.model.index.save();
      await this.thumbnails.removeAll(removedIds);
    }
    if (result.added + result.changed + result.moved + result.removed > 0 || offlineNow() !== offlineBefore) this.changed('scan');
    return { result, problems };
  }
}
