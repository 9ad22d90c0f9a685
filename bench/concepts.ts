// Teaching concepts from a few examples, measured on held-out scene-world photos (issue 15, part 1).
// A library of real JPEGs from the scene renderer is indexed with the bundled pack; for each concept the
// bundled model has no single word for (scenes/concept-set.ts), 3, 5 and 10 example photos are picked at
// random (several draws), the concept is taught through the engine, and its matches (what a search for
// its name shows) are scored against ground truth on the photos that were not examples.
//
//   npx tsx bench/concepts.ts                 # the engine's classifier, through teachConcept + search
//   npx tsx bench/concepts.ts --compare       # also the prototype vs logistic regression, on the same draws
//   npx tsx bench/concepts.ts --count 600 --draws 5
//   npx tsx bench/concepts.ts --scale 20000   # where to score concepts: at search time (one index query) or over every vector
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { GlimpseEngine } from '../src/main/engine/engine.js';
import { type ConceptMethod, conceptScore, train } from '../src/main/engine/concepts/classifier.js';
import { CONCEPT_CASES, exampleDraw, scores, writeConceptLibrary } from '../src/scenes/concept-set.js';
import type { Scene } from '../src/scenes/scene.js';

const { values } = parseArgs({
  options: { count: { type: 'string', default: '480' }, draws: { type: 'string', default: '4' }, compare: { type: 'boolean', default: false }, scale: { type: 'string' } },
});
const COUNT = Number(values.count);
const DRAWS = Number(values.draws);
const SHOTS = [3, 5, 10];
const ROOT = resolve('.cache/bench/concepts');

const pct = (x: number) => x.toFixed(2);

async function main(): Promise<void> {
  const dir = join(ROOT, `library-${COUNT}`);
  const photos = await writeConceptLibrary(dir, COUNT);
  const dataDir = join(ROOT, `data-${COUNT}`);
  const engine = await GlimpseEngine.open({ dataDir, device: 'cpu', captions: false, ocr: false });
  try {
    engine.addFolder(dir);
    await engine.update();
    const ids = new Map<number, Scene>();
    for (const p of photos) ids.set(engine.stores.photos.photoByPath(p.path)!.id, p.scene);
    const all = [...ids.keys()];
    const vectors = new Map(all.map((id) => [id, engine.stores.vectors.vector(id, engine.pack.id)!]));
    for (const c of engine.concepts()) engine.forgetConcept(c.id);

    console.log(`${COUNT} held-out photos (320x240 JPEGs), ${DRAWS} random draws of examples per cell, pack ${engine.pack.id}\n`);
    const rows: string[] = [];
    const header = '| concept | photos that are it | examples | precision | recall | F1 | train (ms) | search (ms) |';
    rows.push(header, '| --- | --: | --: | --: | --: | --: | --: | --: |');
    const compare: string[] = ['| concept | examples | prototype F1 | logistic F1 |', '| --- | --: | --: | --: |'];
    for (const c of CONCEPT_CASES) {
      const truth = new Set(all.filter((id) => c.truth(ids.get(id)!)));
      for (const k of SHOTS) {
        const sums = { precision: 0, recall: 0, f1: 0, train: 0, search: 0 };
        const methodF1: Record<ConceptMethod, number> = { prototype: 0, logistic: 0 };
        for (let d = 0; d < DRAWS; d++) {
          const examples = exampleDraw([...truth], k, d);
          const among = all.filter((id) => !examples.includes(id));
          const name = `concept${d}x${k}`;
          let t = performance.now();
          const concept = engine.teachConcept(name, examples);
          engine.conceptMatches(concept.id); // trains it (the first use after a change)
          sums.train += performance.now() - t;
          t = performance.now();
          const found = await engine.search({ query: name, limit: 1000, sort: 'relevance', all: false });
          sums.search += performance.now() - t;
          const s = scores(new Set(found.results.map((r) => r.id)), truth, among);
          sums.precision += s.precision;
          sums.recall += s.recall;
          sums.f1 += s.f1;
          engine.forgetConcept(concept.id);
          if (values.compare) {
            const background = among.map((id) => vectors.get(id)!);
            for (const method of ['prototype', 'logistic'] as const) {
              const model = train({ positives: examples.map((id) => vectors.get(id)!), negatives: [], background }, method);
              methodF1[method] += scores(new Set(among.filter((id) => conceptScore(model, vectors.get(id)!) >= 0)), truth, among).f1 / DRAWS;
            }
          }
        }
        const avg = (x: number) => x / DRAWS;
        rows.push(
          `| ${c.name}${c.separable ? '' : ' (not separable)'} | ${truth.size} | ${k} | ${pct(avg(sums.precision))} | ${pct(avg(sums.recall))} | **${pct(avg(sums.f1))}** | ${avg(sums.train).toFixed(1)} | ${avg(sums.search).toFixed(1)} |`,
        );
        if (values.compare) compare.push(`| ${c.name} | ${k} | ${pct(methodF1.prototype)} | ${pct(methodF1.logistic)} |`);
      }
    }
    console.log(rows.join('\n'));
    if (values.compare) console.log(`\nClassifier alone (background = the other photos, no counter-examples):\n\n${compare.join('\n')}`);
  } finally {
    await engine.close();
  }
}

/**
 * Where a concept's matches are found, at library scale: the engine asks the vector index with the
 * classifier's weights (a linear score ranks like an inner-product query), against scoring every vector
 * (what storing a score per photo at indexing would have to redo for the whole library after each
 * correction, and for each new concept).
 */
async function scale(n: number): Promise<void> {
  const { clusteredVectors } = await import('./vectors.js');
  const { VectorIndex } = await import('../src/main/engine/index/vector-index.js');
  const dim = 128;
  const vectors = clusteredVectors(n, dim, 5);
  let t = performance.now();
  const index = await VectorIndex.build(
    join(ROOT, 'scale'),
    'scale',
    dim,
    vectors.map((vector, i) => ({ photoId: i + 1, vector })),
    { writable: false },
  );
  const build = performance.now() - t;
  // A concept: five vectors near one of them, against a background sample of 1,000.
  const centre = vectors[0]!;
  const near = vectors.map((v, i) => ({ i, s: v.reduce((sum, x, k) => sum + x * centre[k]!, 0) })).sort((a, b) => b.s - a.s);
  const positives = near.slice(0, 5).map((x) => vectors[x.i]!);
  const background = vectors.filter((_, i) => i % Math.floor(n / 1000) === 0).slice(0, 1000);
  t = performance.now();
  const model = train({ positives, negatives: [], background });
  const trainMs = performance.now() - t;
  const { searchDirection, weightNorm } = await import('../src/main/engine/concepts/classifier.js');
  const runs = 20;
  t = performance.now();
  let annMatches = 0;
  for (let r = 0; r < runs; r++) {
    const found = index.search(searchDirection(model), Math.min(1000, n));
    annMatches = found.filter((f) => weightNorm(model) * f.similarity + model.bias >= 0).length;
  }
  const ann = (performance.now() - t) / runs;
  t = performance.now();
  let all = 0;
  for (let r = 0; r < runs; r++) all = vectors.filter((v) => conceptScore(model, v) >= 0).length;
  const brute = (performance.now() - t) / runs;
  console.log(`| ${n.toLocaleString('en')} | ${build.toFixed(0)} | ${trainMs.toFixed(0)} | ${ann.toFixed(1)} (${annMatches} matches) | ${brute.toFixed(1)} (${all} matches) |`);
}

if (values.scale) {
  console.log('| vectors (128-d, clustered) | index build (ms) | train (ms) | matches by an index query (ms) | score every vector in memory (ms) |');
  console.log('| --: | --: | --: | --: | --: |');
  for (const n of values.scale.split(',').map(Number)) await scale(n);
} else await main();
