import { basename, dirname } from 'node:path';
import type { DuplicateGroup, DuplicatePhoto, Duplicates } from '../../../shared/api.js';
import type { Catalog } from '../catalog/catalog.js';
import type { StackMemberRow } from './stack-store.js';
import type { VectorIndex } from '../index/vector-index.js';
import { GROUPING, type GroupingThresholds, type IncrementalGrouping, groupNearDuplicates } from './grouping.js';
import { StackStore } from './stack-store.js';
import { VectorStore } from '../index/vector-store.js';

/**
 * Near-duplicate stacks: derived data, rebuilt from the catalogue's vectors (through the vector index),
 * perceptual hashes and content fingerprints whenever what they were built from changed. Nothing here is
 * the user's: the `stacks` table can be emptied at any time and is built again.
 */
export interface StackBuild {
  /** False when the stacks were current and nothing was done. */
  built: boolean;
  /** Only the photos new or changed since the last build were looked at (the stacks they did not touch were kept). */
  incremental: boolean;
  groups: number;
  photos: number;
  seconds: number;
}

/**
 * Rebuilds the stacks when the vectors of `model`, the looks or the indexed photos changed since the last
 * build. When photos were only added (or measured) since, and none of them was in a stack, the existing
 * stacks are kept and only the new photos' neighbours are asked: a library that gains a few photos pays
 * for those. Anything else (a photo left a stack, a stacked photo changed, another pack) rebuilds all.
 */
export function refreshStacks(catalog: Catalog, index: VectorIndex, model: string, thresholds: GroupingThresholds = GROUPING): StackBuild {
  const stackStore = new StackStore(catalog);
  const vectorStore = new VectorStore(catalog);
  const started = performance.now();
  const source = stackStore.stacksSource(model);
  if (stackStore.stacksBuiltFrom() === source) return { built: false, incremental: false, groups: 0, photos: 0, seconds: 0 };
  // What this build covers: changes after these are the next build's.
  const build = { model, seq: vectorStore.lastVectorSeq(), at: Date.now() };
  index.refresh(catalog);
  const rows = stackStore.groupingRows();
  const last = stackStore.stacksBuild();
  let incremental: IncrementalGrouping | undefined;
  if (last && last.model === model && stackStore.stackRowCount() === last.rows) {
    const changed = stackStore.changedSinceStacks(model, last.seq, last.at);
    const existing = stackStore.stackGroups();
    const stacked = new Set(existing.flat());
    if (![...changed].some((id) => stacked.has(id))) incremental = { existing, only: changed };
  }
  let vectors: Map<number, Float32Array>;
  if (incremental) {
    vectors = new Map();
    for (const id of incremental.only) {
      const v = vectorStore.vector(id, model);
      if (v) vectors.set(id, v);
    }
  } else vectors = new Map(vectorStore.allVectors(model).vectors.map((v) => [v.photoId, v.vector]));
  // The members of a group are compared with each other too (a group must agree with its centre); in an
  // incremental build their vectors are read when asked.
  const vectorOf = (id: number) => {
    let v = vectors.get(id);
    if (!v && incremental) {
      v = vectorStore.vector(id, model);
      if (v) vectors.set(id, v);
    }
    return v;
  };
  const groups = groupNearDuplicates(rows, (id, k, ef) => index.neighboursOf(id, k, ef, vectors.get(id)), vectorOf, thresholds, incremental);
  stackStore.replaceStacks(groups, source, build);
  return {
    built: true,
    incremental: incremental !== undefined,
    groups: groups.length,
    photos: groups.reduce((n, g) => n + g.length, 0),
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Sharpness within this share of the sharpest counts as as sharp: copies of one shot differ by up to about
 * 20% (a crop drops flat borders, a low-quality re-encode adds block edges), while a blurred frame of a
 * burst falls far below (test/main/engine/stacks/best-shot.test.ts).
 */
const AS_SHARP = 0.7;

/**
 * A stack's photos, best shot first: those about as sharp as the sharpest before the others, and within
 * each, the largest (pixels), then the larger file (at the same size, the better encoding), then the
 * oldest id. A photo not measured yet counts as not sharp.
 */
export function bestFirst<T extends Pick<StackMemberRow, 'id' | 'sharpness' | 'width' | 'height' | 'size'>>(members: readonly T[]): T[] {
  const sharpest = Math.max(0, ...members.map((m) => m.sharpness ?? 0));
  const sharpEnough = (m: T) => m.sharpness !== null && m.sharpness >= AS_SHARP * sharpest;
  const pixels = (m: T) => (m.width ?? 0) * (m.height ?? 0);
  return [...members].sort((a, b) => Number(sharpEnough(b)) - Number(sharpEnough(a)) || pixels(b) - pixels(a) || b.size - a.size || a.id - b.id);
}

function groupOf(stackId: number, rows: readonly StackMemberRow[]): DuplicateGroup {
  const ordered = bestFirst(rows);
  const firstWithHash = new Map<string, number>();
  const photos: DuplicatePhoto[] = ordered.map((m, i) => {
    const same = m.hash === null ? undefined : firstWithHash.get(m.hash);
    if (m.hash !== null && same === undefined) firstWithHash.set(m.hash, m.id);
    return {
      id: m.id,
      path: m.path,
      name: basename(m.path),
      folder: dirname(m.path),
      bytes: m.size,
      width: m.width,
      height: m.height,
      sharpness: m.sharpness === null ? null : Math.round(m.sharpness * 10) / 10,
      best: i === 0,
      copyOf: same ?? null,
    };
  });
  return { id: stackId, kind: photos.every((p, i) => i === 0 || p.copyOf !== null) ? 'exact' : 'near', photos };
}

/** Every group of two photos or more, largest first, for clean-up. */
export function duplicates(catalog: Catalog): Duplicates {
  const stackStore = new StackStore(catalog);
  const byStack = new Map<number, StackMemberRow[]>();
  for (const row of stackStore.stackMembers()) {
    const list = byStack.get(row.stack_id);
    if (list) list.push(row);
    else byStack.set(row.stack_id, [row]);
  }
  const groups = [...byStack].map(([id, rows]) => groupOf(id, rows)).sort((a, b) => b.photos.length - a.photos.length || a.id - b.id);
  const extra = groups.flatMap((g) => g.photos.slice(1));
  return {
    groups,
    photos: groups.reduce((n, g) => n + g.photos.length, 0),
    extra: extra.length,
    extraBytes: extra.reduce((n, p) => n + p.bytes, 0),
    pending: stackStore.lookCounts().missing,
  };
}

/** One stack's group (undefined when there is no such stack of two photos or more). */
export function stackGroup(catalog: Catalog, stackId: number): DuplicateGroup | undefined {
  const rows = new StackStore(catalog).stackMembers(stackId);
  return rows.length > 1 ? groupOf(stackId, rows) : undefined;
}
