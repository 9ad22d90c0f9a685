import { type FileHandle, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { preparePhoto } from './photo.js';
import type { MediaKind } from './formats.js';
import { DEFAULT_SAMPLING, prepareVideo } from './video.js';

/**
 * Small WebP thumbnails cached on disk, sharded so no folder grows huge. A thumbnail is named by the
 * photo's id and its content fingerprint, so it can only ever show that content: a photo whose file
 * changed, or a catalogue restored from a backup whose ids are handed out again, never shows an old
 * picture. Old files are removed when a photo is re-indexed or leaves the catalogue.
 */
export class ThumbnailStore {
  constructor(readonly dir: string) {}

  private shard(id: number): string {
    return join(this.dir, String(id % 256).padStart(3, '0'));
  }

  /** The thumbnail of a photo, or of one sampled frame of a video (`frame`: its number). */
  path(id: number, hash: string, frame?: number): string {
    return join(this.shard(id), `${id}-${hash.slice(0, 16)}${frame === undefined ? '' : `.f${frame}`}.webp`);
  }

  async write(id: number, hash: string, webp: Buffer, frame?: number): Promise<void> {
    const file = this.path(id, hash, frame);
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    await writeFile(tmp, webp);
    await rename(tmp, file);
  }

  /**
   * The thumbnail file, made again from the photo when the cache lost it. `photo.open` opens the photo's
   * file (the caller decides which file may be read: see host/indexed-file.ts) and is called only then;
   * the thumbnail is made from that open file, not from its path. Null when it gives no file.
   */
  async ensure(id: number, hash: string, photo: { path: string; open: () => Promise<FileHandle | null> }, media: MediaKind = 'photo'): Promise<string | null> {
    const file = this.path(id, hash);
    try {
      await stat(file);
    } catch {
      const source = await photo.open();
      if (!source) return null;
      let thumbnail: Buffer;
      try {
        // A video's first frame stands in until it is indexed again (its representative frame needs the model).
        thumbnail =
          media === 'video'
            ? (await prepareVideo({ path: photo.path, fd: source.fd }, [], { ...DEFAULT_SAMPLING, maxFrames: 1, timeLimitMs: 20_000 })).frames[0]!.thumbnail
            : (await preparePhoto(await source.readFile(), [])).thumbnail;
      } finally {
        await source.close();
      }
      await this.write(id, hash, thumbnail);
    }
    return file;
  }

  /** A video frame's thumbnail when the cache has it (frames are made while indexing only). */
  async frame(id: number, hash: string, frame: number): Promise<string | null> {
    const file = this.path(id, hash, frame);
    try {
      await stat(file);
      return file;
    } catch {
      return null;
    }
  }

  /** Removes a photo's thumbnails (a video's frames' too) of other content than `hash`. */
  async removeOthers(id: number, hash: string): Promise<void> {
    const keep = `${id}-${hash.slice(0, 16)}.`;
    for (const name of await this.namesOf(id)) if (!name.startsWith(keep)) await rm(join(this.shard(id), name), { force: true });
  }

  /** Removes every thumbnail of these photos (they left the catalogue); one listing per shard. */
  async removeAll(ids: readonly number[]): Promise<void> {
    const byShard = new Map<string, Set<string>>();
    for (const id of ids) byShard.set(this.shard(id), (byShard.get(this.shard(id)) ?? new Set()).add(`${id}-`));
    for (const [shard, prefixes] of byShard) {
      let names: string[];
      try {
        names = await readdir(shard);
      } catch {
        continue;
      }
      for (const name of names) if (prefixes.has(name.slice(0, name.indexOf('-') + 1))) await rm(join(shard, name), { force: true });
    }
  }

  private async namesOf(id: number): Promise<string[]> {
    try {
      return (await readdir(this.shard(id))).filter((n) => n.startsWith(`${id}-`));
    } catch {
      return [];
    }
  }
}
