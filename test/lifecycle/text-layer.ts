/** The text layer's invariants (captions, edits and text read by OCR), checked by the OCR tests and after every step of the lifecycle model. */
import assert from 'node:assert/strict';
import { type Catalog } from '../../src/main/engine/catalog/catalog.js';
import { compactText } from '../../src/main/engine/catalog/text-keys.js';

/**
 * The OCR keyword table holds exactly one row per photo with read text, equal to the compacted text; a
 * reading's text is in the text layer iff it has lines; the caption keyword column never holds read text.
 */
export function checkTextLayer(catalog: Catalog): void {
  const db = catalog.db;
  const read = db.prepare(`SELECT photo_id, group_concat(text, char(10)) AS text FROM texts WHERE source = 'ocr' GROUP BY photo_id ORDER BY photo_id`).all() as Array<{
    photo_id: number;
    text: string;
  }>;
  const indexed = db.prepare('SELECT rowid AS id, compact FROM photo_read_text ORDER BY rowid').all() as Array<{ id: number; compact: string }>;
  assert.deepEqual(
    indexed.map((r) => [r.id, r.compact]),
    read.map((r) => [r.photo_id, compactText(r.text)]),
    'the OCR keyword table follows the read text',
  );
  for (const r of db.prepare('SELECT photo_id, model, lines FROM ocr_readings').all() as Array<{ photo_id: number; model: string; lines: string }>) {
    const lines = JSON.parse(r.lines) as Array<{ text: string }>;
    const text = db.prepare(`SELECT text FROM texts WHERE photo_id = ? AND source = 'ocr' AND model = ?`).pluck().get(r.photo_id, r.model) as string | undefined;
    assert.equal(text, lines.length > 0 ? lines.map((l) => l.text).join('\n') : undefined, `photo ${r.photo_id}: the text layer holds its reading`);
  }
  const orphans = db
    .prepare(`SELECT count(*) FROM texts t WHERE t.source = 'ocr' AND NOT EXISTS (SELECT 1 FROM ocr_readings r WHERE r.photo_id = t.photo_id AND r.model = t.model)`)
    .pluck()
    .get() as number;
  assert.equal(orphans, 0, 'read text always comes from a reading');
  const wrong = db
    .prepare(
      `SELECT count(*) FROM photo_text p WHERE p.caption <> coalesce((SELECT group_concat(text, ' \n ') FROM texts t WHERE t.photo_id = p.rowid AND (t.source = 'user' OR (t.source = 'caption' AND t.model = (SELECT model FROM keyword_model)))), '')`,
    )
    .pluck()
    .get() as number;
  assert.equal(wrong, 0, "the caption keyword column holds the user's captions and the active pack's, never read text");
}
