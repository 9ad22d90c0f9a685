import { opendir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Catalog, type FolderRow, isUnder } from '../catalog/catalog.js';
import { fileFingerprint } from '../media/photo.js';
import { isMediaFile } from '../media/video.js';

export interface ScannedFile {
  path: string;
  size: number;
  mtimeMs: number;
}

export interface ScanProblem {
  path: string;
  error: string;
}

/** Folders that hold caches, trash or system data, never photos a person took. */
const STAT_CONCURRENCY = 64;

const SKIPPED_DIRS = new Set(['@eaDir', '$RECYCLE.BIN', 'System Volume Information', 'lost+found', 'node_modules', '__MACOSX']);

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOENT') return 'no longer exists';
  if (code === 'ELOOP') return 'symbolic link loop';
  return error instanceof Error ? error.message : String(error);
}

/** What a walk of one folder found. */
export interface FolderListing {
  files: ScannedFile[];
  /** Photo files that were listed but whose size and time could not be read: present, left as they are. */
  unreadableFiles: Set<string>;
  /** Folders that could not be listed (completely), with why: what the catalogue holds in them is offline. */
  unlistable: Map<string, string>;
  /** The walked folder had no entries at all (what an unmounted drive's mount point looks like). */
  empty: boolean;
}

/**
 * Lists the photo files under a folder. Hidden and system folders are skipped, symbolic links are
 * followed once (a link back to a folder already walked is ignored, so loops end), and a folder that
 * cannot be read is reported, remembered as unlistable, and skipped while the walk goes on.
 */
export async function walkFolder(root: string, problems: ScanProblem[]): Promise<FolderListing> {
  const listing: FolderListing = { files: [], unreadableFiles: new Set(), unlistable: new Map(), empty: false };
  const visited = new Set<string>();
  const cannotList = (dir: string, why: string) => {
    problems.push({ path: dir, error: why });
    listing.unlistable.set(dir, why);
  };
  const walk = async (dir: string): Promise<void> => {
    let real: string;
    try {
      real = await realpath(dir);
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      cannotList(dir, missing && dir === root ? 'it cannot be found; is its drive connected, its network share mounted?' : reason(error));
      return;
    }
    if (visited.has(real)) return;
    visited.add(real);
    let entries;
    try {
      entries = await opendir(dir);
    } catch (error) {
      cannotList(dir, `cannot read folder: ${reason(error)}`);
      return;
    }
    const subdirs: string[] = [];
    const photos: string[] = [];
    let count = 0;
    try {
      for await (const entry of entries) {
        count++;
        if (entry.name.startsWith('.')) continue;
        const path = join(dir, entry.name);
        let isDir = entry.isDirectory();
        let isFile = entry.isFile();
        if (entry.isSymbolicLink()) {
          try {
            const target = await stat(path);
            isDir = target.isDirectory();
            isFile = target.isFile();
          } catch (error) {
            problems.push({ path, error: `broken link: ${reason(error)}` });
            continue;
          }
        }
        if (isDir) {
          if (!SKIPPED_DIRS.has(entry.name)) subdirs.push(path);
        } else if (isFile && isMediaFile(entry.name)) {
          photos.push(path);
        }
      }
    } catch (error) {
      // Part of the folder may have been listed; what was not is kept, not deleted.
      cannotList(dir, `cannot read folder: ${reason(error)}`);
    }
    if (dir === root && count === 0) listing.empty = true;
    // Size and mtime of many files at once: a rescan of an unchanged library is mostly these stats.
    for (let i = 0; i < photos.length; i += STAT_CONCURRENCY) {
      await Promise.all(
        photos.slice(i, i + STAT_CONCURRENCY).map(async (path) => {
          try {
            const s = await stat(path);
            listing.files.push({ path, size: s.size, mtimeMs: Math.round(s.mtimeMs) });
          } catch (error) {
            problems.push({ path, error: reason(error) });
            listing.unreadableFiles.add(path);
          }
        }),
      );
    }
    for (const sub of subdirs) await walk(sub);
  };
  await walk(root);
  return listing;
}

export interface ReconcileScope {
  folder: FolderRow;
  /** The folder that was walked: the library folder, or a folder inside it (a watcher event). */
  root: string;
  listing: FolderListing;
}

export interface ReconcileResult {
  added: number;
  changed: number;
  moved: number;
  removed: number;
  unchanged: number;
  /** Photos kept as they were because their folder could not be listed. */
  offline: number;
}

/** The reason a library folder that lists as empty is treated as offline rather than emptied. */
export const EMPTY_ROOT_REASON = 'it is empty now; is its drive connected? (If you deleted its photos, remove the folder from the library)';

/**
 * Brings the catalogue in line with what is on disk, conservatively: a photo leaves the catalogue only
 * when the folder that held it was listed completely and the file was not there (or the folder itself
 * is gone from a parent that was listed). A folder that could not be listed (an unplugged drive, a
 * permission change, a network share that is down) is offline: its photos keep their rows, vectors,
 * captions and edits, and come back without re-embedding when it can be listed again. A library folder
 * that lists with no entries at all, while the catalogue holds photos in it, is treated the same way.
 *
 * Unchanged files (same path, size and mtime) are left alone; a file that vanished from one place and
 * appears in another with the same content keeps its row (and so its vectors, captions and edits).
 */
export async function reconcile(catalog: Catalog, scopes: readonly ReconcileScope[]): Promise<ReconcileResult & { removedIds: number[] }> {
  const result: ReconcileResult = { added: 0, changed: 0, moved: 0, removed: 0, unchanged: 0, offline: 0 };
  // First decide everything (fingerprinting candidate moves is the only slow part), then apply it in one
  // transaction: a scan killed part-way leaves the catalogue as it was, never half-reconciled.
  const changed: Array<{ id: number; file: ScannedFile }> = [];
  const gone = new Map<number, { id: number; size: number; hash: string | null }>();
  // Kept for an offline folder, but a move candidate all the same: the same content found elsewhere is
  // the same photo (a folder moved out of a library folder that now lists as empty, say).
  const kept = new Map<number, { id: number; size: number; hash: string | null; path: string }>();
  const fresh: Array<{ folderId: number; file: ScannedFile }> = [];
  const unlisted: Array<{ folderId: number; dir: string; reason: string }> = [];
  const wasOffline: string[] = [];
  for (const { folder, root, listing } of scopes) {
    const rows = catalog.photosInFolder(folder.id).filter((r) => isUnder(r.path, root));
    const offline = new Map(listing.unlistable);
    if (root === folder.path && listing.empty && rows.length > 0) offline.set(root, EMPTY_ROOT_REASON);
    const offlineDirs = [...offline.keys()];
    const byPath = new Map(rows.map((r) => [r.path, r]));
    const seen = new Set<string>(listing.unreadableFiles);
    for (const file of listing.files) {
      const row = byPath.get(file.path);
      seen.add(file.path);
      if (!row) fresh.push({ folderId: folder.id, file });
      else if (row.size === file.size && row.mtime_ms === file.mtimeMs) result.unchanged++;
      else changed.push({ id: row.id, file });
    }
    for (const row of rows) {
      if (seen.has(row.path)) continue;
      if (offlineDirs.some((d) => isUnder(row.path, d))) kept.set(row.id, { id: row.id, size: row.size, hash: row.hash, path: row.path });
      else gone.set(row.id, { id: row.id, size: row.size, hash: row.hash });
    }
    for (const [dir, reason] of offline) unlisted.push({ folderId: folder.id, dir, reason });
    for (const o of catalog.offlineDirs()) if (o.folder_id === folder.id && isUnder(o.dir, root)) wasOffline.push(o.dir);
  }
  const goneBySize = new Map<number, Array<{ id: number; hash: string | null }>>();
  for (const g of [...gone.values(), ...kept.values()]) goneBySize.set(g.size, [...(goneBySize.get(g.size) ?? []), g]);
  const moves: Array<{ id: number; folderId: number; file: ScannedFile }> = [];
  const added: Array<{ folderId: number; file: ScannedFile; hash: string | null }> = [];
  for (const { folderId, file } of fresh) {
    let hash: string | null = null;
    // Only a file that could be a moved one is fingerprinted now; the rest are hashed while indexing.
    const candidates = goneBySize.get(file.size)?.filter((g) => (gone.has(g.id) || kept.has(g.id)) && g.hash);
    if (candidates?.length) {
      try {
        hash = await fileFingerprint(file.path, file.size);
      } catch {
        // unreadable now: indexing will record the reason
      }
    }
    const match = hash ? candidates?.find((g) => g.hash === hash) : undefined;
    if (match) {
      moves.push({ id: match.id, folderId, file });
      gone.delete(match.id);
      kept.delete(match.id);
    } else added.push({ folderId, file, hash });
  }
  // New photos get their ids in path order, whatever order the folders were listed in: a library
  // scanned twice numbers its photos alike (the concepts' background sample is every n-th id).
  added.sort((a, b) => (a.file.path < b.file.path ? -1 : a.file.path > b.file.path ? 1 : 0));
  const removedIds = [...gone.keys()];
  // Offline: a folder that could not be listed and still holds photos that were not found elsewhere.
  // Every other folder under a walked root that was offline is online again.
  const offlineMarks = unlisted.filter((u) => [...kept.values()].some((k) => isUnder(k.path, u.dir)));
  const onlineAgain = wasOffline.filter((dir) => !offlineMarks.some((m) => m.dir === dir));
  catalog.transaction(() => {
    for (const { id, file } of changed) catalog.markChanged(id, file.size, file.mtimeMs);
    for (const { id, folderId, file } of moves) catalog.movePhoto(id, { folderId, path: file.path, size: file.size, mtimeMs: file.mtimeMs });
    // Deleted before new rows are added, so a new file at a deleted one's path is simply new.
    catalog.deletePhotos(removedIds);
    for (const { folderId, file, hash } of added) catalog.insertPhoto({ folderId, path: file.path, size: file.size, mtimeMs: file.mtimeMs, hash });
    for (const m of offlineMarks) catalog.setOffline(m.folderId, m.dir, m.reason);
    for (const dir of onlineAgain) catalog.clearOffline(dir);
  });
  result.changed = changed.length;
  result.moved = moves.length;
  result.added = added.length;
  result.removed = removedIds.length;
  result.offline = kept.size;
  return { ...result, removedIds };
}
