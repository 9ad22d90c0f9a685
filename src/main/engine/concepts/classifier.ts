/**
 * A concept the user teaches ("my cat Miso") learned on the frozen image embeddings of the active pack:
 * a linear function of a photo's (unit) vector, score = w·x + b, and confidence = sigmoid(score). Linear
 * on purpose: ranking photos by w·x is an inner-product search with w as the query, so the vector index
 * answers "which photos is this concept" the way it answers a text query, and a photo's confidence is
 * one dot product.
 *
 * Two learners, compared by `bench/concepts.ts` on held-out scene-world photos (docs/PERFORMANCE.md):
 * - `prototype`: the examples' mean direction, its threshold halfway between how close the examples are
 *   to it (each left out of its own mean) and how close the library is to it;
 * - `logistic`: L2-regularised logistic regression, the examples against the counter-examples and the
 *   library's other photos as background negatives (each side weighing half), on standardised features,
 *   in three rounds: the background photos a round claims are left out of the next one's negatives,
 *   since the unlabelled library holds more of the concept than the user marked.
 * The logistic one wins on every separable concept measured (`bench/concepts.ts --compare`,
 * docs/PERFORMANCE.md "Teaching concepts"), and is the one the engine uses.
 */
import { dot, l2normalise, meanDirection } from '../core/vector-math.js';

export type ConceptMethod = 'logistic' | 'prototype';

export interface LinearConcept {
  method: ConceptMethod;
  /** Applied to a unit vector: score = w·x + bias, confidence = sigmoid(score); a match when the score is >= 0. */
  weights: Float32Array;
  bias: number;
}

export interface TrainingSet {
  positives: readonly Float32Array[];
  negatives: readonly Float32Array[];
  /** The library's photos, unlabelled: mostly not the concept. */
  background: readonly Float32Array[];
}

export class ConceptTrainingError extends Error {
  override name = 'ConceptTrainingError';
}

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

export function conceptScore(concept: LinearConcept, vector: Float32Array): number {
  return dot(concept.weights, vector) + concept.bias;
}

export function train(set: TrainingSet, method: ConceptMethod = 'logistic'): LinearConcept {
  if (set.positives.length === 0) throw new ConceptTrainingError('a concept needs at least one example photo with a vector');
  return method === 'prototype' ? trainPrototype(set) : trainLogistic(set);
}

/** How sharply the prototype's confidence rises around its threshold (per unit of cosine similarity). */
const PROTOTYPE_SHARPNESS = 40;

export function trainPrototype(set: TrainingSet): LinearConcept {
  const { positives, negatives, background } = set;
  const mean = meanDirection(positives);
  // Each example's similarity to the mean of the others (itself left out: otherwise every example looks close).
  const inner = positives.length > 1 ? positives.map((p, i) => dot(p, meanDirection(positives.filter((_, j) => j !== i)))) : [1];
  const positiveLow = Math.min(...inner);
  const others = [...negatives, ...background].map((v) => dot(v, mean)).sort((a, b) => a - b);
  // The library is mostly not the concept: its 90th percentile stands for "near, but not it".
  const backgroundHigh = others.length > 0 ? others[Math.floor(others.length * 0.9)]! : positiveLow - 0.2;
  const negativeHigh = negatives.length > 0 ? Math.max(...negatives.map((v) => dot(v, mean))) : -Infinity;
  let threshold = (positiveLow + Math.max(backgroundHigh, Math.min(negativeHigh, positiveLow))) / 2;
  if (!Number.isFinite(threshold)) threshold = positiveLow - 0.05;
  return { method: 'prototype', weights: mean.map((x) => x * PROTOTYPE_SHARPNESS), bias: -threshold * PROTOTYPE_SHARPNESS };
}

/** L2 penalty on the weights (features are standardised), and the optimiser's budget. */
const LAMBDA = 0.3;
/** The positives' share of the total weight (the rest is the counter-examples' and the background's). */
const POSITIVE_SHARE = 0.5;
const ITERATIONS = 150;
/** Training rounds: after each, the background photos the concept claims are taken out of the negatives. */
const ROUNDS = 3;

/**
 * Logistic regression by full-batch gradient descent with Adam steps on standardised features (each
 * dimension centred on the training vectors' mean and scaled to unit variance), folded back into one
 * w and b on the raw unit vectors. Positives weigh half in total, counter-examples and background the
 * other half, counter-examples five times a background photo each (the user said so).
 */
export function trainLogistic(set: TrainingSet, options: { positiveShare?: number; lambda?: number; rounds?: number } = {}): LinearConcept {
  let model = logisticRound(set, options);
  for (let round = 1; round < (options.rounds ?? ROUNDS); round++) {
    // The background is unlabelled, and some of it is the concept: what the last round calls the concept
    // is no longer counted against it (self-training for positive-unlabelled data).
    const background = set.background.filter((v) => conceptScore(model, v) < 0);
    if (background.length === set.background.length || background.length === 0) break;
    model = logisticRound({ ...set, background }, options);
  }
  return model;
}

function logisticRound(set: TrainingSet, options: { positiveShare?: number; lambda?: number }): LinearConcept {
  const share = options.positiveShare ?? POSITIVE_SHARE;
  const lambda = options.lambda ?? LAMBDA;
  const rows: Float32Array[] = [...set.positives, ...set.negatives, ...set.background];
  const labels = [...set.positives.map(() => 1), ...set.negatives.map(() => 0), ...set.background.map(() => 0)];
  const negativeWeight = set.negatives.length * 5 + set.background.length;
  const weights = [
    ...set.positives.map(() => share / set.positives.length),
    ...set.negatives.map(() => (negativeWeight > 0 ? ((1 - share) * 5) / negativeWeight : 0)),
    ...set.background.map(() => (negativeWeight > 0 ? (1 - share) / negativeWeight : 0)),
  ];
  if (negativeWeight === 0) {
    // Nothing to tell the concept from: the prototype is all there is.
    return trainPrototype(set);
  }
  const dim = rows[0]!.length;
  const mu = new Float64Array(dim);
  for (const r of rows) for (let i = 0; i < dim; i++) mu[i]! += r[i]! / rows.length;
  const sd = new Float64Array(dim);
  for (const r of rows) for (let i = 0; i < dim; i++) sd[i]! += (r[i]! - mu[i]!) ** 2 / rows.length;
  for (let i = 0; i < dim; i++) sd[i] = Math.sqrt(sd[i]!) + 1e-6;
  const xs = rows.map((r) => Float64Array.from(r, (x, i) => (x - mu[i]!) / sd[i]!));

  const w = new Float64Array(dim);
  let b = 0;
  const m = new Float64Array(dim + 1);
  const v = new Float64Array(dim + 1);
  const grad = new Float64Array(dim + 1);
  const rate = 0.05;
  for (let t = 1; t <= ITERATIONS; t++) {
    grad.fill(0);
    for (let n = 0; n < xs.length; n++) {
      const x = xs[n]!;
      let z = b;
      for (let i = 0; i < dim; i++) z += w[i]! * x[i]!;
      const e = (sigmoid(z) - labels[n]!) * weights[n]!;
      for (let i = 0; i < dim; i++) grad[i]! += e * x[i]!;
      grad[dim]! += e;
    }
    for (let i = 0; i < dim; i++) grad[i]! += lambda * w[i]!;
    for (let i = 0; i <= dim; i++) {
      m[i] = 0.9 * m[i]! + 0.1 * grad[i]!;
      v[i] = 0.999 * v[i]! + 0.001 * grad[i]! ** 2;
      const step = (rate * (m[i]! / (1 - 0.9 ** t))) / (Math.sqrt(v[i]! / (1 - 0.999 ** t)) + 1e-8);
      if (i < dim) w[i]! -= step;
      else b -= step;
    }
  }
  // Back to raw vectors: w'·((x - mu) / sd) + b = (w' / sd)·x + (b - (w' / sd)·mu).
  const raw = Float32Array.from(w, (wi, i) => wi / sd[i]!);
  let bias = b;
  for (let i = 0; i < dim; i++) bias -= raw[i]! * mu[i]!;
  return { method: 'logistic', weights: raw, bias };
}

/** The direction to search the vector index with: photos ranked by it are ranked by the concept's score. */
export function searchDirection(concept: LinearConcept): Float32Array {
  return l2normalise(concept.weights);
}

/** |w|: a photo with cosine similarity s to the search direction scores |w|·s + bias. */
export function weightNorm(concept: LinearConcept): number {
  return Math.sqrt(dot(concept.weights, concept.weights));
}
