/**
 * The vector index split into several graphs (as a large library is rebuilt, here with small graphs):
 * built on worker threads, saved and loaded, updated in place, searched exactly like one graph; and an
 * index of one graph still saved in the format libraries already have.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Catalog } from '../../../../src/main/engine/catalog/catalog.js';
import { GraphThread } from '../../../../src/main/engine/index/graph-thread.js';
import { EXACT_FILTER_LIMIT, VectorIndex, shardCount } from '../../../../src/main/engine/index/vector-index.js';
import { seededRandom } from '../../../../src/scenes/scene.js';
import { libraryFolders } from '../../../fixtures.js';
import { FolderStore } from '../../../../src/main/engine/library/folder-store.js';
import { PhotoStore } from '../../../../src/main/engine/library/photo-store.js';
import { IndexingStore } from '../../../../src/main/engine/indexing/indexing-store.js';

const DIM = 8;

function unitVectors(seed: number) {
  const random = seededRandom(seed);
  return () => {
    const v = Float32Array.from({ length: DIM }, () => random() * 2 - 1);
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
}

/** A catalogue of `count` photos with vectors for model 'm', and the vectors by id. */
function catalogWith(dataDir: string, count: number, seed = 5): { catalog: Catalog; vectors: Map<number, Float32Array> } {
  const catalog = new Catalog(join(dataDir, 'catalog.sqlite'));
  const folder = new FolderStore(catalog).addFolder(join(dataDir, 'photos'));
  const unit = unitVectors(seed);
  const vectors = new Map<number, Float32Array>();
  catalog.transaction(() => {
    for (let i = 0; i < count; i++) {
      const id = new PhotoStore(catalog).insertPhoto({ folderId: folder.id, path: join(dataDir, 'photos', `p${i}.jpg`), size: 1, mtimeMs: 0, hash: null });
      const vector = unit();
      vectors.set(id, vector);
      new IndexingStore(catalog).recordIndexed('m', [{ id, hash: 'x', width: 1, height: 1, takenAt: null, camera: null, gps: null, vector, caption: null }]);
    }
  });
  return { catalog, vectors };
}

function exactTop(vectors: Map<number, Float32Array>, q: Float32Array, k: number, allowed?: ReadonlySet<number>): number[] {
  return [...vectors]
    .filter(([id]) => !allowed || allowed.has(id))
    .map(([id, v]) => ({ id, s: v.reduce((s, x, i) => s + x * q[i]!, 0) }))
    .sort((a, b) => b.s - a.s)
    .slice(0, k)
    .map((x) => x.id);
}

describe('vector index in several graphs', () => {
  const folders = libraryFolders();
  after(() => folders.removeAll());

  it('is rebuilt in graphs on worker threads, saved, loaded, updated and searched like one graph', async () => {
    const { dataDir } = folders.fresh();
    const { catalog, vectors } = catalogWith(dataDir, 350);
    const dir = join(dataDir, 'index');
    try {
      assert.equal(shardCount(350, 100), 4);
      const index = await VectorIndex.open(dir, 'm', DIM, catalog, { writable: true, shardSize: 100 });
      assert.equal(index.origin, 'rebuilt');
      assert.equal(index.graphCount, 4);
      assert.equal(index.graphThreads, 3, 'every graph but the first is searched on a thread of its own');
      assert.equal(index.size, 350);
      const unit = unitVectors(9);
      for (let i = 0; i < 20; i++) {
        const q = unit();
        assert.deepEqual(
          index.search(q, 10).map((n) => n.id),
          exactTop(vectors, q, 10),
        );
      }
      // Saved as format 3: one file per graph.
      const sidecar = JSON.parse(readFileSync(index.file, 'utf8')) as { format: number; graphs: unknown[] };
      assert.equal(sidecar.format, 3);
      assert.equal(sidecar.graphs.length, 4);
      assert.equal(readdirSync(dir).filter((f) => f.endsWith('.hnsw')).length, 4);

      // Updates, removals and revivals land in the photo's own graph, in a reader's copy too.
      const reader = await VectorIndex.open(dir, 'm', DIM, catalog, { writable: false, shardSize: 100 });
      assert.equal(reader.origin, 'loaded');
      assert.equal(reader.graphCount, 4);
      const random = seededRandom(3);
      const ids = [...vectors.keys()];
      for (let step = 0; step < 300; step++) {
        const id = ids[Math.floor(random() * ids.length)]!;
        if (random() < 0.4 && vectors.has(id)) {
          reader.remove(id);
          vectors.delete(id);
        } else {
          const v = unit();
          reader.add(id, v);
          vectors.set(id, v);
        }
        assert.equal(reader.size, vectors.size);
        const q = unit();
        assert.deepEqual(
          reader.search(q, 10).map((n) => n.id),
          exactTop(vectors, q, 10),
          `top 10 after step ${step}`,
        );
      }
      // A new photo id beyond the catalogue's lands in graph id % 4 and is found.
      const fresh = unit();
      reader.add(10_000, fresh);
      vectors.set(10_000, fresh);
      assert.equal(reader.search(fresh, 1)[0]!.id, 10_000);
      index.close();
      reader.close();
      assert.equal(GraphThread.running, 0, 'closing an index frees its graph threads');
    } finally {
      catalog.close();
    }
  });

  it('splits an index that outgrew its graphs photo by photo, while searches go on, and stops when aborted', async () => {
    const { dataDir } = folders.fresh();
    const { catalog, vectors } = catalogWith(dataDir, 100, 31);
    const dir = join(dataDir, 'index');
    const folder = new FolderStore(catalog).folders()[0]!;
    const unit = unitVectors(32);
    // Photos indexed after the index was made, as a first scan adds them: n more, through the vector log.
    const grow = (n: number) =>
      catalog.transaction(() => {
        for (let i = 0; i < n; i++) {
          const id = new PhotoStore(catalog).insertPhoto({ folderId: folder.id, path: join(dataDir, 'photos', `new-${vectors.size}.jpg`), size: 1, mtimeMs: 0, hash: null });
          const vector = unit();
          vectors.set(id, vector);
          new IndexingStore(catalog).recordIndexed('m', [{ id, hash: 'x', width: 1, height: 1, takenAt: null, camera: null, gps: null, vector, caption: null }]);
        }
      });
    try {
      const index = await VectorIndex.open(dir, 'm', DIM, catalog, { writable: true, shardSize: 100 });
      assert.equal(index.graphCount, 1);
      grow(20);
      index.refresh(catalog);
      assert.equal(index.outgrown(), false, '120 vectors in one graph of 100: not yet');
      assert.equal(await index.split(catalog), false);
      grow(230);
      index.refresh(catalog);
      assert.equal(index.graphCount, 1, 'growing photo by photo keeps the graphs it has');
      assert.ok(index.outgrown());
      // Aborted: nothing changes.
      const abort = new AbortController();
      const aborted = index.split(catalog, abort.signal);
      abort.abort(new Error('closing'));
      assert.equal(await aborted, false);
      assert.equal(index.graphCount, 1);
      // Split, with photos added and removed while the graphs are built: caught up from the log after.
      const splitting = index.split(catalog);
      const q = unit();
      assert.deepEqual(
        index.search(q, 10).map((n) => n.id),
        exactTop(vectors, q, 10),
        'the old graphs answer meanwhile',
      );
      grow(5);
      const gone = [...vectors.keys()][7]!;
      new PhotoStore(catalog).deletePhotos([gone]);
      vectors.delete(gone);
      index.refresh(catalog);
      assert.equal(await splitting, true);
      assert.equal(index.graphCount, shardCount(350, 100));
      assert.match(index.rebuildReason ?? '', /grown to 350 vectors in 1 graph: split into 4/);
      index.refresh(catalog);
      assert.equal(index.size, vectors.size);
      for (let i = 0; i < 5; i++) {
        const query = unit();
        assert.deepEqual(
          index.search(query, 10).map((n) => n.id),
          exactTop(vectors, query, 10),
        );
      }
      assert.equal(index.outgrown(), false);
      index.save();
      const reopened = await VectorIndex.open(dir, 'm', DIM, catalog, { writable: false, shardSize: 100 });
      assert.equal(reopened.origin, 'loaded');
      assert.equal(reopened.graphCount, 4);
      assert.equal(reopened.outgrown(), false, 'a reader never splits');
      reopened.close();
      index.close();
    } finally {
      catalog.close();
    }
  });

  it('answers a filter that allows few photos exactly, and a larger one through the graphs', async () => {
    const { dataDir } = folders.fresh();
    const { catalog, vectors } = catalogWith(dataDir, 300, 8);
    try {
      const index = await VectorIndex.open(join(dataDir, 'index'), 'm', DIM, catalog, { writable: true, shardSize: 100 });
      const unit = unitVectors(12);
      const ids = [...vectors.keys()];
      const few = new Set(ids.filter((_, i) => i % 7 === 0).concat([999_999])); // one id with no vector
      const many = new Set(ids.filter((_, i) => i % 2 === 0));
      assert.ok(few.size <= EXACT_FILTER_LIMIT);
      for (let i = 0; i < 10; i++) {
        const q = unit();
        const exact = index.search(q, 10, few);
        assert.deepEqual(
          exact.map((n) => n.id),
          exactTop(vectors, q, 10, few),
        );
        // The same similarities as the graph reports for the same photos.
        const viaGraph = new Map(index.search(q, 300).map((n) => [n.id, n.similarity]));
        for (const n of exact) assert.ok(Math.abs(n.similarity - viaGraph.get(n.id)!) < 1e-5);
        // Scanned from the catalogue's copies of the vectors (as the engine asks): the same answer, the
        // photo with no vector left out.
        assert.deepEqual(index.search(q, 10, few, catalog), exact);
        const scanned = index.exactFromCatalogue(q, 10, many, catalog);
        assert.deepEqual(
          scanned.map((n) => n.id),
          exactTop(vectors, q, 10, many),
        );
        for (const n of scanned) assert.ok(Math.abs(n.similarity - viaGraph.get(n.id)!) < 1e-5);
        // A photo the index no longer holds is not found, though the catalogue still has its vector.
        index.remove(scanned[0]!.id);
        assert.ok(!index.exactFromCatalogue(q, 10, many, catalog).some((n) => n.id === scanned[0]!.id));
        index.add(scanned[0]!.id, vectors.get(scanned[0]!.id)!);
        assert.deepEqual(
          index.search(q, 10, many).map((n) => n.id),
          exactTop(vectors, q, 10, many),
        );
      }
    } finally {
      catalog.close();
    }
  });

  it('searches graphs on their threads with a large filter, and frees the threads it replaces', async () => {
    const { dataDir } = folders.fresh();
    const { catalog, vectors } = catalogWith(dataDir, 2600, 21);
    const dir = join(dataDir, 'index');
    const before = GraphThread.running;
    try {
      const index = await VectorIndex.open(dir, 'm', DIM, catalog, { writable: true, shardSize: 1000 });
      assert.equal(index.graphThreads, 2);
      const unit = unitVectors(22);
      const ids = [...vectors.keys()];
      const random = seededRandom(23);
      for (let i = 0; i < 10; i++) {
        const allowed = new Set(ids.filter(() => random() < 0.9));
        assert.ok(allowed.size > EXACT_FILTER_LIMIT, 'through the graphs, not the exact scan');
        const q = unit();
        assert.deepEqual(
          index.search(q, 10, allowed).map((n) => n.id),
          exactTop(vectors, q, 10, allowed),
        );
      }
      // A saved index found ahead of the catalogue is read, refused and rebuilt: the graphs it read are
      // freed, not leaked.
      index.save();
      const sidecar = JSON.parse(readFileSync(index.file, 'utf8')) as { seq: number };
      writeFileSync(index.file, JSON.stringify({ ...sidecar, seq: sidecar.seq + 1000 }));
      const reopened = await VectorIndex.open(dir, 'm', DIM, catalog, { writable: true, shardSize: 1000 });
      assert.equal(reopened.origin, 'rebuilt');
      assert.match(reopened.rebuildReason ?? '', /ahead of the catalogue/);
      assert.equal(GraphThread.running, before + 4);
      reopened.close();
      index.close();
      assert.equal(GraphThread.running, before);
    } finally {
      catalog.close();
    }
  });

  it('an index of one graph is saved in format 2, as libraries already have it, and loads', async () => {
    const { dataDir } = folders.fresh();
    const { catalog } = catalogWith(dataDir, 50);
    const dir = join(dataDir, 'index');
    try {
      const index = await VectorIndex.open(dir, 'm', DIM, catalog, { writable: true });
      assert.equal(index.graphCount, 1);
      const sidecar = JSON.parse(readFileSync(index.file, 'utf8')) as Record<string, unknown>;
      assert.deepEqual(
        Object.keys(sidecar).sort(),
        ['bytes', 'count', 'dim', 'elements', 'format', 'generation', 'graphIno', 'graphMtimeMs', 'graphSha256', 'liveSha256', 'model', 'seq'].sort(),
      );
      assert.equal(sidecar.format, 2);
      assert.deepEqual(
        readdirSync(dir)
          .filter((f) => f.endsWith('.hnsw'))
          .map((f) => f.replace(/@.*\./, '@gen.')),
        ['m@gen.hnsw'],
      );
      const again = await VectorIndex.open(dir, 'm', DIM, catalog, { writable: true });
      assert.equal(again.origin, 'loaded');
      assert.equal(again.size, 50);
    } finally {
      catalog.close();
    }
  });
});
