// Search quality as a user sees it, on held-out scenes and held-out queries (src/scenes/query-set.ts):
// top-1, precision@5, and the precision and recall of the shown set (what the relevance cutoff lets
// through). With --calibrate it fits the pack's cutoff on a calibration library and query seed, and writes
// it into the pack's manifest (search.calibration); the figures are then measured on other seeds.
//
//   npx tsx bench/search-quality.ts                      # measure (evaluation seeds)
//   npx tsx bench/search-quality.ts --calibrate          # fit on calibration seeds, write tiny-coca's manifest, then measure
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { candidateRows, fitCutoff } from '../src/calibration/search-cutoff.js';
import { writePackCalibration } from '../src/calibration/manifests.js';
import { GlimpseEngine } from '../src/main/engine/engine.js';
import { renderScene } from '../src/scenes/render.js';
import { type LabelledQuery, OUT_OF_VOCABULARY, labelledQueries, scoreSearch } from '../src/scenes/query-set.js';
import { type Scene, randomScene } from '../src/scenes/scene.js';
import { searchParams } from '../src/shared/api.js';

const ROOT = resolve('.cache/bench/quality');
export const EVALUATION = { librarySeed: 70_000_000, querySeed: 71 };
export const CALIBRATION = { librarySeed: 80_000_000, querySeed: 81 };

async function library(seedBase: number, count: number): Promise<{ dir: string; scenes: Map<string, Scene> }> {
  const dir = join(ROOT, `library-${seedBase}-${count}`);
  const scenes = new Map<string, Scene>();
  for (let i = 0; i < count; i++) scenes.set(join(dir, `scene-${i}.jpg`), randomScene(seedBase + i));
  if (!existsSync(join(dir, '.complete'))) {
    mkdirSync(dir, { recursive: true });
    let i = 0;
    for (const [path, scene] of scenes) writeFileSync(path, await renderScene(scene, { width: 480 + (i++ % 3) * 80, height: 360, quality: 82 }));
    writeFileSync(join(dir, '.complete'), '');
  }
  return { dir, scenes };
}

async function indexed(seedBase: number, count: number): Promise<{ engine: GlimpseEngine; scenes: Map<string, Scene> }> {
  const { dir, scenes } = await library(seedBase, count);
  const engine = await GlimpseEngine.open({ dataDir: join(ROOT, `data-${seedBase}-${count}`), device: 'cpu' });
  engine.addFolder(dir);
  await engine.update();
  return { engine, scenes };
}

/** What search shows for each query, as scenes, in order. */
export async function measure(engine: GlimpseEngine, scenes: Map<string, Scene>, queries: LabelledQuery[]) {
  const runs = [];
  for (const query of queries) {
    const { results } = await engine.search(searchParams.parse({ query: query.text, limit: 1000 }));
    runs.push({ query, shown: results.map((r) => scenes.get(r.path)!), library: [...scenes.values()] });
  }
  return scoreSearch(runs);
}

/**
 * What search shows for queries the pack cannot read (OUT_OF_VOCABULARY): nothing in the scene world
 * matches them, so every photo shown is wrong. Counts the photos shown per query (mean and most), how
 * many queries showed any, and how many said which words the pack does not know.
 */
export async function measureUnknown(engine: GlimpseEngine) {
  const shown: number[] = [];
  let told = 0;
  for (const query of OUT_OF_VOCABULARY) {
    const response = await engine.search(searchParams.parse({ query, limit: 1000 }));
    shown.push(response.total);
    if (response.unknownWords) told++;
  }
  return { queries: shown.length, meanShown: shown.reduce((a, b) => a + b, 0) / shown.length, mostShown: Math.max(...shown), showingAny: shown.filter((n) => n > 0).length, told };
}

const count = 250;
const queryCount = 120;
if (process.argv.includes('--calibrate')) {
  // The fit itself is src/calibration/search-cutoff.ts, shared with scripts/calibrate-pack.ts.
  const { engine, scenes } = await indexed(CALIBRATION.librarySeed, count);
  const queries = labelledQueries(CALIBRATION.querySeed, queryCount).map((q) => ({
    text: q.text,
    relevant: new Set([...scenes].filter(([, scene]) => q.matches(scene)).map(([path]) => path)),
  }));
  const fit = fitCutoff(await candidateRows(engine, queries));
  await engine.close();
  const calibration = {
    ...fit.calibration,
    calibratedOn: `bench/search-quality.ts --calibrate: ${queryCount} queries (seed ${CALIBRATION.querySeed}) over ${count} scenes (seeds ${CALIBRATION.librarySeed}+), ${fit.rows} candidates`,
  };
  const file = writePackCalibration(resolve('models/tiny-coca'), { search: calibration });
  console.log(`calibration written to ${file}:`, JSON.stringify(calibration));
}
const { engine, scenes } = await indexed(EVALUATION.librarySeed, count);
const evaluation = labelledQueries(EVALUATION.querySeed, queryCount);
const scores = await measure(engine, scenes, evaluation);
const f = (x: number) => x.toFixed(3);
if (process.argv.includes('--by-kind'))
  for (const kind of [...new Set(evaluation.map((q) => q.kind))]) {
    const k = await measure(
      engine,
      scenes,
      evaluation.filter((q) => q.kind === kind),
    );
    console.log(`  ${kind.padEnd(18)} top-1 ${f(k.top1)}  p@5 ${f(k.precisionAt5)}  shown precision ${f(k.shownPrecision)}  recall ${f(k.shownRecall)}`);
  }
const unknown = await measureUnknown(engine);
await engine.close();
console.log(
  `out of vocabulary: ${unknown.queries} queries | photos shown per query ${unknown.meanShown.toFixed(2)} (most ${unknown.mostShown}) | queries showing any ${unknown.showingAny} | queries saying which words are unknown ${unknown.told}`,
);
console.log(
  `held-out: ${scores.queries} queries over ${count} scenes | top-1 ${f(scores.top1)} (target >= 0.9) | precision@5 ${f(scores.precisionAt5)} | shown precision ${f(scores.shownPrecision)} (target >= 0.8) | shown recall ${f(scores.shownRecall)} (target >= 0.9)`,
);
