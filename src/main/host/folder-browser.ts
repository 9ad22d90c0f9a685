/**
 * Web mode's folder picker: a browser cannot open the computer's own folder dialog, so the server lists
 * folders for it, and only where a person keeps photos: their home folder and the drives mounted for
 * them (Linux: under /media, /run/media and /mnt; macOS: /Volumes; Windows: the drive letters). Never
 * the whole disk ('/'), never outside those places: a path is judged by its real path (links and `..`
 * resolved), a link that leads out of them is not listed, and hidden folders (a leading dot) are not
 * listed. What it reveals is folder names, never files. Plain Node, used by ApiHost.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, sep } from 'node:path';
import type { FolderListing } from '../../shared/api.js';

/** A place the picker starts from: a name to show and its real path. */
export interface Place {
  name: string;
  path: string;
}

/** What the picker refuses, in words the user reads (the app shows them as they are). */
export class FolderRefused extends Error {
  override name = 'FolderRefused';
}

export const OUTSIDE = 'Glimpse shows only the folders in your home folder and on mounted drives.';

/** At most this many subfolders are listed (the first by name); a larger folder says it was cut. */
const MOST = 5000;

function isInside(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}

const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException | undefined)?.code ?? '';

/** The mount points of /proc/self/mounts under `prefixes` (its spaces and tabs are written as octal escapes). */
async function linuxDrives(prefixes: readonly string[]): Promise<string[]> {
  const text = await readFile('/proc/self/mounts', 'utf8').catch(() => '');
  const mounts = text
    .split('\n')
    .map((line) => line.split(' ')[1])
    .filter((m): m is string => !!m)
    .map((m) => m.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))));
  return mounts.filter((m) => prefixes.some((p) => m.startsWith(p)));
}

/** The home folder and the mounted drives of this computer. */
export async function placesOfThisComputer(): Promise<Place[]> {
  const places: Place[] = [{ name: 'Home', path: homedir() }];
  if (process.platform === 'linux') {
    for (const drive of await linuxDrives(['/media/', '/run/media/', '/mnt/'])) places.push({ name: basename(drive), path: drive });
  } else if (process.platform === 'darwin') {
    const volumes = await readdir('/Volumes').catch(() => [] as string[]);
    for (const name of volumes) places.push({ name, path: join('/Volumes', name) });
  } else if (process.platform === 'win32') {
    for (const letter of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') if (existsSync(`${letter}:\\`)) places.push({ name: `${letter}:`, path: `${letter}:\\` });
  }
  return places;
}

/**
 * Lists folders inside `places` (the home folder and the drives, unless a test gives others). The places
 * are taken at every call, so a drive plugged in later shows up.
 */
export class FolderBrowser {
  constructor(private readonly places: () => Promise<Place[]> = placesOfThisComputer) {}

  /** The places with their real paths, each once; the root of the disk never is one (it would be everything). */
  async realPlaces(): Promise<Place[]> {
    const seen = new Set<string>();
    const out: Place[] = [];
    for (const place of await this.places()) {
      const real = await realpath(place.path).catch(() => null);
      if (real === null || dirname(real) === real || seen.has(real)) continue;
      if (!(await stat(real).catch(() => null))?.isDirectory()) continue;
      seen.add(real);
      out.push({ name: place.name, path: real });
    }
    return out;
  }

  /**
   * The real path of `path` when it is a folder inside one of the places, with that place; refused
   * (`FolderRefused`) when it is not a full path, does not exist, is not a folder or lies outside them.
   */
  async resolve(path: string): Promise<{ real: string; place: Place }> {
    if (!isAbsolute(path) || path.includes('\0')) throw new FolderRefused(`Give a folder's full path (for example ${join(homedir(), 'Pictures')}).`);
    let real: string;
    try {
      real = await realpath(path);
    } catch (error) {
      throw new FolderRefused(codeOf(error) === 'ENOENT' ? `${path} does not exist.` : `${path} cannot be opened (${codeOf(error) || 'error'}).`);
    }
    const place = (await this.realPlaces()).find((p) => isInside(real, p.path));
    if (!place) throw new FolderRefused(OUTSIDE);
    if (!(await stat(real)).isDirectory()) throw new FolderRefused(`${path} is not a folder.`);
    return { real, place };
  }

  /** The subfolders of `path` (the places, when none is given), by name, hidden ones and links out left out. */
  async list(path?: string): Promise<FolderListing> {
    const places = await this.realPlaces();
    if (path === undefined) return { path: null, parent: null, folders: places, places, truncated: false };
    const { real, place } = await this.resolve(path);
    let entries;
    try {
      entries = await readdir(real, { withFileTypes: true });
    } catch (error) {
      throw new FolderRefused(`${real} cannot be listed (${codeOf(error) || 'error'}).`);
    }
    const folders: Array<{ name: string; path: string }> = [];
    for (const entry of entries) {
      // Hidden folders, and names that are not text (they could not be named back as a path).
      if (entry.name.startsWith('.') || entry.name.includes('\uFFFD')) continue;
      const child = join(real, entry.name);
      if (entry.isSymbolicLink()) {
        // A link is listed when it leads to a folder inside a place (a link out of them is not).
        const target = await realpath(child).catch(() => null);
        if (target === null || !places.some((p) => isInside(target, p.path)) || !(await stat(target).catch(() => null))?.isDirectory()) continue;
      } else if (!entry.isDirectory()) continue;
      folders.push({ name: entry.name, path: child });
    }
    // The folder was judged by its real path before it was read: judged again after, so a link swapped in meanwhile lists nothing.
    if ((await realpath(path).catch(() => null)) !== real) throw new FolderRefused(`${path} changed while it was listed; try again.`);
    folders.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' }));
    return { path: real, parent: real === place.path ? null : dirname(real), folders: folders.slice(0, MOST), places, truncated: folders.length > MOST };
  }
}
