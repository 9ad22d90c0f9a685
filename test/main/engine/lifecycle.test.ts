/**
 * The library's lifecycle, proven by seeded random sequences against an oracle (see
 * test/lifecycle/library-model.ts for the operations and invariants). CI runs these fixed seeds;
 * `npm run soak -- --seed N --steps M` runs longer ones.
 */
import { describe, it } from 'node:test';
import { checkSeed } from '../../lifecycle/library-model.js';

describe('the library lifecycle against an oracle', () => {
  for (const seed of [1, 2, 3]) {
    it(`keeps every invariant through 40 random steps in one process (seed ${seed})`, { timeout: 600_000 }, async () => {
      await checkSeed(seed, 40, { shrinkBudget: 20 });
    });
  }
  for (const seed of [101, 102]) {
    it(`keeps every invariant through 25 steps with kill -9, a second reader and a second writer (seed ${seed})`, { timeout: 900_000 }, async () => {
      await checkSeed(seed, 25, { processes: true, shrinkBudget: 10 });
    });
  }
});
