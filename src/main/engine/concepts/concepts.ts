/**
 * Concepts the user teaches, over the catalogue: names, examples, the classifier of each per pack, and
 * which photos each matches. The examples are the truth; a classifier is derived from their vectors for
 * the active pack, stored beside them with a signature of what it was trained from, and trained again
 * when that changes (an example added, a counter-example, a photo re-indexed) or for another pack.
 *
 * Matches are found at search time with the vector index, not stored per photo at indexing: the
 * classifier is linear, so its matches are the top of an inner-product search with its weights as the
 * query (one ANN query, about what a text query costs), always consistent with the examples as they are
 * now, with the index as it is now, and with nothing to recompute when a concept is corrected.
 */
import { createHash } from 'node:crypto';
import { cleanConceptName, conceptKey, conceptNameProblem } from '../../../shared/concept-name.js';

export { conceptKey };
import type { Catalog } from '../catalog/catalog.js';
import type { VectorIndex } from '../index/vector-index.js';
import { type ConceptMethod, type LinearConcept, conceptScore, searchDirection, sigmoid, train, weightNorm } from './classifier.js';
import { ConceptStore } from './concept-store.js';
import { VectorStore } from '../index/vector-store.js';

/** The library photos a concept is told apart from (an even sample): enough for 128 to 768 dimensions, and trained in well under a second. */
export const BACKGROUND_SAMPLE = 1000;
const METHOD: ConceptMethod = 'logistic';
/** Bumped when the learner changes, so stored classifiers are trained again. */
const LEARNER_VERSION = 1;

export class ConceptError extends Error {
  override name = 'ConceptError';
}

/** A name as it is stored (`cleanConceptName`), or the rule it breaks as a ConceptError. */
export function cleanName(name: string): string {
  const clean = cleanConceptName(name);
  const problem = conceptNameProblem(clean);
  if (problem) throw new ConceptError(problem);
  return clean;
}

export interface ConceptMatch {
  confidence: number;
  /** The user marked this photo as an example. */
  example: boolean;
}

/**
 * The classifier of a concept for `model`, trained now if the stored one was trained from other
 * examples (or none is stored); null when no example has a vector for this model yet.
 */
export function classifierFor(catalog: Catalog, model: string, conceptId: number): LinearConcept | null {
  const conceptStore = new ConceptStore(catalog);
  const examples = conceptStore.conceptExamples(conceptId, model);
  const usable = examples.filter((e) => e.vector !== null);
  if (!usable.some((e) => e.positive)) return null;
  const signature = createHash('sha1')
    .update(`${LEARNER_VERSION}:${METHOD}:${usable.map((e) => `${e.photoId}:${e.positive ? 1 : 0}:${e.hash ?? ''}`).join(',')}`)
    .digest('hex');
  const stored = conceptStore.conceptClassifier(conceptId, model);
  if (stored && stored.signature === signature) return { method: stored.method as ConceptMethod, weights: stored.weights, bias: stored.bias };
  const background = new VectorStore(catalog).sampleVectors(model, BACKGROUND_SAMPLE, new Set(examples.map((e) => e.photoId)));
  const learned = train(
    {
      positives: usable.filter((e) => e.positive).map((e) => e.vector!),
      negatives: usable.filter((e) => !e.positive).map((e) => e.vector!),
      background,
    },
    METHOD,
  );
  conceptStore.saveConceptClassifier(conceptId, model, { signature, ...learned });
  return learned;
}

/**
 * The photos a concept matches, with their confidence: the top of an inner-product search of the index
 * with the classifier's weights, for as far as the score stays positive (the search widens until it
 * reaches a photo that is not the concept, or the whole index). The user's examples always match, their
 * counter-examples never do.
 */
export function conceptMatches(catalog: Catalog, model: string, index: VectorIndex, conceptId: number): Map<number, ConceptMatch> {
  const out = new Map<number, ConceptMatch>();
  const examples = new ConceptStore(catalog).conceptExamples(conceptId, model);
  const concept = classifierFor(catalog, model, conceptId);
  if (concept) {
    const direction = searchDirection(concept);
    const norm = weightNorm(concept);
    for (let k = Math.min(index.size, 1000); ; k = Math.min(index.size, k * 4)) {
      const found = index.search(direction, k);
      const scores = found.map((n) => ({ id: n.id, score: norm * n.similarity + concept.bias }));
      for (const s of scores) if (s.score >= 0) out.set(s.id, { confidence: sigmoid(s.score), example: false });
      if (found.length < k || k >= index.size || (scores.at(-1)?.score ?? -1) < 0) break;
    }
  }
  for (const e of examples) {
    if (!e.positive) out.delete(e.photoId);
    else out.set(e.photoId, { confidence: concept && e.vector ? sigmoid(conceptScore(concept, e.vector)) : 1, example: true });
  }
  return out;
}

/** The concepts a photo is, with confidence (its examples included, its counter-examples never). */
export function conceptsOfPhoto(catalog: Catalog, model: string, photoId: number): Array<{ id: number; name: string; confidence: number; example: boolean }> {
  const vector = new VectorStore(catalog).vector(photoId, model);
  const marked = new ConceptStore(catalog).conceptExamplesOf(photoId);
  const out: Array<{ id: number; name: string; confidence: number; example: boolean }> = [];
  for (const c of new ConceptStore(catalog).concepts()) {
    const mark = marked.get(c.id);
    if (mark === false) continue;
    const concept = classifierFor(catalog, model, c.id);
    const confidence = concept && vector ? sigmoid(conceptScore(concept, vector)) : mark ? 1 : 0;
    if (mark === true || confidence >= 0.5) out.push({ id: c.id, name: c.name, confidence, example: mark === true });
  }
  return out.sort((a, b) => b.confidence - a.confidence);
}
