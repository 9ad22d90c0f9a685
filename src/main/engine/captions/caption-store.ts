import { CatalogStore } from '../catalog/catalog.js';

/** What the indexer stores of a photo's generated caption: shown, or withheld with why. */
export interface CaptionRecord {
  caption: string | null;
  withheldCaption?: { text: string; reason: string } | null;
}

/** Captions: the user's own, the ones each pack generated, and those it withheld with why. */
export class CaptionStore extends CatalogStore {
  /**
   * The caption to show: the user's edit when there is one, else the caption `model` generated (another
   * pack's caption is not this one's: after a switch, a photo the new pack could not describe shows why).
   */
  caption(photoId: number, model: string): { text: string; source: 'caption' | 'user' | 'ocr' } | undefined {
    return this.sql(
      `SELECT text, source FROM texts WHERE photo_id = ? AND (source = 'user' OR (source = 'caption' AND model = ?)) ORDER BY source = 'user' DESC, updated_at DESC LIMIT 1`,
    ).get(photoId, model) as { text: string; source: 'caption' | 'user' } | undefined;
  }

  /** How many photos have a caption from `model` that was withheld (the model did not recognise them). */
  withheldCount(model: string): number {
    return this.sql(`SELECT count(*) FROM withheld_captions WHERE model = ?`).pluck().get(model) as number;
  }

  /** Why the model's caption of a photo is not shown, if it made one it was not confident of. */
  withheldCaption(photoId: number, model: string): { text: string; reason: string } | undefined {
    return this.sql(`SELECT text, reason FROM withheld_captions WHERE photo_id = ? AND model = ?`).get(photoId, model) as { text: string; reason: string } | undefined;
  }

  /**
   * Whether `model` showed a caption of its own for each photo (true) or withheld the one it made
   * (false); photos it made none for are absent.
   */
  generatedOutcomes(ids: readonly number[], model: string): Map<number, boolean> {
    const rows = this.sql(
      `SELECT photo_id, 1 AS shown FROM texts WHERE source = 'caption' AND model = ? AND photo_id IN (SELECT value FROM json_each(?))
       UNION ALL SELECT photo_id, 0 FROM withheld_captions WHERE model = ? AND photo_id IN (SELECT value FROM json_each(?))`,
    ).all(model, JSON.stringify(ids), model, JSON.stringify(ids)) as Array<{ photo_id: number; shown: number }>;
    return new Map(rows.map((r) => [r.photo_id, r.shown === 1]));
  }

  /** The caption to show of each photo (as `caption` chooses it). */
  captions(ids: readonly number[], model: string): Map<number, string> {
    const rows = this.sql(
      `SELECT photo_id, text FROM texts WHERE photo_id IN (SELECT value FROM json_each(?)) AND (source = 'user' OR (source = 'caption' AND model = ?))
         ORDER BY photo_id, source = 'user', updated_at`,
    ).all(JSON.stringify(ids), model) as Array<{ photo_id: number; text: string }>;
    // Later rows win: the user's edit sorts last.
    return new Map(rows.map((r) => [r.photo_id, r.text]));
  }

  /** Stores a model's caption of a photo: shown (in the text layer) or withheld with its reason; either replaces the other. */
  setGeneratedCaption(photoId: number, model: string, record: CaptionRecord): void {
    this.catalog.transaction(() => this.storeGeneratedCaption(photoId, model, record, Date.now()));
  }

  /** Inside the caller's transaction. */
  storeGeneratedCaption(photoId: number, model: string, record: CaptionRecord, now: number): void {
    if (record.caption !== null) {
      this.sql(`INSERT OR REPLACE INTO texts (photo_id, source, model, text, updated_at) VALUES (?, 'caption', ?, ?, ?)`).run(photoId, model, record.caption, now);
      this.sql(`DELETE FROM withheld_captions WHERE photo_id = ? AND model = ?`).run(photoId, model);
    } else if (record.withheldCaption) {
      // The photo's earlier content may have had a caption: this content has none to show.
      this.sql(`DELETE FROM texts WHERE photo_id = ? AND source = 'caption' AND model = ?`).run(photoId, model);
      this.sql(`INSERT OR REPLACE INTO withheld_captions (photo_id, model, text, reason, updated_at) VALUES (?, ?, ?, ?, ?)`).run(
        photoId,
        model,
        record.withheldCaption.text,
        record.withheldCaption.reason,
        now,
      );
    }
  }

  /** A user's caption; an empty text removes the edit and the generated caption shows again. */
  setUserCaption(photoId: number, text: string): void {
    if (text.trim() === '') this.sql(`DELETE FROM texts WHERE photo_id = ? AND source = 'user'`).run(photoId);
    else this.sql(`INSERT OR REPLACE INTO texts (photo_id, source, model, text, updated_at) VALUES (?, 'user', '', ?, ?)`).run(photoId, text.trim(), Date.now());
  }
}
