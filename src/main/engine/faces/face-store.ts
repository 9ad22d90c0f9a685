import { CatalogStore } from '../catalog/catalog.js';
import type { PhotoRow } from '../library/photo-store.js';
import type { FoundFace } from './face-finder.js';

/** A face as the face models found it. */
export type FaceInput = FoundFace;

export interface FaceRow {
  id: number;
  photo_id: number;
  hash: string;
  x: number;
  y: number;
  w: number;
  h: number;
  points: string;
  score: number;
  side: number;
  sharpness: number;
  frontal: number;
  person_id: number | null;
  by_user: number;
}

/** A face with what grouping needs to know of it. */
export interface FaceForGrouping extends FaceRow {
  embedding: Float32Array;
  /** The people the user said it is not. */
  rejected: Set<number> | undefined;
}

/** A verdict's face: the face of the same photo content whose box holds the verdict's point, nearest centre first. */
export const VERDICT_MATCHES_FACE = `v.photo_id = f.photo_id AND v.hash = f.hash AND abs(v.cx - (f.x + f.w / 2)) <= f.w / 2 AND abs(v.cy - (f.y + f.h / 2)) <= f.h / 2`;

function embeddingOf(blob: Buffer): Float32Array {
  return new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
}

/**
 * The faces found in photos (derived: per photo content, redone when it changes, gone with the photo) and
 * which content the face models have looked at. The user's verdicts on faces live in `face_verdicts`
 * (people-store.ts); a face found again in the same content gets its verdict back here.
 */
export class FaceStore extends CatalogStore {
  /** Indexed photos and videos the face models have not looked at in their current content, in id order. */
  unscannedPhotos(model: string, limit: number, afterId = 0): PhotoRow[] {
    return this.sql(
      `SELECT * FROM photos WHERE id > ? AND status = 'indexed' AND hash IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM face_scans s WHERE s.photo_id = photos.id AND s.model = ? AND s.hash = photos.hash) ORDER BY id LIMIT ?`,
    ).all(afterId, model, limit) as PhotoRow[];
  }

  /** Indexed photos looked at for faces and still to look at; faces found, and in how many photos. */
  scanCounts(model: string): { scanned: number; unscanned: number; faces: number; withFaces: number } {
    const counts = this.sql(
      `SELECT coalesce(sum(s.hash IS NOT NULL), 0) AS scanned, coalesce(sum(s.hash IS NULL), 0) AS unscanned, coalesce(sum(s.faces > 0), 0) AS withFaces
         FROM photos p LEFT JOIN face_scans s ON s.photo_id = p.id AND s.model = ? AND s.hash = p.hash WHERE p.status = 'indexed' AND p.hash IS NOT NULL`,
    ).get(model) as { scanned: number; unscanned: number; withFaces: number };
    return { ...counts, faces: this.sql('SELECT count(*) FROM faces').pluck().get() as number };
  }

  /**
   * Stores the faces found in a photo's content `hash` (none: it has no face), replacing those found in
   * it before; a face the user placed or rejected before gets that verdict back. Only for the content
   * the photo still has (false: it changed meanwhile and is looked at again later). The new faces' ids.
   */
  recordScan(photoId: number, hash: string, model: string, faces: readonly FaceInput[]): number[] | null {
    return this.catalog.transaction(() => {
      if (!this.sql('SELECT 1 FROM photos WHERE id = ? AND hash IS ?').get(photoId, hash)) return null;
      this.sql('DELETE FROM faces WHERE photo_id = ?').run(photoId);
      // Verdicts on faces of content the photo no longer has are about another picture.
      this.sql('DELETE FROM face_verdicts WHERE photo_id = ? AND hash <> ?').run(photoId, hash);
      const insert = this.sql(`INSERT INTO faces (photo_id, hash, x, y, w, h, points, score, side, sharpness, frontal, embedding) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      const ids = faces.map((f) =>
        Number(
          insert.run(
            photoId,
            hash,
            f.box.x,
            f.box.y,
            f.box.width,
            f.box.height,
            JSON.stringify(f.points.map(([x, y]) => [Math.round(x * 1e4) / 1e4, Math.round(y * 1e4) / 1e4])),
            f.score,
            f.side,
            f.sharpness,
            f.frontal,
            Buffer.from(f.embedding.buffer, f.embedding.byteOffset, f.embedding.byteLength),
          ).lastInsertRowid,
        ),
      );
      this.sql(`UPDATE faces AS f SET person_id = v.person_id, by_user = 1 FROM face_verdicts v WHERE f.photo_id = ? AND v.verdict = 'is' AND ${VERDICT_MATCHES_FACE}`).run(
        photoId,
      );
      this.sql('INSERT OR REPLACE INTO face_scans (photo_id, hash, model, faces, scanned_at) VALUES (?, ?, ?, ?, ?)').run(photoId, hash, model, faces.length, Date.now());
      return ids;
    });
  }

  /** Every face with its embedding and the people the user said it is not (for a regroup). */
  facesForGrouping(ids?: readonly number[]): FaceForGrouping[] {
    const rows = (
      ids ? this.sql('SELECT * FROM faces WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id').all(JSON.stringify(ids)) : this.sql('SELECT * FROM faces ORDER BY id').all()
    ) as Array<FaceRow & { embedding: Buffer }>;
    const rejected = new Map<number, Set<number>>();
    for (const r of this.sql(`SELECT f.id AS face, v.person_id AS person FROM face_verdicts v JOIN faces f ON ${VERDICT_MATCHES_FACE} WHERE v.verdict = 'not'`).all() as Array<{
      face: number;
      person: number;
    }>)
      rejected.set(r.face, (rejected.get(r.face) ?? new Set()).add(r.person));
    return rows.map((r) => ({ ...r, embedding: embeddingOf(r.embedding), rejected: rejected.get(r.id) }));
  }

  /** A photo's faces, left to right. */
  facesOf(photoId: number): FaceRow[] {
    return this.sql('SELECT id, photo_id, hash, x, y, w, h, points, score, side, sharpness, frontal, person_id, by_user FROM faces WHERE photo_id = ? ORDER BY x').all(
      photoId,
    ) as FaceRow[];
  }

  face(id: number): FaceRow | undefined {
    return this.sql('SELECT id, photo_id, hash, x, y, w, h, points, score, side, sharpness, frontal, person_id, by_user FROM faces WHERE id = ?').get(id) as FaceRow | undefined;
  }

  /** Faces no grouping has seen yet (found since the last one: a run stopped before grouping leaves some). */
  ungroupedFaceIds(): number[] {
    return this.sql(`SELECT id FROM faces WHERE id > coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'faces_grouped_through'), 0) ORDER BY id`)
      .pluck()
      .all() as number[];
  }

  /** Whether any photo has been looked at for faces (else "without people" cannot be told). */
  hasScans(): boolean {
    return this.sql('SELECT EXISTS (SELECT 1 FROM face_scans)').pluck().get() === 1;
  }

  /** The photos with at least one face found in them. */
  photosWithFaces(): number[] {
    return this.sql('SELECT DISTINCT photo_id FROM faces').pluck().all() as number[];
  }

  /** Faces not grouped with anyone (yet). */
  unsortedCount(): number {
    return this.sql('SELECT count(*) FROM faces WHERE person_id IS NULL').pluck().get() as number;
  }

  /** Forgets every face found and every photo looked at (people off); the people and verdicts are the people store's. */
  forgetFaces(): void {
    this.catalog.transaction(() => {
      this.sql('DELETE FROM faces').run();
      this.sql('DELETE FROM face_scans').run();
    });
  }
}
