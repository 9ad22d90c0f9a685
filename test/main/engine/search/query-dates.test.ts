/**
 * A time named in a query ("red circle 2022", "snow in January 2021") filters on when photos were
 * taken, and the rest of the query is what is searched; a query that is only a time lists that time's
 * photos, newest first.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { datesInQuery } from '../../../../src/shared/query-dates.js';
import { searchParams } from '../../../../src/shared/api.js';
import { libraryFolders, scene, writeScene } from '../../../fixtures.js';

describe('times named in a query', () => {
  it('reads years, months and spans, and leaves names, quotes and other numbers alone', () => {
    const read = (q: string) => {
      const d = datesInQuery(q);
      return d && [d.rest, d.after, d.before, d.label];
    };
    assert.deepEqual(read('dog on the beach 2023'), ['dog on the beach', '2023-01-01', '2024-01-01', '2023']);
    assert.deepEqual(read('snow in January 2021'), ['snow', '2021-01-01', '2021-02-01', 'January 2021']);
    assert.deepEqual(read('party in dec 1999'), ['party', '1999-12-01', '2000-01-01', 'December 1999']);
    assert.deepEqual(read('kids 2019-2021'), ['kids', '2019-01-01', '2022-01-01', '2019 to 2021']);
    assert.deepEqual(read('from 2019 to 2021 kids'), ['kids', '2019-01-01', '2022-01-01', '2019 to 2021']);
    assert.deepEqual(read('receipts 2022-06'), ['receipts', '2022-06-01', '2022-07-01', 'June 2022']);
    assert.deepEqual(read('2023'), ['', '2023-01-01', '2024-01-01', '2023']);
    for (const q of ['IMG_2023', 'scan-2023.jpg', 'receipt "2023"', 'room 1984b', '3000 stars', '2021-2019', 'red circle']) assert.equal(read(q), null, q);
  });

  describe('in a library', () => {
    const folders = libraryFolders();
    let engine: GlimpseEngine;
    const taken = (year: number, month: number) => new Date(Date.UTC(year, month, 10));
    before(async () => {
      const { photos, dataDir } = folders.fresh();
      const shots: Array<[string, Parameters<typeof scene>, Date]> = [
        ['red-2021.jpg', [[['red', 'circle']], 'grass', 'left', 1], taken(2021, 4)],
        ['red-2022-jun.jpg', [[['red', 'circle']], 'grass', 'right', 2], taken(2022, 5)],
        ['red-2022-dec.jpg', [[['red', 'circle']], 'grass', 'top', 3], taken(2022, 11)],
        ['blue-2022.jpg', [[['blue', 'square']], 'sand', 'middle', 4], taken(2022, 2)],
        ['blue-2023.jpg', [[['blue', 'square']], 'sand', 'left', 5], taken(2023, 0)],
      ];
      for (const [name, args, date] of shots) await writeScene(join(photos, name), scene(...args), { takenAt: date });
      engine = await GlimpseEngine.open({ dataDir, device: 'cpu', ocr: false });
      engine.addFolder(photos);
      await engine.update();
    });
    after(async () => {
      await engine.close();
      folders.removeAll();
    });
    const search = (query: string, extra: Record<string, unknown> = {}) => engine.search(searchParams.parse({ query, limit: 50, ...extra }));

    it('searches the rest of the query among the photos taken then', async () => {
      const all = await search('a red circle', { all: true });
      const in2022 = await search('a red circle 2022', { all: true });
      assert.deepEqual(in2022.taken, { label: '2022', after: '2022-01-01', before: '2023-01-01' });
      const inYear = (r: { takenAt: string | null }) => (r.takenAt ?? '').startsWith('2022');
      assert.deepEqual(
        in2022.results.map((r) => r.name).sort(),
        all.results
          .filter(inYear)
          .map((r) => r.name)
          .sort(),
        'the same ranking, restricted to 2022',
      );
      assert.equal(in2022.results[0]?.name.startsWith('red-2022'), true, 'a red circle of 2022 first');
      const june = await search('red circle in June 2022');
      assert.deepEqual(
        june.results.map((r) => r.name),
        ['red-2022-jun.jpg'],
      );
    });

    it('lists every photo of a time named alone, newest first', async () => {
      const { results, taken: understood, hidden } = await search('2022');
      assert.equal(understood?.label, '2022');
      assert.deepEqual(
        results.map((r) => r.name),
        ['red-2022-dec.jpg', 'red-2022-jun.jpg', 'blue-2022.jpg'],
      );
      assert.equal(hidden, 0);
    });

    it('combines with the date filters as both at once', async () => {
      const { results, taken: understood } = await search('2022', { after: '2022-04-01' });
      assert.deepEqual(understood, { label: '2022', after: '2022-04-01', before: '2023-01-01' });
      assert.deepEqual(
        results.map((r) => r.name),
        ['red-2022-dec.jpg', 'red-2022-jun.jpg'],
      );
      assert.equal((await search('2022', { before: '2021-06-01' })).results.length, 0, 'filters that do not meet leave nothing');
    });
  });
});
