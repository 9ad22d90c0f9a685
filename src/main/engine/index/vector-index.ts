import { existsSync } from 'node:fs';
import type { Catalog } from '../catalog/catalog.js';
import { fileSha256OnThread } from '../catalog/file-checks.js';
import { closeGraph, labelsOf } from './graph-thread.js';
import { GraphSet, type Neighbour, type RebuildRows, RowLayout, buildInParallel, graphsFrom, readGraphs, similarity, topExact } from './graph-set.js';
import { IdSet } from './id-set.js';
import { VideoMoments } from './moments.js';
import { SavedIndex, type UncheckedFile } from './saved-index.js';
import { VectorStore } from './vector-store.js';
import { errorText } from '../../../shared/error-text.js';

export { HNSW, type Neighbour, efFor } from './graph-set.js';

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
 * A filter that allows at most this many photos is answered by an exact scan of their vectors: the
 * catalogue's copies when the caller passes the catalogue (every search of the engine), else the graphs'
 * own. A filtered graph search of a small set walks most of the graph, and reading a vector back from a
 * graph costs five times reading it from the catalogue; past this size the filtered graphs answer
 * sooner (the crossover is measured by `npm run bench -- --filtered`, docs/PERFORMANCE.md).
 */
export const EXACT_FILTER_LIMIT = 2000;

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
 * The index is one graph, or (rebuilt at SHARD_SIZE and more) several (`GraphSet`: photo `id` lives in
 * graph `id % graphs`); graphs are built in parallel on worker threads when rebuilt; an index that
 * grows photo by photo keeps the number of graphs it has until it has outgrown them (`outgrown`,
 * `split`). Its files, their generations and checksums are `SavedIndex`'s.
 */
export class VectorIndex {
  /** The sampled frames of the videos, searched beside the graphs (pooled vectors live in the graphs). */
  readonly moments: VideoMoments;
  private graphs: GraphSet;
  private readonly saved: SavedIndex;
  private seq = 0;
  private dirty = false;
  /** How the index came to be on open, for status reports and tests. */
  origin: 'loaded' | 'rebuilt' | 'new' = 'new';
  /** Why a saved index was not used (null when it was, or there was none to use). */
  rebuildReason: string | null = null;
  private triedGeneration: string | undefined;
  /** Graph files loaded on trust (unchanged since written) whose checksums `verify` has still to check. */
  private unchecked: UncheckedFile[] = [];

  private constructor(
    readonly dir: string,
    readonly model: string,
    readonly dim: number,
    private options: VectorIndexOptions,
  ) {
    this.graphs = new GraphSet(dim);
    this.saved = new SavedIndex(dir, model, dim);
    this.moments = new VideoMoments(model, dim);
  }

  /**
   * Opens the saved index, or rebuilds it from the catalogue (several graphs on worker threads when it
   * is large). The graph is read on libuv's thread pool, so a caller can do other start-up work
   * meanwhile (`glimpse search` opens the text encoder).
   */
  static async open(dir: string, model: string, dim: number, catalog: Catalog, options: VectorIndexOptions): Promise<VectorIndex> {
    const vectorStore = new VectorStore(catalog);
    const vi = new VectorIndex(dir, model, dim, options);
    let problem = await vi.load(catalog);
    // The writer may have saved a new generation (and removed the one we started reading) meanwhile.
    if (problem !== null && problem !== 'none saved' && vi.saved.generation() !== vi.triedGeneration) problem = await vi.load(catalog);
    if (problem === null) {
      vi.origin = 'loaded';
    } else if (problem === 'none saved' && vectorStore.vectorCount(model) === 0) {
      vi.origin = 'new';
      vi.seq = vectorStore.lastVectorSeq();
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
    return this.saved.file;
  }

  /** The (first) graph file of the saved generation, if any (for doctor and fault-injection tests). */
  get dataFile(): string | null {
    return this.saved.dataFile;
  }

  get size(): number {
    return this.graphs.size;
  }

  /** How many graphs the index is split into. */
  get graphCount(): number {
    return this.graphs.count;
  }

  /** How many of the graphs are held by threads of their own (all but the first, when threads can be started). */
  get graphThreads(): number {
    return this.graphs.threads;
  }

  /** This process took the library's write lock: from now on it saves the index. */
  makeWritable(): void {
    this.options = { ...this.options, writable: true };
  }

  /** Takes these graphs as the index's, freeing the threads of those they replace. */
  private useGraphs(graphs: GraphSet): void {
    this.graphs.close(graphs.all);
    this.graphs = graphs;
  }

  /** Loads and checks the saved index (sizes, checksums, labels, log position, then a sample against the catalogue); null when it is usable, else why not. */
  private async load(catalog: Catalog): Promise<string | null> {
    try {
      const saved = await this.saved.read(!!this.options.writable && !this.options.checksumsAfterOpen, (generation) => (this.triedGeneration = generation));
      if (typeof saved === 'string') return saved;
      const graphs = await readGraphs(
        saved.graphs.map((g) => g.file),
        this.dim,
        this.options.graphThreads !== false,
      );
      const problem = ((): string | null => {
        if (graphs.some((graph, i) => graph.getNumDimensions() !== this.dim || graph.getCurrentCount() !== saved.graphs[i]!.elements))
          return 'its graph does not match its description';
        const labels = graphs.map((graph) => new IdSet(labelsOf(graph)));
        for (const id of saved.live) {
          const g = graphs.length === 1 ? 0 : id % graphs.length;
          if (!labels[g]!.has(id)) return `its live set names photo ${id}, which the graph does not hold`;
        }
        if (saved.seq > new VectorStore(catalog).lastVectorSeq()) return 'it is ahead of the catalogue (the catalogue was restored or replaced)';
        return null;
      })();
      if (problem) {
        graphs.forEach(closeGraph);
        return problem;
      }
      this.useGraphs(new GraphSet(this.dim, graphs, saved.live));
      this.unchecked = saved.trusted;
      this.seq = saved.seq;
    } catch (error) {
      this.reset();
      return `it could not be read (${errorText(error)})`;
    }
    this.refresh(catalog);
    const problem = this.disagreement(catalog);
    if (problem) this.reset();
    return problem;
  }

  /** After catching up, the index must hold exactly the catalogue's vectors; checked by count and by sample. */
  private disagreement(catalog: Catalog): string | null {
    const vectorStore = new VectorStore(catalog);
    const expected = vectorStore.vectorCount(this.model);
    if (expected !== this.graphs.size) return `it holds ${this.graphs.size} vectors where the catalogue has ${expected}`;
    for (const id of spotChecked(this.graphs.live())) {
      const truth = vectorStore.vector(id, this.model);
      const held = this.graphs.pointOf(id);
      if (!truth || truth.length !== held.length || truth.some((x, k) => Math.fround(x) !== Math.fround(held[k]!)))
        return `its vector for photo ${id} differs from the catalogue's`;
    }
    return null;
  }

  /** Frees the threads that hold graphs (an index of one graph holds none); the index is not used after. */
  close(): void {
    this.graphs.close();
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
    this.useGraphs(new GraphSet(this.dim));
    this.seq = 0;
  }

  /** The graphs hold more than OUTGROWN times SHARD_SIZE each (the writer's index only): `split` pays. */
  outgrown(): boolean {
    return this.options.writable && this.graphs.size > this.graphs.count * (this.options.shardSize ?? defaultShardSize()) * OUTGROWN;
  }

  /**
   * Rebuilds an outgrown index from the catalogue into the graphs a rebuild of its size makes, on
   * worker threads; the old graphs answer searches meanwhile, and changes made meanwhile are caught up
   * from the vector log (the new graphs stand at the snapshot's log position). True when it split;
   * false when there was nothing to split or `signal` aborted it (the index is then as it was).
   */
  async split(catalog: Catalog, signal?: AbortSignal): Promise<boolean> {
    if (!this.outgrown()) return false;
    const before = this.graphs.count;
    if (this.graphCountFor(new VectorStore(catalog).vectorCount(this.model)) <= before) return false;
    const rows = this.rowsFromCatalogue(catalog);
    try {
      await this.buildFrom(rows, signal);
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
   * them held (docs/PERFORMANCE.md, "Recall at scale": a rebuild's peak memory).
   */
  private rowsFromCatalogue(catalog: Catalog): RebuildRows {
    const vectorStore = new VectorStore(catalog);
    return catalog.snapshot(() => {
      const seq = vectorStore.lastVectorSeq();
      const ids = vectorStore.vectorIds(this.model);
      const layout = new RowLayout(ids, this.graphCountFor(ids.length), this.dim);
      vectorStore.eachVector(this.model, (photoId, vector) => layout.put(photoId, vector));
      return layout.done(seq);
    });
  }

  private rebuilt(rows: RebuildRows, graphs: GraphSet): void {
    this.unchecked = []; // built from the catalogue: nothing loaded on trust is left
    this.useGraphs(graphs);
    this.seq = rows.seq;
    this.dirty = true;
    this.origin = 'rebuilt';
  }

  /** Builds the index from the catalogue's vectors on this thread (a restored catalogue found by `refresh`). */
  private rebuild(catalog: Catalog): void {
    const rows = this.rowsFromCatalogue(catalog);
    this.rebuilt(rows, new GraphSet(this.dim, graphsFrom(rows, this.dim), rows.labels));
  }

  /** Builds these rows' graphs in parallel when they make several, and takes them. */
  private async buildFrom(rows: RebuildRows, signal: AbortSignal | undefined): Promise<void> {
    const graphs = await buildInParallel(rows, this.dim, this.options.graphThreads !== false, signal);
    this.rebuilt(rows, new GraphSet(this.dim, graphs, rows.labels));
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
    await vi.buildFrom(layout.done(0), undefined);
    return vi;
  }

  /** Builds the index from the catalogue's vectors, in parallel when it makes several graphs. */
  private async rebuildInParallel(catalog: Catalog): Promise<void> {
    await this.buildFrom(this.rowsFromCatalogue(catalog), undefined);
  }

  /**
   * Catches up with the catalogue: applies every vector written or deleted after the position the index
   * covers (by this process or another). Cheap when nothing changed: one look at the log's end.
   */
  refresh(catalog: Catalog): { added: number; removed: number } {
    const { seq, changes } = new VectorStore(catalog).vectorChanges(this.model, this.seq);
    if (seq < this.seq) {
      // The log went backwards: the catalogue was restored from a backup or replaced.
      this.rebuild(catalog);
      this.moments.load(catalog);
      this.rebuildReason = 'the catalogue was restored or replaced';
      return { added: this.graphs.size, removed: 0 };
    }
    let added = 0;
    let removed = 0;
    for (const change of changes) {
      if (change.vector) {
        this.add(change.photoId, change.vector);
        added++;
      } else if (this.graphs.has(change.photoId)) {
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
    this.graphs.add(id, vector);
    this.dirty = true;
  }

  remove(id: number): void {
    if (this.graphs.remove(id)) this.dirty = true;
  }

  /**
   * Nearest photos by cosine similarity; `allowed` restricts the search to those ids (filters). Each
   * graph is searched at `efFor` its size and k, and the answers merged; a filter that allows few
   * photos is answered exactly, from the catalogue's copies of their vectors when `catalog` is given.
   */
  search(query: Float32Array, k: number, allowed?: ReadonlySet<number>, catalog?: Catalog): Neighbour[] {
    const n = Math.min(k, allowed ? allowed.size : this.graphs.size, this.graphs.size);
    if (n <= 0) return [];
    if (allowed && allowed.size <= EXACT_FILTER_LIMIT) return catalog ? this.exactFromCatalogue(query, n, allowed, catalog) : this.graphs.exactAmong(query, n, allowed);
    return this.graphs.search(query, n, allowed);
  }

  /**
   * The `k` nearest photos to a photo already in the index (itself left out), from the graphs' own
   * copies of its vector, searched at a small `ef`: near-duplicates are far closer to each other than to
   * anything else, so a narrow search finds them, at a fraction of what a query's wide search costs.
   * Empty when the photo has no vector here; `vector` is its vector, when the caller has it at hand.
   */
  neighboursOf(id: number, k: number, ef: number, vector?: Float32Array): Neighbour[] {
    if (!this.graphs.has(id)) return [];
    // The caller's copy of the vector, when it has one, costs a fraction of asking the graph for it.
    return this.graphs.neighboursOf(id, vector ? Array.from(vector) : this.graphs.pointOf(id), k, ef);
  }

  /** The exact top n among the allowed photos that have a vector here, scored on the catalogue's copies. */
  exactFromCatalogue(query: Float32Array, n: number, allowed: ReadonlySet<number>, catalog: Catalog): Neighbour[] {
    const ids: number[] = [];
    for (const id of allowed) if (this.graphs.has(id)) ids.push(id);
    ids.sort((a, b) => a - b); // the catalogue's rows in key order
    const scored: Neighbour[] = [];
    new VectorStore(catalog).scanVectors(this.model, ids, (id, v) => scored.push({ id, similarity: similarity(query, v) }));
    return topExact(scored, n);
  }

  /**
   * Writes a new generation of the index files (`SavedIndex.write`: the sidecar renamed over the old one
   * last). Only a writable index (the process holding the library's write lock) saves.
   */
  save(): void {
    if (!this.options.writable || (!this.dirty && existsSync(this.saved.file))) return;
    // Graphs loaded on trust are written out only once `verify` has checked them (it saves after).
    if (this.unchecked.length > 0) return;
    this.saved.write(this.seq, this.graphs.all, this.graphs.live());
    this.dirty = false;
  }
}
