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

const PHOTOS = 12;
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

export async function measurePack(dir: string): Promise<PackCost> {
  const pack = await ModelPack.open(dir, { device: 'cpu' });
  try {
    const jpegs = await Promise.all(
      Array.from({ length: PHOTOS }, (_, i) => renderScene(scene([['red', 'circle']], 'grass', i % 2 ? 'left' : null, i + 1), { width: 1024, height: 768, format: 'jpeg' })),
    );
    const inputs = await Promise.all(jpegs.map(async (jpeg) => (await preparePhoto(jpeg, [pack.imageInput])).inputs[0]!));
    await pack.embedImages(inputs.slice(0, 2)); // warm-up: the session opens and plans
    const perPhoto: number[] = [];
    for (const input of inputs) {
      const started = performance.now();
      await pack.embedImages([input]);
      perPhoto.push(performance.now() - started);
    }
    await pack.embedTexts([QUERIES[0]!]);
    const perQuery: number[] = [];
    for (const query of QUERIES) {
      const started = performance.now();
      await pack.embedTexts([query]);
      perQuery.push(performance.now() - started);
    }
    return { id: pack.id, msPerPhoto: median(perPhoto), msPerQuery: median(perQuery) };
  } finally {
    await pack.close();
  }
}

export async function benchPacks(options: { write: boolean; only?: string[] }): Promise<PackCost[]> {
  const tmp = tempDir();
  const results: PackCost[] = [];
  try {
    const baseline = await measurePack(join(bundledPacksDir(), 'tiny-coca'));
    console.log(`tiny-coca (bundled, the baseline): ${baseline.msPerPhoto.toFixed(1)} ms per photo, ${baseline.msPerQuery.toFixed(1)} ms per query`);
    for (const manifest of await catalogueOfPacks()) {
      if (options.only && !options.only.includes(manifest.id)) continue;
      const set = standInSetOf(manifest);
      if (!set) {
        console.log(`${manifest.id}: no stand-in export of its architecture; not measured`);
        continue;
      }
      const cost = await measurePack(linkedPack(manifest, standIns(set), tmp.path));
      results.push(cost);
      console.log(
        `${manifest.id}: ${cost.msPerPhoto.toFixed(0)} ms per photo (x${(cost.msPerPhoto / baseline.msPerPhoto).toFixed(1)} tiny-coca), ${cost.msPerQuery.toFixed(0)} ms per query (x${(cost.msPerQuery / baseline.msPerQuery).toFixed(1)})`,
      );
      if (options.write) writeCost(manifest, cost);
    }
  } finally {
    tmp.remove();
  }
  return results;
}

function writeCost(manifest: PackManifest, cost: PackCost): void {
  const file = join(bundledPacksDir(), 'packs', `${manifest.id}.json`);
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const cpu = cpus();
  const measuredOn = `bench/packs.ts --write on ${new Date().toISOString().slice(0, 10)}: ${cpu.length} cores of ${cpu[0]?.model.trim() ?? 'an x86 CPU'}, onnxruntime-node on the CPU, one photo (224-256 px input) or one query per run, median of ${PHOTOS} photos and ${QUERIES.length} queries, stand-in weights of the real architecture and size`;
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
