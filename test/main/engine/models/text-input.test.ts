// What an encoder is fed besides pixels (models/text-input.ts), on seeded random cases against the rules
// written out: a long query cut inside its text with the template's special tokens kept, runs of a
// graph's fixed batch, and a short last run filled up to it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filledTo, inBatches, truncated } from '../../../../src/main/engine/models/text-input.js';
import { seededRandom } from '../../../../src/scenes/scene.js';

describe('text input', () => {
  it('cuts a long query inside its text, keeping the special tokens before and after it', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const next = seededRandom(seed);
      const prefix = Array.from({ length: Math.floor(next() * 3) }, (_, i) => 1000 + i);
      const suffix = Array.from({ length: Math.floor(next() * 3) }, (_, i) => 2000 + i);
      const text = Array.from({ length: 1 + Math.floor(next() * 120) }, () => Math.floor(next() * 900));
      const ids = [...prefix, ...text, ...suffix];
      const context = prefix.length + suffix.length + 1 + Math.floor(next() * 80);
      if (ids.length <= context) continue;
      const cut = truncated(ids, text, context);
      assert.equal(cut.length, context, `seed ${seed}: fills the context`);
      assert.deepEqual(cut.slice(0, prefix.length), prefix, `seed ${seed}: the start tokens stay`);
      assert.deepEqual(cut.slice(cut.length - suffix.length), suffix, `seed ${seed}: the end tokens stay`);
      assert.deepEqual(cut.slice(prefix.length, cut.length - suffix.length), text.slice(0, context - prefix.length - suffix.length), `seed ${seed}: the text is cut at its end`);
    }
    // Without the text inside the ids (a tokenizer that changes it with its template), the last token is kept.
    assert.deepEqual(truncated([1, 2, 3, 4, 5], [9, 9], 3), [1, 2, 5]);
  });

  it('runs items in batches of a graph fixed size, and fills a short last run with copies of its last item', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const next = seededRandom(seed);
      const items = Array.from({ length: Math.floor(next() * 40) }, (_, i) => i);
      const size = 1 + Math.floor(next() * 8);
      const runs = inBatches(items, size);
      assert.deepEqual(runs.flat(), items, `seed ${seed}: every item once, in order`);
      runs.forEach((run, i) => assert.ok(i === runs.length - 1 ? run.length <= size : run.length === size));
      for (const run of runs) {
        const filled = filledTo(run, size);
        assert.equal(filled.length, size);
        assert.deepEqual(filled.slice(0, run.length), run);
        assert.ok(filled.slice(run.length).every((x) => x === run.at(-1)));
      }
    }
    assert.deepEqual(inBatches([1, 2, 3], undefined), [[1, 2, 3]], 'a graph that takes any batch takes them all at once');
    assert.deepEqual(filledTo([1, 2], undefined), [1, 2]);
  });
});
