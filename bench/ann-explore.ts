/**
 * `npx tsx bench/ann-explore.ts --n=100000 --dist=clustered --shards=1 --m=16 --efc=200 --ef=1000,2000 --k=1000`:
 * the design space behind VectorIndex's parameters (shards, M, efConstruction, ef), measured against
 * exact search on the benchmark's vectors. Vectors, exact answers and graphs are cached under
 * .cache/bench/ann, so a second run at other ef values costs only the searches.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import hnswlib from 'hnswlib-node';
import { buildGraphs } from '../src/main/engine/index/parallel-build.js';
import { clusteredVectors, spectralVectors } from './vectors.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    dist: { type: 'string', default: 'clustered' },
    shards: { type: 'string', default: '1' },
    m: { type: 'string', default: '16' },
    efc: { type: 'string', default: '200' },
    ef: { type: 'string', default: '1000' },
    k: { type: 'string', default: '1000' },
    threads: { type: 'string', default: '2' },
    queries: { type: 'string', default: '200' },
  },
});
const n = Number(values.n);
const dist = values.dist!;
const shards = Number(values.shards);
const m = Number(values.m);
const efc = Number(values.efc);
const dim = 512;
const DIR = resolve('.cache/bench/ann');
mkdirSync(DIR, { recursive: true });
const make = dist === 'spectral' ? spectralVectors : clusteredVectors;

function matrixOf(rows: Float32Array[]): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(rows.length * dim * 4);
  const flat = new Float32Array(buffer);
  rows.forEach((r, i) => flat.set(r, i * dim));
  return buffer;
}

// Vectors as the benchmark makes them (seed n), queries from seed n + 1, cached raw.
const dataFile = join(DIR, `${dist}-${n}.f32`);
let t = performance.now();
let data: Float32Array;
if (existsSync(dataFile)) {
  const bytes = readFileSync(dataFile);
  const buffer = new SharedArrayBuffer(bytes.byteLength);
  new Uint8Array(buffer).set(bytes);
  data = new Float32Array(buffer);
} else {
  data = new Float32Array(matrixOf(make(n, dim, n)));
  writeFileSync(dataFile, new Uint8Array(data.buffer));
}
const queries = make(Number(values.queries), dim, n + 1);
console.log(`vectors ready in ${((performance.now() - t) / 1000).toFixed(1)} s`);

// Exact top 10 by a scan, cached.
const exactFile = join(DIR, `${dist}-${n}-exact-${queries.length}.json`);
let exact: number[][];
if (existsSync(exactFile)) exact = JSON.parse(readFileSync(exactFile, 'utf8')) as number[][];
else {
  t = performance.now();
  // hnswlib's own exact scan (SIMD); the same answers as a plain loop, several times sooner at 1M.
  const brute = new hnswlib.BruteforceSearch('ip', dim);
  brute.initIndex(n);
  const point = new Array<number>(dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) point[j] = data[i * dim + j]!;
    brute.addPoint(point, i);
  }
  exact = queries.map((q) => brute.searchKnn(Array.from(q), 10).neighbors);
  writeFileSync(exactFile, JSON.stringify(exact));
  console.log(`exact answers in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

// Graphs: one per shard (contiguous rows), built on worker threads, cached.
const tag = `${dist}-${n}-S${shards}-M${m}-c${efc}`;
const parts = Array.from({ length: shards }, (_, s) => {
  const start = Math.floor((s * n) / shards);
  const end = Math.floor(((s + 1) * n) / shards);
  return { start, end, file: join(DIR, `${tag}-${s}.hnsw`), capacity: end - start };
});
if (!parts.every((p) => existsSync(p.file))) {
  const labels = new SharedArrayBuffer(n * 8);
  new Float64Array(labels).forEach((_, i, a) => (a[i] = i));
  t = performance.now();
  await buildGraphs(data.buffer as SharedArrayBuffer, labels, dim, parts, { m, efConstruction: efc, randomSeed: 100 }, Number(values.threads));
  const seconds = (performance.now() - t) / 1000;
  console.log(`${tag}: built in ${seconds.toFixed(1)} s on ${values.threads} threads`);
  writeFileSync(join(DIR, `${tag}.build.json`), JSON.stringify({ seconds, threads: Number(values.threads) }));
}
const graphs = await Promise.all(
  parts.map(async (p) => {
    const g = new hnswlib.HierarchicalNSW('ip', dim);
    await g.readIndex(p.file, true);
    return g;
  }),
);
const rssMb = process.memoryUsage().rss / 1e6;

const percentile = (v: number[], p: number) => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor((p / 100) * v.length))]!;
for (const ef of values.ef!.split(',').map(Number)) {
  const k = Math.min(Number(values.k), ef);
  for (const g of graphs) g.setEf(ef);
  const latencies: number[] = [];
  const cpuTimes: number[] = [];
  let hits = 0;
  // one warm-up pass over a few queries
  for (const q of queries.slice(0, 5)) for (const g of graphs) g.searchKnn(Array.from(q), k);
  queries.forEach((q, qi) => {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const point = Array.from(q);
    const merged: Array<[number, number]> = [];
    for (const g of graphs) {
      const { neighbors, distances } = g.searchKnn(point, k);
      neighbors.forEach((id, i) => merged.push([id, distances[i]!]));
    }
    merged.sort((a, b) => a[1] - b[1]);
    latencies.push(performance.now() - started);
    const used = process.cpuUsage(cpu);
    cpuTimes.push((used.user + used.system) / 1000);
    hits += merged.slice(0, 10).filter(([id]) => exact[qi]!.includes(id)).length;
  });
  console.log(
    `${tag} ef ${ef} k ${k}: recall@10 ${(hits / (queries.length * 10)).toFixed(3)}  p50 ${percentile(latencies, 50).toFixed(2)} ms  p95 ${percentile(latencies, 95).toFixed(2)} ms  CPU p50 ${percentile(cpuTimes, 50).toFixed(2)} ms  p95 ${percentile(cpuTimes, 95).toFixed(2)} ms  rss ${rssMb.toFixed(0)} MB`,
  );
}
