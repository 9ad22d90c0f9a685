/**
 * Grouping faces into people. Pure: faces in, each face's person out; the store applies the answer.
 *
 * A full regroup is DBSCAN over the faces good enough to found a person (`eligible`: large, sharp,
 * frontal enough): a face with at least `minFaces - 1` others within `maxDistance` (Euclidean, as the
 * recogniser's descriptors are compared) is a core face; core faces within reach of each other are one
 * person, and a face within reach of a core face joins it. Faces not good enough to found a person (small,
 * blurred, in profile) and faces left over join the person of their nearest placed face within reach, or
 * stay unsorted. DBSCAN does not depend on the order faces arrive, which greedy online grouping does.
 *
 * The user's word binds it: a face the user placed ("this is Anna") keeps its person and pulls the
 * unplaced faces of its group to that person (a group holding faces the user placed with two people is
 * split between them, each face to the person of the nearest placed face); a face the user rejected for a
 * person ("not Anna") is never given that person. A group takes the id of the existing person most of its
 * faces had, so names, covers and hidden people survive a regroup.
 *
 * An incremental step places new faces only: each joins the person of its nearest placed face within
 * reach; the rest, with the unsorted faces already waiting, found new people where DBSCAN among them finds
 * a group.
 */
import hnswlib from 'hnswlib-node';
import { SimdMatrix } from '../index/simd-dots.js';

export interface GroupingParams {
  /** Two faces this close (Euclidean) or closer may be the same person. */
  maxDistance: number;
  /** Faces needed to found a person. */
  minFaces: number;
}

export interface GroupingFace {
  id: number;
  embedding: Float32Array;
  /** Good enough to found a person. */
  eligible: boolean;
  /** The person it has now (null: unsorted). */
  person: number | null;
  /** The person the user placed it with (it keeps that person). */
  pinned: number | null;
  /** People the user said it is not. */
  rejected: ReadonlySet<number> | undefined;
}

/** A face's person after grouping: an existing person's id, or `{ found: k }`, the k-th new person. */
export type PersonChoice = number | { found: number } | null;

/** Brute force below this many faces; an HNSW graph (hnswlib) above. */
const BRUTE_FORCE_LIMIT = 4000;
/** Neighbours asked of the graph for each face: enough to decide "core" (minFaces is a handful). */
const GRAPH_NEIGHBOURS = 24;

/** Each face's neighbours within `radius`, nearest first. */
export function neighboursWithin(vectors: readonly Float32Array[], radius: number): Array<Array<{ at: number; distance: number }>> {
  const n = vectors.length;
  if (n === 0) return [];
  const dim = vectors[0]!.length;
  const norms = vectors.map((v) => v.reduce((s, x) => s + x * x, 0));
  const result: Array<Array<{ at: number; distance: number }>> = [];
  if (n <= BRUTE_FORCE_LIMIT) {
    const matrix = new SimdMatrix(dim);
    matrix.reserve(n);
    vectors.forEach((v, i) => matrix.set(i, v));
    for (let i = 0; i < n; i++) {
      const dots = matrix.scores(vectors[i]!, n);
      const near: Array<{ at: number; distance: number }> = [];
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const d2 = norms[i]! + norms[j]! - 2 * dots[j]!;
        if (d2 <= radius * radius) near.push({ at: j, distance: Math.sqrt(Math.max(0, d2)) });
      }
      result.push(near.sort((a, b) => a.distance - b.distance));
    }
    return result;
  }
  const graph = new hnswlib.HierarchicalNSW('l2', dim);
  graph.initIndex({ maxElements: n, m: 12, efConstruction: 40, randomSeed: 7 });
  const points = vectors.map((v) => Array.from(v));
  points.forEach((p, i) => graph.addPoint(p, i));
  graph.setEf(40);
  const k = Math.min(n, GRAPH_NEIGHBOURS + 1);
  for (let i = 0; i < n; i++) {
    const { neighbors, distances } = graph.searchKnn(points[i]!, k);
    const near: Array<{ at: number; distance: number }> = [];
    // hnswlib's 'l2' space reports squared distances.
    neighbors.forEach((j, m) => {
      if (j !== i && distances[m]! <= radius * radius) near.push({ at: j, distance: Math.sqrt(distances[m]!) });
    });
    result.push(near.sort((a, b) => a.distance - b.distance));
  }
  return result;
}

/**
 * DBSCAN over the eligible faces, with each face's neighbours within reach: a cluster number per face,
 * or -1 (noise, or a face not good enough to found a person). Only eligible faces count towards a core
 * and only they extend a cluster.
 */
function clustersOf(faces: readonly GroupingFace[], near: ReadonlyArray<ReadonlyArray<{ at: number }>>, params: GroupingParams): number[] {
  const core = faces.map((f, i) => f.eligible && near[i]!.filter(({ at }) => faces[at]!.eligible).length + 1 >= params.minFaces);
  const cluster = new Array<number>(faces.length).fill(-1);
  let next = 0;
  for (let i = 0; i < faces.length; i++) {
    if (!core[i] || cluster[i] !== -1) continue;
    const label = next++;
    cluster[i] = label;
    const queue = [i];
    while (queue.length > 0) {
      const at = queue.pop()!;
      for (const { at: j } of near[at]!) {
        if (cluster[j] !== -1 || !faces[j]!.eligible) continue;
        cluster[j] = label;
        if (core[j]) queue.push(j);
      }
    }
  }
  return cluster;
}

function distance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}

/** Every face's person, grouped from scratch (see the module's comment). */
export function regroup(faces: readonly GroupingFace[], params: GroupingParams): Map<number, PersonChoice> {
  const choice = new Map<number, PersonChoice>();
  for (const f of faces) if (f.pinned !== null) choice.set(f.id, f.pinned);
  const near = neighboursWithin(
    faces.map((f) => f.embedding),
    params.maxDistance,
  );
  const clusters = clustersOf(faces, near, params);
  const members = new Map<number, GroupingFace[]>();
  faces.forEach((f, i) => {
    if (clusters[i]! >= 0) members.set(clusters[i]!, [...(members.get(clusters[i]!) ?? []), f]);
  });
  // Which existing person each group becomes: groups with faces the user placed are theirs; the others
  // take, largest overlap first, the existing person most of their faces had, if no group took it.
  const taken = new Set<number>();
  const plans: Array<{ faces: GroupingFace[]; person: PersonChoice; pins: GroupingFace[] }> = [];
  for (const group of members.values()) {
    const pins = group.filter((f) => f.pinned !== null);
    for (const p of pins) taken.add(p.pinned!);
    plans.push({ faces: group, person: null, pins });
  }
  const votes: Array<{ plan: (typeof plans)[number]; person: number; count: number }> = [];
  for (const plan of plans) {
    if (plan.pins.length > 0) continue;
    const counts = new Map<number, number>();
    for (const f of plan.faces) if (f.person !== null) counts.set(f.person, (counts.get(f.person) ?? 0) + 1);
    for (const [person, count] of counts) votes.push({ plan, person, count });
  }
  votes.sort((a, b) => b.count - a.count || a.person - b.person);
  for (const v of votes) {
    if (v.plan.person !== null || taken.has(v.person)) continue;
    v.plan.person = v.person;
    taken.add(v.person);
  }
  let found = 0;
  for (const plan of plans) {
    if (plan.pins.length > 0) {
      // Each unplaced face to the person of the nearest face the user placed in its group.
      for (const f of plan.faces) {
        if (f.pinned !== null) continue;
        let best: GroupingFace | undefined;
        for (const p of plan.pins) if (!f.rejected?.has(p.pinned!) && (!best || distance(f.embedding, p.embedding) < distance(f.embedding, best.embedding))) best = p;
        choice.set(f.id, best ? best.pinned : null);
      }
      continue;
    }
    const person: PersonChoice = plan.person ?? { found: found++ };
    for (const f of plan.faces) if (f.pinned === null) choice.set(f.id, typeof person === 'number' && f.rejected?.has(person) ? null : person);
  }
  // The rest join the person of their nearest placed neighbour they may have, or wait unsorted.
  faces.forEach((f, i) => {
    if (choice.has(f.id)) return;
    let person: PersonChoice = null;
    for (const { at } of near[i]!) {
      const other = choice.get(faces[at]!.id);
      if (other == null || (typeof other === 'number' && f.rejected?.has(other))) continue;
      person = other;
      break;
    }
    choice.set(f.id, person);
  });
  return choice;
}

/** A new face is compared with every face of this many people whose centres are nearest it. */
const NEAREST_PEOPLE = 6;
/** At most this many faces of a person are compared (spread over their faces). */
const FACES_COMPARED = 64;

/**
 * Places new faces (`fresh`) among faces already grouped (`grouped`, each with its person or unsorted):
 * each fresh face joins the person of its nearest grouped face within reach; the fresh faces left, with
 * the unsorted ones, found new people where they form a group of `minFaces`. Answers for the fresh faces
 * and for the unsorted faces that found a person.
 */
export function placeNew(grouped: readonly GroupingFace[], fresh: readonly GroupingFace[], params: GroupingParams): Map<number, PersonChoice> {
  const choice = new Map<number, PersonChoice>();
  const byPerson = new Map<number, GroupingFace[]>();
  for (const f of grouped) if (f.person !== null) byPerson.set(f.person, [...(byPerson.get(f.person) ?? []), f]);
  const waiting: GroupingFace[] = grouped.filter((f) => f.person === null);
  const nearest = nearestPersonSearch(byPerson);
  for (const f of fresh) {
    const person = f.pinned ?? nearest(f, params);
    choice.set(f.id, person);
    if (person === null) waiting.push(f);
  }
  if (fresh.some((f) => choice.get(f.id) === null)) {
    const founding = regroup(
      waiting.map((f) => ({ ...f, person: null })),
      params,
    );
    const isFresh = new Set(fresh.map((f) => f.id));
    for (const f of waiting) {
      const person = founding.get(f.id) ?? null;
      if (person !== null || isFresh.has(f.id)) choice.set(f.id, person);
    }
  }
  return choice;
}

/**
 * The person of the nearest face within reach that a face may have: the people whose centres (mean
 * descriptors) are nearest are found first (SIMD inner products over one row a person), then their faces
 * are compared one by one. Placing 1,000 faces among 100k takes a fraction of a second this way.
 */
function nearestPersonSearch(byPerson: ReadonlyMap<number, readonly GroupingFace[]>): (face: GroupingFace, params: GroupingParams) => PersonChoice {
  const people = [...byPerson.keys()];
  if (people.length === 0) return () => null;
  const dim = byPerson.get(people[0]!)![0]!.embedding.length;
  const matrix = new SimdMatrix(dim);
  matrix.reserve(people.length);
  const compared = new Map<number, GroupingFace[]>();
  const centreNorms: number[] = [];
  people.forEach((person, row) => {
    const faces = byPerson.get(person)!;
    const centre = new Float32Array(dim);
    for (const f of faces) for (let i = 0; i < dim; i++) centre[i]! += f.embedding[i]! / faces.length;
    matrix.set(row, centre);
    centreNorms.push(centre.reduce((s, x) => s + x * x, 0));
    const step = Math.max(1, faces.length / FACES_COMPARED);
    const spread: GroupingFace[] = [];
    for (let k = 0; k < faces.length; k += step) spread.push(faces[Math.floor(k)]!);
    compared.set(person, spread);
  });
  return (face, params) => {
    const dots = matrix.scores(face.embedding, people.length);
    const own = face.embedding.reduce((s, x) => s + x * x, 0);
    // The nearest centres, kept in a short sorted list as the rows go by.
    const order: number[] = [];
    const key = (row: number) => centreNorms[row]! - 2 * dots[row]!;
    for (let row = 0; row < people.length; row++) {
      if (order.length === NEAREST_PEOPLE && key(row) >= key(order[NEAREST_PEOPLE - 1]!)) continue;
      let at = order.length;
      while (at > 0 && key(order[at - 1]!) > key(row)) at--;
      order.splice(at, 0, row);
      if (order.length > NEAREST_PEOPLE) order.pop();
    }
    let best: PersonChoice = null;
    let bestDistance = params.maxDistance;
    for (const row of order) {
      const person = people[row]!;
      if (face.rejected?.has(person)) continue;
      if (Math.sqrt(Math.max(0, own + centreNorms[row]! - 2 * dots[row]!)) > 2 * params.maxDistance) continue;
      for (const other of compared.get(person)!) {
        const d = distance(face.embedding, other.embedding);
        if (d <= bestDistance) {
          bestDistance = d;
          best = person;
        }
      }
    }
    return best;
  };
}
