import { blobVector, vectorBlob } from '../catalog/blobs.js';
import { CatalogStore } from '../catalog/catalog.js';

/** A concept the user taught: its name as typed, and the key names are compared by (lower case, single spaces). */
export interface ConceptRow {
  id: number;
  name: string;
  name_key: string;
  created_at: number;
  updated_at: number;
}

export interface ConceptExampleRow {
  photoId: number;
  /** An example (true) or a counter-example (false). */
  positive: boolean;
  vector: Float32Array | null;
  /** The content fingerprint the vector was computed from. */
  hash: string | null;
}

/** Concepts the user teaches: names, examples and counter-examples (the user's data), and the classifiers derived from them. */
export class ConceptStore extends CatalogStore {
  concepts(): ConceptRow[] {
    return this.sql('SELECT id, name, name_key, created_at, updated_at FROM concepts ORDER BY name_key').all() as ConceptRow[];
  }

  concept(id: number): ConceptRow | undefined {
    return this.sql('SELECT id, name, name_key, created_at, updated_at FROM concepts WHERE id = ?').get(id) as ConceptRow | undefined;
  }

  conceptByKey(key: string): ConceptRow | undefined {
    return this.sql('SELECT id, name, name_key, created_at, updated_at FROM concepts WHERE name_key = ?').get(key) as ConceptRow | undefined;
  }

  /** A new concept with its first examples (true: an example, false: a counter-example), in one transaction. */
  createConcept(name: string, key: string, examples: ReadonlyArray<{ photoId: number; positive: boolean }>): number {
    return this.catalog.transaction(() => {
      const now = Date.now();
      const id = Number(this.sql('INSERT INTO concepts (name, name_key, created_at, updated_at) VALUES (?, ?, ?, ?)').run(name, key, now, now).lastInsertRowid);
      for (const e of examples) this.setConceptExample(id, e.photoId, e.positive, now);
      return id;
    });
  }

  renameConcept(id: number, name: string, key: string): void {
    this.sql('UPDATE concepts SET name = ?, name_key = ?, updated_at = ? WHERE id = ?').run(name, key, Date.now(), id);
  }

  deleteConcept(id: number): boolean {
    return this.sql('DELETE FROM concepts WHERE id = ?').run(id).changes > 0;
  }

  /** Marks a photo as an example (positive) or a counter-example of a concept, replacing what it was. */
  setConceptExample(conceptId: number, photoId: number, positive: boolean, now = Date.now()): void {
    this.sql(
      'INSERT INTO concept_examples (concept_id, photo_id, positive, added_at) VALUES (?, ?, ?, ?) ON CONFLICT (concept_id, photo_id) DO UPDATE SET positive = excluded.positive, added_at = excluded.added_at',
    ).run(conceptId, photoId, positive ? 1 : 0, now);
    this.sql('UPDATE concepts SET updated_at = ? WHERE id = ?').run(now, conceptId);
  }

  removeConceptExample(conceptId: number, photoId: number): boolean {
    return this.sql('DELETE FROM concept_examples WHERE concept_id = ? AND photo_id = ?').run(conceptId, photoId).changes > 0;
  }

  /** A concept's examples and counter-examples, each with its vector for `model` (null: none yet) and the content it was computed from. */
  conceptExamples(conceptId: number, model: string): ConceptExampleRow[] {
    return (
      this.sql(
        `SELECT e.photo_id, e.positive, v.vector, v.hash FROM concept_examples e LEFT JOIN vectors v ON v.photo_id = e.photo_id AND v.model = ?
           WHERE e.concept_id = ? ORDER BY e.photo_id`,
      ).all(model, conceptId) as Array<{ photo_id: number; positive: number; vector: Buffer | null; hash: string | null }>
    ).map((r) => ({ photoId: r.photo_id, positive: r.positive === 1, vector: r.vector ? blobVector(r.vector) : null, hash: r.hash }));
  }

  /** Examples (and counter-examples) of every concept that a photo is, by concept id. */
  conceptExamplesOf(photoId: number): Map<number, boolean> {
    const rows = this.sql('SELECT concept_id, positive FROM concept_examples WHERE photo_id = ?').all(photoId) as Array<{ concept_id: number; positive: number }>;
    return new Map(rows.map((r) => [r.concept_id, r.positive === 1]));
  }

  conceptClassifier(conceptId: number, model: string): { signature: string; method: string; weights: Float32Array; bias: number } | undefined {
    const row = this.sql('SELECT signature, method, weights, bias FROM concept_classifiers WHERE concept_id = ? AND model = ?').get(conceptId, model) as
      { signature: string; method: string; weights: Buffer; bias: number } | undefined;
    return row ? { signature: row.signature, method: row.method, weights: blobVector(row.weights), bias: row.bias } : undefined;
  }

  saveConceptClassifier(conceptId: number, model: string, c: { signature: string; method: string; weights: Float32Array; bias: number }): void {
    this.sql(
      'INSERT OR REPLACE INTO concept_classifiers (concept_id, model, signature, method, weights, bias, updated_at) SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM concepts WHERE id = ?)',
    ).run(conceptId, model, c.signature, c.method, vectorBlob(c.weights), c.bias, Date.now(), conceptId);
  }
}
