import { lstat, opendir, realpath, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isUnder } from '../core/paths.js';
import { errorText } from '../../../shared/error-text.js';

/** A file or folder the walk could not use, and why (shown to the user). */
export interface ScanProblem {
  path: string;
  error: string;
}

/** Folders that hold caches, trash or system data, never photos a person took. */
const SKIPPED_DIRS = new Set(['@eaDir', '$RECYCLE.BIN', 'System Volume Information', 'lost+found', 'node_modules', '__MACOSX']);

export function isSkippedDir(name: string): boolean {
  return SKIPPED_DIRS.has(name);
}

/** Hidden files and folders (a leading dot) are never walked, watched or indexed. */
export function isHidden(name: string): boolean {
  return name.startsWith('.');
}

export function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOENT') return 'no longer exists';
  if (code === 'ELOOP') return 'symbolic link loop';
  return errorText(error);
}

/** One entry of a folder, with a link resolved to what it points at. */
export interface WalkEntry {
  name: string;
  path: string;
  kind: 'file' | 'folder' | 'other';
}

export interface WalkOptions {
  /** The library folder the walk is in (default: the root walked): a link to a folder inside it is not followed, as that folder is walked by its own path. */
  library?: string;
  /** Real paths of the folders walked already; shared by the walks of one library folder (the watcher's), so each real folder is walked once. */
  visited?: Set<string>;
  problems: ScanProblem[];
  /** A folder that could not be listed (completely), and why. */
  unlistable?: (dir: string, why: string) => void;
  /**
   * Each folder walked, with its entries (hidden ones left out) and how many entries it had in all;
   * its subfolders are walked after it. Returning false ends the walk there.
   */
  folder: (dir: string, real: string, entries: WalkEntry[], count: number) => boolean | void | Promise<boolean | void>;
  /** Asked before each folder: true ends the walk (the watcher closing). */
  stopped?: () => boolean;
}

/**
 * Whether the walk enters a folder reached through a symbolic link, by the rule the scan and the
 * watcher share: each real folder once. A link to a folder that holds it (`a/b -> ..`, `a/c -> /`) is a
 * loop, reported and not followed; a link to a folder inside the library folder is not followed either
 * (that folder is walked by its own path, so a photo has one path whichever folder is scanned first);
 * a link to a folder already walked is skipped. Only a link out of the library, to a folder not walked
 * yet, is followed.
 */
function followLink(path: string, holder: string, target: string, library: string, visited: Set<string>, problems: ScanProblem[]): boolean {
  if (isUnder(holder, target)) {
    problems.push({ path, error: `symbolic link loop: it leads back to ${target}, a folder that holds it; not followed` });
    return false;
  }
  return !isUnder(target, library) && !visited.has(target);
}

/**
 * Walks a folder tree as the scan and the watcher both see it: hidden and system folders are skipped,
 * symbolic links to folders are followed only by `followLink`'s rule, a folder that cannot be listed is
 * reported (`unlistable`) and skipped while the walk goes on. Every step awaits the file system, so a
 * walk of a huge tree never holds the event loop.
 */
export async function walkTree(root: string, options: WalkOptions): Promise<void> {
  const visited = options.visited ?? new Set<string>();
  const { problems } = options;
  const unlistable = (dir: string, why: string) => {
    problems.push({ path: dir, error: why });
    options.unlistable?.(dir, why);
  };
  let libraryReal: string;
  let rootReal: string;
  try {
    rootReal = await realpath(root);
    libraryReal = options.library && options.library !== root ? await realpath(options.library) : rootReal;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    unlistable(root, missing ? 'it cannot be found; is its drive connected, its network share mounted?' : reason(error));
    return;
  }
  // A root reached through a link (a folder linked into the library after it was watched) obeys the same rule.
  if (options.library && options.library !== root && (await lstat(root)).isSymbolicLink()) {
    if (!followLink(root, await realpath(dirname(root)), rootReal, libraryReal, visited, problems)) return;
  }
  const walk = async (dir: string, real: string): Promise<boolean> => {
    if (options.stopped?.() || visited.has(real)) return true;
    visited.add(real);
    let listing;
    try {
      listing = await opendir(dir);
    } catch (error) {
      unlistable(dir, `cannot read folder: ${reason(error)}`);
      return true;
    }
    const entries: WalkEntry[] = [];
    const subdirs: Array<{ path: string; real: string }> = [];
    let count = 0;
    try {
      for await (const entry of listing) {
        count++;
        if (isHidden(entry.name)) continue;
        const path = join(dir, entry.name);
        let kind: WalkEntry['kind'] = entry.isDirectory() ? 'folder' : entry.isFile() ? 'file' : 'other';
        let target = join(real, entry.name);
        if (entry.isSymbolicLink()) {
          try {
            const s = await stat(path);
            kind = s.isDirectory() ? 'folder' : s.isFile() ? 'file' : 'other';
            if (kind === 'folder') target = await realpath(path);
          } catch (error) {
            problems.push({ path, error: `broken link: ${reason(error)}` });
            continue;
          }
          if (kind === 'folder' && !followLink(path, real, target, libraryReal, visited, problems)) continue;
        }
        entries.push({ name: entry.name, path, kind });
        if (kind === 'folder' && !isSkippedDir(entry.name)) subdirs.push({ path, real: target });
      }
    } catch (error) {
      // Part of the folder may have been listed; what was not is kept, not deleted.
      unlistable(dir, `cannot read folder: ${reason(error)}`);
    }
    if ((await options.folder(dir, real, entries, count)) === false) return false;
    for (const sub of subdirs) if (!(await walk(sub.path, sub.real))) return false;
    return true;
  };
  await walk(root, rootReal);
}
