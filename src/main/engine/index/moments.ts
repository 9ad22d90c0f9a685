import type { Catalog } from '../catalog/catalog.js';
import { SimdMatrix } from './simd-dots.js';
import { VectorStore } from './vector-store.js';

/** A video's best moment for a query: the frame most like it. */
export interface Moment {
  id: number;
  similarity: number;
  /** Seconds from the start of the video. */
  at: number;
  /** The frame's number (its thumbnail). */
  frame: number;
}

/**
 * The sampled frames of every video for one model, searched exactly, each video answering with its best
 * frame. The frames are rows of one matrix in WebAssembly memory (`SimdMatrix`, with each row's video,
 * frame number and time beside it), read straight from the catalogue into it at open and scored four
 * floats at a time: against hnswlib's brute-force index used before (each vector crossed into it as a
 * JavaScript array of numbers, and a second copy was kept here) it loads five times faster in a third
 * of the memory (`npm run bench -- --moments`, docs/PERFORMANCE.md "Videos"). Like the HNSW graphs it is a cache of the
 * catalogue (`video_frames`), kept up to date by the same vector log (a video's frames are written in
 * the transaction that writes its pooled vector), so it always holds exactly the catalogue's frames;
 * it is never saved.
 */
export class VideoMoments {
  private readonly matrix: SimdMatrix;
  private videoOf = new Float64Array(256);
  private frameOf = new Int32Array(256);
  private timeOf = new Float64Array(256);
  private count = 0;
  /** Each video's rows. */
  private byVideo = new Map<number, number[]>();

  constructor(
    private readonly model: string,
    private readonly dim: number,
  ) {
    this.matrix = new SimdMatrix(dim);
  }

  get videoCount(): number {
    return this.byVideo.size;
  }

  get frameCount(): number {
    return this.count;
  }

  /** Room for `rows` frames (grown by doubling, so adding frame by frame stays linear). */
  private reserve(rows: number): void {
    this.matrix.reserve(rows);
    const capacity = this.videoOf.length;
    if (rows <= capacity) return;
    const size = Math.max(rows, capacity * 2);
    const grow = <T extends Float64Array | Int32Array>(old: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(old.subarray(0, this.count));
      return next;
    };
    this.videoOf = grow(this.videoOf, (n) => new Float64Array(n));
    this.frameOf = grow(this.frameOf, (n) => new Int32Array(n));
    this.timeOf = grow(this.timeOf, (n) => new Float64Array(n));
  }

  private add(photoId: number, idx: number, t: number, vector: Float32Array): void {
    if (vector.length !== this.dim) throw new Error(`frame vector of ${vector.length} dimensions for a ${this.dim}-d index`);
    this.reserve(this.count + 1);
    const row = this.count++;
    this.matrix.set(row, vector);
    this.videoOf[row] = photoId;
    this.frameOf[row] = idx;
    this.timeOf[row] = t;
    const held = this.byVideo.get(photoId);
    if (held) held.push(row);
    else this.byVideo.set(photoId, [row]);
  }

  /** Removes a video's frames: each freed row takes the last row, so the rows stay contiguous. */
  private drop(photoId: number): void {
    const rows = this.byVideo.get(photoId);
    if (!rows) return;
    this.byVideo.delete(photoId);
    for (const row of rows.sort((a, b) => b - a)) {
      const last = --this.count;
      if (row === last) continue;
      const moved = this.videoOf[last]!;
      this.matrix.move(last, row);
      this.videoOf[row] = moved;
      this.frameOf[row] = this.frameOf[last]!;
      this.timeOf[row] = this.timeOf[last]!;
      const movedRows = this.byVideo.get(moved)!;
      movedRows[movedRows.indexOf(last)] = row;
    }
  }

  /** Every frame of the catalogue, afresh. */
  load(catalog: Catalog): void {
    const vectorStore = new VectorStore(catalog);
    this.count = 0;
    this.byVideo = new Map();
    this.reserve(vectorStore.frameCount(this.model));
    vectorStore.eachFrame(this.model, (photoId, idx, t, vector) => this.add(photoId, idx, t, vector));
  }

  /** These items' vectors changed (the vector log said so): their frames are read again. */
  update(catalog: Catalog, ids: readonly number[]): void {
    if (ids.length === 0) return;
    for (const id of ids) this.drop(id);
    for (const f of new VectorStore(catalog).frames(this.model, ids)) this.add(f.photoId, f.idx, f.t, f.vector);
  }

  /** Each video's best frame for the query (allowed: only these ids), best first. */
  best(query: Float32Array, allowed?: ReadonlySet<number>): Moment[] {
    if (this.count === 0) return [];
    const scores = this.matrix.scores(query, this.count);
    const out: Moment[] = [];
    for (const [photoId, held] of this.byVideo) {
      if (allowed && !allowed.has(photoId)) continue;
      let bestRow = held[0]!;
      for (const row of held) {
        if (scores[row]! > scores[bestRow]! || (scores[row] === scores[bestRow] && this.frameOf[row]! < this.frameOf[bestRow]!)) bestRow = row;
      }
      // The similarity hnswlib reports for the pooled vectors: 1 - (1 - dot) in single precision.
      out.push({ id: photoId, similarity: 1 - Math.fround(1 - scores[bestRow]!), at: this.timeOf[bestRow]!, frame: this.frameOf[bestRow]! });
    }
    return out.sort((a, b) => b.similarity - a.similarity || a.id - b.id);
  }

  /** What it holds, for the invariant checks: per video, its frames' times and vectors, in frame order. */
  snapshot(): Map<number, Array<{ t: number; vector: Float32Array }>> {
    const out = new Map<number, Array<{ t: number; vector: Float32Array }>>();
    for (const [id, held] of this.byVideo) {
      const frames = [...held].sort((a, b) => this.frameOf[a]! - this.frameOf[b]!);
      out.set(
        id,
        frames.map((row) => ({ t: this.timeOf[row]!, vector: this.matrix.vector(row) })),
      );
    }
    return out;
  }
}
