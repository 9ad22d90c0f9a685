/**
 * Grouping faces into people, as an algorithm, on seeded random worlds of identities (each a point in
 * the descriptor space, its faces scattered around it as a recogniser scatters one person's photos),
 * checked against the world they came from: purity and coverage, independence from the order faces
 * arrive in, the user's word (placed faces keep their person; a rejected person never comes back), and
 * the HNSW path agreeing with brute force. The real recogniser's descriptors are tested on real faces in
 * face-finder.test.ts and people.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type GroupingFace, type PersonChoice, placeNew, regroup } from '../../../../src/main/engine/faces/grouping.js';

const PARAMS = { maxDistance: 0.5, minFaces: 3 };

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Identities as centres about 1.0 apart, faces within about 0.3 of their centre (dlib's 128-d scale). */
function world(seed: number, identities: number, perIdentity: () => number, loners = 0): { faces: GroupingFace[]; truth: Map<number, number> } {
  const random = rng(seed);
  const dim = 128;
  const centres = Array.from({ length: identities + loners }, () => Float32Array.from({ length: dim }, () => gaussian(random) * (0.75 / Math.sqrt(dim))));
  const faces: GroupingFace[] = [];
  const truth = new Map<number, number>();
  centres.forEach((centre, who) => {
    const n = who < identities ? perIdentity() : 1;
    for (let k = 0; k < n; k++) {
      const id = faces.length + 1;
      faces.push({
        id,
        embedding: centre.map((x) => x + gaussian(random) * (0.17 / Math.sqrt(dim))),
        eligible: random() > 0.1,
        person: null,
        pinned: null,
        rejected: undefined,
      });
      truth.set(id, who);
    }
  });
  return { faces, truth };
}

/**
 * Purity (faces of a group that are its main identity) and coverage (of each identity with 3+ faces good
 * enough to found a person, the share of its faces in its largest group).
 */
function score(
  choice: ReadonlyMap<number, PersonChoice>,
  truth: ReadonlyMap<number, number>,
  faces: readonly GroupingFace[],
): { purity: number; coverage: number; groups: number } {
  const key = (c: PersonChoice) => (c === null ? null : typeof c === 'number' ? `p${c}` : `f${c.found}`);
  const groups = new Map<string, number[]>();
  for (const [face, c] of choice) {
    const k = key(c);
    if (k) groups.set(k, [...(groups.get(k) ?? []), truth.get(face)!]);
  }
  let pure = 0;
  let grouped = 0;
  for (const members of groups.values()) {
    const counts = new Map<number, number>();
    for (const m of members) counts.set(m, (counts.get(m) ?? 0) + 1);
    pure += Math.max(...counts.values());
    grouped += members.length;
  }
  const eligible = new Set(faces.filter((f) => f.eligible).map((f) => f.id));
  const byIdentity = new Map<number, number[]>();
  for (const [face, who] of truth) byIdentity.set(who, [...(byIdentity.get(who) ?? []), face]);
  const coverages: number[] = [];
  for (const faces of byIdentity.values()) {
    if (faces.filter((f) => eligible.has(f)).length < 3) continue;
    const counts = new Map<string, number>();
    for (const f of faces) {
      const k = key(choice.get(f) ?? null);
      if (k) counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    coverages.push(counts.size ? Math.max(...counts.values()) / faces.length : 0);
  }
  return { purity: grouped ? pure / grouped : 1, coverage: coverages.reduce((a, b) => a + b, 0) / Math.max(1, coverages.length), groups: groups.size };
}

/** The partition a grouping makes, as sorted lists of face ids (names of groups aside). */
function partition(choice: ReadonlyMap<number, PersonChoice>): string[] {
  const groups = new Map<string, number[]>();
  for (const [face, c] of choice) {
    if (c === null) continue;
    const k = typeof c === 'number' ? `p${c}` : `f${c.found}`;
    groups.set(k, [...(groups.get(k) ?? []), face]);
  }
  return [...groups.values()].map((g) => g.sort((a, b) => a - b).join(',')).sort();
}

describe('grouping faces into people', () => {
  for (const seed of [1, 2, 3]) {
    it(`groups a world of identities purely and fully, whatever the order (seed ${seed})`, () => {
      const random = rng(seed * 7);
      const { faces, truth } = world(seed, 25, () => 3 + Math.floor(random() * 12), 10);
      const choice = regroup(faces, PARAMS);
      const { purity, coverage } = score(choice, truth, faces);
      assert.ok(purity >= 0.99, `purity ${purity}`);
      assert.ok(coverage >= 0.95, `coverage ${coverage}`);
      const shuffled = [...faces].sort(() => random() - 0.5);
      assert.deepEqual(partition(regroup(shuffled, PARAMS)), partition(choice), 'the same people whatever order the faces come in');
      // A face alone (a passer-by) founds no one.
      for (const [face, who] of truth) if (who >= 25) assert.equal(choice.get(face) ?? null, null, `loner face ${face} stays unsorted`);
    });
  }

  it('keeps the ids of existing people, and never founds a person from faces too poor to', () => {
    const { faces } = world(4, 6, () => 5);
    const first = regroup(faces, PARAMS);
    // Give the groups ids as the store would, then regroup: each group keeps its id.
    const ids = new Map<string, number>();
    const withPeople = faces.map((f) => {
      const c = first.get(f.id)!;
      const k = JSON.stringify(c);
      if (!ids.has(k)) ids.set(k, 100 + ids.size);
      return { ...f, person: c === null ? null : ids.get(k)! };
    });
    const again = regroup(withPeople, PARAMS);
    for (const f of withPeople) assert.equal(again.get(f.id), f.person, `face ${f.id} keeps person ${f.person}`);
    const poor = faces.map((f) => ({ ...f, eligible: false }));
    assert.ok(
      [...regroup(poor, PARAMS).values()].every((c) => c === null),
      'no person is founded by faces not good enough to',
    );
  });

  it("obeys the user's word: a placed face keeps its person and pulls its group; a rejected person never returns", () => {
    const { faces, truth } = world(5, 4, () => 6);
    const annaFaces = faces.filter((f) => truth.get(f.id) === 0);
    const pinned = faces.map((f) => (f.id === annaFaces[0]!.id ? { ...f, pinned: 7, person: 7 } : f));
    const choice = regroup(pinned, PARAMS);
    for (const f of annaFaces) if (f.eligible) assert.equal(choice.get(f.id), 7, 'the group of the face the user placed is theirs');
    // The user says two of Anna's faces are not Anna: they never go back to her.
    const rejected = pinned.map((f) => (f.id === annaFaces[1]!.id || f.id === annaFaces[2]!.id ? { ...f, rejected: new Set([7]) } : f));
    const after = regroup(rejected, PARAMS);
    assert.notEqual(after.get(annaFaces[1]!.id), 7);
    assert.notEqual(after.get(annaFaces[2]!.id), 7);
    assert.equal(after.get(annaFaces[0]!.id), 7);
    // Two faces of one group placed with two different people split the group between them.
    const twoPins = faces.map((f) => (f.id === annaFaces[0]!.id ? { ...f, pinned: 7 } : f.id === annaFaces[1]!.id ? { ...f, pinned: 8 } : f));
    const split = regroup(twoPins, PARAMS);
    assert.equal(split.get(annaFaces[0]!.id), 7);
    assert.equal(split.get(annaFaces[1]!.id), 8);
    for (const f of annaFaces.slice(2)) if (f.eligible) assert.ok([7, 8].includes(split.get(f.id) as number));
  });

  it('places new faces with the people they look like, and founds a person from new faces alike', () => {
    const { faces, truth } = world(6, 8, () => 8);
    const old = faces.filter((f) => truth.get(f.id)! < 6 || f.id % 8 < 3);
    const fresh = faces.filter((f) => !old.includes(f));
    const first = regroup(old, PARAMS);
    const people = new Map<string, number>();
    const grouped = old.map((f) => {
      const c = first.get(f.id)!;
      if (c === null) return f;
      const k = JSON.stringify(c);
      if (!people.has(k)) people.set(k, people.size + 1);
      return { ...f, person: people.get(k)! };
    });
    const placed = placeNew(grouped, fresh, PARAMS);
    const combined = new Map<number, PersonChoice>([...grouped.map((f) => [f.id, f.person] as [number, PersonChoice]), ...placed]);
    const { purity, coverage } = score(combined, truth, faces);
    assert.ok(purity >= 0.99, `purity ${purity}`);
    assert.ok(coverage >= 0.9, `coverage ${coverage}`);
    // New faces of an identity already grouped join it rather than founding another.
    for (const f of fresh) if (truth.get(f.id)! < 6 && f.eligible) assert.equal(typeof placed.get(f.id), 'number', `face ${f.id} joined an existing person`);
  });

  it('groups a large library through the HNSW graph as purely and fully', () => {
    const random = rng(11);
    const { faces, truth } = world(11, 700, () => 4 + Math.floor(random() * 6), 200);
    assert.ok(faces.length > 4000, 'large enough for the graph path');
    const { purity, coverage } = score(regroup(faces, PARAMS), truth, faces);
    assert.ok(purity >= 0.99, `purity ${purity}`);
    assert.ok(coverage >= 0.95, `coverage ${coverage}`);
  });
});
