/**
 * IdSet, the index's set of live photo ids, against a JavaScript Set as the oracle: seeded random
 * sequences of adds (growing the bitmap), deletes (present and absent), builds from arrays and
 * iterables, with size, membership and ascending iteration compared after every step.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IdSet } from '../../../../src/main/engine/index/id-set.js';
import { seededRandom } from '../../../../src/scenes/scene.js';

function same(ids: IdSet, oracle: Set<number>): void {
  assert.equal(ids.size, oracle.size);
  const sorted = [...oracle].sort((a, b) => a - b);
  assert.deepEqual([...ids], sorted);
  assert.deepEqual([...ids.toArray()], sorted);
}

describe('IdSet', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`agrees with a Set through 3,000 random operations (seed ${seed})`, () => {
      const random = seededRandom(seed);
      // Ids near each other and far apart (the bitmap grows by doubling, and by jumps).
      const pick = () => (random() < 0.9 ? Math.floor(random() * 300) : Math.floor(random() * 200_000));
      const start = Array.from({ length: Math.floor(random() * 50) }, pick);
      const ids = random() < 0.5 ? new IdSet(start) : new IdSet(new Set(start));
      const oracle = new Set(start);
      same(ids, oracle);
      for (let step = 0; step < 3000; step++) {
        const id = pick();
        const r = random();
        if (r < 0.5) {
          ids.add(id);
          oracle.add(id);
        } else if (r < 0.9) assert.equal(ids.delete(id), oracle.delete(id));
        else assert.equal(ids.has(id), oracle.has(id));
        if (step % 100 === 0) same(ids, oracle);
        assert.equal(ids.size, oracle.size);
      }
      same(ids, oracle);
      for (const probe of [-1, 0.5, 2 ** 40, Number.NaN]) assert.equal(ids.has(probe), false);
    });
  }

  it('refuses what cannot be a photo id, and stays as it was', () => {
    const ids = new IdSet([3, 9]);
    for (const bad of [-1, 1.5, 2 ** 31, Number.NaN]) assert.throws(() => ids.add(bad), RangeError);
    assert.deepEqual([...ids], [3, 9]);
  });
});
