import hnswlib from 'hnswlib-node';
import type { Catalog, FrameRow } from '../catalog/catalog.js';

/** A video's best moment for a query: the frame most like it. */
export interface Moment {
  id: number;
  similarity: number;
  /** Seconds from the start of the video. */
  at: number;
  /** The frame's number (its thumbnail). */
  frame: number;
}

interface HeldFrame {
  photoId: number;
  idx: number;
  t: number;
  vector: Float32Array;
}

/** Frames compared with a query at most: the best frames of at least this / 64 videos (more when their frames are further down). */
const FRAME_POOL = 8192;

/**
 * The sampled frames of every video for one model, searched exactly (hnswlib's brute-force index, SIMD
 * inner products in C++: 64,000 frames of 512 dimensions in about 17 ms on a busy 2-core machine, 4-6x
 * our JavaScript loop), each video answering with its best frame. Like the HNSW graphs it is a cache of
 * the catalogue (`video_frames`), loaded from it at open and kept up to date by the same vector log (a
 * video's frames are written in the transaction that writes its pooled vector), so it always holds
 * exactly the catalogue's frames; it is never saved. Labels are this process's own frame numbers,
 * mapped to (video, frame, time).
 */
export class VideoMoments {
  private frames = new Map<number, HeldFrame>();
  private byVideo = new Map<number, number[]>();
  private nextLabel = 0;
  private index: hnswlib.BruteforceSearch;

  constructor(
    private readonly model: string,
    private readonly dim: number,
  ) {
    this.index = this.emptyIndex(1024);
  }

  private emptyIndex(capacity: number): hnswlib.BruteforceSearch {
    const index = new hnswlib.BruteforceSearch('ip', this.dim);
    index.initIndex(capacity);
    return index;
  }

  get videoCount(): number {
    return this.byVideo.size;
  }

  get frameCount(): number {
    return this.frames.size;
  }

  private add(rows: readonly FrameRow[]): void {
    if (this.index.getCurrentCount() + rows.length > this.index.getMaxElements()) {
      // Full: a larger index with the frames held now (the brute-force index cannot grow in place).
      const index = this.emptyIndex(Math.max(1024, 2 * (this.frames.size + rows.length)));
      for (const [label, f] of this.frames) index.addPoint(Array.from(f.vector), label);
      this.index = index;
    }
    for (const row of rows) {
      if (row.vector.length !== this.dim) throw new Error(`frame vector of ${row.vector.length} dimensions for a ${this.dim}-d index`);
      const label = this.nextLabel++;
      this.index.addPoint(Array.from(row.vector), label);
      this.frames.set(label, { photoId: row.photoId, idx: row.idx, t: row.t, vector: row.vector });
      this.byVideo.set(row.photoId, [...(this.byVideo.get(row.photoId) ?? []), label]);
    }
  }

  private drop(photoId: number): void {
    for (const label of this.byVideo.get(photoId) ?? []) {
      this.index.removePoint(label);
      this.frames.delete(label);
    }
    this.byVideo.delete(photoId);
  }

  /** Every frame of the catalogue, afresh. */
  load(catalog: Catalog): void {
    const { frames } = catalog.allFrames(this.model);
    this.frames = new Map();
    this.byVideo = new Map();
    this.index = this.emptyIndex(Math.max(1024, frames.length));
    this.add(frames);
  }

  /** These items' vectors changed (the vector log said so): their frames are read again. */
  update(catalog: Catalog, ids: readonly number[]): void {
    if (ids.length === 0) return;
    for (const id of ids) this.drop(id);
    this.add(catalog.frames(this.model, ids));
  }

  /** Each video's best frame for the query (allowed: only these ids), best first. */
  best(query: Float32Array, allowed?: ReadonlySet<number>): Moment[] {
    if (this.frames.size === 0) return [];
    const filter = allowed ? (label: number) => allowed.has(this.frames.get(label)?.photoId ?? 0) : undefined;
    const { neighbors, distances } = this.index.searchKnn(Array.from(query), Math.min(this.frames.size, FRAME_POOL), filter);
    const out = new Map<number, Moment>();
    neighbors.forEach((label, i) => {
      const f = this.frames.get(label)!;
      // Neighbours come best first: a video's first is its best frame.
      if (!out.has(f.photoId)) out.set(f.photoId, { id: f.photoId, similarity: 1 - distances[i]!, at: f.t, frame: f.idx });
    });
    return [...out.values()].sort((a, b) => b.similarity - a.similarity || a.id - b.id);
  }

  /** What it holds, for the invariant checks: per video, its frames' times and vectors, in frame order. */
  snapshot(): Map<number, Array<{ t: number; vector: Float32Array }>> {
    const out = new Map<number, Array<{ t: number; vector: Float32Array }>>();
    for (const [id, labels] of this.byVideo) {
      const frames = labels.map((l) => this.frames.get(l)!).sort((a, b) => a.idx - b.idx);
      out.set(
        id,
        frames.map((f) => ({ t: f.t, vector: f.vector })),
      );
    }
    return out;
  }
}
