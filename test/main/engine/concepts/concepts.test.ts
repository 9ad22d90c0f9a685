/**
 * Concepts the user teaches, with the real engine, the bundled model and real JPEGs from the scene
 * renderer: how well a concept is learned from 3, 5 and 10 examples on held-out photos (the figures of
 * bench/concepts.ts, same library and draws), searching by name, correcting a match, bad input, photos
 * leaving the library, and recovery from a damaged catalogue.
 */
import assert from 'node:assert/strict';
import { open as openFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { CONCEPT_CASES, exampleDraw, scores, writeConceptLibrary } from '../../../../src/scenes/concept-set.js';
import type { Scene } from '../../../../src/scenes/scene.js';
import { parseCall, searchParams } from '../../../../src/shared/api.js';
import { libraryFolders, scene, writeScene } from '../../../fixtures.js';

const { fresh, removeAll } = libraryFolders();
const DRAWS = 4;

describe('teaching concepts', () => {
  let engine: GlimpseEngine;
  const ids = new Map<number, Scene>();

  before(async () => {
    const { root, dataDir } = fresh();
    const photos = await writeConceptLibrary(join(root, 'Held out'), 480);
    engine = await GlimpseEngine.open({ dataDir, device: 'cpu', captions: false, ocr: false });
    engine.addFolder(join(root, 'Held out'));
    await engine.update();
    for (const p of photos) ids.set(engine.stores.photos.photoByPath(p.path)!.id, p.scene);
  });
  after(async () => {
    await engine?.close();
    removeAll();
  });

  it('learns concepts the model has no word for: F1 >= 0.8 from 5 examples on separable ones', () => {
    const all = [...ids.keys()];
    const f1At5 = new Map<string, number>();
    for (const c of CONCEPT_CASES.filter((x) => x.separable)) {
      const truth = new Set(all.filter((id) => c.truth(ids.get(id)!)));
      let f1 = 0;
      for (let d = 0; d < DRAWS; d++) {
        const examples = exampleDraw([...truth], 5, d);
        const concept = engine.teachConcept(`quality ${d}`, examples);
        const shown = new Set(engine.conceptMatches(concept.id).keys());
        f1 +=
          scores(
            shown,
            truth,
            all.filter((id) => !examples.includes(id)),
          ).f1 / DRAWS;
        engine.forgetConcept(concept.id);
      }
      f1At5.set(c.name, f1);
    }
    const reached = [...f1At5].filter(([, f1]) => f1 >= 0.8);
    assert.ok(reached.length >= 2, `F1 from 5 examples: ${[...f1At5].map(([n, f]) => `${n} ${f.toFixed(2)}`).join(', ')}`);
    assert.ok((f1At5.get('purple things on sand') ?? 0) >= 0.8 && (f1At5.get('something red on grass') ?? 0) >= 0.8, 'the two concepts the benchmark reports above 0.8');
  });

  it('answers a query naming the concept with its matches, ranked by the rest of the query, and says why', async () => {
    const all = [...ids.keys()];
    const c = CONCEPT_CASES.find((x) => x.name === 'purple things on sand')!;
    const truth = all.filter((id) => c.truth(ids.get(id)!));
    const concept = engine.teachConcept('Dune', exampleDraw(truth, 5, 0));
    try {
      const alone = await engine.search(searchParams.parse({ query: 'dune', limit: 1000 }));
      const matches = engine.conceptMatches(concept.id);
      assert.deepEqual(new Set(alone.results.map((r) => r.id)), new Set(matches.keys()), 'the name alone: exactly its matches');
      const confidences = alone.results.map((r) => matches.get(r.id)!.confidence);
      assert.deepEqual(
        confidences,
        [...confidences].sort((a, b) => b - a),
        'most confident first',
      );
      assert.match(alone.results[0]!.why.map((w) => w.detail).join(' '), /concept Dune, .*confidence \d\.\d\d/);
      // "Dune with a star": the concept's matches only, ranked by how much they look like a star.
      const stars = await engine.search(searchParams.parse({ query: 'DUNE with a star', limit: 1000 }));
      assert.ok(stars.results.length > 0 && stars.results.every((r) => matches.has(r.id)), 'only the concept matches');
      assert.equal(stars.results.length, matches.size, 'every match is shown');
      // Judged over the top five against the share of stars among all matches, not on the top-1 alone: a
      // fresh-clone CI run once saw the top-1 change, which no run here reproduced.
      const hasStar = (id: number) => ids.get(id)!.groups.some((g) => g.shape === 'star');
      const top = stars.results.slice(0, 5);
      const topShare = top.filter((r) => hasStar(r.id)).length / top.length;
      const baseShare = stars.results.filter((r) => hasStar(r.id)).length / stars.results.length;
      const shown = JSON.stringify(
        stars.results.slice(0, 8).map((r) => [
          ids
            .get(r.id)!
            .groups.map((g) => g.shape)
            .join('+'),
          r.score,
        ]),
      );
      assert.ok(hasStar(stars.results[0]!.id) || topShare >= 0.6, `the rest of the query ranks them: ${topShare} of the top 5 show a star: ${shown}`);
      assert.ok(topShare > baseShare, `stars rank ahead: ${topShare} of the top 5 against ${baseShare.toFixed(2)} of all matches: ${shown}`);
      // A word that only contains the name is not the name.
      const other = await engine.search(searchParams.parse({ query: 'dunes', limit: 1000 }));
      assert.ok(!other.results.some((r) => r.why.some((w) => w.kind === 'concept')));
      // "Not Dune": a counter-example never matches again, and the photo's details no longer list the concept.
      const wrong = alone.results.find((r) => !matches.get(r.id)!.example)!;
      assert.ok(engine.photoDetail(wrong.id).concepts.some((x) => x.name === 'Dune'));
      const corrected = engine.updateConcept(concept.id, { addCounterExamples: [wrong.id] });
      assert.deepEqual(corrected.counterExamples, [wrong.id]);
      assert.ok(!engine.conceptMatches(concept.id).has(wrong.id));
      assert.ok(!engine.photoDetail(wrong.id).concepts.some((x) => x.name === 'Dune'));
      assert.ok(!(await engine.search(searchParams.parse({ query: 'dune', limit: 1000 }))).results.some((r) => r.id === wrong.id));
    } finally {
      engine.forgetConcept(concept.id);
    }
  });

  it('refuses bad input with clear errors', () => {
    const [a, b] = [...ids.keys()];
    const call = (method: string, params: unknown) => assert.throws(() => parseCall(method, params));
    call('createConcept', { name: '   ', examples: [a] });
    call('createConcept', { name: 'x'.repeat(61), examples: [a] });
    call('createConcept', { name: '!!!', examples: [a] });
    call('createConcept', { name: 'Miso', examples: [] });
    call('createConcept', { name: 'Miso', examples: [a, a] });
    call('createConcept', { name: 'Miso', examples: [a], counterExamples: [a] });
    call('updateConcept', { id: 1, addExamples: [-1] });
    assert.throws(() => parseCall('createConcept', { name: 'x'.repeat(61), examples: [a] }), /at most 60 characters/);
    assert.throws(() => parseCall('createConcept', { name: 'Miso', examples: [a, a] }), /more than once/);
    assert.equal((parseCall('createConcept', { name: '  my   cat Miso ', examples: [a] }).params as { name: string }).name, 'my cat Miso');
    assert.throws(() => engine.teachConcept('Miso', [999_999]), /no photo with id 999999/);
    assert.throws(() => engine.teachConcept('', [a!]), /needs a name/);
    const miso = engine.teachConcept('my cat Miso', [a!]);
    try {
      assert.throws(() => engine.teachConcept('MY CAT  miso', [b!]), /already a concept called "my cat Miso"/);
      assert.throws(() => engine.updateConcept(miso.id, { addExamples: [999_999] }), /no photo with id/);
      assert.throws(() => engine.updateConcept(123_456, { addExamples: [a!] }), /no concept with id/);
    } finally {
      engine.forgetConcept(miso.id);
    }
  });
});

describe("concepts are the user's data", () => {
  after(removeAll);

  it('drops the examples of photos that leave the library, and comes back from a damaged catalogue', async () => {
    const { photos, dataDir } = fresh();
    const paths: string[] = [];
    for (let i = 0; i < 12; i++)
      paths.push(
        await writeScene(join(photos, `p${i}.jpg`), scene([[i % 2 ? 'purple' : 'red', 'circle']], i % 3 ? 'sand' : 'grass', 'middle', i + 1), { width: 320, height: 240 }),
      );
    let engine = await GlimpseEngine.open({ dataDir, device: 'cpu', captions: false, ocr: false });
    engine.addFolder(photos);
    await engine.update(); // takes the first backup
    const id = (p: string) => engine.stores.photos.photoByPath(p)!.id;
    const concept = engine.teachConcept("Grandpa's boat", [id(paths[1]!), id(paths[3]!), id(paths[5]!)], [id(paths[0]!)]);
    // A photo deleted from disk leaves the concept with it: no dangling example.
    const { unlink } = await import('node:fs/promises');
    await unlink(paths[5]!);
    await engine.update();
    assert.deepEqual(
      engine.conceptInfo(concept.id).examples,
      [id(paths[1]!), id(paths[3]!)].sort((x, y) => x - y),
    );
    // Damage the vectors table after the backup: the concept, taught since, comes back from the damaged file.
    const vectorPages = engine.catalog.db.prepare(`SELECT pageno FROM dbstat WHERE name = 'vectors' AND pagetype = 'leaf'`).pluck().all() as number[];
    const pageSize = engine.catalog.db.pragma('page_size', { simple: true }) as number;
    engine.catalog.db.pragma('wal_checkpoint(TRUNCATE)');
    await engine.close();
    const handle = await openFile(join(dataDir, 'catalog.sqlite'), 'r+');
    await handle.write(Buffer.alloc(pageSize, 0xa5), 0, pageSize, (vectorPages[0]! - 1) * pageSize);
    await handle.close();
    engine = await GlimpseEngine.open({ dataDir, device: 'cpu', captions: false, ocr: false });
    try {
      assert.ok(
        engine.notices.some((n) => /restored the backup/.test(n) && /1 concepts you taught/.test(n)),
        engine.notices.join('\n'),
      );
      const back = engine.conceptNamed("grandpa's BOAT");
      assert.ok(back, 'the concept is back');
      assert.equal(back.name, "Grandpa's boat");
      assert.deepEqual(back.examples.map((e) => engine.stores.photos.photo(e)!.path).sort(), [paths[1]!, paths[3]!].sort());
      assert.deepEqual(
        back.counterExamples.map((e) => engine.stores.photos.photo(e)!.path),
        [paths[0]!],
      );
      await engine.update();
      assert.ok(engine.conceptMatches(back.id).size >= 2, 'and it matches again once the library is indexed');
    } finally {
      await engine.close();
    }
  });
});
