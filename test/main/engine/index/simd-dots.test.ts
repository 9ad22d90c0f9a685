/**
 * The WebAssembly SIMD scan against a plain loop: any dimension (padded to a multiple of four), rows
 * kept in place as the memory grows past many pages, and rows moved.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimdMatrix } from '../../../../src/main/engine/index/simd-dots.js';
import { seededRandom } from '../../../../src/scenes/scene.js';

describe('SIMD inner products', () => {
  for (const dim of [1, 7, 12, 513]) {
    it(`score ${dim}-d rows as a plain loop does, through growth and moves`, () => {
      const random = seededRandom(dim);
      const matrix = new SimdMatrix(dim);
      const rows: Float32Array[] = [];
      // Row by row past several 64 KiB pages, so the memory grows (and its buffer is replaced) many times.
      const count = Math.ceil((5 * 65536) / (dim * 4)) + 3;
      for (let r = 0; r < count; r++) {
        const v = Float32Array.from({ length: dim }, () => random() * 2 - 1);
        matrix.reserve(r + 1);
        matrix.set(r, v);
        rows.push(v);
      }
      matrix.move(count - 1, 0);
      rows[0] = rows[count - 1]!;
      const query = Float32Array.from({ length: dim }, () => random() * 2 - 1);
      const scores = matrix.scores(query, count - 1);
      assert.equal(scores.length, count - 1);
      for (let r = 0; r < count - 1; r++) {
        const exact = rows[r]!.reduce((s, x, i) => s + x * query[i]!, 0);
        assert.ok(Math.abs(scores[r]! - exact) < 1e-4 * Math.sqrt(dim), `row ${r}: ${scores[r]} against ${exact}`);
        assert.deepEqual(matrix.vector(r), rows[r]);
      }
    });
  }
});
