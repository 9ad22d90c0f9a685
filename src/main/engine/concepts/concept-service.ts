import type { Concept } from '../../../shared/api.js';
import { EngineError } from '../core/errors.js';
import type { ActiveModel } from '../index/active-model.js';
import type { PhotoStore } from '../library/photo-store.js';
import type { ConceptStore } from './concept-store.js';
import { ConceptError, cleanName, conceptKey, conceptMatches } from './concepts.js';

/** Concepts the user teaches, as the API offers them: teach, correct, rename, forget, and their matches. */
export class ConceptService {
  constructor(
    private readonly concepts: ConceptStore,
    private readonly photos: PhotoStore,
    private readonly model: ActiveModel,
    private readonly changed: (reason: string) => void,
  ) {}

  /** A concept as the API shows it, with how many photos it matches now (with the active pack). */
  info(id: number): Concept {
    const row = this.concepts.concept(id);
    if (!row) throw new EngineError(`no concept with id ${id}`);
    const examples = this.concepts.conceptExamples(id, this.model.pack.id);
    return {
      id,
      name: row.name,
      examples: examples.filter((e) => e.positive).map((e) => e.photoId),
      counterExamples: examples.filter((e) => !e.positive).map((e) => e.photoId),
      matches: this.matches(id).size,
    };
  }

  all(): Concept[] {
    return this.concepts.concepts().map((c) => this.info(c.id));
  }

  /** The concept called `name` (any case, any spacing), if there is one. */
  named(name: string): Concept | undefined {
    const row = this.concepts.conceptByKey(conceptKey(name));
    return row ? this.info(row.id) : undefined;
  }

  /** Teaches a new concept from example photos (and counter-examples); its name becomes searchable. */
  teach(name: string, examples: readonly number[], counterExamples: readonly number[] = []): Concept {
    const clean = cleanNameOrRefuse(name);
    if (examples.length === 0) throw new EngineError('a concept needs at least one example photo');
    if (counterExamples.some((c) => examples.includes(c))) throw new EngineError('a photo cannot be both an example and a counter-example');
    this.checkPhotos([...examples, ...counterExamples]);
    const key = conceptKey(clean);
    const same = this.concepts.conceptByKey(key);
    if (same) throw new EngineError(`there is already a concept called "${same.name}": add examples to it instead`);
    const id = this.concepts.createConcept(
      clean,
      key,
      [...new Set(examples)].map((photoId) => ({ photoId, positive: true })).concat([...new Set(counterExamples)].map((photoId) => ({ photoId, positive: false }))),
    );
    this.changed(`taught ${clean}`);
    return this.info(id);
  }

  /**
   * Adds examples or counter-examples (a counter-example replaces an example of the same photo: "not
   * Miso"), removes examples, or renames; the classifier is trained again on the next use.
   */
  update(
    id: number,
    change: { rename?: string | undefined; addExamples?: readonly number[]; addCounterExamples?: readonly number[]; removeExamples?: readonly number[] },
  ): Concept {
    const row = this.concepts.concept(id);
    if (!row) throw new EngineError(`no concept with id ${id}`);
    const add = change.addExamples ?? [];
    const not = change.addCounterExamples ?? [];
    if (not.some((c) => add.includes(c))) throw new EngineError('a photo cannot be both an example and a counter-example');
    this.checkPhotos([...add, ...not]);
    const rename = change.rename !== undefined ? cleanNameOrRefuse(change.rename) : undefined;
    if (rename !== undefined) {
      const other = this.concepts.conceptByKey(conceptKey(rename));
      if (other && other.id !== id) throw new EngineError(`there is already a concept called "${other.name}"`);
    }
    this.concepts.catalog.transaction(() => {
      if (rename !== undefined) this.concepts.renameConcept(id, rename, conceptKey(rename));
      for (const p of add) this.concepts.setConceptExample(id, p, true);
      for (const p of not) this.concepts.setConceptExample(id, p, false);
      for (const p of change.removeExamples ?? []) this.concepts.removeConceptExample(id, p);
    });
    this.changed(`concept ${rename ?? row.name} changed`);
    return this.info(id);
  }

  forget(id: number): boolean {
    const row = this.concepts.concept(id);
    const deleted = this.concepts.deleteConcept(id);
    if (deleted) this.changed(`forgot ${row?.name ?? 'a concept'}`);
    return deleted;
  }

  /** The photos a concept matches now, with confidence (examples always, counter-examples never). */
  matches(id: number): Map<number, { confidence: number; example: boolean }> {
    if (!this.concepts.concept(id)) throw new EngineError(`no concept with id ${id}`);
    this.model.index.refresh(this.concepts.catalog);
    return conceptMatches(this.concepts.catalog, this.model.pack.id, this.model.index, id);
  }

  private checkPhotos(ids: readonly number[]): void {
    const rows = this.photos.photos(ids);
    const missing = ids.filter((id) => !rows.has(id));
    if (missing.length > 0) throw new EngineError(`no photo with id ${missing.join(', ')}`);
  }
}

/** A concept's name cleaned, or the rule it breaks as the engine's refusal. */
function cleanNameOrRefuse(name: string): string {
  try {
    return cleanName(name);
  } catch (error) {
    if (error instanceof ConceptError) throw new EngineError(error.message);
    throw error;
  }
}
