/**
 * Each stage of a search on its own, on a real library (real SQLite, the real index, the bundled
 * pack): understand the query -> gather candidates -> fuse and cut off -> page -> results.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { openIndexed } from '../indexed-library.js';
import { type Candidates, gather } from '../../../../src/main/engine/search/candidates.js';
import { fuseAndCut } from '../../../../src/main/engine/search/fusion.js';
import { type SearchRequest, type UnderstoodQuery, understand } from '../../../../src/main/engine/search/query.js';
import { buildResults, page } from '../../../../src/main/engine/search/results.js';
import { searchParams } from '../../../../src/shared/api.js';
import { scene, tempDir, writeScene } from '../../../fixtures.js';

const request = (query: string, extra: Record<string, unknown> = {}): SearchRequest => searchParams.parse({ query, limit: 20, ...extra });

describe('the stages of a search', () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Photos');
  let engine: GlimpseEngine;
  const id = (name: string) => engine.stores.photos.photoByPath(join(library, name.startsWith('red') ? 'garden' : name.startsWith('blue') ? 'beach' : 'night', name))!.id;
  const stages = async (q: SearchRequest) => {
    engine.index.refresh(engine.catalog);
    const query = await understand(engine.catalog, engine.pack, engine.index, q);
    const candidates = gather(engine.catalog, engine.index, query);
    return { query, candidates };
  };

  before(async () => {
    await writeScene(join(library, 'garden', 'red-1.jpg'), scene([['red', 'circle']], 'grass', 'left', 1), { takenAt: new Date(Date.UTC(2021, 5, 1)) });
    await writeScene(join(library, 'garden', 'red-2.jpg'), scene([['red', 'circle']], 'grass', 'right', 2), { takenAt: new Date(Date.UTC(2023, 5, 1)) });
    await writeScene(join(library, 'beach', 'blue-square.jpg'), scene([['blue', 'square']], 'sand', 'middle', 4), { takenAt: new Date(Date.UTC(2023, 0, 5)) });
    await writeScene(join(library, 'night', 'stars.jpg'), scene([['white', 'star', 3]], 'night', null, 6), { takenAt: new Date(Date.UTC(2022, 0, 5)) });
    engine = await openIndexed(join(tmp.path, 'data'), library);
    engine.setCaption(id('stars.jpg'), 'my favourite holiday sky');
  });
  after(async () => {
    await engine.close();
    tmp.remove();
  });

  it('understand: a year becomes a taken-at filter, quoted words a phrase, the rest terms and a query vector', async () => {
    const { query } = await stages(request('"red circle" on grass 2023'));
    assert.deepEqual(query.parsed.phrases, ['red circle']);
    assert.deepEqual(query.parsed.terms, ['red', 'circle', 'grass']);
    assert.equal(query.taken?.label, '2023');
    assert.deepEqual([...query.allowed!].sort(), [id('red-2.jpg'), id('blue-square.jpg')].sort(), 'only the photos taken in 2023 are allowed');
    assert.ok(query.vector, 'the words the pack knows make a query vector');
    assert.ok(Math.abs(query.vector.reduce((s, x) => s + x * x, 0) - 1) < 1e-5, 'normalised');
  });

  it('understand: a query of words the pack does not know has no query vector', async () => {
    const { query } = await stages(request('favourite holiday'));
    assert.equal(query.vector, null);
  });

  it('understand: a concept named in the query narrows the allowed photos to its matches', async () => {
    const concept = engine.teachConcept('Rosie', [id('red-1.jpg')]);
    try {
      const { query } = await stages(request('Rosie on grass'));
      assert.equal(query.request.query.trim(), 'on grass');
      assert.deepEqual(
        query.concepts.map((c) => c.name),
        ['Rosie'],
      );
      assert.ok(query.allowed!.has(id('red-1.jpg')));
    } finally {
      engine.forgetConcept(concept.id);
    }
  });

  it('gather: visual candidates ranked by similarity, keyword hits, and the words found together', async () => {
    const { candidates } = await stages(request('a red circle'));
    const visual = [...candidates.visual].sort((a, b) => a[1].rank - b[1].rank);
    assert.equal(visual.length, 4, 'every photo is a visual candidate');
    assert.deepEqual(new Set(visual.slice(0, 2).map(([photo]) => photo)), new Set([id('red-1.jpg'), id('red-2.jpg')]));
    assert.ok(visual.every(([, v], i) => i === 0 || v.similarity <= visual[i - 1]![1].similarity));
    const words = await stages(request('favourite holiday'));
    assert.deepEqual([...words.candidates.keyword.keys()], [id('stars.jpg')]);
    assert.ok(words.candidates.together.has(id('stars.jpg')), 'the caption holds the words together');
  });

  it('gather: a year alone ranks the photos taken then, newest first', async () => {
    const { candidates } = await stages(request('2023'));
    assert.deepEqual(
      [...candidates.byDate].sort((a, b) => a[1] - b[1]).map(([photo]) => photo),
      [id('red-2.jpg'), id('blue-square.jpg')],
    );
  });

  it('fuse and cut: a keyword hit whose words stand together is shown, a loose one only ranks, a phrase is required', () => {
    const query: UnderstoodQuery = {
      request: request('x'),
      parsed: { text: 'x', phrases: [], terms: ['x'] },
      parts: [],
      taken: undefined,
      filtered: false,
      emptied: undefined,
      allowed: undefined,
      concepts: [],
      vector: null,
      unknown: undefined,
    };
    const none: Candidates = {
      visual: new Map(),
      moments: new Map(),
      byConcept: new Map(),
      byDate: new Map(),
      keywordMatch: '"x"*',
      keyword: new Map([
        [1, 0],
        [2, 1],
      ]),
      phraseIds: undefined,
      read: { ids: [3], words: ['x'] },
      readPhrases: new Set(),
      together: new Set([2]),
      own: new Set(),
    };
    const cut = fuseAndCut(query, none, engine.pack.manifest);
    assert.deepEqual(new Set(cut.ids), new Set([2, 3]), 'together and read text are shown');
    assert.equal(cut.hidden, 1, 'the loose hit is hidden');
    assert.deepEqual(fuseAndCut({ ...query, request: request('x', { all: true }) }, none, engine.pack.manifest).ids.length, 3, 'all shows everything');
    assert.deepEqual(fuseAndCut(query, { ...none, phraseIds: new Set([3]) }, engine.pack.manifest).ids, [3], 'a phrase is required');
    const own = fuseAndCut(query, { ...none, own: new Set([1]) }, engine.pack.manifest);
    assert.deepEqual(own.ids[0], 1, "the user's own words rank first and are shown, though their words stand apart");
    assert.equal(own.hidden, 0);
  });

  it('page and results: by date, offset and limit, and each result says why', async () => {
    const q = request('a red circle', { sort: 'date', all: true, limit: 2, offset: 1 });
    const { query, candidates } = await stages(q);
    const cut = fuseAndCut(query, candidates, engine.pack.manifest);
    const shown = page(engine.catalog, query, candidates, cut.ids);
    assert.equal(shown.total, 4);
    const takenAt = shown.entries.map((e) => e.row.taken_at);
    assert.deepEqual(takenAt, [...takenAt].sort().reverse(), 'newest first');
    assert.equal(shown.entries.length, 2);
    assert.ok(!shown.entries.some((e) => e.id === id('red-2.jpg')), 'the newest is before the offset');
    const results = buildResults(engine.catalog, engine.pack.id, query, candidates, shown);
    assert.deepEqual(
      results.map((r) => r.id),
      shown.entries.map((e) => e.id),
    );
    assert.ok(results.every((r) => r.why.some((w) => w.kind === 'visual' && /looks like "a red circle"/.test(w.detail))));
  });
});
