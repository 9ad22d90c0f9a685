import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** What one worker builds: the vectors at rows [start, end) of the shared matrix, written to `file`. */
export interface GraphPart {
  start: number;
  end: number;
  file: string;
  /** Slots to allocate (room to grow before the first resize). */
  capacity: number;
}

export interface GraphParams {
  m: number;
  efConstruction: number;
  randomSeed: number;
}

/**
 * The worker, as plain JavaScript evaluated in the thread (no file to find: it works the same from
 * tsx, the esbuild bundle and Electron). hnswlib is loaded by the path the main thread resolved.
 * It adds its rows one by one (hnswlib-node's addPoint is synchronous, so one graph per thread) and
 * writes the graph where it was told.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const hnswlib = require(workerData.hnswlib);
const { vectors, labels, dim, part, params } = workerData;
const matrix = new Float32Array(vectors);
const ids = new Float64Array(labels);
const graph = new hnswlib.HierarchicalNSW('ip', dim);
graph.initIndex({ maxElements: part.capacity, m: params.m, efConstruction: params.efConstruction, randomSeed: params.randomSeed, allowReplaceDeleted: true });
const point = new Array(dim);
for (let row = part.start; row < part.end; row++) {
  const at = row * dim;
  for (let j = 0; j < dim; j++) point[j] = matrix[at + j];
  graph.addPoint(point, ids[row], false);
}
graph.writeIndexSync(part.file);
parentPort.postMessage('done');
`;

/**
 * Builds one HNSW graph per part on worker threads, at most `threads` at a time (default: the cores),
 * from a row-major matrix of vectors and their labels in shared memory. Each graph is written to its
 * part's file; the caller reads them back. `signal` stops the threads and rejects with its reason.
 */
export async function buildGraphs(
  vectors: SharedArrayBuffer,
  labels: SharedArrayBuffer,
  dim: number,
  parts: readonly GraphPart[],
  params: GraphParams,
  threads = availableParallelism(),
  signal?: AbortSignal,
): Promise<void> {
  const hnswlibPath = createRequire(import.meta.url).resolve('hnswlib-node');
  const queue = [...parts];
  const runOne = (part: GraphPart) =>
    new Promise<void>((resolve, reject) => {
      signal?.throwIfAborted();
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { hnswlib: hnswlibPath, vectors, labels, dim, part, params } });
      let done = false;
      // Aborted (the app closing): the thread stops at its next point, the build rejects with the reason.
      const abort = () => void worker.terminate();
      signal?.addEventListener('abort', abort, { once: true });
      worker.once('message', () => {
        done = true;
      });
      worker.once('error', reject);
      worker.once('exit', (code) => {
        signal?.removeEventListener('abort', abort);
        if (signal?.aborted) reject(signal.reason as Error);
        else if (done) resolve();
        else reject(new Error(`a graph-building thread stopped (exit code ${code})`));
      });
    });
  const lanes = Array.from({ length: Math.max(1, Math.min(threads, parts.length)) }, async () => {
    for (let part = queue.shift(); part; part = queue.shift()) await runOne(part);
  });
  await Promise.all(lanes);
}
