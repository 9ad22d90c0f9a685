import { stat } from 'node:fs/promises';
import { type Catalog } from '../catalog/catalog.js';
import { type FolderRow } from './folder-store.js';
import { type PhotoRow } from './photo-store.js';
import { isUnder } from '../core/paths.js';
import { fileFingerprint } from '../media/photo.js';
import { isMediaFile, mediaKindOf } from '../media/formats.js';
import { PhotoStore } from './photo-store.js';
import { FolderStore } from './folder-store.js';
import { AlbumStore } from '../albums/album-store.js';
import { type ScanProblem, reason, walkTree } from './walk.js';

export type { ScanProblem } from './walk.js';

export interface ScannedFile {
  path: string;
  size: number;
  mtimeMs: number;
}

const STAT_CONCURRENCY = 64;

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
 * Lists the photo files under a folder (`library`: the library folder it is in, when it is a folder
 * inside one), by the walk the watcher shares (`walkTree`: hidden and system folders skipped, each real
 * folder once, loops reported). A folder that cannot be read is reported, remembered as unlistable, and
 * skipped while the walk goes on.
 */
export async function walkFolder(root: string, problems: ScanProblem[], library?: string): Promise<FolderListing> {
  const listing: FolderListing = { files: [], unreadableFiles: new Set(), unlistable: new Map(), empty: false };
  await walkTree(root, {
    ...(library ? { library } : {}),
    problems,
    unlistable: (dir, why) => listing.unlistable.set(dir, why),
    folder: async (dir, _real, entries, count) => {
      if (dir === root && count === 0) listing.empty = true;
      const photos: string[] = [];
      for (const entry of entries) {
        if (entry.kind === 'folder' || !isMediaFile(entry.name)) continue;
        // A named pipe, socket or device with a photo's name is listed as skipped, never opened: reading a
        // pipe would wait for a writer forever.
        if (entry.kind === 'file') photos.push(entry.path);
        else problems.push({ path: entry.path, error: 'not a regular file (a named pipe, socket or device): skipped' });
      }
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
    },
  });
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
  const photoStore = new PhotoStore(catalog);
  const folderStore = new FolderStore(catalog);
  const result: ReconcileResult = { added: 0, changed: 0, moved: 0, removed: 0, unchanged: 0, offline: 0 };
  // First decide everything (fingerprinting candidate moves is the only slow part), then apply it in one
  // transaction: a scan killed part-way leaves the catalogue as it was, never half-reconciled.
  const changed: Array<{ id: number; folderId: number; size: number; hash: string | null; file: ScannedFile }> = [];
  const gone = new Map<number, { id: number; size: number; hash: string | null; path: string }>();
  // Kept for an offline folder, but a move candidate all the same: the same content found elsewhere is
  // the same photo (a folder moved out of a library folder that now lists as empty, say).
  const kept = new Map<number, { id: number; size: number; hash: string | null; path: string }>();
  const fresh: Array<{ folderId: number; file: ScannedFile }> = [];
  const unlisted: Array<{ folderId: number; dir: string; reason: string }> = [];
  const wasOffline: string[] = [];
  for (const { folder, root, listing } of scopes) {
    const rows = photoStore.photosInFolder(folder.id).filter((r) => isUnder(r.path, root));
    const offline = new Map(listing.unlistable);
    if (root === folder.path && listing.empty && rows.length > 0) offline.set(root, EMPTY_ROOT_REASON);
    const offlineDirs = [...offline.keys()];
    const byPath = new Map(rows.map((r) => [r.path, r]));
    // A row's fingerprint is its identity only when it describes content that was indexed: a file that
    // failed to decode is never recognised elsewhere as the same photo.
    const identity = (r: PhotoRow) => (r.status === 'error' ? null : r.hash);
    const seen = new Set<string>(listing.unreadableFiles);
    for (const file of listing.files) {
      const row = byPath.get(file.path);
      seen.add(file.path);
      if (!row) fresh.push({ folderId: folder.id, file });
      else if (row.size === file.size && row.mtime_ms === file.mtimeMs) result.unchanged++;
      else changed.push({ id: row.id, folderId: folder.id, size: row.size, hash: identity(row), file });
    }
    for (const row of rows) {
      if (seen.has(row.path)) continue;
      if (offlineDirs.some((d) => isUnder(row.path, d))) kept.set(row.id, { id: row.id, size: row.size, hash: identity(row), path: row.path });
      else gone.set(row.id, { id: row.id, size: row.size, hash: identity(row), path: row.path });
    }
    for (const [dir, reason] of offline) unlisted.push({ folderId: folder.id, dir, reason });
    for (const o of folderStore.offlineDirs()) if (o.folder_id === folder.id && isUnder(o.dir, root)) wasOffline.push(o.dir);
  }
  const { moves, added, displaced, changedHere } = await matchByContent(changed, gone, kept, fresh);
  // New photos get their ids in path order, whatever order the folders were listed in: a library
  // scanned twice numbers its photos alike (the concepts' background sample is every n-th id).
  added.sort((a, b) => (a.file.path < b.file.path ? -1 : a.file.path > b.file.path ? 1 : 0));
  const removedIds = [...gone.keys(), ...displaced];
  // Offline: a folder that could not be listed and still holds photos that were not found elsewhere.
  // Every other folder under a walked root that was offline is online again.
  const offlineMarks = unlisted.filter((u) => [...kept.values()].some((k) => isUnder(k.path, u.dir)));
  const onlineAgain = wasOffline.filter((dir) => !offlineMarks.some((m) => m.dir === dir));
  catalog.transaction(() => {
    if (changedHere.length + moves.length + removedIds.length + added.length > 0) new AlbumStore(catalog).albumsStale = true;
    for (const { id, file } of changedHere) photoStore.markChanged(id, file.size, file.mtimeMs);
    // Moves may trade paths (two files whose names were swapped): every moving row leaves its path
    // first, so no two rows ever hold one path.
    for (const { id, folderId, file } of moves) photoStore.movePhoto(id, { folderId, path: `${file.path}\u0000moving`, size: file.size, mtimeMs: file.mtimeMs });
    // Deleted before new rows are added or moved in, so a new file at a deleted one's path is simply new.
    photoStore.deletePhotos(removedIds);
    for (const { id, folderId, file } of moves) photoStore.movePhoto(id, { folderId, path: file.path, size: file.size, mtimeMs: file.mtimeMs });
    for (const { folderId, file, hash } of added) photoStore.insertPhoto({ folderId, path: file.path, size: file.size, mtimeMs: file.mtimeMs, hash });
    for (const m of offlineMarks) folderStore.setOffline(m.folderId, m.dir, m.reason);
    for (const dir of onlineAgain) folderStore.clearOffline(dir);
  });
  result.changed = changedHere.length;
  result.moved = moves.length;
  result.added = added.length;
  result.removed = removedIds.length;
  result.offline = kept.size;
  return { ...result, removedIds };
}

interface ChangedFile {
  id: number;
  folderId: number;
  /** The size and fingerprint of the content the row was indexed with. */
  size: number;
  hash: string | null;
  file: ScannedFile;
}

interface ContentMatch {
  moves: Array<{ id: number; folderId: number; file: ScannedFile }>;
  added: Array<{ folderId: number; file: ScannedFile; hash: string | null }>;
  /** Rows whose path now holds another photo's content while their own content is nowhere: deleted. */
  displaced: number[];
  /** Rows that stay at their path, whose file changed: indexed again. */
  changedHere: Array<{ id: number; file: ScannedFile }>;
}

const FINGERPRINT_CONCURRENCY = 16;

/**
 * A photo is its content, not its name: a file whose content is the indexed content of a photo no longer
 * at its own path (vanished, in an offline folder, or its path now holding other content) is that photo,
 * moved. So two files whose names were swapped trade rows (and their captions, concepts and edits go
 * with the pictures they were written for), and a photo moved onto another's name replaces it. `gone`
 * and `kept` lose the rows that are found elsewhere. Only files that could take part in such a match (a
 * size in common with a candidate) are fingerprinted now; the rest are hashed while indexing.
 */
async function matchByContent(
  changed: readonly ChangedFile[],
  gone: Map<number, { id: number; size: number; hash: string | null; path: string }>,
  kept: Map<number, { id: number; size: number; hash: string | null; path: string }>,
  fresh: ReadonlyArray<{ folderId: number; file: ScannedFile }>,
): Promise<ContentMatch> {
  const sourceIdsBySize = new Map<number, number[]>();
  for (const s of [...gone.values(), ...kept.values(), ...changed]) if (s.hash) sourceIdsBySize.set(s.size, [...(sourceIdsBySize.get(s.size) ?? []), s.id]);
  const destinationsBySize = new Map<number, string[]>();
  for (const { file } of [...fresh, ...changed]) destinationsBySize.set(file.size, [...(destinationsBySize.get(file.size) ?? []), file.path]);
  const couldBeAnother = (file: ScannedFile, self?: number) => sourceIdsBySize.get(file.size)?.some((id) => id !== self) ?? false;
  const toFingerprint = [
    ...fresh.filter(({ file }) => couldBeAnother(file)).map(({ file }) => file),
    ...changed.filter((c) => couldBeAnother(c.file, c.id) || (c.hash !== null && (destinationsBySize.get(c.size)?.some((p) => p !== c.file.path) ?? false))).map((c) => c.file),
  ];
  const now = new Map<string, string>();
  for (let i = 0; i < toFingerprint.length; i += FINGERPRINT_CONCURRENCY) {
    await Promise.all(
      toFingerprint.slice(i, i + FINGERPRINT_CONCURRENCY).map(async (file) => {
        try {
          now.set(file.path, await fileFingerprint(file.path, file.size));
        } catch {
          // unreadable now: indexing will record the reason
        }
      }),
    );
  }
  // A changed row whose file now holds other content has left its path (its content may be elsewhere);
  // one whose content is still its own (a new modification time) is neither a source nor a destination.
  const leftPath = changed.filter((c) => c.hash !== null && now.has(c.file.path) && now.get(c.file.path) !== c.hash);
  // Keyed by fingerprint and media kind: a file renamed from photo to video (or back) is read again.
  const sources = new Map<string, number[]>();
  const key = (hash: string, path: string) => `${mediaKindOf(path)}:${hash}`;
  for (const s of [...gone.values(), ...kept.values(), ...leftPath.map((c) => ({ id: c.id, hash: c.hash, path: c.file.path }))].sort((a, b) => a.id - b.id))
    if (s.hash) sources.set(key(s.hash, s.path), [...(sources.get(key(s.hash, s.path)) ?? []), s.id]);
  const destinations = [...fresh.map((f) => ({ ...f, row: undefined as number | undefined })), ...leftPath.map((c) => ({ folderId: c.folderId, file: c.file, row: c.id }))].sort(
    (a, b) => (a.file.path < b.file.path ? -1 : a.file.path > b.file.path ? 1 : 0),
  );
  const moves: ContentMatch['moves'] = [];
  const moved = new Set<number>();
  const claimed = new Set<string>();
  for (const d of destinations) {
    const hash = now.get(d.file.path);
    const candidates = hash === undefined ? undefined : sources.get(key(hash, d.file.path))?.filter((id) => id !== d.row && !moved.has(id));
    const id = candidates?.[0];
    if (id === undefined) continue;
    moves.push({ id, folderId: d.folderId, file: d.file });
    moved.add(id);
    claimed.add(d.file.path);
    gone.delete(id);
    kept.delete(id);
  }
  const added: ContentMatch['added'] = fresh.filter(({ file }) => !claimed.has(file.path)).map(({ folderId, file }) => ({ folderId, file, hash: now.get(file.path) ?? null }));
  const displaced: number[] = [];
  const changedHere: ContentMatch['changedHere'] = [];
  for (const c of changed) {
    if (claimed.has(c.file.path)) {
      if (!moved.has(c.id)) displaced.push(c.id);
    } else if (moved.has(c.id)) added.push({ folderId: c.folderId, file: c.file, hash: now.get(c.file.path) ?? null });
    else changedHere.push({ id: c.id, file: c.file });
  }
  return { moves, added, displaced, changedHere };
}
