/**
 * The videos' moments against an oracle: seeded random sequences of videos indexed, re-indexed with
 * other frames and deleted in a real catalogue, each change passed on as the vector log passes it on;
 * after every step the moments hold exactly the catalogue's frames, each video's best moment for a
 * query is its best frame by an exact scan of the catalogue (with and without a filter), and a fresh
 * load holds the same.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Catalog } from '../../../../src/main/engine/catalog/catalog.js';
import { VideoMoments } from '../../../../src/main/engine/index/moments.js';
import { seededRandom } from '../../../../src/scenes/scene.js';
import { libraryFolders } from '../../../fixtures.js';
import { VectorStore } from '../../../../src/main/engine/index/vector-store.js';
import { FolderStore } from '../../../../src/main/engine/library/folder-store.js';
import { IndexingStore } from '../../../../src/main/engine/indexing/indexing-store.js';
import { PhotoStore } from '../../../../src/main/engine/library/photo-store.js';

const DIM = 12;
const folders = libraryFolders();
after(() => folders.removeAll());

function unit(random: () => number): Float32Array {
  const v = Float32Array.from({ length: DIM }, () => random() * 2 - 1);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

/** Each video's best frame by an exact scan of the catalogue's frames: id -> [similarity, frame, time]. */
function oracleBest(catalog: Catalog, query: Float32Array, allowed?: ReadonlySet<number>): Map<number, [number, number, number]> {
  const best = new Map<number, [number, number, number]>();
  for (const f of new VectorStore(catalog).allFrames('m').frames) {
    if (allowed && !allowed.has(f.photoId)) continue;
    const dot = f.vector.reduce((s, x, i) => s + x * query[i]!, 0);
    const held = best.get(f.photoId);
    if (!held || dot > held[0]) best.set(f.photoId, [dot, f.idx, f.t]);
  }
  return best;
}

function assertSameAsCatalogue(moments: VideoMoments, catalog: Catalog, random: () => number, step: string): void {
  const want = new Map<number, Array<{ t: number; vector: number[] }>>();
  for (const f of new VectorStore(catalog).allFrames('m').frames) want.set(f.photoId, [...(want.get(f.photoId) ?? []), { t: f.t, vector: [...f.vector] }]);
  const held = new Map([...moments.snapshot()].map(([id, frames]) => [id, frames.map((f) => ({ t: f.t, vector: [...f.vector] }))]));
  assert.deepEqual(held, want, `${step}: the moments hold exactly the catalogue's frames`);
  assert.equal(
    moments.frameCount,
    [...want.values()].reduce((n, f) => n + f.length, 0),
  );
  for (let q = 0; q < 3; q++) {
    const query = unit(random);
    const ids = [...want.keys()];
    const allowed = q === 2 ? new Set(ids.filter(() => random() < 0.5)) : undefined;
    const found = moments.best(query, allowed);
    const truth = oracleBest(catalog, query, allowed);
    assert.equal(found.length, truth.size, `${step}: one moment per video${allowed ? ' allowed' : ''}`);
    for (const m of found) {
      const [dot, frame, at] = truth.get(m.id)!;
      assert.ok(Math.abs(m.similarity - dot) < 1e-5, `${step}: video ${m.id}'s best similarity`);
      // Equal frames may swap; otherwise the same frame, at its time.
      if (m.frame !== frame) assert.ok(Math.abs(oracleBest(catalog, query, new Set([m.id])).get(m.id)![0] - m.similarity) < 1e-5);
      else assert.equal(m.at, at);
    }
    for (let i = 1; i < found.length; i++) assert.ok(found[i - 1]!.similarity >= found[i]!.similarity, 'best first');
  }
}

describe('video moments', () => {
  for (const seed of [1, 2, 3]) {
    it(`hold exactly the catalogue's frames through random indexing, re-indexing and deletion (seed ${seed})`, () => {
      const { dataDir } = folders.fresh();
      mkdirSync(dataDir, { recursive: true });
      const catalog = new Catalog(join(dataDir, 'catalog.sqlite'));
      const random = seededRandom(seed);
      try {
        const folder = new FolderStore(catalog).addFolder(join(dataDir, 'videos'));
        const moments = new VideoMoments('m', DIM);
        moments.load(catalog);
        let made = 0;
        const index = (id: number) => {
          // Some videos share frames exactly (a copy), and the frame count varies from 1 to 9.
          const frames = Array.from({ length: 1 + Math.floor(random() * 9) }, (_, k) => ({ t: k * 2 + random(), vector: unit(random) }));
          if (random() < 0.15 && frames.length > 1) frames[1]!.vector = frames[0]!.vector;
          new IndexingStore(catalog).recordIndexed('m', [
            { id, hash: `h${made++}`, width: 1, height: 1, takenAt: null, camera: null, gps: null, vector: frames[0]!.vector, caption: null, video: { duration: 20, frames } },
          ]);
        };
        const live: number[] = [];
        for (let step = 0; step < 60; step++) {
          const roll = random();
          let changed: number[];
          if (roll < 0.5 || live.length === 0) {
            const ids = Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
              new PhotoStore(catalog).insertPhoto({ folderId: folder.id, path: join(dataDir, 'videos', `v${made}-${random()}.mp4`), size: 1, mtimeMs: 0, hash: null }),
            );
            ids.forEach(index);
            live.push(...ids);
            changed = ids;
          } else if (roll < 0.75) {
            const id = live[Math.floor(random() * live.length)]!;
            index(id);
            changed = [id];
          } else {
            const gone = live.filter(() => random() < 0.3);
            new PhotoStore(catalog).deletePhotos(gone);
            for (const id of gone) live.splice(live.indexOf(id), 1);
            changed = gone;
          }
          moments.update(catalog, changed);
          assertSameAsCatalogue(moments, catalog, random, `step ${step}`);
        }
        const fresh = new VideoMoments('m', DIM);
        fresh.load(catalog);
        assertSameAsCatalogue(fresh, catalog, random, 'a fresh load');
        assert.equal(fresh.videoCount, live.length);
      } finally {
        catalog.close();
      }
    });
  }
});
