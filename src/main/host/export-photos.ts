/**
 * Export: copies the originals of photos into a folder the user chose, never over a file that is there
 * (a name taken becomes "name (2).jpg", then "(3)"...), and reports what was copied and what was not,
 * with why. Each original is opened as media is (`openIndexedFile`: the file that was indexed, not a link
 * out of the library folders), and each copy is created with O_EXCL, so neither a file nor a link at the
 * name is ever written through. A copy that fails part-way is removed. Plain Node, used by ApiHost.
 */
import { constants } from 'node:fs';
import { type FileHandle, open, unlink } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { ExportReport } from '../../shared/api.js';
import { errorText } from '../../shared/error-text.js';
import { openIndexedFile } from './indexed-file.js';

/** A photo to export, as the catalogue knows it. */
export interface ExportedPhoto {
  id: number;
  path: string;
  size: number;
  mtimeMs: number;
}

const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
/** After this many taken names ("name (2)" ... ), the photo is reported, not copied. */
const MOST_NAMES = 10_000;

const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException | undefined)?.code ?? '';

/** What a failed write means to the user. */
function writeProblem(error: unknown): string {
  const code = codeOf(error);
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'the destination is full';
  if (code === 'EROFS') return 'the destination is read-only';
  if (code === 'EACCES' || code === 'EPERM') return 'Glimpse may not write in the destination';
  return errorText(error);
}

/** "IMG_1.jpg", "IMG_1 (2).jpg", "IMG_1 (3).jpg", ... */
export function nameWithNumber(name: string, n: number): string {
  if (n === 1) return name;
  const ext = extname(name);
  const stem = ext && ext !== name ? name.slice(0, -ext.length) : name;
  return `${stem} (${n})${ext && ext !== name ? ext : ''}`;
}

/** Copies one open file into another, a megabyte at a time. */
async function copy(from: FileHandle, to: FileHandle): Promise<void> {
  const buffer = Buffer.allocUnsafe(1 << 20);
  for (let position = 0; ;) {
    const { bytesRead } = await from.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) return;
    for (let written = 0; written < bytesRead;) written += (await to.write(buffer, written, bytesRead - written)).bytesWritten;
    position += bytesRead;
  }
}

/** Creates the first free name for `name` in `folder` (exclusively: a file or a link there is never opened). */
async function createFree(folder: string, name: string): Promise<{ file: string; handle: FileHandle }> {
  for (let n = 1; n <= MOST_NAMES; n++) {
    const file = join(folder, nameWithNumber(name, n));
    try {
      return { file, handle: await open(file, CREATE, 0o644) };
    } catch (error) {
      if (codeOf(error) !== 'EEXIST') throw error;
    }
  }
  throw new Error(`${MOST_NAMES.toLocaleString('en')} files of that name are already there`);
}

/**
 * Copies `photos` into `destination` (a folder the caller has checked), one after another, keeping each
 * original's modification time; `libraryFolders` as the catalogue names them.
 */
export async function exportPhotos(photos: readonly ExportedPhoto[], destination: string, libraryFolders: readonly string[]): Promise<ExportReport> {
  const report: ExportReport = { destination, copied: [], failed: [] };
  for (const photo of photos) {
    const name = basename(photo.path);
    const source = await openIndexedFile({ path: photo.path, size: photo.size, mtimeMs: photo.mtimeMs }, libraryFolders);
    if (!source.ok) {
      report.failed.push({ id: photo.id, name, reason: source.reason });
      continue;
    }
    let target: { file: string; handle: FileHandle } | undefined;
    try {
      target = await createFree(destination, name);
      const times = await source.handle.stat();
      await copy(source.handle, target.handle);
      await target.handle.utimes(times.atime, times.mtime);
      await target.handle.close();
      report.copied.push({ id: photo.id, name, file: target.file });
    } catch (error) {
      await target?.handle.close().catch(() => undefined);
      if (target) await unlink(target.file).catch(() => undefined);
      report.failed.push({ id: photo.id, name, reason: writeProblem(error) });
    } finally {
      await source.handle.close().catch(() => undefined);
    }
  }
  return report;
}
