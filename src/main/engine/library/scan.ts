import { opendir, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { Catalog, FolderRow } from '../catalog/catalog.js';
import { contentHash, isPhotoFile } from '../media/photo.js';

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

/**
 * Lists the photo files under a folder. Hidden and system folders are skipped, symbolic links are
 * followed once (a link back to a folder already walked is ignored, so loops end), and a folder that
 * cannot be read is reported and skipped while the walk goes on.
 */
export async function walkFolder(root: string, problems: ScanProblem[]): Promise<ScannedFile[]> {
  const files: ScannedFile[] = [];
  const visited = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    let real: string;
    try {
      real = await realpath(dir);
    } catch (error) {
      problems.push({ path: dir, error: reason(error) });
      return;
    }
    if (visited.has(real)) return;
    visited.add(real);
    let entries;
    try {
      entries = await opendir(dir);
    } catch (error) {
      problems.push({ path: dir, error: `cannot read folder: ${reason(error)}` });
      return;
    }
    const subdirs: string[] = [];
    const photos: string[] = [];
    try {
      for await (const entry of entries) {
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
        } else if (isFile && isPhotoFile(entry.name)) {
          photos.push(path);
        }
      }
    } catch (error) {
      problems.push({ path: dir, error: `cannot read folder: ${reason(error)}` });
    }
    // Size and mtime of many files at once: a rescan of an unchanged library is mostly these stats.
    for (let i = 0; i < photos.length; i += STAT_CONCURRENCY) {
      await Promise.all(
        photos.slice(i, i + STAT_CONCURRENCY).map(async (path) => {
          try {
            const s = await stat(path);
            files.push({ path, size: s.size, mtimeMs: Math.round(s.mtimeMs) });
          } catch (error) {
            problems.push({ path, error: reason(error) });
          }
        }),
      );
    }
    for (const sub of subdirs) await walk(sub);
  };
  await walk(root);
  return files;
}

export interface ReconcileScope {
  folder: FolderRow;
  /** Only catalogue rows under this directory are compared (a watcher event in one subfolder). */
  under?: string;
  files: ScannedFile[];
}

export interface ReconcileResult {
  added: number;
  changed: number;
  moved: number;
  removed: number;
  unchanged: number;
}

/**
 * Brings the catalogue in line with what is on disk. Unchanged files (same path, size and mtime) are
 * left alone; a file that vanished from one place and appears in another with the same content keeps
 * its row (and so its vectors, captions and edits); what is gone for good leaves the catalogue.
 */
export async function reconcile(catalog: Catalog, scopes: readonly ReconcileScope[]): Promise<ReconcileResult & { removedIds: number[] }> {
  const result: ReconcileResult = { added: 0, changed: 0, moved: 0, removed: 0, unchanged: 0 };
  const gone = new Map<number, { id: number; size: number; hash: string | null }>();
  const fresh: Array<{ folderId: number; file: ScannedFile }> = [];
  for (const scope of scopes) {
    const prefix = scope.under ? scope.under + sep : undefined;
    const rows = catalog.photosInFolder(scope.folder.id).filter((r) => !prefix || r.path.startsWith(prefix) || r.path === scope.under);
    const byPath = new Map(rows.map((r) => [r.path, r]));
    const seen = new Set<string>();
    for (const file of scope.files) {
      const row = byPath.get(file.path);
      seen.add(file.path);
      if (!row) fresh.push({ folderId: scope.folder.id, file });
      else if (row.size === file.size && row.mtime_ms === file.mtimeMs) result.unchanged++;
      else {
        catalog.markChanged(row.id, file.size, file.mtimeMs);
        result.changed++;
      }
    }
    for (const row of rows) if (!seen.has(row.path)) gone.set(row.id, { id: row.id, size: row.size, hash: row.hash });
  }
  const goneBySize = new Map<number, Array<{ id: number; hash: string | null }>>();
  for (const g of gone.values()) goneBySize.set(g.size, [...(goneBySize.get(g.size) ?? []), g]);
  for (const { folderId, file } of fresh) {
    let hash: string | null = null;
    // Only a file that could be a moved one is fingerprinted now; the rest are hashed while indexing.
    const candidates = goneBySize.get(file.size)?.filter((g) => gone.has(g.id) && g.hash);
    if (candidates?.length) {
      try {
        hash = await contentHash(file.path, file.size);
      } catch {
        // unreadable now: indexing will record the reason
      }
    }
    const match = hash ? candidates?.find((g) => g.hash === hash) : undefined;
    if (match) {
      catalog.movePhoto(match.id, { folderId, path: file.path, size: file.size, mtimeMs: file.mtimeMs });
      gone.delete(match.id);
      result.moved++;
    } else {
      const existing = catalog.photoByPath(file.path);
      if (existing) catalog.movePhoto(existing.id, { folderId, path: file.path, size: file.size, mtimeMs: file.mtimeMs });
      else catalog.insertPhoto({ folderId, path: file.path, size: file.size, mtimeMs: file.mtimeMs, hash });
      result.added++;
    }
  }
  const removedIds = [...gone.keys()];
  catalog.deletePhotos(removedIds);
  result.removed = removedIds.length;
  return { ...result, removedIds };
}
