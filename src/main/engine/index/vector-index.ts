import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import type { Catalog } from '../catalog/catalog.js';

/** HNSW parameters, shared with the benchmark so it measures what the app runs. */
export const HNSW = { m: 16, efConstruction: 200, efSearch: 256 } as const;

/** Written last, atomically: it names the one generation of data files that belong together. */
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

/** SHA-256 of a file, read in chunks (a 1M-photo graph is gigabytes; hashing runs at about 1 GB/s). */
function fileSha256(path: string): string {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(8 << 20);
  const fd = openSync(path, 'r');
  try {
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0;) hash.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
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
}

/** How many live vectors are compared with the catalogue when a saved index is loaded. */
const SPOT_CHECKS = 8;

/**
 * The HNSW index of one model's vectors, labelled by photo id. The catalogue is the truth; the index
 * files are a cache of it that is never trusted blindly: on open they are checked (sizes, the live set
 * against the graph's labels, a sample of vectors against the catalogue) and brought up to date from
 * the catalogue's vector log; anything that does not add up is rebuilt from the catalogue.
 *
 * Files in `dir`: `<model>.json` (the sidecar) names a generation `<model>@<gen>.hnsw` (the graph) and
 * `<model>@<gen>.live` (the live labels, float64). Data files are written first and the sidecar renamed
 * over the old one last, so a crash at any point leaves a complete old or new generation.
 *
 * Label updates never corrupt the graph: a live label is updated in place; a deleted label still in
 * the graph is revived and updated in place; only a label the graph has never held (or has forgotten,
 * when its slot was reused) takes a vacant slot. (Adding a deleted label through the slot-reuse path
 * would leave it in two slots, and a later reuse of the old one would lose it.)
 */
export class VectorIndex {
  private index: hnswlib.HierarchicalNSW;
  private live = new Set<number>();
  private seq = 0;
  private dirty = false;
  /** How the index came to be on open, for status reports and tests. */
  origin: 'loaded' | 'rebuilt' | 'new' = 'new';
  /** Why a saved index was not used (null when it was, or there was none to use). */
  rebuildReason: string | null = null;
  private triedGeneration: string | undefined;

  private constructor(
    readonly dir: string,
    readonly model: string,
    readonly dim: number,
    private options: VectorIndexOptions,
  ) {
    this.index = VectorIndex.emptyGraph(dim, 1024);
  }

  private static emptyGraph(dim: number, capacity: number): hnswlib.HierarchicalNSW {
    const graph = new hnswlib.HierarchicalNSW('ip', dim);
    graph.initIndex({ maxElements: capacity, m: HNSW.m, efConstruction: HNSW.efConstruction, randomSeed: 100, allowReplaceDeleted: true });
    graph.setEf(HNSW.efSearch);
    return graph;
  }

  /**
   * Opens the saved index, or rebuilds it from the catalogue. The graph is read on libuv's thread pool,
   * so a caller can do other start-up work meanwhile (`glimpse search` opens the text encoder).
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
      vi.rebuild(catalog);
      vi.rebuildReason = problem;
      vi.save(); // a rebuild is the expensive case: never do it twice
    }
    return vi;
  }

  /** The sidecar file; its data files sit beside it. */
  get file(): string {
    return join(this.dir, `${this.model}.json`);
  }

  /** The graph file of the saved generation, if any (for doctor and fault-injection tests). */
  get dataFile(): string | null {
    const sidecar = this.readSidecar();
    return sidecar ? this.dataPath(sidecar.generation, 'hnsw') : null;
  }

  get size(): number {
    return this.live.size;
  }

  /** This process took the library's write lock: from now on it saves the index. */
  makeWritable(): void {
    this.options = { ...this.options, writable: true };
  }

  private dataPath(generation: string, kind: 'hnsw' | 'live'): string {
    return join(this.dir, `${this.model}@${generation}.${kind}`);
  }

  private readSidecar(): Sidecar | null {
    try {
      const s = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<Sidecar>;
      if (s.format !== 2 || typeof s.generation !== 'string' || !/^[\w-]+$/.test(s.generation)) return null;
      return s as Sidecar;
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
    const graphFile = this.dataPath(sidecar.generation, 'hnsw');
    const liveFile = this.dataPath(sidecar.generation, 'live');
    try {
      const graphStat = statSync(graphFile);
      if (graphStat.size !== sidecar.bytes) return 'its graph file has the wrong size';
      const liveBytes = readFileSync(liveFile);
      if (liveBytes.byteLength !== sidecar.count * 8) return 'its live-set file has the wrong size';
      if (createHash('sha256').update(liveBytes).digest('hex') !== sidecar.liveSha256) return 'its live-set file is damaged (checksum)';
      // The writer reads the whole graph to check it (about 1 GB/s); a reader (every `glimpse search`)
      // does only when the file is not exactly the one the writer wrote (inode, mtime and size).
      const untouched = graphStat.ino === sidecar.graphIno && graphStat.mtimeMs === sidecar.graphMtimeMs;
      if ((this.options.writable || !untouched) && fileSha256(graphFile) !== sidecar.graphSha256) return 'its graph file is damaged (checksum)';
      const graph = new hnswlib.HierarchicalNSW('ip', this.dim);
      await graph.readIndex(graphFile, true);
      if (graph.getNumDimensions() !== this.dim || graph.getCurrentCount() !== sidecar.elements) return 'its graph does not match its description';
      const labels = new Set(graph.getIdsList());
      const live = new Float64Array(liveBytes.buffer, liveBytes.byteOffset, sidecar.count);
      for (const id of live) if (!labels.has(id)) return `its live set names photo ${id}, which the graph does not hold`;
      if (sidecar.seq > catalog.lastVectorSeq()) return 'it is ahead of the catalogue (the catalogue was restored or replaced)';
      graph.setEf(HNSW.efSearch);
      this.index = graph;
      this.live = new Set(live);
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
    const ids = [...this.live];
    for (let i = 0; i < Math.min(SPOT_CHECKS, ids.length); i++) {
      const id = ids[Math.floor((i * ids.length) / Math.min(SPOT_CHECKS, ids.length))]!;
      const truth = catalog.vector(id, this.model);
      const held = this.index.getPoint(id);
      if (!truth || truth.length !== held.length || truth.some((x, k) => Math.fround(x) !== Math.fround(held[k]!)))
        return `its vector for photo ${id} differs from the catalogue's`;
    }
    return null;
  }

  private reset(): void {
    this.index = VectorIndex.emptyGraph(this.dim, 1024);
    this.live = new Set();
    this.seq = 0;
  }

  /** Builds the index from the catalogue's vectors (one snapshot, so the log position matches them). */
  private rebuild(catalog: Catalog): void {
    const { seq, vectors } = catalog.allVectors(this.model);
    this.index = VectorIndex.emptyGraph(this.dim, Math.max(1024, Math.ceil(vectors.length * 1.25)));
    this.live = new Set();
    for (const { photoId, vector } of vectors) this.add(photoId, vector);
    this.seq = seq;
    this.dirty = true;
    this.origin = 'rebuilt';
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
    this.seq = seq;
    return { added, removed };
  }

  add(id: number, vector: Float32Array): void {
    if (vector.length !== this.dim) throw new Error(`vector of ${vector.length} dimensions for a ${this.dim}-d index`);
    const point = Array.from(vector);
    if (this.live.has(id)) {
      this.index.addPoint(point, id, false); // an existing live label: updated in place
    } else if (this.revive(id)) {
      this.index.addPoint(point, id, false);
      this.live.add(id);
    } else {
      const slots = this.index.getCurrentCount();
      const vacant = slots - this.live.size;
      if (vacant === 0 && slots >= this.index.getMaxElements()) this.index.resizeIndex(Math.max(1024, this.index.getMaxElements() * 2));
      this.index.addPoint(point, id, true); // a new label: a deleted label's slot is reused when there is one
      this.live.add(id);
    }
    this.dirty = true;
  }

  /** Un-deletes a label the graph still holds; false when the graph does not hold it. */
  private revive(id: number): boolean {
    try {
      this.index.unmarkDelete(id);
      return true;
    } catch (error) {
      if (error instanceof Error && /Label not found/.test(error.message)) return false;
      throw error;
    }
  }

  remove(id: number): void {
    if (!this.live.has(id)) return;
    this.index.markDelete(id);
    this.live.delete(id);
    this.dirty = true;
  }

  /** Nearest photos by cosine similarity; `allowed` restricts the search to those ids (filters). */
  search(query: Float32Array, k: number, allowed?: ReadonlySet<number>): Neighbour[] {
    const n = Math.min(k, allowed ? allowed.size : this.live.size, this.live.size);
    if (n <= 0) return [];
    this.index.setEf(Math.max(HNSW.efSearch, n));
    const filter = allowed ? (label: number) => allowed.has(label) : undefined;
    const { neighbors, distances } = this.index.searchKnn(Array.from(query), n, filter);
    return neighbors.map((id, i) => ({ id, similarity: 1 - distances[i]! }));
  }

  /**
   * Writes a new generation of the index files and then points the sidecar at it (an atomic rename), so
   * a crash never leaves a half-written index in use; older generations are removed after. Only a
   * writable index (the process holding the library's write lock) saves.
   */
  save(): void {
    if (!this.options.writable || (!this.dirty && existsSync(this.file))) return;
    mkdirSync(this.dir, { recursive: true });
    const generation = `${this.seq}-${randomBytes(4).toString('hex')}`;
    const graphFile = this.dataPath(generation, 'hnsw');
    const liveFile = this.dataPath(generation, 'live');
    const tmp = `${this.file}.tmp-${process.pid}`;
    try {
      this.writeGeneration(generation, graphFile, liveFile, tmp);
    } catch (error) {
      // A full disk, say: leave the last complete generation in use and no half-written files behind.
      for (const f of [graphFile, liveFile, tmp]) rmSync(f, { force: true });
      throw error;
    }
    this.dirty = false;
    this.removeOtherGenerations(generation);
  }

  private writeGeneration(generation: string, graphFile: string, liveFile: string, tmp: string): void {
    this.index.writeIndexSync(graphFile);
    const live = new Uint8Array(Float64Array.from(this.live).buffer);
    writeFileSync(liveFile, live);
    flush(graphFile);
    flush(liveFile);
    const graphStat = statSync(graphFile);
    const sidecar: Sidecar = {
      format: 2,
      model: this.model,
      dim: this.dim,
      seq: this.seq,
      generation,
      count: this.live.size,
      elements: this.index.getCurrentCount(),
      bytes: graphStat.size,
      graphSha256: fileSha256(graphFile),
      graphIno: graphStat.ino,
      graphMtimeMs: graphStat.mtimeMs,
      liveSha256: createHash('sha256').update(live).digest('hex'),
    };
    writeFileSync(tmp, JSON.stringify(sidecar));
    flush(tmp);
    renameSync(tmp, this.file);
    flush(this.dir);
  }

  private removeOtherGenerations(keep: string): void {
    const ours = new RegExp(`^${this.model.replace(/[.]/g, '\\.')}(@[\\w-]+\\.(hnsw|live)|\\.hnsw(\\.json)?|\\.json\\.tmp-\\d+)$`);
    for (const name of readdirSync(this.dir)) {
      if (ours.test(name) && !name.startsWith(`${this.model}@${keep}.`)) rmSync(join(this.dir, name), { force: true });
    }
  }
}
