// People (issue 28): what finding faces costs next to indexing, how long grouping takes at 100k faces, and
// the grouping thresholds calibrated on labelled real faces.
//
//   npx tsx bench/faces.ts                         # cost (faces off/on, ViT-B/32 stand-in) + grouping time at 100k
//   npx tsx bench/faces.ts --grouping-only          # only the grouping time
//   npx tsx bench/faces.ts --cost-only              # only the indexing cost
//   npx tsx bench/faces.ts --calibrate DIR [DIR...] # DIR/<person>/<photos>: detection, purity and coverage per threshold
//
// Cost: the face fixtures (test/fixtures/faces: 47 real photos, 26 without a person) indexed from scratch
// twice with the ViT-B/32 stand-in (random weights at the real model's cost, bench/vit-stand-in.ts), people
// off and on; the ratio of the two updates' wall time is the target (at most 1.25). Grouping: synthetic
// 128-d descriptors in identities (20 faces each, spread as one person's photos are), grouped from scratch
// and then 1,000 new ones placed among them; the baseline in the same run is building an HNSW graph over the
// same descriptors (hnswlib, the grouping's own first step at this size).
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import hnswlib from 'hnswlib-node';
import { labelledFaces, scoreGrouping } from '../src/calibration/face-grouping.js';
import { GlimpseEngine } from '../src/main/engine/engine.js';
import { FaceFinder } from '../src/main/engine/faces/face-finder.js';
import { readFaceManifestSync } from '../src/main/engine/faces/face-pack.js';
import { type GroupingFace, type PersonChoice, placeNew, regroup } from '../src/main/engine/faces/grouping.js';
import { seededRandom } from '../src/scenes/scene.js';
import { exportVit, standInPack } from './vit-stand-in.js';

const ROOT = resolve('.cache/bench/faces');
const fmt = (n: number, digits = 1) => n.toFixed(digits);

async function indexingCost(): Promise<void> {
  const vitDir = resolve('.cache/bench/vit');
  if (!exportVit(vitDir)) return console.log('indexing cost: the ViT-B/32 stand-in could not be exported (Debian python3-torch), skipped');
  rmSync(ROOT, { recursive: true, force: true });
  const library = join(ROOT, 'library');
  cpSync(resolve('test/fixtures/faces'), library, { recursive: true, filter: (p) => !p.includes('reference') });
  const seconds: Record<'off' | 'on', number> = { off: 0, on: 0 };
  // The first run warms the file cache and the model's first session; it is not counted.
  for (const [run, people] of [false, false, true, false, true].entries()) {
    const dataDir = join(ROOT, `data-${people}`);
    rmSync(dataDir, { recursive: true, force: true });
    standInPack(join(dataDir, 'models'), vitDir);
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu', model: 'vit-b32-standin', ocr: false, captions: false, people });
    engine.addFolder(library);
    const started = performance.now();
    const summary = await engine.update();
    const took = (performance.now() - started) / 1000;
    if (run > 0) seconds[people ? 'on' : 'off'] += took / 2;
    console.log(
      `  ${run === 0 ? 'warm-up, ' : ''}people ${people ? 'on ' : 'off'}: ${fmt(took, 2)} s for ${summary.indexing.indexed} photos${summary.faces ? ` (faces: ${summary.faces.faces} in ${fmt(summary.faces.seconds, 2)} s, grouped in ${fmt(summary.faces.groupSeconds, 2)} s)` : ''}`,
    );
    await engine.close();
  }
  console.log(
    `indexing with people on / off (ViT-B/32 stand-in, mean of 2 runs each): ${fmt(seconds.on, 2)} s / ${fmt(seconds.off, 2)} s = x${fmt(seconds.on / seconds.off, 2)} (target at most x1.25)`,
  );
}

function syntheticFaces(count: number, seed: number): GroupingFace[] {
  const random = seededRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const dim = 128;
  const centres = Array.from({ length: Math.ceil(count / 20) }, () => Float32Array.from({ length: dim }, () => gaussian() * (0.75 / Math.sqrt(dim))));
  return Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    embedding: centres[i % centres.length]!.map((x) => x + gaussian() * (0.2 / Math.sqrt(dim))),
    eligible: random() > 0.1,
    person: null,
    pinned: null,
    rejected: undefined,
  }));
}

function groupingTime(count: number): void {
  const params = readFaceManifestSync().grouping;
  const faces = syntheticFaces(count, 28);
  let started = performance.now();
  const graph = new hnswlib.HierarchicalNSW('l2', 128);
  graph.initIndex({ maxElements: count, m: 12, efConstruction: 40, randomSeed: 7 });
  faces.forEach((f, i) => graph.addPoint(Array.from(f.embedding), i));
  const baseline = (performance.now() - started) / 1000;
  started = performance.now();
  const choice = regroup(faces.slice(0, count - 1000), params);
  const full = (performance.now() - started) / 1000;
  const numbered = (c: PersonChoice | undefined) => (c == null ? null : typeof c === 'number' ? c : c.found + 1);
  const grouped = faces.slice(0, count - 1000).map((f) => ({ ...f, person: numbered(choice.get(f.id)) }));
  started = performance.now();
  placeNew(grouped, faces.slice(count - 1000), params);
  const incremental = (performance.now() - started) / 1000;
  console.log(`grouping ${count - 1000} faces from scratch: ${fmt(full)} s (x${fmt(full / baseline, 2)} an HNSW build of the same descriptors, ${fmt(baseline)} s; target 30 s)`);
  console.log(`placing 1,000 new faces among them: ${fmt(incremental, 2)} s (target 1 s)`);
}

/** The table of purity and coverage per threshold; the labelling and scoring are src/calibration/face-grouping.ts (shared with scripts/calibrate-pack.ts). */
async function calibrate(dirs: string[]): Promise<void> {
  const finder = await FaceFinder.open({ device: 'cpu' });
  const { faces, photos, missed } = await labelledFaces(dirs, finder);
  await finder.close();
  console.log(`${photos} labelled photos, a face found on ${photos - missed.length}${missed.length ? ` (none on ${missed.join(', ')})` : ''}`);
  const current = readFaceManifestSync().grouping;
  for (const maxDistance of [0.5, 0.54, 0.56, 0.58, 0.6, 0.62])
    for (const minFrontal of [0.2, 0.35, 0.5]) {
      const score = scoreGrouping(faces, { ...current, maxDistance, minFrontal });
      const mark = maxDistance === current.maxDistance && minFrontal === current.minFrontal ? '  <- the pack now' : '';
      console.log(
        `maxDistance ${maxDistance} minFrontal ${minFrontal}: ${score.people} people, purity ${fmt(score.purity, 3)}, coverage ${fmt(score.coverage, 3)} over ${score.identities} identities with 3+ photos${mark}`,
      );
    }
}

const args = process.argv.slice(2);
mkdirSync(ROOT, { recursive: true });
if (args[0] === '--calibrate') await calibrate(args.slice(1).map((d) => resolve(d)));
else {
  if (!args.includes('--grouping-only')) await indexingCost();
  if (!args.includes('--cost-only')) groupingTime(args.includes('--quick') ? 20_000 : 101_000);
}
