import { vectorBlob } from '../catalog/blobs.js';
import { CatalogStore } from '../catalog/catalog.js';
import { AlbumStore } from '../albums/album-store.js';
import { CaptionStore } from '../captions/caption-store.js';
import { type PhotoRow, NEEDS_WORK } from '../library/photo-store.js';
import type { PhotoLook } from '../media/look.js';
import { type OcrLine, ReadingStore } from '../ocr/reading-store.js';
import { StackStore } from '../stacks/stack-store.js';

export interface IndexedPhoto {
  id: number;
  hash: string;
  width: number;
  height: number;
  takenAt: string | null;
  camera: string | null;
  gps: { lat: number; lon: number } | null;
  vector: Float32Array;
  /** The generated caption to show (null: none was made, or it is withheld). */
  caption: string | null;
  /** A generated caption the model was not confident of, with why; replaces any earlier shown one. */
  withheldCaption?: { text: string; reason: string } | null;
  /** The text read in the photo by an OCR pack (absent: not read this time). */
  reading?: { model: string; lines: OcrLine[] };
  /** A video: its length and the vectors of its sampled frames (`vector` is their pooled mean). */
  video?: { duration: number; frames: ReadonlyArray<{ t: number; vector: Float32Array }> };
  /** Its perceptual hash and sharpness (absent: not computed this time). */
  look?: PhotoLook;
  /** What was wrong with it, indexed all the same (a video read only in part); replaces the last one. */
  warning?: string | null;
}

/** What the indexer reads and writes: the photos that need work for a model, and each finished batch in one transaction. */
export class IndexingStore extends CatalogStore {
  /**
   * Work for a model, in id order: new and changed files, and photos that have no vector for this model
   * yet (indexed with another one). A photo's status is about its file; its vectors are per model, so
   * switching models never hides a photo that already has a vector for the active one.
   */
  pendingPhotos(model: string, limit: number, afterId = 0): PhotoRow[] {
    return this.sql(`SELECT * FROM photos WHERE id > @afterId AND ${NEEDS_WORK} ORDER BY id LIMIT @limit`).all({ afterId, model, limit }) as PhotoRow[];
  }

  /**
   * Stores a batch of finished photos in one transaction: metadata, vector, caption, keyword text.
   * Photos deleted while they were being decoded are skipped; the ids actually stored are returned.
   */
  recordIndexed(model: string, batch: readonly IndexedPhoto[]): number[] {
    if (batch.length === 0) return [];
    const update = this.sql(
      `UPDATE photos SET hash = ?, width = ?, height = ?, taken_at = ?, camera = ?, gps_lat = ?, gps_lon = ?, status = 'indexed', error = NULL, warning = ?, indexed_at = ? WHERE id = ?`,
    );
    const vector = this.sql(
      'INSERT INTO vectors (photo_id, model, vector, hash) VALUES (?, ?, ?, ?) ON CONFLICT (photo_id, model) DO UPDATE SET vector = excluded.vector, hash = excluded.hash',
    );
    const duration = this.sql('UPDATE photos SET duration = ? WHERE id = ?');
    const dropFrames = this.sql('DELETE FROM video_frames WHERE model = ? AND photo_id = ?');
    const frame = this.sql('INSERT INTO video_frames (photo_id, model, idx, t, vector) VALUES (?, ?, ?, ?, ?)');

    const captions = new CaptionStore(this.catalog);
    const readings = new ReadingStore(this.catalog);
    const looks = new StackStore(this.catalog);
    return this.catalog.transaction(() => {
      new AlbumStore(this.catalog).albumsStale = true;
      const now = Date.now();
      const stored: number[] = [];
      for (const p of batch) {
        if (update.run(p.hash, p.width, p.height, p.takenAt, p.camera, p.gps?.lat ?? null, p.gps?.lon ?? null, p.warning ?? null, now, p.id).changes === 0) continue;
        vector.run(p.id, model, vectorBlob(p.vector), p.hash);
        // A video's frames change with its pooled vector, in this transaction (the vector log covers both).
        dropFrames.run(model, p.id);
        if (p.video) {
          duration.run(p.video.duration, p.id);
          p.video.frames.forEach((f, i) => frame.run(p.id, model, i, f.t, vectorBlob(f.vector)));
        }
        captions.storeGeneratedCaption(p.id, model, p, now);
        if (p.reading) readings.storeReading(p.id, p.reading.model, p.hash, p.reading.lines, now);
        if (p.look) looks.storeLook(p.id, p.hash, p.look);
        stored.push(p.id);
      }
      return stored;
    });
  }

  /**
   * A file that is not a photo (too small: an icon, a sprite): skipped with the reason, its size and
   * fingerprint kept (so a larger minimum size, or a smaller one, can be applied without reading it
   * again), and whatever an earlier run indexed of it dropped: its vectors (through the vector log, so
   * the index follows), look and stack.
   */
  recordSkipped(id: number, skipped: { hash: string; width: number; height: number; reason: string }): void {
    this.catalog.transaction(() => {
      this.sql(`UPDATE photos SET status = 'skipped', error = ?, hash = ?, width = ?, height = ?, warning = NULL, indexed_at = ? WHERE id = ?`).run(
        skipped.reason.slice(0, 500),
        skipped.hash,
        skipped.width,
        skipped.height,
        Date.now(),
        id,
      );
      this.sql('DELETE FROM vectors WHERE photo_id = ?').run(id);
      this.sql('DELETE FROM photo_looks WHERE photo_id = ?').run(id);
      this.sql('DELETE FROM stacks WHERE photo_id = ?').run(id);
    });
  }

  recordError(id: number, error: string): void {
    this.sql(`UPDATE photos SET status = 'error', error = ?, indexed_at = ? WHERE id = ?`).run(error.slice(0, 500), Date.now(), id);
  }
}
