import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import { AllowedBits, type Graph, GraphThread, beginSearch, closeGraph, pointsOf } from './graph-thread.js';
import { IdSet } from './id-set.js';
import { buildGraphs } from './parallel-build.js';

/**
 * The HNSW graphs of one model's vectors and their search: photo `id` lives in graph `id % graphs`
 * (always, so a label never moves between graphs); a search asks every graph and merges. Graphs other
 * than the first are held by threads of their own (`GraphThread`) when threads can be started. What is
 * saved and checked on disk is `SavedIndex`'s; what the index must hold is `VectorIndex`'s.
 */

/**
 * HNSW parameters, shared with the benchmark so it measures what the app runs. efSearch is the least
 * ef a search uses; `efFor` raises it with the graph's size and the k asked (docs/PERFORMANCE.md).
 */
export const HNSW = { m: 16, efConstruction: 100, efSearch: 256 } as const;

/**
 * The ef a search of one graph uses: at least k and efSearch, and one hundredth of the graph's size
 * (chosen for recall@10 on the benchmark's worst case: docs/PERFORMANCE.md, "Recall at scale").
 */
export function efFor(graphSize: number, k: number): number {
  return Math.max(HNSW.efSearch, k, Math.ceil(graphSize / 100));
}

export interface Neighbour {
  id: number;
  /** Cosine similarity (vectors are L2-normalised). */
  similarity: number;
}

/** The similarity hnswlib reports for a vector: its inner-product distance is 1 - dot, in single precision. */
export function similarity(query: Float32Array, v: ArrayLike<number>): number {
  let dot = 0;
  for (let i = 0; i < v.length; i++) dot += v[i]! * query[i]!;
  return 1 - Math.fround(1 - dot);
}

/** The n most similar of an exact scan, ties in id order. */
export function topExact(scored: Neighbour[], n: number): Neighbour[] {
  return scored.sort((a, b) => b.similarity - a.similarity || a.id - b.id).slice(0, n);
}

/** Vectors laid out for a rebuild: rows grouped by graph in one shared matrix the threads read without a copy. */
export interface RebuildRows {
  /** The catalogue's vector-log position the rows stand at. */
  seq: number;
  /** Row-major, `dim` floats a row, over a SharedArrayBuffer. */
  rows: Float32Array;
  /** The photo id of each row, over a SharedArrayBuffer. */
  labels: Float64Array;
  /** Graph i is rows [start, end), allocated with room to grow. */
  parts: Array<{ start: number; end: number; capacity: number }>;
}

/** Fills a RebuildRows with known photo ids, vector by vector, each in its graph's block (id modulo the graphs). */
export class RowLayout {
  private readonly rows: Float32Array;
  private readonly labels: Float64Array;
  private readonly parts: RebuildRows['parts'];
  private readonly next: number[];

  constructor(
    ids: readonly number[],
    private readonly graphs: number,
    private readonly dim: number,
  ) {
    const sizes = new Array<number>(graphs).fill(0);
    for (const id of ids) sizes[id % graphs]!++;
    let start = 0;
    this.parts = sizes.map((size) => {
      const part = { start, end: start + size, capacity: Math.max(1024, Math.ceil(size * 1.25)) };
      start += size;
      return part;
    });
    this.next = this.parts.map((p) => p.start);
    this.rows = new Float32Array(new SharedArrayBuffer(ids.length * dim * 4));
    this.labels = new Float64Array(new SharedArrayBuffer(ids.length * 8));
  }

  put(photoId: number, vector: Float32Array): void {
    const g = photoId % this.graphs;
    const row = this.next[g]!++;
    if (row >= this.parts[g]!.end) throw new Error(`photo ${photoId} was not among the ids the rebuild was laid out for`);
    if (vector.length !== this.dim) throw new Error(`the vector of photo ${photoId} has ${vector.length} dimensions, not ${this.dim}`);
    this.rows.set(vector, row * this.dim);
    this.labels[row] = photoId;
  }

  done(seq: number): RebuildRows {
    this.next.forEach((n, g) => {
      if (n !== this.parts[g]!.end) throw new Error(`a rebuild got ${n - this.parts[g]!.start} of the ${this.parts[g]!.end - this.parts[g]!.start} vectors of graph ${g}`);
    });
    return { seq, rows: this.rows, labels: this.labels, parts: this.parts };
  }
}

export function emptyGraph(dim: number, capacity: number): Graph {
  const graph = new hnswlib.HierarchicalNSW('ip', dim);
  graph.initIndex({ maxElements: capacity, m: HNSW.m, efConstruction: HNSW.efConstruction, randomSeed: 100, allowReplaceDeleted: true });
  graph.setEf(HNSW.efSearch);
  return graph;
}

/**
 * Reads saved graphs: the first on this thread, each other one on a thread of its own, so a search
 * asks them all at once (`GraphThread`); on this thread too when a thread cannot be started.
 */
export async function readGraphs(files: readonly string[], dim: number, threads: boolean): Promise<Graph[]> {
  const readHere = async (file: string) => {
    const graph = new hnswlib.HierarchicalNSW('ip', dim);
    await graph.readIndex(file, true);
    return graph;
  };
  const graphs = await Promise.allSettled(files.map((file, i) => (i === 0 || !threads ? readHere(file) : GraphThread.read(file, dim).catch(() => readHere(file)))));
  const failed = graphs.find((g) => g.status === 'rejected');
  if (failed) {
    for (const g of graphs) if (g.status === 'fulfilled') closeGraph(g.value);
    throw failed.reason;
  }
  return graphs.map((g) => (g as PromiseFulfilledResult<Graph>).value);
}

/** The graphs of these rows, built one after the other on this thread. */
export function graphsFrom({ rows, labels, parts }: RebuildRows, dim: number): Graph[] {
  return parts.map(({ start, end, capacity }) => {
    const graph = emptyGraph(dim, capacity);
    const point = new Array<number>(dim);
    for (let row = start; row < end; row++) {
      for (let j = 0; j < dim; j++) point[j] = rows[row * dim + j]!;
      graph.addPoint(point, labels[row]!, false);
    }
    return graph;
  });
}

/**
 * The graphs of these rows side by side on worker threads (hnswlib's addPoint is synchronous, so one
 * graph per thread): each thread writes its graph to a scratch folder and this one reads them back. One
 * graph is built on this thread, as is every graph when threads fail (unless `signal` aborted them).
 */
export async function buildInParallel(rows: RebuildRows, dim: number, threads: boolean, signal: AbortSignal | undefined): Promise<Graph[]> {
  if (rows.parts.length === 1) return graphsFrom(rows, dim);
  const scratch = mkdtempSync(join(tmpdir(), 'glimpse-index-'));
  try {
    const parts = rows.parts.map((part, i) => ({ ...part, file: join(scratch, `${i}.hnsw`) }));
    try {
      await buildGraphs(
        rows.rows.buffer as SharedArrayBuffer,
        rows.labels.buffer as SharedArrayBuffer,
        dim,
        parts,
        { m: HNSW.m, efConstruction: HNSW.efConstruction, randomSeed: 100 },
        undefined,
        signal,
      );
    } catch (error) {
      if (signal?.aborted) throw error;
      // No worker threads here (or one failed): the same graphs, built one after the other on this thread.
      return graphsFrom(rows, dim);
    }
    return await readGraphs(
      parts.map((p) => p.file),
      dim,
      threads,
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * The graphs and the live labels in them. Label updates never corrupt a graph: a live label is updated
 * in place; a deleted label still in the graph is revived and updated in place; only a label the graph
 * has never held (or has forgotten, when its slot was reused) takes a vacant slot. (Adding a deleted
 * label through the slot-reuse path would leave it in two slots, and a later reuse of the old one would
 * lose it.)
 */
export class GraphSet {
  private graphs: Graph[];
  /** Live labels in each graph (a graph's other slots are deleted labels, reusable). */
  private liveIn: number[];
  private liveIds: IdSet;

  constructor(
    readonly dim: number,
    graphs: Graph[] = [emptyGraph(dim, 1024)],
    live: Iterable<number> = [],
  ) {
    this.graphs = graphs;
    this.liveIds = new IdSet(live);
    this.liveIn = graphs.map(() => 0);
    for (const id of this.liveIds) this.liveIn[this.graphIndex(id)]!++;
  }

  get size(): number {
    return this.liveIds.size;
  }

  get count(): number {
    return this.graphs.length;
  }

  /** Graphs held by threads of their own. */
  get threads(): number {
    return this.graphs.filter((graph) => graph instanceof GraphThread).length;
  }

  get all(): readonly Graph[] {
    return this.graphs;
  }

  has(id: number): boolean {
    return this.liveIds.has(id);
  }

  /** The live labels, as the `.live` file holds them. */
  live(): Float64Array {
    return this.liveIds.toArray();
  }

  /** The graph photo `id` lives in. */
  graphIndex(id: number): number {
    return this.graphs.length === 1 ? 0 : id % this.graphs.length;
  }

  /** The graph's own copy of a live photo's vector. */
  pointOf(id: number): number[] {
    return this.graphs[this.graphIndex(id)]!.getPoint(id);
  }

  /** Frees the threads of graphs not among `keep` (an index of one graph holds none). */
  close(keep: readonly Graph[] = []): void {
    for (const graph of this.graphs) if (!keep.includes(graph)) closeGraph(graph);
  }

  add(id: number, vector: Float32Array): void {
    if (vector.length !== this.dim) throw new Error(`vector of ${vector.length} dimensions for a ${this.dim}-d index`);
    const point = Array.from(vector);
    const g = this.graphIndex(id);
    const graph = this.graphs[g]!;
    if (this.liveIds.has(id)) {
      graph.addPoint(point, id, false); // an existing live label: updated in place
    } else if (revive(graph, id)) {
      graph.addPoint(point, id, false);
      this.liveIds.add(id);
      this.liveIn[g]!++;
    } else {
      const slots = graph.getCurrentCount();
      const vacant = slots - this.liveIn[g]!;
      if (vacant === 0 && slots >= graph.getMaxElements()) graph.resizeIndex(Math.max(1024, graph.getMaxElements() * 2));
      graph.addPoint(point, id, true); // a new label: a deleted label's slot is reused when there is one
      this.liveIds.add(id);
      this.liveIn[g]!++;
    }
  }

  /** False when the photo was not live. */
  remove(id: number): boolean {
    if (!this.liveIds.has(id)) return false;
    const g = this.graphIndex(id);
    this.graphs[g]!.markDelete(id);
    this.liveIds.delete(id);
    this.liveIn[g]!--;
    return true;
  }

  /** The n nearest photos (at most), each graph searched at `efFor` its size while threads search theirs. */
  search(query: Float32Array, n: number, allowed?: ReadonlySet<number>): Neighbour[] {
    const point = Array.from(query);
    let bits: AllowedBits | undefined;
    const filter = allowed ? { set: allowed, bits: () => (bits ??= new AllowedBits(allowed)) } : undefined;
    const pending = this.graphs.map((graph, g) => {
      const ask = Math.min(n, this.liveIn[g]!);
      return ask === 0 ? null : beginSearch(graph, point, ask, efFor(this.liveIn[g]!, ask), filter);
    });
    const found: Neighbour[] = [];
    for (const search of pending) {
      if (!search) continue;
      const { neighbors, distances } = search.result();
      neighbors.forEach((id, i) => found.push({ id, similarity: 1 - distances[i]! }));
    }
    if (this.graphs.length > 1) found.sort((a, b) => b.similarity - a.similarity);
    return found.slice(0, n);
  }

  /** The k nearest to a live photo (itself left out), from `point`, searched at a small ef. */
  neighboursOf(id: number, point: number[], k: number, ef: number): Neighbour[] {
    const found: Neighbour[] = [];
    this.graphs.forEach((graph, g) => {
      const ask = Math.min(k + 1, this.liveIn[g]!);
      if (ask === 0) return;
      graph.setEf(Math.max(ef, ask));
      const { neighbors, distances } = graph.searchKnn(point, ask);
      neighbors.forEach((n, i) => {
        if (n !== id) found.push({ id: n, similarity: 1 - distances[i]! });
      });
    });
    if (this.graphs.length > 1) found.sort((a, b) => b.similarity - a.similarity);
    return found.slice(0, k);
  }

  /** The exact top n among the allowed photos that are live, from the graphs' own copies. */
  exactAmong(query: Float32Array, n: number, allowed: ReadonlySet<number>): Neighbour[] {
    const scored: Neighbour[] = [];
    const byGraph = this.graphs.map((): number[] => []);
    for (const id of allowed) if (this.liveIds.has(id)) byGraph[this.graphIndex(id)]!.push(id);
    byGraph.forEach((ids, g) => {
      if (ids.length === 0) return;
      pointsOf(this.graphs[g]!, ids).forEach((v, j) => scored.push({ id: ids[j]!, similarity: similarity(query, v) }));
    });
    return topExact(scored, n);
  }
}

/** Un-deletes a label the graph still holds; false when the graph does not hold it. */
function revive(graph: Graph, id: number): boolean {
  try {
    graph.unmarkDelete(id);
    return true;
  } catch (error) {
    if (error instanceof Error && /Label not found/.test(error.message)) return false;
    throw error;
  }
}
