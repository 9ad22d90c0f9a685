import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { preparePhoto } from './photo.js';

/** Small WebP thumbnails cached on disk, one per photo id, sharded so no folder grows huge. */
export class ThumbnailStore {
  constructor(readonly dir: string) {}

  path(id: number): string {
    return join(this.dir, String(id % 256).padStart(3, '0'), `${id}.webp`);
  }

  async write(id: number, webp: Buffer): Promise<void> {
    const file = this.path(id);
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    await writeFile(tmp, webp);
    await rename(tmp, file);
  }

  /** The thumbnail file, made again from the photo when the cache lost it. */
  async ensure(id: number, photoPath: string): Promise<string> {
    const file = this.path(id);
    try {
      await stat(file);
    } catch {
      const prepared = await preparePhoto(await readFile(photoPath), []);
      await this.write(id, prepared.thumbnail);
    }
    return file;
  }
}
