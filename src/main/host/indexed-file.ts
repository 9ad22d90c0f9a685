/**
 * Opening a library file to serve it (the full image, a video's bytes, a thumbnail or preview made on
 * demand): only the file that was indexed, checked on the opened descriptor itself, so nothing can be
 * swapped in between the check and the read. A photo id names a path; what that path holds now may be
 * another file (replaced by a link to /etc/passwd, a FIFO, a device) until the watcher rescans it.
 *
 * - The file is opened with O_NONBLOCK (opening a FIFO never waits for a writer) and O_NOFOLLOW (its
 *   last component is not followed when it is a symbolic link); `fstat` on that descriptor must show a
 *   regular file of the size and modification time the catalogue holds (`photos.size`, `mtime_ms`,
 *   which the scan rounds to the millisecond).
 * - A path that is a symbolic link is opened through the link and served only when its real path lies
 *   inside the real path of a library folder and is the very file the descriptor has (device and
 *   inode), so a link may point within the library but not out of it.
 * - Where O_NOFOLLOW does not exist (Windows) the path is opened, then `lstat`ed: a link, or a path that
 *   no longer names the opened file, takes the link's checks.
 *
 * The answer carries the file's identity (device, inode, size, mtime in ns). A process that opens the
 * file again (the Electron main process, which streams what the engine process vouched for) checks its
 * own descriptor against that identity with `openSameFile`. Plain Node: no Electron, no engine.
 */
import { type BigIntStats, constants } from 'node:fs';
import { type FileHandle, lstat, open, realpath, stat } from 'node:fs/promises';
import { sep } from 'node:path';

/** What makes a file the same file: where it lives (device, inode) and that it has not changed since. */
export interface FileIdentity {
  /** Decimal strings: inode numbers pass 2^53 on some file systems, and Windows' file ids often do. */
  dev: string;
  ino: string;
  size: number;
  mtimeNs: string;
}

/** An open, checked file (the caller closes `handle`), or why it may not be served. */
export type Opened = { ok: true; handle: FileHandle; identity: FileIdentity } | { ok: false; reason: string };

/** A file to serve for a media URL, and the identity of the file that was checked. */
export interface MediaFile {
  path: string;
  mime: string;
  identity: FileIdentity;
}

/** A library file as the catalogue knows it. */
export interface CataloguedFile {
  path: string;
  size: number;
  /** Rounded to the millisecond, as the scan stores it. */
  mtimeMs: number;
}

// Absent on Windows (undefined there, whatever the typings say).
const NONBLOCK = (constants.O_NONBLOCK as number | undefined) ?? 0;
const NOFOLLOW = (constants.O_NOFOLLOW as number | undefined) ?? 0;
const READ = constants.O_RDONLY | NONBLOCK;
/** What opening a symbolic link with O_NOFOLLOW fails with: ELOOP (Linux, macOS), EMLINK (FreeBSD). */
const LINK_ERRORS = new Set(['ELOOP', 'EMLINK']);

const errorCode = (error: unknown): string => (error as NodeJS.ErrnoException | undefined)?.code ?? '';
const refused = (reason: string): Opened => ({ ok: false, reason });
/** A reason without the path (the error's code only), safe to show or log anywhere. */
const failure = (error: unknown): Opened => refused(errorCode(error) === 'ENOENT' ? 'the file is gone' : `cannot be opened (${errorCode(error) || 'error'})`);

export function identityOf(s: BigIntStats): FileIdentity {
  return { dev: String(s.dev), ino: String(s.ino), size: Number(s.size), mtimeNs: String(s.mtimeNs) };
}

export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;
}

/** The modification time as the scan stores it: Node's `mtimeMs` (a float, from seconds and ns), rounded. */
function roundedMtimeMs(s: BigIntStats): number {
  const ns = s.mtimeNs;
  const seconds = ns / 1_000_000_000n;
  return Math.round(Number(seconds) * 1000 + Number(ns - seconds * 1_000_000_000n) / 1e6);
}

function isInside(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}

/** Closes the handle and answers `reason`, for every refusal after the file was opened. */
async function refuseOpen(handle: FileHandle, reason: string): Promise<Opened> {
  await handle.close().catch(() => undefined);
  return refused(reason);
}

/**
 * Opens an indexed file if it is still the file the catalogue describes (see the module comment);
 * `libraryFolders` are the library's folders as the catalogue names them (their real paths are taken here).
 */
export async function openIndexedFile(file: CataloguedFile, libraryFolders: readonly string[]): Promise<Opened> {
  let handle: FileHandle;
  let linked = false;
  try {
    handle = await open(file.path, READ | NOFOLLOW);
  } catch (error) {
    if (NOFOLLOW === 0 || !LINK_ERRORS.has(errorCode(error))) return failure(error);
    linked = true;
    try {
      handle = await open(file.path, READ);
    } catch (second) {
      return failure(second);
    }
  }
  try {
    const s = await handle.stat({ bigint: true });
    if (!s.isFile()) return await refuseOpen(handle, 'not a regular file');
    if (NOFOLLOW === 0) {
      const named = await lstat(file.path, { bigint: true });
      linked = named.isSymbolicLink() || named.dev !== s.dev || named.ino !== s.ino;
    }
    if (linked) {
      const real = await realpath(file.path);
      const target = await stat(real, { bigint: true });
      if (target.dev !== s.dev || target.ino !== s.ino) return await refuseOpen(handle, 'the link changed while it was opened');
      const folders = await Promise.all(libraryFolders.map((folder) => realpath(folder).catch(() => null)));
      if (!folders.some((folder) => folder !== null && isInside(real, folder))) return await refuseOpen(handle, 'a link to a file outside the library folders');
    }
    if (Number(s.size) !== file.size || roundedMtimeMs(s) !== file.mtimeMs) return await refuseOpen(handle, 'the file changed since it was indexed');
    return { ok: true, handle, identity: identityOf(s) };
  } catch (error) {
    await handle.close().catch(() => undefined);
    return failure(error);
  }
}

/** Opens a regular file (a cached thumbnail or preview in the data folder), never a FIFO, device or folder. */
export async function openRegularFile(path: string): Promise<Opened> {
  let handle: FileHandle;
  try {
    handle = await open(path, READ | NOFOLLOW);
  } catch (error) {
    return failure(error);
  }
  try {
    const s = await handle.stat({ bigint: true });
    if (!s.isFile()) return await refuseOpen(handle, 'not a regular file');
    return { ok: true, handle, identity: identityOf(s) };
  } catch (error) {
    await handle.close().catch(() => undefined);
    return failure(error);
  }
}

/**
 * Opens `path` again where another process (or an earlier call) checked it: served only if this
 * descriptor has the same file, unchanged (device, inode, size, mtime). Links are followed here, since
 * the identity already pins the file that passed `openIndexedFile`'s checks.
 */
export async function openSameFile(path: string, identity: FileIdentity): Promise<Opened> {
  let handle: FileHandle;
  try {
    handle = await open(path, READ);
  } catch (error) {
    return failure(error);
  }
  try {
    const s = await handle.stat({ bigint: true });
    if (!s.isFile() || !sameIdentity(identityOf(s), identity)) return await refuseOpen(handle, 'not the file that was checked');
    return { ok: true, handle, identity: identityOf(s) };
  } catch (error) {
    await handle.close().catch(() => undefined);
    return failure(error);
  }
}
