import { dot } from '../core/vector-math.js';
import { hashHalves, popcount32 } from '../media/look.js';

/**
 * Near-duplicate grouping, as pure computation: candidates are each photo's nearest neighbours by
 * embedding, a candidate pair is kept when it is close in the embedding AND in the perceptual hash, and
 * kept pairs are joined into groups (union-find). Photos with the same content fingerprint are one group
 * whatever their vectors say (exact copies). A group whose members do not all agree with one of them (its
 * centre) is split: union-find chains A~B~C~...~Z, so 499 different glyphs, each like the next, made one
 * stack (issue 27.7). A stack is a centre and the photos near it.
 *
 * Neither signal is enough alone (measured on the generated set, bench/stacks.ts): crops of up to 10%
 * move the 64-bit DCT hash by up to 24 bits while unrelated scenes can be 8 bits apart; the embedding
 * puts a scene's look-alike (same objects, another layout) as close as 0.98 while its hash is 26 bits
 * or more away. Together they separate the two.
 */
export interface GroupingThresholds {
  /** Cosine similarity of two embeddings at least this. */
  minSimilarity: number;
  /** Perceptual hashes at most this many bits apart (of 64). */
  maxHamming: number;
  /** Neighbours asked of the vector index for each photo. */
  neighbours: number;
  /** The index's search breadth for those (hnswlib's ef). */
  ef: number;
}

/** Chosen on the generated set's calibration seed (bench/stacks.ts --explore); measured on others. */
export const GROUPING: GroupingThresholds = { minSimilarity: 0.85, maxHamming: 20, neighbours: 6, ef: 12 };

export interface GroupingPhoto {
  id: number;
  /** Content fingerprint: equal for exact copies. */
  hash: string;
  /** Perceptual hash (16 hex digits), null when not computed yet: such a photo only joins exact copies. */
  phash: string | null;
  /** The hash of its centre (PhotoLook.inner); null with `phash`. */
  inner: string | null;
  /** Its size in pixels (null: not known). */
  width: number | null;
  height: number | null;
}

/**
 * The perceptual hash is the DCT of the photo shrunk to 32 x 32 grey: an image smaller than that on a
 * side is enlarged to make it, and its hash describes the interpolation, not the picture (every 8 x 11
 * glyph of a font hashes alike). Such a photo joins only its exact copies.
 */
export const HASH_MIN_SIDE = 32;

export function hashDecides(p: Pick<GroupingPhoto, 'width' | 'height'>): boolean {
  return p.width === null || p.height === null || Math.min(p.width, p.height) >= HASH_MIN_SIDE;
}

/** A photo's vector for the model grouped by (unit length), when it has one. */
export type VectorSource = (id: number) => Float32Array | undefined;

export type NeighbourSource = (id: number, k: number, ef: number) => ReadonlyArray<{ id: number; similarity: number }>;

class UnionFind {
  private readonly parent = new Map<number, number>();
  find(x: number): number {
    let root = x;
    for (let p = this.parent.get(root); p !== undefined && p !== root; p = this.parent.get(root)) root = p;
    // Path compression: every node on the way now points at the root.
    for (let node = x, p = this.parent.get(node); p !== undefined && p !== root; node = p, p = this.parent.get(node)) this.parent.set(node, root);
    return root;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    // The smaller id becomes the root, so a group is named by its smallest photo id.
    if (ra < rb) this.parent.set(rb, ra);
    else this.parent.set(ra, rb);
  }
  /** Every id joined to another. */
  ids(): number[] {
    return [...this.parent.keys()];
  }
  add(x: number): void {
    if (!this.parent.has(x)) this.parent.set(x, x);
  }
}

export interface IncrementalGrouping {
  /** Groups already built (each kept whole), for an update that only adds to them. */
  existing: ReadonlyArray<readonly number[]>;
  /** The photos whose neighbours are asked (new or changed since the groups were built). */
  only: ReadonlySet<number>;
}

/**
 * Groups of two photos or more, each sorted by id, the groups by their first id. With `incremental`,
 * the existing groups are kept and only the given photos' neighbours are asked: what a library that
 * gained photos needs, at the cost of its new photos only.
 */
export function groupNearDuplicates(
  photos: readonly GroupingPhoto[],
  neighbours: NeighbourSource,
  vectorOf: VectorSource,
  thresholds: GroupingThresholds = GROUPING,
  incremental?: IncrementalGrouping,
): number[][] {
  const sets = new UnionFind();
  const join = (a: number, b: number) => {
    sets.add(a);
    sets.add(b);
    sets.union(a, b);
  };
  for (const group of incremental?.existing ?? []) for (const id of group.slice(1)) join(group[0]!, id);
  // Exact copies: the same content fingerprint.
  const byHash = new Map<string, number>();
  for (const p of photos) {
    const first = byHash.get(p.hash);
    if (first === undefined) byHash.set(p.hash, p.id);
    else join(first, p.id);
  }
  // Near-duplicates: close in the embedding, confirmed by the perceptual hash (lookDistance: whole to
  // whole, or whole to centre, so a crop matches), on 32-bit halves for speed.
  const halves = new Map<number, Uint32Array>();
  for (const p of photos) {
    if (p.phash === null || p.inner === null || !hashDecides(p)) continue;
    halves.set(p.id, Uint32Array.from([...hashHalves(p.phash), ...hashHalves(p.inner)]));
  }
  const bits = (a: Uint32Array, i: number, b: Uint32Array, j: number) => popcount32(a[i]! ^ b[j]!) + popcount32(a[i + 1]! ^ b[j + 1]!);
  for (const p of photos) {
    if (incremental && !incremental.only.has(p.id)) continue;
    const a = halves.get(p.id);
    if (a === undefined) continue;
    for (const n of neighbours(p.id, thresholds.neighbours, thresholds.ef)) {
      if (n.similarity < thresholds.minSimilarity) continue;
      const b = halves.get(n.id);
      if (b === undefined) continue;
      if (Math.min(bits(a, 0, b, 0), bits(a, 0, b, 2), bits(a, 2, b, 0)) <= thresholds.maxHamming) join(p.id, n.id);
    }
  }
  const groups = new Map<number, number[]>();
  for (const id of sets.ids()) {
    const root = sets.find(id);
    const group = groups.get(root);
    if (group) group.push(id);
    else groups.set(root, [id]);
  }
  const fingerprint = new Map(photos.map((p) => [p.id, p.hash]));
  // Two photos agree when they are exact copies, or near in the embedding and in the hash (computed
  // exactly here, not through the index: the index's similarities are approximate).
  const near = (a: number, b: number): boolean => {
    if (fingerprint.get(a) === fingerprint.get(b)) return true;
    const [ha, hb, va, vb] = [halves.get(a), halves.get(b), vectorOf(a), vectorOf(b)];
    if (!ha || !hb || !va || !vb) return false;
    return dot(va, vb) >= thresholds.minSimilarity - 1e-6 && Math.min(bits(ha, 0, hb, 0), bits(ha, 0, hb, 2), bits(ha, 2, hb, 0)) <= thresholds.maxHamming;
  };
  return [...groups.values()]
    .flatMap((g) => (g.length > 2 ? aroundCentres(g, near) : [g]))
    .filter((g) => g.length > 1)
    .map((g) => g.sort((a, b) => a - b))
    .sort((a, b) => a[0]! - b[0]!);
}

/**
 * Splits a group into stacks that each agree with a centre: the member near the most others (the
 * smallest id on a tie) takes those near it, and what is left is split again. The agreement of every
 * pair is computed once (a group of n photos costs n^2 / 2 comparisons; union-find groups are a few
 * photos, and the 499-photo chain of issue 27.7 took a fraction of a second).
 */
function aroundCentres(group: readonly number[], near: (a: number, b: number) => boolean): number[][] {
  const n = group.length;
  const agree = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (near(group[i]!, group[j]!)) agree[i * n + j] = agree[j * n + i] = 1;
  let left = [...group.keys()].sort((a, b) => group[a]! - group[b]!);
  const stacks: number[][] = [];
  while (left.length > 1) {
    let centre = -1;
    let most = 0;
    for (const i of left) {
      let count = 0;
      for (const j of left) count += agree[i * n + j]!;
      if (count > most) [centre, most] = [i, count];
    }
    if (centre < 0) break; // no two of the rest agree
    const stack = left.filter((j) => j === centre || agree[centre * n + j] === 1);
    stacks.push(stack.map((i) => group[i]!));
    const taken = new Set(stack);
    left = left.filter((i) => !taken.has(i));
  }
  return stacks;
}
