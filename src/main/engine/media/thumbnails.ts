import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { preparePhoto } from './photo.js';

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

  path(id: number, hash: string): string {
    return join(this.shard(id), `${id}-${hash.slice(0, 16)}.webp`);
  }

  async write(id: number, hash: string, webp: Buffer): Promise<void> {
    const file = this.path(id, hash);
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    await writeFile(tmp, webp);
    await rename(tmp, file);
  }

  /** The thumbnail file, made again from the photo when the cache lost it. */
  async ensure(id: number, hash: string, photoPath: string): Promise<string> {
    const file = this.path(id, hash);
    try {
      await stat(file);
    } catch {
      const prepared = await preparePhoto(await readFile(photoPath), []);
      await this.write(id, hash, prepared.thumbnail);
    }
    return file;
  }

  /** Removes a photo's thumbnails of other content than `hash`. */
  async removeOthers(id: number, hash: string): Promise<void> {
    const keep = this.path(id, hash);
    for (const name of await this.namesOf(id)) if (join(this.shard(id), name) !== keep) await rm(join(this.shard(id), name), { force: true });
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
