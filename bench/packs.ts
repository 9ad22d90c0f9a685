// What each downloadable pack costs on this machine: milliseconds of image encoder per photo and of
// text encoder per query, on stand-in exports of each pack's real architecture at its real size (random
// weights cost the same as trained ones), with the bundled tiny-coca measured in the same run as the
// baseline. `--write` records the figures in models/packs/<id>.json (`cost`), where the model manager and
// `recommendedPack` read them.
//
//   npx tsx bench/packs.ts [--write] [--only=<id>,<id>]
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ModelPack } from '../src/main/engine/models/pack.js';
import { catalogueOfPacks, bundledPacksDir } from '../src/main/engine/models/store.js';
import type { PackManifest } from '../src/main/engine/models/manifest.js';
import { preparePhoto } from '../src/main/engine/media/photo.js';
import { renderScene } from '../src/scenes/render.js';
import { scene, tempDir } from '../test/fixtures.js';
import { linkedPack, standIns, standInSetOf } from '../test/main/engine/models/stand-ins.js';

const PHOTOS = 16;
const QUERIES = [
  'a dog on a beach at sunset',
  'receipt from the hardware store',
  'birthday cake with candles',
  'snow on the mountains',
  'two children playing football',
  'a red car parked outside',
  'кошка на диване',
  '东京的夜景',
];

export interface PackCost {
  id: string;
  msPerPhoto: number;
  msPerQuery: number;
}

/** Median of the runs: one slow run (the OS, a page fault) does not move it. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const ROUNDS = 4;

/**
 * Each pack's cost, measured in turns: every round times a few photos and queries on every pack, so a
 * slow spell of this machine (another process, the CPU's clock) falls on all packs alike rather than on
 * whichever was being measured; the median over all rounds is kept.
 */
export async function measurePacks(dirs: string[]): Promise<PackCost[]> {
  const packs: ModelPack[] = [];
  try {
    for (const dir of dirs) packs.push(await ModelPack.open(dir, { device: 'cpu' }));
    const jpegs = await Promise.all(
      Array.from({ length: PHOTOS }, (_, i) => renderScene(scene([['red', 'circle']], 'grass', i % 2 ? 'left' : null, i + 1), { width: 1024, height: 768, format: 'jpeg' })),
    );
    const inputs = await Promise.all(packs.map(async (pack) => Promise.all(jpegs.map(async (jpeg) => (await preparePhoto(jpeg, [pack.imageInput])).inputs[0]!))));
    for (const [n, pack] of packs.entries()) {
      await pack.embedImages(inputs[n]!.slice(0, 2)); // warm-up: the sessions open and plan
      await pack.embedTexts([QUERIES[0]!]);
    }
    const perPhoto = packs.map((): number[] => []);
    const perQuery = packs.map((): number[] => []);
    for (let round = 0; round < ROUNDS; round++)
      for (const [n, pack] of packs.entries()) {
        for (const input of inputs[n]!.slice((round * PHOTOS) / ROUNDS, ((round + 1) * PHOTOS) / ROUNDS)) {
          const started = performance.now();
          await pack.embedImages([input]);
          perPhoto[n]!.push(performance.now() - started);
        }
        for (const query of QUERIES.slice((round * QUERIES.length) / ROUNDS, ((round + 1) * QUERIES.length) / ROUNDS)) {
          const started = performance.now();
          await pack.embedTexts([query]);
          perQuery[n]!.push(performance.now() - started);
        }
      }
    return packs.map((pack, n) => ({ id: pack.id, msPerPhoto: median(perPhoto[n]!), msPerQuery: median(perQuery[n]!) }));
  } finally {
    await Promise.all(packs.map((pack) => pack.close()));
  }
}

export async function benchPacks(options: { write: boolean; only?: string[] }): Promise<PackCost[]> {
  const tmp = tempDir();
  try {
    const measured: Array<{ manifest: PackManifest; dir: string }> = [];
    for (const manifest of await catalogueOfPacks()) {
      if (options.only && !options.only.includes(manifest.id)) continue;
      const set = standInSetOf(manifest);
      if (set) measured.push({ manifest, dir: linkedPack(manifest, standIns(set), tmp.path) });
      else console.log(`${manifest.id}: no stand-in export of its architecture; not measured`);
    }
    const [baseline, ...costs] = await measurePacks([join(bundledPacksDir(), 'tiny-coca'), ...measured.map((m) => m.dir)]);
    console.log(`tiny-coca (bundled, the baseline): ${baseline!.msPerPhoto.toFixed(1)} ms per photo, ${baseline!.msPerQuery.toFixed(1)} ms per query`);
    for (const [n, cost] of costs.entries()) {
      console.log(
        `${cost.id}: ${cost.msPerPhoto.toFixed(0)} ms per photo (x${(cost.msPerPhoto / baseline!.msPerPhoto).toFixed(1)} tiny-coca), ${cost.msPerQuery.toFixed(0)} ms per query (x${(cost.msPerQuery / baseline!.msPerQuery).toFixed(1)})`,
      );
      if (options.write) writeCost(measured[n]!.manifest, cost);
    }
    return costs;
  } finally {
    tmp.remove();
  }
}

function writeCost(manifest: PackManifest, cost: PackCost): void {
  const file = join(bundledPacksDir(), 'packs', `${manifest.id}.json`);
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const cpu = cpus();
  const measuredOn = `bench/packs.ts --write on ${new Date().toISOString().slice(0, 10)}: ${cpu.length} cores of ${cpu[0]?.model.trim() ?? 'an x86 CPU'}, onnxruntime-node on the CPU, one photo (224-256 px input) or one query per run, median of ${PHOTOS} photos and ${QUERIES.length} queries measured in ${ROUNDS} turns with the other packs, stand-in weights of the real architecture and size`;
  const ordered: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    if (key === 'cost') continue;
    if (key === 'embeddingDim') ordered.cost = { msPerPhoto: Math.round(cost.msPerPhoto), msPerQuery: Math.round(cost.msPerQuery), measuredOn };
    ordered[key] = value;
  }
  writeFileSync(file, `${JSON.stringify(ordered, null, 2)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const only = process.argv
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  await benchPacks({ write: process.argv.includes('--write'), ...(only ? { only } : {}) });
}
