import { blobVector, vectorView } from '../catalog/blobs.js';
import { CatalogStore } from '../catalog/catalog.js';

/** A vector's latest state since some point of the log: the vector now, or null when it was deleted. */
export interface VectorChange {
  photoId: number;
  vector: Float32Array | null;
}

/** A sampled frame of a video, with its time and vector. */
export interface FrameRow {
  photoId: number;
  idx: number;
  t: number;
  vector: Float32Array;
}

/** Vectors per photo and model, their change log (what an index catches up from), and videos' sampled frames. */
export class VectorStore extends CatalogStore {
  /** The sequence number of the last write to any vector (0: none yet). */
  lastVectorSeq(): number {
    return this.sql('SELECT coalesce(max(seq), 0) FROM vector_log').pluck().get() as number;
  }

  /** Every vector of a model and the log position they are current at, from one snapshot. */
  allVectors(model: string): { seq: number; vectors: Array<{ photoId: number; vector: Float32Array }> } {
    return this.catalog.snapshot(() => ({
      seq: this.lastVectorSeq(),
      vectors: (this.sql('SELECT photo_id, vector FROM vectors WHERE model = ?').all(model) as Array<{ photo_id: number; vector: Buffer }>).map((r) => ({
        photoId: r.photo_id,
        vector: blobVector(r.vector),
      })),
    }));
  }

  /**
   * What changed for a model's vectors after log position `afterSeq`: each photo once, with its vector
   * now (null: deleted), and the log position this is current at, from one snapshot.
   */
  vectorChanges(model: string, afterSeq: number): { seq: number; changes: VectorChange[] } {
    return this.catalog.snapshot(() => {
      const seq = this.lastVectorSeq();
      if (seq <= afterSeq) return { seq, changes: [] };
      const rows = this.sql(
        `SELECT l.photo_id, max(l.seq) AS last, v.vector FROM vector_log l LEFT JOIN vectors v ON v.photo_id = l.photo_id AND v.model = l.model
           WHERE l.seq > ? AND l.model = ? GROUP BY l.photo_id ORDER BY last`,
      ).all(afterSeq, model) as Array<{ photo_id: number; vector: Buffer | null }>;
      return { seq, changes: rows.map((r) => ({ photoId: r.photo_id, vector: r.vector ? blobVector(r.vector) : null })) };
    });
  }

  /**
   * Drops log entries that a later entry for the same photo and model supersedes. Safe for every
   * reader: one that has not seen the dropped entry has not seen the later one either.
   */
  compactVectorLog(): number {
    return this.sql('DELETE FROM vector_log WHERE seq NOT IN (SELECT max(seq) FROM vector_log GROUP BY model, photo_id)').run().changes;
  }

  vectorLogSize(): number {
    return this.sql('SELECT count(*) FROM vector_log').pluck().get() as number;
  }

  vector(photoId: number, model: string): Float32Array | undefined {
    const row = this.sql('SELECT vector FROM vectors WHERE photo_id = ? AND model = ?').get(photoId, model) as { vector: Buffer } | undefined;
    return row ? blobVector(row.vector) : undefined;
  }

  /**
   * Calls `each` with every vector of a model (in photo id order), without keeping them: a rebuild
   * writes them straight into the matrix its threads read. The vector is a view of the row's buffer.
   * Call it inside `snapshot` with whatever else must match the same state.
   */
  eachVector(model: string, each: (photoId: number, vector: Float32Array) => void): void {
    const rows = this.sql('SELECT photo_id, vector FROM vectors WHERE model = ? ORDER BY photo_id').raw().iterate(model);
    for (const [photoId, blob] of rows as Iterable<[number, Buffer]>) each(photoId, vectorView(blob));
  }

  /**
   * Calls `each` with the vector of every listed photo that has one for the model (any order), read in
   * one statement (most of its cost is SQLite reading the row's pages). The vector is a view
   * of the row's buffer, not a copy, so a caller that keeps it past the call copies it.
   */
  scanVectors(model: string, ids: readonly number[], each: (photoId: number, vector: Float32Array) => void): void {
    const rows = this.sql('SELECT photo_id, vector FROM vectors WHERE model = ? AND photo_id IN (SELECT value FROM json_each(?))').raw().iterate(model, JSON.stringify(ids));
    for (const [photoId, blob] of rows as Iterable<[number, Buffer]>) each(photoId, vectorView(blob));
  }

  /** The sampled frames of these videos for a model, in time order. */
  frames(model: string, ids: readonly number[]): FrameRow[] {
    const rows = this.sql('SELECT photo_id, idx, t, vector FROM video_frames WHERE model = ? AND photo_id IN (SELECT value FROM json_each(?)) ORDER BY photo_id, idx').all(
      model,
      JSON.stringify(ids),
    ) as Array<{ photo_id: number; idx: number; t: number; vector: Buffer }>;
    return rows.map((r) => ({ photoId: r.photo_id, idx: r.idx, t: r.t, vector: blobVector(r.vector) }));
  }

  /** Every sampled frame of a model, and the vector log position they are current at, from one snapshot. */
  allFrames(model: string): { seq: number; frames: FrameRow[] } {
    return this.catalog.snapshot(() => ({
      seq: this.lastVectorSeq(),
      frames: (
        this.sql('SELECT photo_id, idx, t, vector FROM video_frames WHERE model = ? ORDER BY photo_id, idx').all(model) as Array<{
          photo_id: number;
          idx: number;
          t: number;
          vector: Buffer;
        }>
      ).map((r) => ({ photoId: r.photo_id, idx: r.idx, t: r.t, vector: blobVector(r.vector) })),
    }));
  }

  frameCount(model: string): number {
    return this.sql('SELECT count(*) FROM video_frames WHERE model = ?').pluck().get(model) as number;
  }

  /** Calls `each` with every sampled frame of a model's videos, its vector a view of the row's buffer (copied by a caller that keeps it). */
  eachFrame(model: string, each: (photoId: number, idx: number, t: number, vector: Float32Array) => void): void {
    const rows = this.sql('SELECT photo_id, idx, t, vector FROM video_frames WHERE model = ? ORDER BY photo_id, idx').raw().iterate(model);
    for (const [photoId, idx, t, blob] of rows as Iterable<[number, number, number, Buffer]>) each(photoId, idx, t, vectorView(blob));
  }

  vectorIds(model: string): number[] {
    return this.sql('SELECT photo_id FROM vectors WHERE model = ?').pluck().all(model) as number[];
  }

  vectorCountAll(): number {
    return this.sql('SELECT count(*) FROM vectors INDEXED BY vectors_model').pluck().get() as number;
  }

  vectorCount(model: string): number {
    return this.sql('SELECT count(*) FROM vectors INDEXED BY vectors_model WHERE model = ?').pluck().get(model) as number;
  }

  /**
   * Up to `limit` vectors of a model, spread evenly over the library (every n-th photo id), leaving out
   * `exclude`: the background a concept is told apart from.
   */
  sampleVectors(model: string, limit: number, exclude: ReadonlySet<number>): Float32Array[] {
    const total = this.vectorCount(model);
    const step = Math.max(1, Math.floor(total / limit));
    const rows = this.sql('SELECT photo_id, vector FROM vectors WHERE model = ? AND photo_id % ? = 0 ORDER BY photo_id LIMIT ?').all(model, step, limit + exclude.size) as Array<{
      photo_id: number;
      vector: Buffer;
    }>;
    return rows
      .filter((r) => !exclude.has(r.photo_id))
      .slice(0, limit)
      .map((r) => blobVector(r.vector));
  }
}
