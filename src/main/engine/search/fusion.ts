import type { PackManifest } from '../models/manifest.js';
import type { Candidates } from './candidates.js';
import { CANDIDATE_POOL } from './candidates.js';
import type { UnderstoodQuery } from './query.js';
import { relevantCandidates } from './relevance.js';

/** Reciprocal-rank fusion constant: how much a top rank counts over a lower one. */
const RRF_K = 60;

export interface Ranked {
  /** Shown candidates (or every one, with `all`), best first by fused rank. */
  ids: number[];
  /** Candidates the cutoff hid ("show more"). */
  hidden: number;
}

/**
 * Fuses the candidates by reciprocal rank and cuts off the irrelevant (the third and fourth stages).
 * A visual candidate is shown when the pack's calibrated cutoff says so (`relevance.ts`); a concept's
 * or a time's photos, and text read in a photo (the user's own words on it), always; a keyword hit on
 * its own when the query's words stand together in its text, in order ("red circle" in "a red circle on
 * grass", not in "a red square and a blue circle"), or the user quoted a phrase. A looser hit (each
 * word somewhere) only helps rank what is shown. Quoted phrases are required.
 *
 * The user's own words come first: a photo whose caption the user wrote, or whose album the user
 * titled, holds every word of the query (together or apart) is shown, and ranks above every photo the
 * model or a file name answered for, since no model knows "my favourite holiday" better than its author.
 */
export function fuseAndCut(query: UnderstoodQuery, c: Candidates, manifest: Pick<PackManifest, 'logitScale' | 'search'>): Ranked {
  const { request, allowed, concepts } = query;
  const shown = relevantCandidates(
    [...c.visual].map(([id, v]) => ({ similarity: v.similarity, together: c.together.has(id) })),
    manifest,
  );
  const fused = new Map<number, { fused: number; relevant: boolean }>();
  [...c.visual].forEach(([id, v], i) => fused.set(id, { fused: 1 / (RRF_K + v.rank), relevant: request.all || shown[i]! || concepts.length > 0 }));
  for (const [id, rank] of c.byConcept) fused.set(id, { fused: 1 / (RRF_K + rank), relevant: true });
  for (const [id, rank] of c.byDate) fused.set(id, { fused: 1 / (RRF_K + rank), relevant: true });
  for (const [id, rank] of c.keyword) {
    const entry = fused.get(id) ?? { fused: 0, relevant: false };
    entry.fused += 1 / (RRF_K + rank);
    entry.relevant ||= c.phraseIds !== undefined || c.together.has(id);
    fused.set(id, entry);
  }
  c.read.ids.forEach((id, rank) => {
    if (allowed && !allowed.has(id)) return;
    const entry = fused.get(id) ?? { fused: 0, relevant: false };
    entry.fused += 1 / (RRF_K + rank);
    entry.relevant = true;
    fused.set(id, entry);
  });
  for (const id of c.readPhrases) {
    if (allowed && !allowed.has(id)) continue;
    if (!fused.has(id)) fused.set(id, { fused: 1 / (RRF_K + CANDIDATE_POOL), relevant: true });
    else fused.get(id)!.relevant = true;
  }
  for (const id of c.own) {
    if (!fused.has(id)) fused.set(id, { fused: 1 / (RRF_K + CANDIDATE_POOL), relevant: true });
    else fused.get(id)!.relevant = true;
  }
  const ranked = [...fused.entries()]
    .filter(([id]) => !c.phraseIds || c.phraseIds.has(id))
    .sort((a, b) => Number(c.own.has(b[0])) - Number(c.own.has(a[0])) || b[1].fused - a[1].fused);
  const visible = ranked.filter(([, e]) => e.relevant || request.all);
  return { ids: visible.map(([id]) => id), hidden: ranked.length - visible.length };
}
