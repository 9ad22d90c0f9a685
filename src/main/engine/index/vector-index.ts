import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import hnswlib from 'hnswlib-node';
import type { Catalog } from '../catalog/catalog.js';

/** HNSW parameters, shared with the benchmark so it measures what the app runs. */
export const HNSW = { m: 16, efConstruction: 200, efSearch: 256 } as const;

interface Sidecar {
  model: string;
  dim: number;
  /** The catalogue's vector sequence number the saved index covers; newer vectors are added on load. */
  seq: number;
}

export interface Neighbour {
  id: number;
  /** Cosine similarity (vectors are L2-normalised). */
  similarity: number;
}

/**
 * The HNSW index of one model's vectors, labelled by photo id. It is derived data: the catalogue is
 * the truth, the index file is a cache of it. On open it is read from disk and brought up to date with
 * the catalogue (vectors added or removed since it was saved, perhaps by another process); a missing
 * or damaged file is rebuilt from the catalogue.
 */
export class VectorIndex {
  private index: hnswlib.HierarchicalNSW;
  private live = new Set<number>();
  private seq = 0;
  private dirty = false;
  /** How the index came to be on open, for status reports and tests. */
  origin: 'loaded' | 'rebuilt' | 'new' = 'new';

  private constructor(
    readonly file: string,
    readonly model: string,
    readonly dim: number,
  ) {
    this.index = new hnswlib.HierarchicalNSW('ip', dim);
  }

  static open(file: string, model: string, dim: number, catalog: Catalog): VectorIndex {
    const vi = new VectorIndex(file, model, dim);
    if (!vi.load()) {
      vi.index.initIndex({ maxElements: 1024, m: HNSW.m, efConstruction: HNSW.efConstruction, randomSeed: 100, allowReplaceDeleted: true });
      vi.origin = existsSync(file) ? 'rebuilt' : catalog.maxVectorSeq(model) > 0 ? 'rebuilt' : 'new';
    }
    vi.index.setEf(HNSW.efSearch);
    vi.refresh(catalog);
    return vi;
  }

  private get sidecarFile(): string {
    return `${this.file}.json`;
  }

  private load(): boolean {
    if (!existsSync(this.file) || !existsSync(this.sidecarFile)) return false;
    try {
      const sidecar = JSON.parse(readFileSync(this.sidecarFile, 'utf8')) as Sidecar;
      if (sidecar.model !== this.model || sidecar.dim !== this.dim) return false;
      this.index.readIndexSync(this.file, true);
      this.live = new Set(this.index.getIdsList());
      this.seq = sidecar.seq;
      this.origin = 'loaded';
      return true;
    } catch {
      this.index = new hnswlib.HierarchicalNSW('ip', this.dim);
      this.live.clear();
      this.seq = 0;
      return false;
    }
  }

  get size(): number {
    return this.live.size;
  }

  /** Catches up with the catalogue: adds vectors newer than the index, drops photos no longer there. */
  refresh(catalog: Catalog): { added: number; removed: number } {
    let added = 0;
    for (const { photoId, vector, seq } of catalog.vectors(this.model, this.seq)) {
      this.add(photoId, vector);
      this.seq = seq;
      added++;
    }
    let removed = 0;
    // Every search calls this: count first (an index scan), and list ids only when something was removed.
    if (catalog.vectorCount(this.model) !== this.live.size) {
      const keep = new Set(catalog.vectorIds(this.model));
      for (const id of [...this.live]) {
        if (!keep.has(id)) {
          this.remove(id);
          removed++;
        }
      }
    }
    return { added, removed };
  }

  add(id: number, vector: Float32Array): void {
    if (vector.length !== this.dim) throw new Error(`vector of ${vector.length} dimensions for a ${this.dim}-d index`);
    if (this.index.getCurrentCount() + 1 > this.index.getMaxElements()) this.index.resizeIndex(Math.max(1024, this.index.getMaxElements() * 2));
    if (this.live.has(id)) {
      this.index.markDelete(id);
      this.live.delete(id);
    }
    // A label that was deleted before is added again in place (replaceDeleted keeps the graph small).
    this.index.addPoint(Array.from(vector), id, true);
    try {
      this.index.unmarkDelete(id);
    } catch {
      // not marked deleted: nothing to undo
    }
    this.live.add(id);
    this.dirty = true;
  }

  remove(id: number): void {
    if (!this.live.has(id)) return;
    this.index.markDelete(id);
    this.live.delete(id);
    this.dirty = true;
  }

  /** Nearest photos by cosine similarity; `allowed` restricts the search to those ids (filters). */
  search(query: Float32Array, k: number, allowed?: ReadonlySet<number>): Neighbour[] {
    const n = Math.min(k, allowed ? allowed.size : this.live.size);
    if (n <= 0) return [];
    this.index.setEf(Math.max(HNSW.efSearch, n));
    const filter = allowed ? (label: number) => allowed.has(label) : undefined;
    const { neighbors, distances } = this.index.searchKnn(Array.from(query), n, filter);
    return neighbors.map((id, i) => ({ id, similarity: 1 - distances[i]! }));
  }

  /** Writes the index and its sidecar atomically (write aside, then rename), so a crash never leaves half a file. */
  save(): void {
    if (!this.dirty && existsSync(this.file)) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp-${process.pid}`;
    this.index.writeIndexSync(tmp);
    // The index is renamed before its sidecar: an index newer than its sidecar only re-adds a few
    // vectors on the next open, whereas a sidecar ahead of its index would skip some for good.
    writeFileSync(`${this.sidecarFile}.tmp-${process.pid}`, JSON.stringify({ model: this.model, dim: this.dim, seq: this.seq } satisfies Sidecar));
    renameSync(tmp, this.file);
    renameSync(`${this.sidecarFile}.tmp-${process.pid}`, this.sidecarFile);
    this.dirty = false;
  }

  static remove(file: string): void {
    rmSync(file, { force: true });
    rmSync(`${file}.json`, { force: true });
  }
}
