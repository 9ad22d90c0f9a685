// Near-duplicate stacks (issue 15, part 2): how well the grouping finds copies of one shot, per kind of
// copy, and how long grouping a library of 100k photos takes.
//
// Quality: a generated set (scenes/duplicate-set.ts: scenes and darknet's photographs, each with an
// exact copy, a re-encode, a resize, a crop of up to 10% and a small rotation; scenes also with an
// unrelated look-alike) is indexed with the bundled pack through the engine, and the stacks it builds are
// scored pairwise against the truth, on the calibration seed and on held-out ones.
// Time: a catalogue of 100k photos with synthetic vectors (1 in 10 a near-copy of another, 1 in 20 an
// exact copy) and perceptual hashes, its HNSW index built beforehand (the app has it already); what is
// timed is `refreshStacks`: reading the rows, the neighbour queries, the union-find and writing the stacks.
//
//   npx tsx bench/stacks.ts                    # quality on 3 seeds + time at 100k, 128-d (the bundled pack's size)
//   npx tsx bench/stacks.ts --explore          # Hamming distances and similarities per kind (how the thresholds were chosen)
//   npx tsx bench/stacks.ts --size 100000 --dim 512
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Catalog } from '../src/main/engine/catalog/catalog.js';
import { GlimpseEngine } from '../src/main/engine/engine.js';
import { VectorIndex } from '../src/main/engine/index/vector-index.js';
import { lookDistance } from '../src/main/engine/media/look.js';
import { DUPLICATE_SET_SEED, type GroupingScore, scoreGrouping, writeDuplicateSet } from '../src/scenes/duplicate-set.js';
import { seededRandom } from '../src/scenes/scene.js';
import { GROUPING } from '../src/main/engine/stacks/grouping.js';
import { refreshStacks } from '../src/main/engine/stacks/stacks.js';
import { clusteredVectors } from './vectors.js';
import { FolderStore } from '../src/main/engine/library/folder-store.js';
import { PhotoStore } from '../src/main/engine/library/photo-store.js';
import { StackStore } from '../src/main/engine/stacks/stack-store.js';

const ROOT = resolve('.cache/bench/stacks');
const DARKNET = resolve('.cache/debian-photos/usr/share/darknet/data');

export interface StackQuality {
  seed: number;
  files: number;
  score: GroupingScore;
}

/** Generates the set for `seed`, indexes it with the bundled pack and scores the stacks the engine builds. */
export async function stackQuality(seed: number, scenes: number, explore = false): Promise<StackQuality> {
  const dir = join(ROOT, `set-${seed}`);
  rmSync(dir, { recursive: true, force: true });
  const files = await writeDuplicateSet(join(dir, 'photos'), { scenes, photosDir: DARKNET, photos: 7, seed });
  const engine = await GlimpseEngine.open({ dataDir: join(dir, 'data'), device: 'cpu', captions: false, ocr: false });
  try {
    engine.addFolder(join(dir, 'photos'));
    await engine.update();
    const report = engine.duplicates();
    const score = scoreGrouping(
      files,
      report.groups.map((g) => g.photos.map((p) => p.path)),
    );
    if (explore) {
      const id = (path: string) => engine.stores.photos.photoByPath(path)!.id;
      const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
      const of = (path: string) => ({ look: engine.stores.stacks.look(id(path))!, vector: engine.stores.vectors.vector(id(path), engine.pack.id)! });
      const byKind = new Map<string, Array<[number, number]>>();
      for (const f of files.filter((x) => x.kind !== 'original')) {
        const original = files.find((o) => o.kind === 'original' && o.group === f.group.replace('lookalike-', 'scene-'))!;
        const [a, b] = [of(f.path), of(original.path)];
        const list = byKind.get(`${f.kind} (${f.source})`) ?? [];
        list.push([lookDistance(a.look, b.look), dot(a.vector, b.vector)]);
        byKind.set(`${f.kind} (${f.source})`, list);
      }
      for (const [kind, pairs] of byKind)
        console.log(
          `${kind.padEnd(20)} Hamming ${Math.min(...pairs.map((p) => p[0]))}-${Math.max(...pairs.map((p) => p[0]))}, similarity ${Math.min(...pairs.map((p) => p[1])).toFixed(3)}-${Math.max(...pairs.map((p) => p[1])).toFixed(3)}`,
        );
    }
    return { seed, files: files.length, score };
  } finally {
    await engine.close();
  }
}

/** A random 64-bit hash, and the same with `bits` of it flipped. */
function randomHash(random: () => number): string {
  let hex = '';
  for (let i = 0; i < 16; i++) hex += Math.floor(random() * 16).toString(16);
  return hex;
}
function flipBits(hex: string, bits: number, random: () => number): string {
  const digits = hex.split('').map((d) => Number.parseInt(d, 16));
  for (let i = 0; i < bits; i++) {
    const bit = Math.floor(random() * 64);
    digits[bit >> 2]! ^= 1 << (bit & 3);
  }
  return digits.map((d) => d.toString(16)).join('');
}

export interface StackTiming {
  size: number;
  dim: number;
  groups: number;
  photos: number;
  seconds: number;
  /** Adding `added` photos to the library afterwards, and whether only they were looked at. */
  incrementalSeconds: number;
  incremental: boolean;
  added: number;
  /** The planted near-copies and exact copies that ended up with their original (after both builds). */
  plantedFound: number;
  planted: number;
}

/** Times `refreshStacks` on a catalogue of `size` photos with synthetic vectors and hashes. */
export async function stackTiming(size: number, dim: number): Promise<StackTiming> {
  const dir = join(ROOT, `timing-${size}-${dim}`);
  rmSync(dir, { recursive: true, force: true });
  const random = seededRandom(4242);
  const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const ADDED = 100;
  const base = clusteredVectors(size + ADDED, dim, 17);
  const catalog = new Catalog(join(dir, 'catalog.sqlite'));
  const planted: Array<[number, number]> = [];
  const folder = new FolderStore(catalog).addFolder('/bench').id;
  const photo = catalog.db.prepare(
    `INSERT INTO photos (folder_id, path, dir, name, size, mtime_ms, hash, width, height, status) VALUES (?, ?, '/bench', ?, 1000, 0, ?, 4000, 3000, 'indexed')`,
  );
  const vector = catalog.db.prepare('INSERT INTO vectors (photo_id, model, vector, hash) VALUES (?, ?, ?, ?)');
  const look = catalog.db.prepare('INSERT INTO photo_looks (photo_id, hash, phash, inner_phash, sharpness, measured_at) VALUES (?, ?, ?, ?, ?, ?)');
  const hashes: string[] = [];
  // Photos [from, to): 1 in 10 a near-copy of an earlier photo (its vector nudged, its hash a few bits
  // off), 1 in 20 an exact copy (the same fingerprint).
  const insert = (from: number, to: number) =>
    catalog.transaction(() => {
      for (let i = from; i < to; i++) {
        const id = i + 1;
        let v = base[i]!;
        let phash = randomHash(random);
        let hash = `f${id}`;
        if (i > 100 && i % 10 === 3) {
          const of = 1 + Math.floor(random() * (i - 1));
          const nudged = base[of - 1]!.map((x) => x + 0.01 * gauss());
          const norm = Math.sqrt(nudged.reduce((s, x) => s + x * x, 0));
          v = nudged.map((x) => x / norm);
          phash = flipBits(hashes[of - 1]!, Math.floor(random() * 12), random);
          planted.push([of, id]);
        } else if (i > 100 && i % 20 === 7) {
          const of = 1 + Math.floor(random() * (i - 1));
          v = base[of - 1]!;
          hash = new PhotoStore(catalog).photo(of)?.hash ?? `f${of}`;
          planted.push([of, id]);
        }
        base[i] = v;
        hashes.push(phash);
        photo.run(folder, `/bench/${id}.jpg`, `${id}.jpg`, hash);
        vector.run(id, 'bench', Buffer.from(v.buffer, v.byteOffset, v.byteLength), hash);
        look.run(id, hash, phash, flipBits(phash, 8, random), 100, Date.now());
      }
    });
  insert(0, size);
  const index = await VectorIndex.open(join(dir, 'index'), 'bench', dim, catalog, { writable: true });
  let started = performance.now();
  const build = refreshStacks(catalog, index, 'bench');
  const seconds = (performance.now() - started) / 1000;
  // A library that gains photos: only they are looked at.
  insert(size, size + ADDED);
  index.refresh(catalog);
  started = performance.now();
  const again = refreshStacks(catalog, index, 'bench');
  const incrementalSeconds = (performance.now() - started) / 1000;
  const stackOf = new StackStore(catalog).stacksOf(planted.flat());
  const plantedFound = planted.filter(([a, b]) => stackOf.get(a) !== undefined && stackOf.get(a)?.stackId === stackOf.get(b)?.stackId).length;
  catalog.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    size,
    dim,
    groups: build.groups,
    photos: build.photos,
    seconds,
    incrementalSeconds,
    incremental: again.incremental,
    added: ADDED,
    plantedFound,
    planted: planted.length,
  };
}

const fmt = (x: number) => x.toFixed(3);

export function qualityRows(q: StackQuality): string[] {
  const rows = [`seed ${q.seed} (${q.files} files): precision ${fmt(q.score.precision)}, recall ${fmt(q.score.recall)} (targets >= 0.95)`];
  for (const [kind, k] of Object.entries(q.score.byKind))
    rows.push(`  ${kind.padEnd(20)} ${kind.startsWith('lookalike') ? 'wrongly stacked' : 'stacked with its original'} ${k.grouped}/${k.pairs}`);
  return rows;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '100000' },
      dim: { type: 'string', default: '128' },
      scenes: { type: 'string', default: '30' },
      explore: { type: 'boolean', default: false },
      seeds: { type: 'string' },
    },
  });
  console.log(
    `Thresholds: similarity >= ${GROUPING.minSimilarity}, Hamming <= ${GROUPING.maxHamming}, ${GROUPING.neighbours} neighbours at ef ${GROUPING.ef}; seed ${DUPLICATE_SET_SEED} is the calibration seed`,
  );
  const seeds = values.seeds ? values.seeds.split(',').map(Number) : values.explore ? [DUPLICATE_SET_SEED] : [DUPLICATE_SET_SEED, 120_000_000, 130_000_000];
  for (const seed of seeds) for (const row of qualityRows(await stackQuality(seed, Number(values.scenes), values.explore))) console.log(row);
  if (values.explore || values.size === '0') return;
  const t = await stackTiming(Number(values.size), Number(values.dim));
  console.log(
    `grouping ${t.size.toLocaleString()} photos (${t.dim}-d): ${t.seconds.toFixed(2)} s (target < 10 s); ${t.groups} groups of ${t.photos} photos; then ${t.added} photos added: ${t.incrementalSeconds.toFixed(2)} s (${t.incremental ? 'incremental' : 'full rebuild'}); planted copies found ${t.plantedFound}/${t.planted}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
