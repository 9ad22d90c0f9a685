/**
 * The library as a timeline: every photo, newest first, one tile per near-duplicate stack, those without
 * a date last; counted per month in one query and paged by (taken_at, id). Checked on a real library
 * (JPEGs with EXIF dates, PNGs without, a video, an exact copy, a broken file) and, against a simple
 * oracle, on generated catalogues with ties, photos without dates, stacks, errors and every filter.
 */
import assert from 'node:assert/strict';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Catalog } from '../../../../src/main/engine/catalog/catalog.js';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { openIndexed } from '../indexed-library.js';
import { FavouriteStore } from '../../../../src/main/engine/favourites/favourite-store.js';
import { IndexingStore } from '../../../../src/main/engine/indexing/indexing-store.js';
import { FolderStore } from '../../../../src/main/engine/library/folder-store.js';
import { PhotoStore } from '../../../../src/main/engine/library/photo-store.js';
import type { PhotoFilters } from '../../../../src/main/engine/search/keyword-store.js';
import { StackStore } from '../../../../src/main/engine/stacks/stack-store.js';
import { TimelineStore } from '../../../../src/main/engine/timeline/timeline-store.js';
import { writeSceneVideo } from '../../../../src/scenes/scene-video.js';
import { seededRandom } from '../../../../src/scenes/scene.js';
import { methods } from '../../../../src/shared/api.js';
import { monthOf } from '../../../../src/shared/timeline.js';
import { scene, tempDir, writeScene } from '../../../fixtures.js';

/** The timeline's order: dated photos newest first (ties by larger id), then those without a date by larger id. */
function timelineOrder(a: { taken_at: string | null; id: number }, b: { taken_at: string | null; id: number }): number {
  if ((a.taken_at === null) !== (b.taken_at === null)) return a.taken_at === null ? 1 : -1;
  if (a.taken_at !== b.taken_at) return a.taken_at! < b.taken_at! ? 1 : -1;
  return b.id - a.id;
}

const dated = (iso: string) => new Date(iso);

describe('the timeline of a real library', () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Pictures');
  let engine: GlimpseEngine;

  before(async () => {
    const shot = (n: number) => scene([[(['red', 'blue', 'green', 'yellow'] as const)[n % 4]!, (['circle', 'square', 'star'] as const)[n % 3]!]], 'grass', 'middle', n);
    const at: Array<[string, string]> = [
      ['2021/march-a.jpg', '2021-03-10T12:00:00Z'],
      ['2021/march-b.jpg', '2021-03-20T12:00:00Z'],
      ['2022/nov-a.jpg', '2022-11-02T12:00:00Z'],
      ['2022/nov-b.jpg', '2022-11-02T12:00:00Z'], // the same second as nov-a: the larger id comes first
      ['2022/nov-c.jpg', '2022-11-28T12:00:00Z'],
      ['2023/june-a.jpg', '2023-06-15T12:00:00Z'],
    ];
    for (const [i, [file, time]] of at.entries()) await writeScene(join(library, file), shot(i), { width: 640, height: 480, takenAt: dated(time) });
    // An exact copy: one near-duplicate stack, one tile.
    await copyFile(join(library, '2023/june-a.jpg'), join(library, '2023/june-a copy.jpg'));
    // Screenshots without a date, a video, and a file that cannot be read.
    await writeScene(join(library, 'Screens/one.png'), shot(7), { width: 640, height: 480, format: 'png' });
    await writeScene(join(library, 'Screens/two.png'), shot(8), { width: 640, height: 480, format: 'png' });
    await writeSceneVideo(join(library, '2024/clip.mp4'), [{ scene: shot(9), seconds: 3 }], { creationTime: dated('2024-01-05T12:00:00Z') });
    await writeFile(join(library, '2024/broken.jpg'), 'not a photo at all');
    engine = await openIndexed(join(tmp.path, 'data'), library);
  });
  after(async () => {
    await engine.close();
    tmp.remove();
  });

  const page = (extra: Record<string, unknown> = {}) => engine.timelinePage(methods.timeline.parse(extra));
  const names = (tiles: Array<{ name: string }>) => tiles.map((t) => t.name);

  it('counts tiles per month, newest first, the photos without a date last, a stack once and an unreadable file not at all', () => {
    assert.deepEqual(engine.timelineMonths({}).months, [
      { month: '2024-01', count: 1 },
      { month: '2023-06', count: 1 },
      { month: '2022-11', count: 3 },
      { month: '2021-03', count: 2 },
      { month: null, count: 2 },
    ]);
    assert.equal(engine.timelineMonths({}).total, 9);
  });

  it('pages the tiles in that order, a stack as one tile with its size, a video as a video', () => {
    const tiles = page({ limit: 100 }).tiles;
    const rows = [...engine.stores.photos.photos(tiles.map((t) => t.id)).values()];
    assert.deepEqual(
      tiles.map((t) => t.id),
      [...rows].sort(timelineOrder).map((r) => r.id),
    );
    assert.deepEqual(names(tiles).slice(0, 2), ['clip.mp4', tiles[1]!.name]);
    assert.equal(tiles[0]!.media, 'video');
    assert.ok(['june-a.jpg', 'june-a copy.jpg'].includes(tiles[1]!.name));
    assert.equal(tiles[1]!.stack?.size, 2, 'the stack says how many photos it holds');
    // nov-a and nov-b share a second: the one with the larger id first.
    const nov = tiles.filter((t) => t.name.startsWith('nov-a') || t.name.startsWith('nov-b'));
    assert.ok(nov[0]!.id > nov[1]!.id);
    assert.deepEqual(names(tiles.slice(-2)).sort(), ['one.png', 'two.png']);
    assert.ok(tiles.slice(-2).every((t) => t.takenAt === null));
    assert.ok(!names(tiles).includes('broken.jpg'));
  });

  it('continues a page after its last tile, across the photos without a date, to the end', () => {
    const seen: number[] = [];
    let next = page({ limit: 2 });
    let pages = 1;
    for (;;) {
      seen.push(...next.tiles.map((t) => t.id));
      if (!next.next) break;
      next = page({ limit: 2, cursor: next.next });
      pages++;
    }
    assert.deepEqual(
      seen,
      page({ limit: 100 }).tiles.map((t) => t.id),
    );
    assert.equal(pages, 5);
  });

  it("pages one month's tiles, or the photos without a date", () => {
    assert.deepEqual(names(page({ month: '2022-11' }).tiles).sort(), ['nov-a.jpg', 'nov-b.jpg', 'nov-c.jpg']);
    const first = page({ month: '2022-11', limit: 2 });
    assert.equal(first.tiles.length, 2);
    const rest = page({ month: '2022-11', limit: 2, cursor: first.next });
    assert.deepEqual(names([...first.tiles, ...rest.tiles]).sort(), ['nov-a.jpg', 'nov-b.jpg', 'nov-c.jpg'], 'the next page stays in the month');
    assert.equal(rest.next, null);
    assert.deepEqual(page({ month: '2022-10' }).tiles, [], 'a month without photos has no tiles');
    assert.deepEqual(names(page({ month: 'undated' }).tiles).sort(), ['one.png', 'two.png']);
  });

  it('applies the filters search has', () => {
    assert.deepEqual(names(page({ media: 'video' }).tiles), ['clip.mp4']);
    assert.deepEqual(names(page({ folder: join(library, '2021') }).tiles), ['march-b.jpg', 'march-a.jpg']);
    assert.deepEqual(names(page({ after: '2022-01-01', before: '2023-01-01' }).tiles).slice(0, 1), ['nov-c.jpg']);
    assert.deepEqual(engine.timelineMonths({ after: '2022-01-01', before: '2023-01-01' }).months, [{ month: '2022-11', count: 3 }]);
    const id = page({ folder: join(library, '2021') }).tiles[0]!.id;
    engine.setFavourite([id], true);
    assert.deepEqual(
      page({ favourites: true }).tiles.map((t) => [t.id, t.favourite]),
      [[id, true]],
    );
    assert.deepEqual(engine.timelineMonths({ favourites: true }).months, [{ month: '2021-03', count: 1 }]);
  });

  it('refuses months that do not exist, cursors that are not times, and pages too large', () => {
    for (const params of [
      { month: '2022-11; DROP TABLE photos' },
      { cursor: { takenAt: null, id: -1 } },
      { month: '2022-13' },
      { month: '22-11' },
      { cursor: { takenAt: 'yesterday', id: 1 } },
      { limit: 5000 },
    ])
      assert.equal(methods.timeline.safeParse(params).success, false, JSON.stringify(params));
  });
});

describe("the timeline's pages and month counts against an oracle, on generated catalogues", () => {
  const tmp = tempDir();
  after(() => tmp.remove());

  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: every page and every month count, with and without filters`, () => {
      const random = seededRandom(seed * 7919);
      const catalog = new Catalog(join(tmp.path, `catalog-${seed}.sqlite`));
      try {
        const folders = new FolderStore(catalog);
        const [a, b] = [folders.addFolder(join(tmp.path, 'A')), folders.addFolder(join(tmp.path, 'B'))];
        const photos = new PhotoStore(catalog);
        // Few distinct times, so many share a second (ties broken by id), some without a date, some never indexed or unreadable.
        const times = Array.from({ length: 40 }, () =>
          new Date(Date.UTC(2015 + Math.floor(random() * 8), Math.floor(random() * 12), 1 + Math.floor(random() * 28), 12)).toISOString(),
        );
        catalog.transaction(() => {
          for (let i = 0; i < 600; i++) {
            const folder = random() < 0.5 ? a : b;
            const video = random() < 0.1;
            const id = photos.insertPhoto({ folderId: folder.id, path: join(folder.path, `d${i % 7}`, `p${i}.${video ? 'mp4' : 'jpg'}`), size: 1, mtimeMs: 0, hash: null });
            const fate = random();
            if (fate < 0.08) continue; // never indexed: pending, no thumbnail yet
            const takenAt = random() < 0.12 ? null : times[Math.floor(random() * times.length)]!;
            new IndexingStore(catalog).recordIndexed('m', [
              { id, hash: `h${i}`, width: 1, height: 1, takenAt, camera: null, gps: null, vector: new Float32Array([1, 0]), caption: null },
            ]);
            if (fate < 0.12) catalog.db.prepare(`UPDATE photos SET status = 'error', error = 'broken' WHERE id = ?`).run(id);
          }
        });
        const ids = photos.photos(Array.from({ length: 600 }, (_, i) => i + 1));
        // Stacks of 2-5 photos, some across folders and dates; some favourites.
        const all = [...ids.keys()];
        const groups: number[][] = [];
        for (let g = 0; g < 40; g++)
          groups.push(
            Array.from({ length: 2 + Math.floor(random() * 4) }, () => all[Math.floor(random() * all.length)]!).filter(
              (id, i, list) => list.indexOf(id) === i && !groups.flat().includes(id),
            ),
          );
        new StackStore(catalog).replaceStacks(
          groups.filter((g) => g.length > 1),
          'test',
        );
        new FavouriteStore(catalog).setFavourite(
          all.filter(() => random() < 0.2),
          true,
        );

        const store = new TimelineStore(catalog);
        const stackOf = new Map(groups.filter((g) => g.length > 1).flatMap((g) => g.map((id) => [id, g] as const)));
        const favourites = new FavouriteStore(catalog).favouritesAmong(all);
        const filterSets: PhotoFilters[] = [
          {},
          { media: 'video' },
          { media: 'photo', favourites: true },
          { folder: a.path },
          { after: '2017-01-01', before: '2020-06-01' },
          { favourites: true },
          { folder: join(b.path, 'd3') },
        ];
        for (const filters of filterSets) {
          // The oracle: the rows as plain objects, filtered, sorted, one per stack.
          const passes = (r: NonNullable<ReturnType<PhotoStore['photo']>>) =>
            r.hash !== null &&
            r.status !== 'error' &&
            (!filters.media || r.media === filters.media) &&
            (!filters.favourites || favourites.has(r.id)) &&
            (!filters.folder || r.dir === filters.folder || r.dir.startsWith(filters.folder + '/')) &&
            (!filters.after || (r.taken_at !== null && r.taken_at >= filters.after)) &&
            (!filters.before || (r.taken_at !== null && r.taken_at < filters.before));
          const shown = [...ids.values()].filter(passes).sort(timelineOrder);
          const expected = shown.filter((r) => {
            const group = stackOf.get(r.id);
            return !group || shown.find((s) => group.includes(s.id)) === r;
          });
          const counts = new Map<string | null, number>();
          for (const r of expected) counts.set(monthOf(r.taken_at), (counts.get(monthOf(r.taken_at)) ?? 0) + 1);
          assert.deepEqual(
            store.months(filters),
            [...counts].map(([month, count]) => ({ month, count })),
            `months ${JSON.stringify(filters)}`,
          );
          // Each month on its own, page by page, is the same tiles.
          for (const { month } of store.months(filters)) {
            const got: number[] = [];
            let from: { takenAt: string | null; id: number } | undefined;
            for (;;) {
              const rows = store.page(filters, from, 5, month);
              got.push(...rows.map((r) => r.id));
              if (rows.length < 5) break;
              from = { takenAt: rows[rows.length - 1]!.taken_at, id: rows[rows.length - 1]!.id };
            }
            assert.deepEqual(
              got,
              expected.filter((r) => monthOf(r.taken_at) === month).map((r) => r.id),
              `month ${month} ${JSON.stringify(filters)}`,
            );
          }
          for (const limit of [1, 7, 50, 1000]) {
            const got: number[] = [];
            let from: { takenAt: string | null; id: number } | undefined;
            for (;;) {
              const rows = store.page(filters, from, limit);
              got.push(...rows.map((r) => r.id));
              if (rows.length < limit) break;
              from = { takenAt: rows[rows.length - 1]!.taken_at, id: rows[rows.length - 1]!.id };
            }
            assert.deepEqual(
              got,
              expected.map((r) => r.id),
              `pages of ${limit} ${JSON.stringify(filters)}`,
            );
          }
        }
      } finally {
        catalog.close();
      }
    });
  }
});
