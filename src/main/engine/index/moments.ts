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

interface VideoFrames {
  times: number[];
  /** The frames' vectors, one after the other. */
  vectors: Float32Array;
}

/**
 * The sampled frames of every video for one model, held in memory and searched exactly: a query is
 * compared with every frame, and each video answers with its best frame. Like the HNSW index, it is a
 * cache of the catalogue (`video_frames`), loaded from it at open and kept up to date by the same
 * vector log (a video's frames are written in the transaction that writes its pooled vector), so it
 * always holds exactly the catalogue's frames. Exact search costs one dot product per frame: about
 * 1 ms per 10,000 frames of 128 dimensions (a few hundred videos), which is cheaper than a second
 * graph to keep and verify at the sizes a personal video library reaches; see ARCHITECTURE for where
 * that stops being true.
 */
export class VideoMoments {
  private videos = new Map<number, VideoFrames>();

  constructor(
    private readonly model: string,
    private readonly dim: number,
  ) {}

  get videoCount(): number {
    return this.videos.size;
  }

  get frameCount(): number {
    let n = 0;
    for (const v of this.videos.values()) n += v.times.length;
    return n;
  }

  private group(rows: readonly FrameRow[]): Map<number, VideoFrames> {
    const byVideo = new Map<number, FrameRow[]>();
    for (const row of rows) byVideo.set(row.photoId, [...(byVideo.get(row.photoId) ?? []), row]);
    const out = new Map<number, VideoFrames>();
    for (const [id, frames] of byVideo) {
      const vectors = new Float32Array(frames.length * this.dim);
      frames.forEach((f, i) => {
        if (f.vector.length !== this.dim) throw new Error(`frame vector of ${f.vector.length} dimensions for a ${this.dim}-d index`);
        vectors.set(f.vector, i * this.dim);
      });
      out.set(id, { times: frames.map((f) => f.t), vectors });
    }
    return out;
  }

  /** Every frame of the catalogue, afresh. */
  load(catalog: Catalog): void {
    this.videos = this.group(catalog.allFrames(this.model).frames);
  }

  /** These items' vectors changed (the vector log said so): their frames are read again. */
  update(catalog: Catalog, ids: readonly number[]): void {
    if (ids.length === 0) return;
    for (const id of ids) this.videos.delete(id);
    for (const [id, frames] of this.group(catalog.frames(this.model, ids))) this.videos.set(id, frames);
  }

  /** Each video's best frame for the query (allowed: only these ids), best first. */
  best(query: Float32Array, allowed?: ReadonlySet<number>): Moment[] {
    const out: Moment[] = [];
    const dim = this.dim;
    for (const [id, video] of this.videos) {
      if (allowed && !allowed.has(id)) continue;
      let best = -Infinity;
      let frame = 0;
      for (let f = 0; f < video.times.length; f++) {
        let dot = 0;
        const base = f * dim;
        for (let i = 0; i < dim; i++) dot += video.vectors[base + i]! * query[i]!;
        if (dot > best) {
          best = dot;
          frame = f;
        }
      }
      // The similarity hnswlib would report for the same vectors (inner-product distance in single precision).
      if (video.times.length > 0) out.push({ id, similarity: 1 - Math.fround(1 - best), at: video.times[frame]!, frame });
    }
    return out.sort((a, b) => b.similarity - a.similarity || a.id - b.id);
  }

  /** What it holds, for the invariant checks: per video, its frames' times and vectors. */
  snapshot(): Map<number, Array<{ t: number; vector: Float32Array }>> {
    const out = new Map<number, Array<{ t: number; vector: Float32Array }>>();
    for (const [id, v] of this.videos)
      out.set(
        id,
        v.times.map((t, i) => ({ t, vector: v.vectors.slice(i * this.dim, (i + 1) * this.dim) })),
      );
    return out;
  }
}
