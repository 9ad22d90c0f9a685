/**
 * Fitting how faces are grouped into people (`grouping` in the face pack's faces.json, read by
 * `faces/grouping.ts`) on labelled real faces: folders DIR/<person>/<photos>. Used by
 * `scripts/calibrate-pack.ts` (a held-out set's `faces/`) and `bench/faces.ts --calibrate` (its table).
 *
 * Each photo's largest face is labelled with its folder (the person the photo is filed under); the other
 * faces of the photo are unlabelled, each its own stranger. A grouping is scored by purity (of the faces
 * put in a person, the share that belong to that person's majority) and coverage (for each identity with
 * 3 or more faces, the share of its faces in its largest person; the mean over identities).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FaceFinder } from '../main/engine/faces/face-finder.js';
import type { FaceManifest } from '../main/engine/faces/face-pack.js';
import { type GroupingFace, regroup } from '../main/engine/faces/grouping.js';
import { isPhotoFile } from '../main/engine/media/formats.js';
import { decodeForReading } from '../main/engine/media/photo.js';

export type LabelledFace = GroupingFace & { who: string; side: number; sharpness: number; frontal: number };
export type Grouping = FaceManifest['grouping'];

/** Every photo under DIR/<person>/: the faces found, each labelled with its folder when it is the photo's largest. */
export async function labelledFaces(dirs: readonly string[], finder: FaceFinder): Promise<{ faces: LabelledFace[]; photos: number; missed: string[] }> {
  const faces: LabelledFace[] = [];
  const missed: string[] = [];
  let photos = 0;
  for (const dir of dirs)
    for (const person of readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()))
      for (const file of readdirSync(join(dir, person.name)).filter((f) => isPhotoFile(f))) {
        photos++;
        const found = await finder.find(await decodeForReading(readFileSync(join(dir, person.name, file)), finder.manifest.readSide));
        if (found.length === 0) missed.push(`${person.name}/${file}`);
        const largest = Math.max(...found.map((f) => f.side));
        for (const f of found)
          faces.push({
            id: faces.length + 1,
            who: f.side === largest ? person.name : `unlabelled ${faces.length}`,
            embedding: f.embedding,
            eligible: true,
            person: null,
            pinned: null,
            rejected: undefined,
            side: f.side,
            sharpness: f.sharpness,
            frontal: f.frontal,
          });
      }
  return { faces, photos, missed };
}

export interface GroupingScore {
  /** People formed. */
  people: number;
  purity: number;
  coverage: number;
  /** Identities with 3 or more faces (those coverage is measured on). */
  identities: number;
}

/** Groups the labelled faces with these thresholds, from scratch, and scores the grouping. */
export function scoreGrouping(faces: readonly LabelledFace[], params: Grouping): GroupingScore {
  const choice = regroup(
    faces.map((f) => ({ ...f, eligible: f.side >= params.minFaceSide && f.sharpness >= params.minSharpness && f.frontal >= params.minFrontal })),
    params,
  );
  const key = (f: { id: number }) => JSON.stringify(choice.get(f.id) ?? null);
  const groups = new Map<string, string[]>();
  for (const f of faces) if (choice.get(f.id) != null) groups.set(key(f), [...(groups.get(key(f)) ?? []), f.who]);
  let pure = 0;
  let grouped = 0;
  for (const members of groups.values()) {
    pure += Math.max(...[...new Set(members)].map((w) => members.filter((m) => m === w).length));
    grouped += members.length;
  }
  const identities = [...new Set(faces.map((f) => f.who))].filter((w) => !w.startsWith('unlabelled') && faces.filter((f) => f.who === w).length >= 3);
  const coverage = identities.map((w) => {
    const theirs = faces.filter((f) => f.who === w && choice.get(f.id) != null).map(key);
    return theirs.length ? Math.max(...[...new Set(theirs)].map((k) => theirs.filter((t) => t === k).length)) / faces.filter((f) => f.who === w).length : 0;
  });
  return {
    people: groups.size,
    purity: grouped ? pure / grouped : 1,
    coverage: coverage.reduce((a, b) => a + b, 0) / Math.max(1, coverage.length),
    identities: identities.length,
  };
}

export interface GroupingFit {
  grouping: Grouping;
  score: GroupingScore;
  /** The thresholds the pack has now, scored on the same faces. */
  current: GroupingScore;
  /** Every setting tried. */
  tried: Array<{ maxDistance: number; minFrontal: number; score: GroupingScore }>;
}

/** The identities with 3 or more faces a fit needs at least. */
export const MIN_IDENTITIES = 2;

/**
 * The distance (from 0.8 to 1.2 times the pack's, in steps of 0.02 of it) and frontality (0.2, 0.35, 0.5
 * and the pack's) that group the labelled faces best: among the settings whose purity reaches `minPurity`
 * (0.98: a wrong merge shows one person's photos under another's name), the highest coverage; of the
 * frontalities that reach it, the lowest (more faces may found a person); of the distances that reach it
 * there, the median (the middle of the range that works, not its edge). The other thresholds are kept.
 * Null when fewer than MIN_IDENTITIES identities have 3 faces, or no setting reaches the purity.
 */
export function fitGrouping(faces: readonly LabelledFace[], current: Grouping, options: { minPurity?: number } = {}): GroupingFit | null {
  const minPurity = options.minPurity ?? 0.98;
  const currentScore = scoreGrouping(faces, current);
  if (currentScore.identities < MIN_IDENTITIES) return null;
  const distances = Array.from({ length: 21 }, (_, i) => Math.round(current.maxDistance * (0.8 + 0.02 * i) * 1000) / 1000);
  const frontals = [...new Set([0.2, 0.35, 0.5, current.minFrontal])].sort((a, b) => a - b);
  const tried = frontals.flatMap((minFrontal) =>
    distances.map((maxDistance) => ({ maxDistance, minFrontal, score: scoreGrouping(faces, { ...current, maxDistance, minFrontal }) })),
  );
  const pure = tried.filter((t) => t.score.purity >= minPurity);
  if (pure.length === 0) return null;
  const best = Math.max(...pure.map((t) => t.score.coverage));
  const top = pure.filter((t) => t.score.coverage >= best - 1e-9);
  const minFrontal = Math.min(...top.map((t) => t.minFrontal));
  const atFrontal = top.filter((t) => t.minFrontal === minFrontal).sort((a, b) => a.maxDistance - b.maxDistance);
  const chosen = atFrontal[Math.floor((atFrontal.length - 1) / 2)]!;
  return { grouping: { ...current, maxDistance: chosen.maxDistance, minFrontal: chosen.minFrontal }, score: chosen.score, current: currentScore, tried };
}
