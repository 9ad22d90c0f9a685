/**
 * One test per data-loss report of issue 11, each written before its fix and failing on the code
 * as it was: a deleted photo bricked the library, an unplugged drive deleted user captions, vector
 * updates corrupted the index, vectors were inserted twice, ids were reused, one failed batch killed
 * indexing, two processes collided, and errors were swallowed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Catalog } from '../../../src/main/engine/catalog/catalog.js';
import { GlimpseEngine } from '../../../src/main/engine/engine.js';
import { VectorIndex } from '../../../src/main/engine/index/vector-index.js';
import { seededRandom } from '../../../src/scenes/scene.js';
import { searchParams } from '../../../src/shared/api.js';
import { installPackCopy, libraryFolders, scene, writeScene } from '../../fixtures.js';

const CLI = fileURLToPath(new URL('../../../src/cli/glimpse.ts', import.meta.url));
const request = (query: string, extra: Record<string, unknown> = {}) => searchParams.parse({ query, limit: 1000, ...extra });
const SMALL = { width: 320, height: 240 };

async function fourPhotos(library: string): Promise<string[]> {
  const colours = ['red', 'blue', 'yellow', 'purple'] as const;
  const paths: string[] = [];
  for (let i = 0; i < 4; i++) paths.push(await writeScene(join(library, `p${i}.jpg`), scene([[colours[i]!, 'circle']], 'grass', 'left', i + 1), SMALL));
  return paths;
}

describe('issue 11 regressions', () => {
  const folders = libraryFolders();
  after(() => folders.removeAll());
  const fresh = () => {
    const { root, photos, dataDir } = folders.fresh();
    return { root, library: photos, dataDir };
  };

  it('1. deleting one photo leaves a library that opens and searches', async () => {
    const { library, dataDir } = fresh();
    const paths = await fourPhotos(library);
    let engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    engine.addFolder(library);
    await engine.update();
    await unlink(paths[1]!);
    assert.equal((await engine.update()).scan.removed, 1);
    await engine.close();
    engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    try {
      const { results } = await engine.search(request('a circle', { all: true }));
      assert.deepEqual(results.map((r) => r.path).sort(), [paths[0], paths[2], paths[3]].sort());
      assert.equal(engine.index.size, 3);
    } finally {
      await engine.close();
    }
  });

  it('2. an unavailable root keeps its photos, their vectors and the user caption, and comes back without re-embedding', async () => {
    const { root, library, dataDir } = fresh();
    const paths = await fourPhotos(library);
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    try {
      engine.addFolder(library);
      await engine.update();
      const id = engine.stores.photos.photoByPath(paths[0]!)!.id;
      engine.setCaption(id, "Rex at grandma's porch");
      await rename(library, join(root, 'unplugged'));
      const away = await engine.update();
      assert.equal(away.scan.removed, 0, 'nothing is deleted when the root cannot be listed');
      const offline = await engine.search(request('a circle', { all: true }));
      assert.equal(offline.results.length, 4, 'offline photos stay searchable');
      assert.ok(
        offline.results.every((r) => r.offline === true),
        'and are marked offline',
      );
      assert.equal(engine.status().offline.length, 1);
      assert.equal(engine.status().offline[0]!.path, library);

      await rename(join(root, 'unplugged'), library);
      const back = await engine.update();
      assert.equal(back.indexing.indexed, 0, 'no re-embedding when the folder returns');
      assert.equal(back.scan.unchanged, 4);
      assert.equal(engine.stores.photos.photoByPath(paths[0]!)!.id, id);
      assert.equal(engine.photoDetail(id).caption?.text, "Rex at grandma's porch");
      assert.equal(engine.status().offline.length, 0);
    } finally {
      await engine.close();
    }
  });

  it('3. random adds, updates and removes keep the HNSW index equal to an exact search', async () => {
    const { dataDir } = fresh();
    const catalog = new Catalog(join(dataDir, 'catalog.sqlite'));
    const dim = 8;
    const index = await VectorIndex.open(join(dataDir, 'index'), 'm', dim, catalog, { writable: true });
    const random = seededRandom(11);
    const oracle = new Map<number, Float32Array>();
    const unit = () => {
      const v = Float32Array.from({ length: dim }, () => random() * 2 - 1);
      const n = Math.hypot(...v);
      return v.map((x) => x / n);
    };
    try {
      for (let step = 0; step < 400; step++) {
        const id = 1 + Math.floor(random() * 40);
        if (random() < 0.35 && oracle.has(id)) {
          index.remove(id);
          oracle.delete(id);
        } else {
          const v = unit();
          index.add(id, v);
          oracle.set(id, v);
        }
        assert.equal(index.size, oracle.size, `size after step ${step}`);
        const q = unit();
        const exact = [...oracle]
          .map(([i, v]) => ({ i, s: v.reduce((s, x, k) => s + x * q[k]!, 0) }))
          .sort((a, b) => b.s - a.s)
          .slice(0, 10)
          .map((x) => x.i);
        assert.deepEqual(
          index.search(q, 10).map((n) => n.id),
          exact,
          `top 10 after step ${step}`,
        );
      }
    } finally {
      catalog.close();
    }
  });

  it('4. vectors the pipeline added are not inserted again by the next catch-up', async () => {
    const { library, dataDir } = fresh();
    await fourPhotos(library);
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    try {
      engine.addFolder(library);
      await engine.update();
      assert.deepEqual(engine.index.refresh(engine.catalog), { added: 0, removed: 0 });
    } finally {
      await engine.close();
    }
  });

  it('5. a photo id is never given to another photo, even after the newest is deleted', async () => {
    const { library, dataDir } = fresh();
    const paths = await fourPhotos(library);
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    try {
      engine.addFolder(library);
      await engine.update();
      const newest = Math.max(...paths.map((p) => engine.stores.photos.photoByPath(p)!.id));
      await unlink(engine.stores.photos.photo(newest)!.path);
      await engine.update();
      const added = await writeScene(join(library, 'new.jpg'), scene([['black', 'star']], 'sand', 'top', 9), SMALL);
      await engine.update();
      assert.ok(engine.stores.photos.photoByPath(added)!.id > newest);
    } finally {
      await engine.close();
    }
  });

  it('6. a batch that fails stops the job with a clear error, the process lives, and the next run picks up the rest', { timeout: 60_000 }, async () => {
    const { library, dataDir } = fresh();
    // More photos than the pipeline keeps in flight, so the producer is waiting when the batch fails.
    for (let i = 0; i < 24; i++) await writeScene(join(library, `p${i}.jpg`), scene([['red', 'circle']], 'grass', 'left', i + 1), { width: 160, height: 120 });
    // A real fault: the thumbnail folder's path is taken by a file, so every thumbnail write fails.
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'thumbs'), 'not a folder');
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    try {
      engine.addFolder(library);
      await engine.scan();
      await assert.rejects(engine.indexPending({ batchSize: 2 }), /thumbs/);
      assert.equal(engine.stores.photos.counts(engine.pack.id).pending, 24, 'the photos are still waiting, not marked broken');
      await rm(join(dataDir, 'thumbs'));
      const summary = await engine.indexPending({ batchSize: 2 });
      assert.equal(summary.indexed, 24);
      assert.equal(summary.errors, 0);
    } finally {
      await engine.close();
    }
  });

  it('7a. a second writer is refused with a message naming the process that holds the library', async () => {
    const { library, dataDir } = fresh();
    await fourPhotos(library);
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    try {
      engine.addFolder(library);
      const run = spawnSync(process.execPath, ['--import', 'tsx', CLI, '--data-dir', dataDir, 'index', '--wait', '0'], { encoding: 'utf8', timeout: 120_000 });
      assert.equal(run.status, 1, run.stderr);
      assert.match(run.stderr, new RegExp(`pid ${process.pid}`));
      const search = spawnSync(process.execPath, ['--import', 'tsx', CLI, '--data-dir', dataDir, 'status', '--json'], { encoding: 'utf8', timeout: 120_000 });
      assert.equal(search.status, 0, `a reader still works while the writer holds the library: ${search.stderr}`);
    } finally {
      await engine.close();
    }
  });

  it('7b. opening another model elsewhere never hides photos from the active one', async () => {
    const { library, dataDir } = fresh();
    await fourPhotos(library);
    await installPackCopy(dataDir, 'tiny-coca-copy');
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    try {
      engine.addFolder(library);
      await engine.update();
      const other = await GlimpseEngine.open({ dataDir, device: 'cpu', model: 'tiny-coca-copy', access: 'read' });
      await other.close();
      assert.equal((await engine.search(request('a circle', { all: true }))).results.length, 4);
      assert.equal(engine.stores.photos.counts(engine.pack.id).pending, 0);
    } finally {
      await engine.close();
    }
  });

  it('8a. a keyword search that fails raises its error instead of returning nothing', async () => {
    const { library, dataDir } = fresh();
    await fourPhotos(library);
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    try {
      engine.addFolder(library);
      await engine.update();
      // Whatever a person types parses (quotes, operators, column filters): only real faults raise.
      for (const hostile of ['"unbalanced', 'NEAR(a b)', 'a OR b', '*', '^red', 'caption:red', '"""', 'red AND', '(', "it's"]) await engine.search(request(hostile));
      const db = new Database(join(dataDir, 'catalog.sqlite'));
      db.exec('DROP TABLE photo_text');
      db.close();
      await assert.rejects(engine.search(request('"p1"')), /photo_text/);
    } finally {
      await engine.close();
    }
  });

  it('8b. a settings file that does not parse is kept aside and reported, not silently replaced', async () => {
    const { dataDir } = fresh();
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'settings.json'), '{"model": "tiny-coca", "device": ');
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    try {
      assert.ok(
        engine.notices.some((n) => /settings\.json/.test(n)),
        engine.notices.join('\n'),
      );
      const kept = readdirSync(dataDir).find((f) => f.startsWith('settings.json.broken'));
      assert.ok(kept, 'the broken file is kept');
      assert.equal(await readFile(join(dataDir, kept), 'utf8'), '{"model": "tiny-coca", "device": ');
      assert.ok(!existsSync(join(dataDir, 'settings.json')) || (await readFile(join(dataDir, 'settings.json'), 'utf8')) !== '');
    } finally {
      await engine.close();
    }
  });
});
