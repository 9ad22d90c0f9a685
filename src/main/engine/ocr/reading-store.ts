import { CatalogStore } from '../catalog/catalog.js';
import { UNSPACED_SCRIPT, compactText } from '../catalog/text-keys.js';
import type { PhotoRow } from '../library/photo-store.js';

/** One line of text read in a photo; the box is its four corners as fractions of the upright photo's size. */
export interface OcrLine {
  text: string;
  confidence: number;
  box: Array<{ x: number; y: number }>;
}

/** What OCR packs read in photos, per content fingerprint, and the read text's keyword table. */
export class ReadingStore extends CatalogStore {
  /** Stores what an OCR pack read in a photo's content `hash` (no lines: it has no text), replacing an earlier reading. */
  recordReading(photoId: number, model: string, hash: string, lines: readonly OcrLine[]): boolean {
    return this.catalog.transaction(() => {
      // Only for the content the photo still has: a file that changed meanwhile is read again later.
      if (!this.sql('SELECT 1 FROM photos WHERE id = ? AND hash IS ?').get(photoId, hash)) return false;
      this.storeReading(photoId, model, hash, lines, Date.now());
      return true;
    });
  }

  /** Inside the caller's transaction. */
  storeReading(photoId: number, model: string, hash: string, lines: readonly OcrLine[], now: number): void {
    this.sql('INSERT OR REPLACE INTO ocr_readings (photo_id, model, hash, lines, updated_at) VALUES (?, ?, ?, ?, ?)').run(photoId, model, hash, JSON.stringify(lines), now);
    if (lines.length === 0) this.sql(`DELETE FROM texts WHERE photo_id = ? AND source = 'ocr' AND model = ?`).run(photoId, model);
    else
      this.sql(`INSERT OR REPLACE INTO texts (photo_id, source, model, text, updated_at) VALUES (?, 'ocr', ?, ?, ?)`).run(photoId, model, lines.map((l) => l.text).join('\n'), now);
  }

  /** The lines an OCR pack read in a photo's current content (undefined: not read yet). */
  reading(photoId: number, model: string): OcrLine[] | undefined {
    const row = this.sql('SELECT r.lines FROM ocr_readings r JOIN photos p ON p.id = r.photo_id AND p.hash IS r.hash WHERE r.photo_id = ? AND r.model = ?').get(photoId, model) as
      { lines: string } | undefined;
    return row ? (JSON.parse(row.lines) as OcrLine[]) : undefined;
  }

  /** Whether a photo's content `hash` has been read by the OCR pack. */
  hasReading(photoId: number, model: string, hash: string): boolean {
    return this.sql('SELECT 1 FROM ocr_readings WHERE photo_id = ? AND model = ? AND hash = ?').get(photoId, model, hash) !== undefined;
  }

  /** Indexed photos the OCR pack has not read in their current content, in id order (videos are not read). */
  unreadPhotos(model: string, limit: number, afterId = 0): PhotoRow[] {
    return this.sql(
      `SELECT * FROM photos WHERE id > ? AND status = 'indexed' AND hash IS NOT NULL AND media = 'photo'
         AND NOT EXISTS (SELECT 1 FROM ocr_readings r WHERE r.photo_id = photos.id AND r.model = ? AND r.hash = photos.hash) ORDER BY id LIMIT ?`,
    ).all(afterId, model, limit) as PhotoRow[];
  }

  /** Indexed photos read by the OCR pack, and how many are still to read. */
  readingCounts(model: string): { read: number; unread: number; withText: number } {
    return this.sql(
      `SELECT coalesce(sum(r.hash IS NOT NULL), 0) AS read, coalesce(sum(r.hash IS NULL), 0) AS unread, coalesce(sum(r.lines <> '[]'), 0) AS withText
         FROM photos p LEFT JOIN ocr_readings r ON r.photo_id = p.id AND r.model = ? AND r.hash = p.hash WHERE p.status = 'indexed' AND p.hash IS NOT NULL AND p.media = 'photo'`,
    ).get(model) as { read: number; unread: number; withText: number };
  }

  /**
   * Photos whose read text contains `fragment` (compacted as compactText does; at least 3 characters),
   * best first. An empty list for a shorter fragment, which a trigram index cannot look up, except in
   * Chinese or Japanese, where one or two characters are a word ("猫", "博物"): those are looked for in
   * every photo's read text (a scan of the table, which holds only photos with text).
   */
  readTextSearch(fragment: string, limit: number): number[] {
    const compact = compactText(fragment).replace(/\n/g, '');
    if (compact.length > 0 && [...compact].length < 3 && [...compact].every((c) => UNSPACED_SCRIPT.test(c)))
      return this.sql(`SELECT rowid FROM photo_read_text WHERE instr(compact, ?) > 0 ORDER BY rowid LIMIT ?`).pluck().all(compact, limit) as number[];
    if ([...compact].length < 3) return [];
    return this.sql(`SELECT rowid FROM photo_read_text WHERE photo_read_text MATCH ? ORDER BY rank LIMIT ?`)
      .pluck()
      .all(`"${compact.replace(/"/g, '""')}"`, limit) as number[];
  }

  /** The text read in each photo (all OCR packs' lines, one per line). */
  readTexts(ids: readonly number[]): Map<number, string> {
    const rows = this.sql(
      `SELECT photo_id, group_concat(text, char(10)) AS text FROM texts WHERE photo_id IN (SELECT value FROM json_each(?)) AND source = 'ocr' GROUP BY photo_id`,
    ).all(JSON.stringify(ids)) as Array<{ photo_id: number; text: string }>;
    return new Map(rows.map((r) => [r.photo_id, r.text]));
  }
}
