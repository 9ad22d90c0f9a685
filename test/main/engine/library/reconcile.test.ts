/**
 * A user's words belong to the picture they were written for: when files trade names, the photo rows
 * (ids, captions, concepts) follow the content, found by its fingerprint, not the path.
 */
import assert from 'node:assert/strict';
import { readFile, rename, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { libraryFolders, scene, writeScene } from '../../../fixtures.js';

const SMALL = { width: 160, height: 120 };
const COLOURS = ['red', 'blue', 'yellow', 'purple', 'green'] as const;

describe('reconciling files by content', () => {
  const folders = libraryFolders();
  after(() => folders.removeAll());

  /** A library of `n` indexed photos (different sizes), each captioned with its own file name. */
  async function captionedLibrary(
    n: number,
  ): Promise<{ engine: GlimpseEngine; paths: string[]; captionAt: (path: string) => string | null; idAt: (path: string) => number | undefined }> {
    const { photos, dataDir } = folders.fresh();
    const paths: string[] = [];
    for (let i = 0; i < n; i++)
      paths.push(await writeScene(join(photos, `${String.fromCharCode(97 + i)}.jpg`), scene([[COLOURS[i]!, 'circle', 1]], 'grass', 'left', i + 1), SMALL));
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    engine.addFolder(photos);
    await engine.update();
    for (const path of paths) engine.setCaption(engine.stores.photos.photoByPath(path)!.id, `written for ${path.slice(-5)}`);
    const idAt = (path: string) => engine.stores.photos.photoByPath(path)?.id;
    const captionAt = (path: string) => {
      const id = idAt(path);
      return id === undefined ? null : ((engine.catalog.db.prepare(`SELECT text FROM texts WHERE photo_id = ? AND source = 'user'`).pluck().get(id) as string | undefined) ?? null);
    };
    return { engine, paths, captionAt, idAt };
  }

  it('two files whose names were swapped keep their own captions and ids', async () => {
    const { engine, paths, captionAt, idAt } = await captionedLibrary(2);
    try {
      const [a, b] = paths as [string, string];
      const [idA, idB] = [idAt(a)!, idAt(b)!];
      await rename(a, `${a}.tmp`);
      await rename(b, a);
      await rename(`${a}.tmp`, b);
      const { scan } = await engine.update();
      assert.equal(scan.moved, 2, 'both files moved');
      assert.equal(scan.removed, 0);
      assert.equal(scan.added, 0);
      assert.equal(captionAt(b), 'written for a.jpg', "a.jpg's caption is on the picture now named b.jpg");
      assert.equal(captionAt(a), 'written for b.jpg');
      assert.equal(idAt(b), idA, 'the id follows the picture');
      assert.equal(idAt(a), idB);
      assert.equal(engine.stores.photos.photo(idA)!.status, 'indexed', 'a moved photo is not indexed again');
    } finally {
      await engine.close();
    }
  });

  it('names rotated among three files, and a fourth untouched, all follow their pictures', async () => {
    const { engine, paths, captionAt } = await captionedLibrary(4);
    try {
      const [a, b, c, d] = paths as [string, string, string, string];
      await rename(a, `${a}.tmp`);
      await rename(c, a);
      await rename(b, c);
      await rename(`${a}.tmp`, b);
      await engine.update();
      assert.deepEqual(
        [a, b, c, d].map((p) => captionAt(p)),
        ['written for c.jpg', 'written for a.jpg', 'written for b.jpg', 'written for d.jpg'],
      );
    } finally {
      await engine.close();
    }
  });

  it('a photo moved onto another name replaces that photo: the overwritten one leaves with its caption', async () => {
    const { engine, paths, captionAt, idAt } = await captionedLibrary(2);
    try {
      const [a, b] = paths as [string, string];
      const [idA, idB] = [idAt(a)!, idAt(b)!];
      await rename(a, b);
      const { scan } = await engine.update();
      assert.equal(scan.removed, 1);
      assert.equal(idAt(b), idA);
      assert.equal(captionAt(b), 'written for a.jpg');
      assert.equal(engine.stores.photos.photo(idB), undefined, 'the overwritten photo is gone');
    } finally {
      await engine.close();
    }
  });

  it('a file edited in place, or only touched, keeps its caption; a copy of another photo written over it keeps it too', async () => {
    const { engine, paths, captionAt, idAt } = await captionedLibrary(3);
    try {
      const [a, b, c] = paths as [string, string, string];
      const ids = paths.map((p) => idAt(p));
      await writeScene(a, scene([[COLOURS[4], 'square', 2]], 'sand', 'right', 9), SMALL); // edited in place
      await utimes(b, new Date(), new Date(Date.now() + 5000)); // touched
      await writeFile(c, await readFile(b)); // a copy of b over c: b is still at b
      await engine.update();
      assert.deepEqual(
        paths.map((p) => idAt(p)),
        ids,
      );
      assert.deepEqual(
        paths.map((p) => captionAt(p)),
        ['written for a.jpg', 'written for b.jpg', 'written for c.jpg'],
      );
    } finally {
      await engine.close();
    }
  });
});
