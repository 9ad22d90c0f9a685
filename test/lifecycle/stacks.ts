/** Near-duplicate stacks' invariants, checked by the stacks tests and after every step of the lifecycle model. */
import assert from 'node:assert/strict';
import type { Catalog } from '../../src/main/engine/catalog/catalog.js';
import { lookDistance } from '../../src/main/engine/media/look.js';
import { GROUPING, hashDecides } from '../../src/main/engine/stacks/grouping.js';
import { StackStore } from '../../src/main/engine/stacks/stack-store.js';
import { VectorStore } from '../../src/main/engine/index/vector-store.js';

/**
 * Stacks and looks never name a photo that left the catalogue. Every stack of two photos or more is held
 * together by real evidence: one of its photos (its centre) agrees with every other, as an exact copy
 * (same content fingerprint) or close in the embedding and the perceptual hash (the thresholds of the
 * grouping; a hash of an image under HASH_MIN_SIDE decides nothing), computed here exactly. When the stacks are current for `model` (built from the vectors, looks and photos there are
 * now: `current` asks that they must be, as after an update), exact copies always share a stack.
 */
export function checkStacks(catalog: Catalog, model: string, current = false): void {
  const db = catalog.db;
  assert.equal(db.prepare('SELECT count(*) FROM stacks WHERE photo_id NOT IN (SELECT id FROM photos)').pluck().get(), 0, 'a stack never names a photo that left');
  // What search is told about its pool (`stacksOf`) agrees with counting the rows, for every photo.
  const rows = db.prepare('SELECT photo_id, stack_id FROM stacks').all() as Array<{ photo_id: number; stack_id: number }>;
  const sizes = new Map<number, number>();
  for (const r of rows) sizes.set(r.stack_id, (sizes.get(r.stack_id) ?? 0) + 1);
  const expected = new Map(rows.filter((r) => sizes.get(r.stack_id)! > 1).map((r) => [r.photo_id, { stackId: r.stack_id, size: sizes.get(r.stack_id)! }]));
  const everyPhoto = db.prepare('SELECT id FROM photos').pluck().all() as number[];
  assert.deepEqual(new StackStore(catalog).stacksOf(everyPhoto), expected, "a photo's stack and its size, as search is told");
  assert.equal(db.prepare('SELECT count(*) FROM photo_looks WHERE photo_id NOT IN (SELECT id FROM photos)').pluck().get(), 0, 'a look never names a photo that left');
  const upToDate = new StackStore(catalog).stacksBuiltFrom() === new StackStore(catalog).stacksSource(model);
  if (current) assert.ok(upToDate, 'the stacks are rebuilt when what they are built from changes');
  if (!upToDate) return;
  const members = new StackStore(catalog).stackMembers();
  const byStack = new Map<number, typeof members>();
  for (const m of members) byStack.set(m.stack_id, [...(byStack.get(m.stack_id) ?? []), m]);
  for (const [stackId, list] of byStack) {
    // Two photos agree when they are exact copies, or near in the embedding and in a perceptual hash
    // that means something (of an image at least HASH_MIN_SIDE on a side).
    const agree = (m: (typeof list)[number], o: (typeof list)[number]) => {
      if (o.hash !== null && o.hash === m.hash) return true;
      if (!hashDecides(m) || !hashDecides(o)) return false;
      const [a, b] = [new StackStore(catalog).look(m.id), new StackStore(catalog).look(o.id)];
      const [va, vb] = [new VectorStore(catalog).vector(m.id, model), new VectorStore(catalog).vector(o.id, model)];
      if (!a || !b || !va || !vb) return false;
      return va.reduce((s, x, i) => s + x * vb[i]!, 0) >= GROUPING.minSimilarity - 1e-6 && lookDistance(a, b) <= GROUPING.maxHamming;
    };
    // Not a chain (A~B~C~...~Z, where A and Z differ): some photo of the stack, its centre, agrees with every other.
    const centre = list.find((c) => list.every((m) => m.id === c.id || agree(m, c)));
    assert.ok(centre, `stack ${stackId} (${list.map((m) => m.id).join(', ')}) has a photo that every other agrees with`);
  }
  const copies = db
    .prepare(
      `SELECT p.hash, group_concat(p.id) AS ids, count(DISTINCT coalesce(s.stack_id, -p.id)) AS stacks FROM photos p LEFT JOIN stacks s ON s.photo_id = p.id
       WHERE p.status = 'indexed' AND p.hash IS NOT NULL GROUP BY p.hash HAVING count(*) > 1`,
    )
    .all() as Array<{ hash: string; ids: string; stacks: number }>;
  for (const c of copies) assert.equal(c.stacks, 1, `exact copies ${c.ids} share one stack`);
}
