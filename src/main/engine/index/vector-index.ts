import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import type { Catalog } from '../catalog/catalog.js';
import { fileSha256, fileSha256OnThread } from '../file-checks.js';
import { AllowedBits, type Graph, GraphThread, beginSearch, closeGraph, labelsOf, pointsOf } from './graph-thread.js';
import { IdSet } from './id-set.js';
import { buildGraphs } from './parallel-build.js';
import { VideoMoments } from './moments.js';

/**
 * HNSW parameters, shared with the benchmark so it measures what the app runs. efSearch is the least
 * ef a search uses; `efFor` raises it with the graph's size and the k asked (docs/PERFORMANCE.md).
 */
export const HNSW = { m: 16, efConstruction: 100, efSearch: 256 } as const;

/**
 * A rebuild splits a larger index into graphs of about this many vectors (a photo's graph is its id
 * modulo the number of graphs), built side by side on worker threads and searched one after another.
 */
export const SHARD_SIZE = 500_000;

/**
 * An index that grows photo by photo keeps its graphs; once they hold this many times SHARD_SIZE each
 * on average (a library indexed to past 600k photos in one graph), `split` rebuilds it into graphs of
 * SHARD_SIZE, searched side by side at a smaller ef each.
 */
export const OUTGROWN = 1.2;

/**
 * Vectors per graph when an index is rebuilt: GLIMPSE_INDEX_SHARD_SIZE when set (the lifecycle tests
 * set it small, to run a large library's index of several graphs on a small library), else SHARD_SIZE.
 */
function defaultShardSize(): number {
  const fromEnv = Number(process.env.GLIMPSE_INDEX_SHARD_SIZE);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : SHARD_SIZE;
}

/** How many graphs a rebuild of `count` vectors makes. */
export function shardCount(count: number, shardSize = SHARD_SIZE): number {
  return Math.max(1, Math.ceil(count / shardSize));
}

/**
 * The ef a search of one graph uses: at least k and efSearch, and one hundredth of the graph's size.
 * Measured on the benchmark's worst case (isotropic clusters, queries near none of them): recall@10 of
 * the app's query is 0.976 at 100k (one graph, ef 1,000) and 0.962 at 1M (two graphs of 500k, ef 5,000
 * each; 0.937 at 4,000), at about 48 ms of CPU per query at p95 (docs/PERFORMANCE.md).
 */
export function efFor(graphSize: number, k: number): number {
  return Math.max(HNSW.efSearch, k, Math.ceil(graphSize / 100));
}

/**
 * A filter that allows at most this many photos is answered by an exact scan of their vectors: the
 * catalogue's copies when the caller passes the catalogue (every search of the engine), else the graphs'
 * own. Measured at 100k (`npm run bench -- --filtered=100000`): a filtered graph search of a small set
 * walks most of the graph (0.5 s for 250 or 1,000 allowed, at load 4 to 10), reading a vector back from a graph
 * costs about 0.1 ms (hnswlib-node's `getPoint` makes a JavaScript array of it) and from the catalogue
 * about 20 us; past about 2,500 allowed the filtered graphs answer sooner (49 ms for 5,000 against
 * 100 ms for the scan).
 */
export const EXACT_FILTER_LIMIT = 2000;

/** The similarity hnswlib reports for a vector: its inner-product distance is 1 - dot, in single precision. */
function similarity(query: Float32Array, v: ArrayLike<number>): number {
  let dot = 0;
  for (let i = 0; i < v.length; i++) dot += v[i]! * query[i]!;
  return 1 - Math.fround(1 - dot);
}

/** The n most similar of an exact scan, ties in id order. */
function topExact(scored: Neighbour[], n: number): Neighbour[] {
  return scored.sort((a, b) => b.similarity - a.similarity || a.id - b.id).slice(0, n);
}

/** Vectors laid out for a rebuild: rows grouped by graph in one shared matrix the threads read without a copy. */
interface RebuildRows {
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
class RowLayout {
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

/** One graph file of a saved generation. */
interface GraphFile {
  elements: number;
  bytes: number;
  /** SHA-256 of the graph file: a file damaged at the same size is caught before hnswlib reads it. */
  sha256: string;
  /** The file's identity when it was written (inode, mtime): a reader trusts a file that has not changed since. */
  ino: number;
  mtimeMs: number;
}

/**
 * Written last, atomically: it names the one generation of data files that belong together. Format 3
 * describes a generation of several graphs (`<model>@<gen>.<i>.hnsw`); an index of one graph is still
 * written as format 2 (`<model>@<gen>.hnsw`), so libraries saved before sharding open unchanged.
 */
interface SidecarV3 {
  format: 3;
  model: string;
  dim: number;
  seq: number;
  generation: string;
  count: number;
  liveSha256: string;
  graphs: GraphFile[];
}

interface Sidecar {
  format: 2;
  model: string;
  dim: number;
  /** The catalogue's vector-log position the saved index covers; later log entries are applied on load. */
  seq: number;
  generation: string;
  /** Live labels (the `.live` file) and graph slots (live + deleted) the files hold. */
  count: number;
  elements: number;
  bytes: number;
  /** SHA-256 of the graph and live-set files: a file damaged at the same size is caught before hnswlib reads it. */
  graphSha256: string;
  liveSha256: string;
  /** The graph file's identity when it was written (inode, mtime): a reader trusts a file that has not changed since. */
  graphIno: number;
  graphMtimeMs: number;
}

/** Either format, as one: the graphs of a format-2 sidecar are its one graph. */
function graphsOf(sidecar: Sidecar | SidecarV3): GraphFile[] {
  if (sidecar.format === 3) return sidecar.graphs;
  return [{ elements: sidecar.elements, bytes: sidecar.bytes, sha256: sidecar.graphSha256, ino: sidecar.graphIno, mtimeMs: sidecar.graphMtimeMs }];
}

/** Flushes a file (or folder) to the disk, so a rename that points at it never survives a power cut without it. */
function flush(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } catch {
    // some filesystems cannot fsync a folder; the file flushes are what matter
  } finally {
    closeSync(fd);
  }
}

export interface Neighbour {
  id: number;
  /** Cosine similarity (vectors are L2-normalised). */
  similarity: number;
}

export interface VectorIndexOptions {
  /** Only the process holding the library's write lock saves the index files; readers keep theirs in memory. */
  writable: boolean;
  /** Vectors per graph when rebuilding (SHARD_SIZE unless a test asks for small graphs). */
  shardSize?: number;
  /** false: every graph on this thread, searched in turn (the benchmark's baseline); threads otherwise. */
  graphThreads?: boolean;
  /**
   * A writer that answers before it checks (the app): graph files unchanged since they were written are
   * loaded as a reader loads them, and their checksums are checked afterwards by `verify`; until then
   * the index is never saved, so a damaged graph is never written out under a fresh checksum.
   */
  checksumsAfterOpen?: boolean;
}

/** How many live vectors are compared with the catalogue when a saved index is loaded. */
const SPOT_CHECKS = 8;

/** The photos, of the live set in its saved order, whose vectors a load compares with the catalogue's. */
export function spotChecked(live: ArrayLike<number>): number[] {
  const n = Math.min(SPOT_CHECKS, live.length);
  return Array.from({ length: n }, (_, i) => live[Math.floor((i * live.length) / n)]!);
}

/**
 * The HNSW index of one model's vectors, labelled by photo id. The catalogue is the truth; the index
 * files are a cache of it that is never trusted blindly: on open they are checked (sizes, the live set
 * against the graph's labels, a sample of vectors against the catalogue) and brought up to date from
 * the catalogue's vector log; anything that does not add up is rebuilt from the catalogue.
 *
 * The index is one graph, or (rebuilt at SHARD_SIZE and more) several: photo `id` lives in graph
 * `id % graphs`, always, so a label never moves between graphs; a search asks each and merges. Graphs
 * are built in parallel on worker threads when rebuilt; an index that grows photo by photo keeps the
 * number of graphs it has until it has outgrown them (`outgrown`, `split`).
 *
 * Files in `dir`: `<model>.json` (the sidecar) names a generation `<model>@<gen>.hnsw` (the graph; with
 * several, `<model>@<gen>.<i>.hnsw`) and `<model>@<gen>.live` (the live labels, float64). Data files are
 * written first and the sidecar renamed over the old one last, so a crash at any point leaves a complete
 * old or new generation.
 *
 * Label updates never corrupt a graph: a live label is updated in place; a deleted label still in
 * the graph is revived and updated in place; only a label the graph has never held (or has forgotten,
 * when its slot was reused) takes a vacant slot. (Adding a deleted label through the slot-reuse path
 * would leave it in two slots, and a later reuse of the old one would lose it.)
 */
export class VectorIndex {
  /** The sampled frames of the videos, searched beside the graphs (pooled vectors live in the graphs). */
  readonly moments: VideoMoments;
  private graphs: Graph[];
  /** Live labels in each graph (a graph's other slots are deleted labels, reusable). */
  private liveIn: number[] = [0];
  private live = new IdSet();
  private seq = 0;
  private dirty = false;
  /** How the index came to be on open, for status reports and tests. */
  origin: 'loaded' | 'rebuilt' | 'new' = 'new';
  /** Why a saved index was not used (null when it was, or there was none to use). */
  rebuildReason: string | null = null;
  private triedGeneration: string | undefined;
  /** Graph files loaded on trust (unchanged since written) whose checksums `verify` has still to check. */
  private unchecked: Array<{ file: string; sha256: string }> = [];

  private constructor(
    readonly dir: string,
    readonly model: string,
    readonly dim: number,
    private options: VectorIndexOptions,
  ) {
    this.graphs = [VectorIndex.emptyGraph(dim, 1024)];
    this.moments = new VideoMoments(model, dim);
  }

  private static emptyGraph(dim: number, capacity: number): Graph {
    const graph = new hnswlib.HierarchicalNSW('ip', dim);
    graph.initIndex({ maxElements: capacity, m: HNSW.m, efConstruction: HNSW.efConstruction, randomSeed: 100, allowReplaceDeleted: true });
    graph.setEf(HNSW.efSearch);
    return graph;
  }

  /**
   * Opens the saved index, or rebuilds it from the catalogue (several graphs on worker threads when it
   * is large). The graph is read on libuv's thread pool, so a caller can do other start-up work
   * meanwhile (`glimpse search` opens the text encoder).
   */
  static async open(dir: string, model: string, dim: number, catalog: Catalog, options: VectorIndexOptions): Promise<VectorIndex> {
    const vi = new VectorIndex(dir, model, dim, options);
    let problem = await vi.load(catalog);
    // The writer may have saved a new generation (and removed the one we started reading) meanwhile.
    if (problem !== null && problem !== 'none saved' && vi.readSidecar()?.generation !== vi.triedGeneration) problem = await vi.load(catalog);
    if (problem === null) {
      vi.origin = 'loaded';
    } else if (problem === 'none saved' && catalog.vectorCount(model) === 0) {
      vi.origin = 'new';
      vi.seq = catalog.lastVectorSeq();
    } else {
      await vi.rebuildInParallel(catalog);
      vi.rebuildReason = problem;
      vi.save(); // a rebuild is the expensive case: never do it twice
    }
    // Frames are not saved with the graphs: read at open, then kept up to date by refresh (re-reading a
    // video's frames that are already current is harmless, so the order of the two does not matter).
    vi.moments.load(catalog);
    return vi;
  }

  /** The sidecar file; its data files sit beside it. */
  get file(): string {
    return join(this.dir, `${this.model}.json`);
  }

  /** The (first) graph file of the saved generation, if any (for doctor and fault-injection tests). */
  get dataFile(): string | null {
    const sidecar = this.readSidecar();
    return sidecar ? this.graphPath(sidecar, 0) : null;
  }

  get size(): number {
    return this.live.size;
  }

  /** How many graphs the index is split into. */
  get graphCount(): number {
    return this.graphs.length;
  }

  /** How many of the graphs are held by threads of their own (all but the first, when threads can be started). */
  get graphThreads(): number {
    return this.graphs.filter((graph) => graph instanceof GraphThread).length;
  }

  /** This process took the library's write lock: from now on it saves the index. */
  makeWritable(): void {
    this.options = { ...this.options, writable: true };
  }

  private dataPath(generation: string, kind: 'hnsw' | 'live', graph?: number): string {
    return join(this.dir, `${this.model}@${generation}${graph === undefined ? '' : `.${graph}`}.${kind}`);
  }

  private graphPath(sidecar: Sidecar | SidecarV3, i: number): string {
    return this.dataPath(sidecar.generation, 'hnsw', sidecar.format === 3 ? i : undefined);
  }

  /** The graph photo `id` lives in. */
  private graphIndex(id: number): number {
    return this.graphs.length === 1 ? 0 : id % this.graphs.length;
  }

  private readSidecar(): Sidecar | SidecarV3 | null {
    try {
      const s = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<Sidecar> | Partial<SidecarV3>;
      if ((s.format !== 2 && s.format !== 3) || typeof s.generation !== 'string' || !/^[\w-]+$/.test(s.generation)) return null;
      if (s.format === 3 && (!Array.isArray(s.graphs) || s.graphs.length === 0)) return null;
      return s as Sidecar | SidecarV3;
    } catch {
      return null;
    }
  }

  /** Loads and checks the saved index (sizes, checksums, labels, log position, then a sample against the catalogue); null when it is usable, else why not. */
  private async load(catalog: Catalog): Promise<string | null> {
    if (!existsSync(this.file)) return 'none saved';
    const sidecar = this.readSidecar();
    this.triedGeneration = sidecar?.generation;
    if (!sidecar) return 'its description file is unreadable or from an older Glimpse';
    if (sidecar.model !== this.model || sidecar.dim !== this.dim) return `it was built for ${sidecar.model} (${sidecar.dim}-d)`;
    const files = graphsOf(sidecar);
    const liveFile = this.dataPath(sidecar.generation, 'live');
    try {
      const liveBytes = readFileSync(liveFile);
      if (liveBytes.byteLength !== sidecar.count * 8) return 'its live-set file has the wrong size';
      if (createHash('sha256').update(liveBytes).digest('hex') !== sidecar.liveSha256) return 'its live-set file is damaged (checksum)';
      const toCheck: Array<{ file: string; sha256: string }> = [];
      const trusted: Array<{ file: string; sha256: string }> = [];
      for (const [i, described] of files.entries()) {
        const graphFile = this.graphPath(sidecar, i);
        const graphStat = statSync(graphFile);
        if (graphStat.size !== described.bytes) return 'its graph file has the wrong size';
        // The writer reads the whole graph to check it (about 1 GB/s), before it loads it or (the app)
        // after it has answered; a reader (every `glimpse search`) does only when the file is not exactly
        // the one the writer wrote (inode, mtime and size).
        const untouched = graphStat.ino === described.ino && graphStat.mtimeMs === described.mtimeMs;
        const file = { file: graphFile, sha256: described.sha256 };
        if (!untouched || (this.options.writable && !this.options.checksumsAfterOpen)) toCheck.push(file);
        else trusted.push(file);
      }
      // Several graphs are checked at once, each on a thread of its own.
      const sums = await Promise.all(toCheck.map(({ file }) => (toCheck.length > 1 ? fileSha256OnThread(file) : fileSha256(file))));
      if (sums.some((sum, i) => sum !== toCheck[i]!.sha256)) return 'its graph file is damaged (checksum)';
      const graphs = await this.readGraphs(files.map((_, i) => this.graphPath(sidecar, i)));
      const problem = ((): string | null => {
        if (graphs.some((graph, i) => graph.getNumDimensions() !== this.dim || graph.getCurrentCount() !== files[i]!.elements)) return 'its graph does not match its description';
        const labels = graphs.map((graph) => new IdSet(labelsOf(graph)));
        const live = new Float64Array(liveBytes.buffer, liveBytes.byteOffset, sidecar.count);
        const liveIn = graphs.map(() => 0);
        for (const id of live) {
          const g = graphs.length === 1 ? 0 : id % graphs.length;
          if (!labels[g]!.has(id)) return `its live set names photo ${id}, which the graph does not hold`;
          liveIn[g]!++;
        }
        if (sidecar.seq > catalog.lastVectorSeq()) return 'it is ahead of the catalogue (the catalogue was restored or replaced)';
        this.useGraphs(graphs);
        this.liveIn = liveIn;
        this.live = new IdSet(live);
        this.unchecked = trusted;
        return null;
      })();
      if (problem) {
        graphs.forEach(closeGraph);
        return problem;
      }
      this.seq = sidecar.seq;
    } catch (error) {
      this.reset();
      return `it could not be read (${error instanceof Error ? error.message : String(error)})`;
    }
    this.refresh(catalog);
    const problem = this.disagreement(catalog);
    if (problem) this.reset();
    return problem;
  }

  /** After catching up, the index must hold exactly the catalogue's vectors; checked by count and by sample. */
  private disagreement(catalog: Catalog): string | null {
    const expected = catalog.vectorCount(this.model);
    if (expected !== this.live.size) return `it holds ${this.live.size} vectors where the catalogue has ${expected}`;
    for (const id of spotChecked(this.live.toArray())) {
      const truth = catalog.vector(id, this.model);
      const held = this.graphs[this.graphIndex(id)]!.getPoint(id);
      if (!truth || truth.length !== held.length || truth.some((x, k) => Math.fround(x) !== Math.fround(held[k]!)))
        return `its vector for photo ${id} differs from the catalogue's`;
    }
    return null;
  }

  /**
   * Reads saved graphs: the first on this thread, each other one on a thread of its own, so a search
   * asks them all at once (`GraphThread`); on this thread too when a thread cannot be started.
   */
  private async readGraphs(files: readonly string[]): Promise<Graph[]> {
    const readHere = async (file: string) => {
      const graph = new hnswlib.HierarchicalNSW('ip', this.dim);
      await graph.readIndex(file, true);
      return graph;
    };
    const graphs = await Promise.allSettled(
      files.map((file, i) => (i === 0 || this.options.graphThreads === false ? readHere(file) : GraphThread.read(file, this.dim).catch(() => readHere(file)))),
    );
    const failed = graphs.find((g) => g.status === 'rejected');
    if (failed) {
      for (const g of graphs) if (g.status === 'fulfilled') closeGraph(g.value);
      throw failed.reason;
    }
    return graphs.map((g) => (g as PromiseFulfilledResult<Graph>).value);
  }

  /** Takes these graphs as the index's, freeing the threads of those they replace. */
  private useGraphs(graphs: Graph[]): void {
    for (const old of this.graphs) if (!graphs.includes(old)) closeGraph(old);
    this.graphs = graphs;
  }

  /** Frees the threads that hold graphs (an index of one graph holds none); the index is not used after. */
  close(): void {
    this.graphs.forEach(closeGraph);
  }

  /**
   * Checks the checksums of the graph files this index loaded on trust (a writer that answered first,
   * or a reader that became the writer), on a thread, and rebuilds the index from the catalogue when one
   * is damaged. A file a writer has since replaced is not checked (that writer checked its own). Returns
   * why it rebuilt, or null.
   */
  async verify(catalog: Catalog): Promise<string | null> {
    const unchecked = this.unchecked;
    let problem: string | null = null;
    for (const { file, sha256 } of unchecked) {
      if (!existsSync(file)) continue;
      const sum = await fileSha256OnThread(file).catch(() => null);
      if (sum !== sha256) {
        problem = sum === null ? 'its graph file could not be read' : 'its graph file is damaged (checksum)';
        break;
      }
    }
    if (this.unchecked !== unchecked) return null; // rebuilt meanwhile: what was checked is no longer in use
    this.unchecked = [];
    if (problem === null) return null;
    await this.rebuildInParallel(catalog);
    this.rebuildReason = problem;
    this.save();
    return problem;
  }

  /** True while graphs loaded on trust wait for `verify` (the index is not saved meanwhile). */
  get checksumsPending(): boolean {
    return this.unchecked.length > 0;
  }

  private reset(): void {
    this.unchecked = [];
    this.useGraphs([VectorIndex.emptyGraph(this.dim, 1024)]);
    this.liveIn = [0];
    this.live = new IdSet();
    this.seq = 0;
  }

  /** The graphs hold more than OUTGROWN times SHARD_SIZE each (the writer's index only): `split` pays. */
  outgrown(): boolean {
    return this.options.writable && this.live.size > this.graphs.length * (this.options.shardSize ?? defaultShardSize()) * OUTGROWN;
  }

  /**
   * Rebuilds an outgrown index from the catalogue into the graphs a rebuild of its size makes, on
   * worker threads; the old graphs answer searches meanwhile, and changes made meanwhile are caught up
   * from the vector log (the new graphs stand at the snapshot's log position). True when it split;
   * false when there was nothing to split or `signal` aborted it (the index is then as it was).
   */
  async split(catalog: Catalog, signal?: AbortSignal): Promise<boolean> {
    if (!this.outgrown()) return false;
    const before = this.graphs.length;
    if (this.graphCountFor(catalog.vectorCount(this.model)) <= before) return false;
    const rows = this.rowsFromCatalogue(catalog);
    try {
      await this.buildInParallel(rows, signal);
    } catch (error) {
      if (signal?.aborted) return false;
      throw error;
    }
    this.rebuildReason = `it had grown to ${rows.labels.length} vectors in ${before} graph${before === 1 ? '' : 's'}: split into ${rows.parts.length}`;
    return true;
  }

  private graphCountFor(vectors: number): number {
    return shardCount(vectors, this.options.shardSize ?? defaultShardSize());
  }

  /**
   * The catalogue's vectors laid out for a rebuild, from one snapshot (so the log position matches
   * them): read row by row straight into the shared matrix, grouped by graph, with no other copy of
   * them held (at 1M, 2 GB less at the peak of a rebuild).
   */
  private rowsFromCatalogue(catalog: Catalog): RebuildRows {
    return catalog.snapshot(() => {
      const seq = catalog.lastVectorSeq();
      const ids = catalog.vectorIds(this.model);
      const layout = new RowLayout(ids, this.graphCountFor(ids.length), this.dim);
      catalog.eachVector(this.model, (photoId, vector) => layout.put(photoId, vector));
      return layout.done(seq);
    });
  }

  private rebuilt(seq: number, graphs: Graph[], ids: Iterable<number>): void {
    this.unchecked = []; // built from the catalogue: nothing loaded on trust is left
    this.useGraphs(graphs);
    this.live = new IdSet(ids);
    this.liveIn = graphs.map(() => 0);
    for (const id of this.live) this.liveIn[this.graphIndex(id)]!++;
    this.seq = seq;
    this.dirty = true;
    this.origin = 'rebuilt';
  }

  /** Builds the index from the catalogue's vectors on this thread (a restored catalogue found by `refresh`). */
  private rebuild(catalog: Catalog): void {
    const rows = this.rowsFromCatalogue(catalog);
    this.rebuilt(rows.seq, this.graphsFrom(rows), rows.labels);
  }

  /** The graphs of these rows, built one after the other on this thread. */
  private graphsFrom({ rows, labels, parts }: RebuildRows): Graph[] {
    return parts.map(({ start, end, capacity }) => {
      const graph = VectorIndex.emptyGraph(this.dim, capacity);
      const point = new Array<number>(this.dim);
      for (let row = start; row < end; row++) {
        for (let j = 0; j < this.dim; j++) point[j] = rows[row * this.dim + j]!;
        graph.addPoint(point, labels[row]!, false);
      }
      return graph;
    });
  }

  /**
   * An index of these vectors, built as a rebuild builds it (graphs side by side on worker threads),
   * held in memory until `save`: for the benchmark, which measures what the app runs.
   */
  static async build(dir: string, model: string, dim: number, vectors: Array<{ photoId: number; vector: Float32Array }>, options: VectorIndexOptions): Promise<VectorIndex> {
    const vi = new VectorIndex(dir, model, dim, options);
    const layout = new RowLayout(
      vectors.map((v) => v.photoId),
      shardCount(vectors.length, options.shardSize),
      dim,
    );
    for (const { photoId, vector } of vectors) layout.put(photoId, vector);
    await vi.buildInParallel(layout.done(0), undefined);
    return vi;
  }

  /** Builds the index from the catalogue's vectors, in parallel when it makes several graphs. */
  private async rebuildInParallel(catalog: Catalog): Promise<void> {
    await this.buildInParallel(this.rowsFromCatalogue(catalog), undefined);
  }

  /**
   * The graphs side by side on worker threads (hnswlib's addPoint is synchronous, so one graph per
   * thread): each thread writes its graph to a scratch folder and this one reads them back. An index of
   * one graph is built on this thread, as before.
   */
  private async buildInParallel(rows: RebuildRows, signal: AbortSignal | undefined): Promise<void> {
    if (rows.parts.length === 1) return this.rebuilt(rows.seq, this.graphsFrom(rows), rows.labels);
    const scratch = mkdtempSync(join(tmpdir(), 'glimpse-index-'));
    try {
      const parts = rows.parts.map((part, i) => ({ ...part, file: join(scratch, `${i}.hnsw`) }));
      try {
        await buildGraphs(
          rows.rows.buffer as SharedArrayBuffer,
          rows.labels.buffer as SharedArrayBuffer,
          this.dim,
          parts,
          { m: HNSW.m, efConstruction: HNSW.efConstruction, randomSeed: 100 },
          undefined,
          signal,
        );
      } catch (error) {
        if (signal?.aborted) throw error;
        // No worker threads here (or one failed): the same graphs, built one after the other on this thread.
        return this.rebuilt(rows.seq, this.graphsFrom(rows), rows.labels);
      }
      this.rebuilt(rows.seq, await this.readGraphs(parts.map((p) => p.file)), rows.labels);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  /**
   * Catches up with the catalogue: applies every vector written or deleted after the position the index
   * covers (by this process or another). Cheap when nothing changed: one look at the log's end.
   */
  refresh(catalog: Catalog): { added: number; removed: number } {
    const { seq, changes } = catalog.vectorChanges(this.model, this.seq);
    if (seq < this.seq) {
      // The log went backwards: the catalogue was restored from a backup or replaced.
      this.rebuild(catalog);
      this.moments.load(catalog);
      this.rebuildReason = 'the catalogue was restored or replaced';
      return { added: this.live.size, removed: 0 };
    }
    let added = 0;
    let removed = 0;
    for (const change of changes) {
      if (change.vector) {
        this.add(change.photoId, change.vector);
        added++;
      } else if (this.live.has(change.photoId)) {
        this.remove(change.photoId);
        removed++;
      }
    }
    this.moments.update(
      catalog,
      changes.map((c) => c.photoId),
    );
    this.seq = seq;
    return { added, removed };
  }

  add(id: number, vector: Float32Array): void {
    if (vector.length !== this.dim) throw new Error(`vector of ${vector.length} dimensions for a ${this.dim}-d index`);
    const point = Array.from(vector);
    const g = this.graphIndex(id);
    const graph = this.graphs[g]!;
    if (this.live.has(id)) {
      graph.addPoint(point, id, false); // an existing live label: updated in place
    } else if (this.revive(graph, id)) {
      graph.addPoint(point, id, false);
      this.live.add(id);
      this.liveIn[g]!++;
    } else {
      const slots = graph.getCurrentCount();
      const vacant = slots - this.liveIn[g]!;
      if (vacant === 0 && slots >= graph.getMaxElements()) graph.resizeIndex(Math.max(1024, graph.getMaxElements() * 2));
      graph.addPoint(point, id, true); // a new label: a deleted label's slot is reused when there is one
      this.live.add(id);
      this.liveIn[g]!++;
    }
    this.dirty = true;
  }

  /** Un-deletes a label the graph still holds; false when the graph does not hold it. */
  private revive(graph: Graph, id: number): boolean {
    try {
      graph.unmarkDelete(id);
      return true;
    } catch (error) {
      if (error instanceof Error && /Label not found/.test(error.message)) return false;
      throw error;
    }
  }

  remove(id: number): void {
    if (!this.live.has(id)) return;
    const g = this.graphIndex(id);
    this.graphs[g]!.markDelete(id);
    this.live.delete(id);
    this.liveIn[g]!--;
    this.dirty = true;
  }

  /**
   * Nearest photos by cosine similarity; `allowed` restricts the search to those ids (filters). Each
   * graph is searched at `efFor` its size and k, and the answers merged; a filter that allows few
   * photos is answered exactly, from the catalogue's copies of their vectors when `catalog` is given.
   */
  search(query: Float32Array, k: number, allowed?: ReadonlySet<number>, catalog?: Catalog): Neighbour[] {
    const n = Math.min(k, allowed ? allowed.size : this.live.size, this.live.size);
    if (n <= 0) return [];
    if (allowed && allowed.size <= EXACT_FILTER_LIMIT) return catalog ? this.exactFromCatalogue(query, n, allowed, catalog) : this.exactAmong(query, n, allowed);
    const point = Array.from(query);
    let bits: AllowedBits | undefined;
    const filter = allowed ? { set: allowed, bits: () => (bits ??= new AllowedBits(allowed)) } : undefined;
    // Graphs on threads of their own are searched while this thread searches its own graph.
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

  /**
   * The `k` nearest photos to a photo already in the index (itself left out), from the graphs' own
   * copies of its vector, searched at a small `ef`: near-duplicates are far closer to each other than to
   * anything else, so a narrow search finds them, at a fraction of what a query's wide search costs.
   * Empty when the photo has no vector here; `vector` is its vector, when the caller has it at hand.
   */
  neighboursOf(id: number, k: number, ef: number, vector?: Float32Array): Neighbour[] {
    if (!this.live.has(id)) return [];
    // The caller's copy of the vector, when it has one, costs a fraction of asking the graph for it.
    const point = vector ? Array.from(vector) : this.graphs[this.graphIndex(id)]!.getPoint(id);
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

  /** The exact top n among the allowed photos that have a vector here, scored on the catalogue's copies. */
  exactFromCatalogue(query: Float32Array, n: number, allowed: ReadonlySet<number>, catalog: Catalog): Neighbour[] {
    const ids: number[] = [];
    for (const id of allowed) if (this.live.has(id)) ids.push(id);
    ids.sort((a, b) => a - b); // the catalogue's rows in key order
    const scored: Neighbour[] = [];
    catalog.scanVectors(this.model, ids, (id, v) => scored.push({ id, similarity: similarity(query, v) }));
    return topExact(scored, n);
  }

  /** The exact top n among the allowed photos that have a vector here, from the graphs' own copies. */
  private exactAmong(query: Float32Array, n: number, allowed: ReadonlySet<number>): Neighbour[] {
    const scored: Neighbour[] = [];
    const byGraph = this.graphs.map((): number[] => []);
    for (const id of allowed) if (this.live.has(id)) byGraph[this.graphIndex(id)]!.push(id);
    byGraph.forEach((ids, g) => {
      if (ids.length === 0) return;
      pointsOf(this.graphs[g]!, ids).forEach((v, j) => scored.push({ id: ids[j]!, similarity: similarity(query, v) }));
    });
    return topExact(scored, n);
  }

  /**
   * Writes a new generation of the index files and then points the sidecar at it (an atomic rename), so
   * a crash never leaves a half-written index in use; older generations are removed after. Only a
   * writable index (the process holding the library's write lock) saves.
   */
  save(): void {
    if (!this.options.writable || (!this.dirty && existsSync(this.file))) return;
    // Graphs loaded on trust are written out only once `verify` has checked them (it saves after).
    if (this.unchecked.length > 0) return;
    mkdirSync(this.dir, { recursive: true });
    const generation = `${this.seq}-${randomBytes(4).toString('hex')}`;
    const graphFiles = this.graphs.map((_, i) => this.dataPath(generation, 'hnsw', this.graphs.length === 1 ? undefined : i));
    const liveFile = this.dataPath(generation, 'live');
    const tmp = `${this.file}.tmp-${process.pid}`;
    try {
      this.writeGeneration(generation, graphFiles, liveFile, tmp);
    } catch (error) {
      // A full disk, say: leave the last complete generation in use and no half-written files behind.
      for (const f of [...graphFiles, liveFile, tmp]) rmSync(f, { force: true });
      throw error;
    }
    this.dirty = false;
    this.removeOtherGenerations(generation);
  }

  private writeGeneration(generation: string, graphFiles: string[], liveFile: string, tmp: string): void {
    this.graphs.forEach((graph, i) => graph.writeIndexSync(graphFiles[i]!));
    const live = new Uint8Array(this.live.toArray().buffer);
    writeFileSync(liveFile, live);
    for (const f of graphFiles) flush(f);
    flush(liveFile);
    const described: GraphFile[] = this.graphs.map((graph, i) => {
      const stat = statSync(graphFiles[i]!);
      return { elements: graph.getCurrentCount(), bytes: stat.size, sha256: fileSha256(graphFiles[i]!), ino: stat.ino, mtimeMs: stat.mtimeMs };
    });
    const common = { model: this.model, dim: this.dim, seq: this.seq, generation, count: this.live.size, liveSha256: createHash('sha256').update(live).digest('hex') };
    const one = described[0]!;
    const sidecar: Sidecar | SidecarV3 =
      described.length === 1
        ? { format: 2, ...common, elements: one.elements, bytes: one.bytes, graphSha256: one.sha256, graphIno: one.ino, graphMtimeMs: one.mtimeMs }
        : { format: 3, ...common, graphs: described };
    writeFileSync(tmp, JSON.stringify(sidecar));
    flush(tmp);
    renameSync(tmp, this.file);
    flush(this.dir);
  }

  private removeOtherGenerations(keep: string): void {
    const ours = new RegExp(`^${this.model.replace(/[.]/g, '\\.')}(@[\\w-]+(\\.\\d+)?\\.(hnsw|live)|\\.hnsw(\\.json)?|\\.json\\.tmp-\\d+)$`);
    for (const name of readdirSync(this.dir)) {
      if (ours.test(name) && !name.startsWith(`${this.model}@${keep}.`)) rmSync(join(this.dir, name), { force: true });
    }
  }
}
