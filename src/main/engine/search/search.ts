import { basename } from 'node:path';
import type { MatchReason, SearchResponse, SearchResult } from '../../../shared/api.js';
import { formatTimestamp } from '../../../shared/timestamp.js';
import { type Catalog, type PhotoRow, compactText, isUnder } from '../catalog/catalog.js';
import type { VectorIndex } from '../index/vector-index.js';
import type { Moment } from '../index/moments.js';
import type { ModelPack } from '../models/pack.js';
import { datesInQuery } from './query-dates.js';
import { relevantCandidates } from './relevance.js';
import { l2normalise } from '../vector-math.js';

export interface SearchRequest {
  query: string;
  similarTo?: number | undefined;
  /** An image from disk, already encoded, for search by example with a file outside the library. */
  exampleVector?: Float32Array | undefined;
  limit: number;
  /** Skip this many shown results (paging); 0 when absent. */
  offset?: number | undefined;
  folder?: string | undefined;
  after?: string | undefined;
  before?: string | undefined;
  camera?: string | undefined;
  /** Only photos, or only videos. */
  media?: 'photo' | 'video' | undefined;
  sort: 'relevance' | 'date';
  all: boolean;
  /** One result per near-duplicate stack (the app's grid); otherwise every photo, each saying its stack. */
  stacks?: boolean | undefined;
  /**
   * Concepts the user taught, named in the query (the engine finds them; `query` is then the rest of
   * it): only their matches are results, every one of them shown, ranked by the rest of the query, or
   * by confidence when nothing is left of it.
   */
  concepts?: ReadonlyArray<{ name: string; matches: ReadonlyMap<number, { confidence: number; example: boolean }> }> | undefined;
}

export interface ParsedQuery {
  /** What the text encoder reads: the query without quote marks. */
  text: string;
  /** Quoted phrases: a result must contain each of them in its captions, album or names. */
  phrases: string[];
  /** Words for the keyword ranking (stop words dropped). */
  terms: string[];
}

const STOP_WORDS = new Set(['a', 'an', 'the', 'of', 'on', 'in', 'at', 'and', 'with', 'to', 'for', 'from', 'by', 'photo', 'picture', 'image', 'some', 'two', 'three']);

export function parseQuery(query: string): ParsedQuery {
  const phrases: string[] = [];
  const rest = query.replace(/"([^"]*)"/g, (_, phrase: string) => {
    const p = phrase.trim();
    if (p) phrases.push(p);
    return ` ${p} `;
  });
  const text = rest.replace(/"/g, ' ').replace(/\s+/g, ' ').trim();
  const terms = [...new Set((text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []).filter((w) => w.length > 1 && !STOP_WORDS.has(w)))];
  return { text, phrases, terms };
}

function stackOfResult(stack: { stackId: number; size: number } | undefined): SearchResult['stack'] {
  return stack ? { id: stack.stackId, size: stack.size } : null;
}

function ftsString(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}

/**
 * Those of `among` whose text holds the query's words together and in order (a leading article
 * dropped, the last word a prefix): "a star" finds "two stars", "two red circles" does not find "two
 * blue stars and a red circle".
 */
export function wordsTogether(catalog: Catalog, text: string, among: readonly number[]): Set<number> {
  const words = text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
  while (words.length > 1 && ['a', 'an', 'the'].includes(words[0]!)) words.shift();
  return words.length === 0 ? new Set() : catalog.keywordMatchesAmong(`${ftsString(words.join(' '))}*`, among);
}

/**
 * Photos whose read text (OCR) answers the query. Each quoted phrase must be in it (or in the photo's
 * captions, album or names: `phraseIds` handles those); unquoted words count when most of them (more
 * than half) occur in the library's read text at all, so "receipt hardware store" finds the receipt
 * that reads "HARDWARE STORE" while "dog on a beach" is not answered by a sign that says "DOG". A photo
 * is a hit when its text holds every such word, spaces or not ("museum" finds "MUSEUMSHOP").
 */
export function readTextMatches(catalog: Catalog, parsed: ParsedQuery, limit: number): { ids: number[]; words: string[] } {
  const byWord = parsed.terms.map((term) => ({ term, ids: catalog.readTextSearch(term, limit) })).filter((w) => w.ids.length > 0);
  const words = byWord.length * 2 > parsed.terms.length ? byWord : [];
  if (words.length === 0) return { ids: [], words: [] };
  // In the first word's rank order (FTS5's bm25), those that hold every word.
  const sets = words.slice(1).map((w) => new Set(w.ids));
  return { ids: words[0]!.ids.filter((id) => sets.every((set) => set.has(id))), words: words.map((w) => w.term) };
}

/** The lines of a photo's read text that hold one of `words` (compared as compactText does). */
function linesWith(text: string, words: readonly string[]): string[] {
  const compact = words.map((w) => compactText(w));
  return text.split('\n').filter((line) => compact.some((w) => compactText(line).includes(w)));
}

/** How many visual and keyword candidates every search ranks: the API's largest limit. */
export const CANDIDATE_POOL = 1000;

/** Reciprocal-rank fusion constant: how much a top rank counts over a lower one. */
const RRF_K = 60;

function snippet(highlighted: string): string {
  const at = highlighted.indexOf('«');
  if (at < 0) return highlighted.slice(0, 120);
  const start = Math.max(0, highlighted.lastIndexOf('\n', at) + 1);
  return highlighted
    .slice(start, start + 140)
    .split('\n')[0]!
    .replace(/[«»]/g, '')
    .trim();
}

/**
 * Text, example or both -> embedding -> HNSW candidates -> filters, fused with a keyword ranking
 * over captions, album titles and names, cut by the adaptive relevance threshold, then sorted.
 */
export async function search(catalog: Catalog, pack: ModelPack, index: VectorIndex, request: SearchRequest): Promise<SearchResponse> {
  const started = performance.now();
  // A time named in the query is a filter on when photos were taken; the rest of it is searched.
  const dates = datesInQuery(request.query);
  const parsed = parseQuery(dates ? dates.rest : request.query);
  const taken = dates
    ? {
        label: dates.label,
        after: request.after && request.after > dates.after ? request.after : dates.after,
        before: request.before && request.before < dates.before ? request.before : dates.before,
      }
    : undefined;
  let allowed = catalog.filteredIds(taken ? { ...request, after: taken.after, before: taken.before } : request);
  const concepts = request.concepts ?? [];
  for (const c of concepts) allowed = new Set([...(allowed ?? c.matches.keys())].filter((id) => c.matches.has(id)));
  /** How sure the concepts named are of a photo (the least sure of them). */
  const conceptConfidence = (id: number) => Math.min(...concepts.map((c) => c.matches.get(id)?.confidence ?? 0));

  // The query vector: text, an example photo, or both ("this, but at night").
  const parts: Float32Array[] = [];
  if (request.similarTo !== undefined) {
    const v = catalog.vector(request.similarTo, pack.id);
    if (!v) throw new Error(`photo ${request.similarTo} is not indexed yet`);
    parts.push(v);
  }
  if (request.exampleVector) parts.push(request.exampleVector);
  // A query made only of words the text encoder has never seen carries no visual meaning (the small
  // bundled pack knows a few dozen words); it is answered by keywords alone.
  // Words it has never seen become unknown tokens, which carry nothing but noise into the embedding:
  // they are left out ("circles that are red" is read as "circles red").
  const words = parsed.text.split(/\s+/).filter(Boolean);
  const unknown = new Set(await pack.unknownWords(parsed.text));
  const known = words.filter((w) => !unknown.has(w));
  // Next to a concept, what is left of the query ranks its matches only when it has words of its own ("Miso on the sofa", not "Miso on the").
  const ranks = concepts.length === 0 || parsed.terms.length > 0 || parsed.phrases.length > 0;
  if (known.length > 0 && ranks) parts.push((await pack.embedTexts([known.join(' ')]))[0]!);

  // One candidate pool for every request, whatever its limit, so the cutoff (computed over the pool)
  // and the ranking are the same in the app, the CLI and --json: the limit only truncates.
  const candidates = CANDIDATE_POOL;
  let visual = new Map<number, { similarity: number; rank: number }>();
  const moments = new Map<number, Moment>();
  if (parts.length > 0) {
    const query = l2normalise(parts.reduce((sum, v) => sum.map((x, i) => x + v[i]!)));
    index.search(query, candidates, allowed, catalog).forEach((n, rank) => visual.set(n.id, { similarity: n.similarity, rank }));
    // A video is as close to the query as its best moment: a scene it shows for six seconds of a minute
    // barely moves its pooled vector, so its best frame's similarity ranks it when that is higher.
    const best = index.moments.best(query, allowed);
    if (best.length > 0) {
      const scored = new Map([...visual].map(([id, v]) => [id, v.similarity]));
      for (const m of best) {
        moments.set(m.id, m);
        if (m.similarity > (scored.get(m.id) ?? -Infinity)) scored.set(m.id, m.similarity);
      }
      visual = new Map(
        [...scored]
          .sort((a, b) => b[1] - a[1] || a[0] - b[0])
          .slice(0, candidates)
          .map(([id, similarity], rank) => [id, { similarity, rank }]),
      );
    }
  }
  if (request.similarTo !== undefined) visual.delete(request.similarTo);
  // A concept alone: its matches, most confident first.
  const byConcept = new Map<number, number>();
  if (concepts.length > 0 && parts.length === 0)
    [...allowed!]
      .sort((a, b) => conceptConfidence(b) - conceptConfidence(a) || a - b)
      .slice(0, candidates)
      .forEach((id, rank) => byConcept.set(id, rank));

  // Only a time ("2023"): every photo taken then, newest first.
  const byDate = new Map<number, number>();
  if (taken && parts.length === 0 && concepts.length === 0 && parsed.terms.length === 0 && parsed.phrases.length === 0)
    catalog.newestFirst([...allowed!]).forEach((id, rank) => byDate.set(id, rank));

  // Keyword side: every term must match (a photo whose caption says "red circle" for "red circle").
  const keyword = new Map<number, { rank: number }>();
  const keywordMatch =
    parsed.terms.length > 0 || parsed.phrases.length > 0 ? [...parsed.terms.map((t) => `${ftsString(t)}*`), ...parsed.phrases.map(ftsString)].join(' AND ') : null;
  if (keywordMatch) {
    catalog.keywordIds(keywordMatch, candidates).forEach((id, rank) => {
      if (!allowed || allowed.has(id)) keyword.set(id, { rank });
    });
  }
  // Each quoted phrase must be in the photo's captions, album or names, or in the text read in it.
  let phraseIds: Set<number> | undefined;
  for (const phrase of parsed.phrases) {
    const ids = new Set([...catalog.keywordIds(ftsString(phrase), 100_000), ...catalog.readTextSearch(phrase, 100_000)]);
    phraseIds = phraseIds ? new Set([...phraseIds].filter((id) => ids.has(id))) : ids;
  }
  const read = readTextMatches(catalog, parsed, candidates);
  const readPhrases = parsed.phrases.length > 0 ? new Set(parsed.phrases.flatMap((p) => catalog.readTextSearch(p, 100_000))) : new Set<number>();
  // A keyword hit is shown on its own, past the visual cutoff, when the query's words stand together in
  // its text, in order ("red circle" in "a red circle on grass", not in "a red square and a blue circle"),
  // or the user quoted a phrase. A looser hit (each word somewhere) only helps rank what is shown.
  const together = keyword.size > 0 ? wordsTogether(catalog, parsed.text, [...new Set([...visual.keys(), ...keyword.keys()])]) : new Set<number>();

  const shown = relevantCandidates(
    [...visual].map(([id, v]) => ({ similarity: v.similarity, together: together.has(id) })),
    pack.manifest,
  );
  const fused = new Map<number, { fused: number; relevant: boolean }>();
  [...visual].forEach(([id, v], i) => fused.set(id, { fused: 1 / (RRF_K + v.rank), relevant: request.all || shown[i]! || concepts.length > 0 }));
  for (const [id, rank] of byConcept) fused.set(id, { fused: 1 / (RRF_K + rank), relevant: true });
  for (const [id, rank] of byDate) fused.set(id, { fused: 1 / (RRF_K + rank), relevant: true });
  for (const [id, k] of keyword) {
    const entry = fused.get(id) ?? { fused: 0, relevant: false };
    entry.fused += 1 / (RRF_K + k.rank);
    entry.relevant ||= phraseIds !== undefined || together.has(id);
    fused.set(id, entry);
  }
  // Text read in the photo is the user's own words on it: a hit is shown, and fused with the rest.
  read.ids.forEach((id, rank) => {
    if (allowed && !allowed.has(id)) return;
    const entry = fused.get(id) ?? { fused: 0, relevant: false };
    entry.fused += 1 / (RRF_K + rank);
    entry.relevant = true;
    fused.set(id, entry);
  });
  for (const id of readPhrases) {
    if (allowed && !allowed.has(id)) continue;
    if (!fused.has(id)) fused.set(id, { fused: 1 / (RRF_K + candidates), relevant: true });
    else fused.get(id)!.relevant = true;
  }
  let ranked = [...fused.entries()].filter(([id]) => !phraseIds || phraseIds.has(id)).sort((a, b) => b[1].fused - a[1].fused);
  const visible = ranked.filter(([, e]) => e.relevant || request.all);
  const hidden = ranked.length - visible.length;
  ranked = visible;

  const rows = catalog.photos(ranked.map(([id]) => id));
  // A visual match has a vector for this model; a keyword-only match must have been indexed once (it has
  // a thumbnail and metadata). A photo waiting to be re-indexed keeps its old vector and stays findable.
  let entries = ranked
    .map(([id, e]) => ({ id, e, row: rows.get(id) }))
    .filter((x): x is { id: number; e: { fused: number; relevant: boolean }; row: PhotoRow } => !!x.row && (visual.has(x.id) || byConcept.has(x.id) || x.row.status === 'indexed'));
  if (request.sort === 'date') entries = [...entries].sort((a, b) => (b.row.taken_at ?? '').localeCompare(a.row.taken_at ?? ''));
  // Near-duplicates (a stack) can show as one tile: the best-ranked photo of the stack stands for it,
  // with the stack's size; the stack opens in place with its best shot first (the `stack` call).
  const stacks = catalog.stacksOf(entries.map((x) => x.id));
  const stackShown = new Set<number>();
  if (request.stacks)
    entries = entries.filter((x) => {
      const stack = stacks.get(x.id);
      if (!stack) return true;
      if (stackShown.has(stack.stackId)) return false;
      stackShown.add(stack.stackId);
      return true;
    });
  const total = entries.length;
  const videos = entries.filter((x) => x.row.media === 'video').length;
  entries = entries.slice(request.offset ?? 0, (request.offset ?? 0) + request.limit);
  const captions = catalog.captions(
    entries.map((x) => x.id),
    pack.id,
  );
  // Why each result of this page matched its keywords (highlighting only the page is the cheap part).
  const highlights = keywordMatch
    ? catalog.keywordHighlights(
        keywordMatch,
        entries.map((x) => x.id).filter((id) => keyword.has(id)),
      )
    : new Map<number, { caption: string; album: string; names: string }>();
  const readWords = [...read.words, ...parsed.phrases];
  const readTexts = readWords.length > 0 ? catalog.readTexts(entries.map((x) => x.id)) : new Map<number, string>();
  const offline = catalog.offlineDirs().map((o) => o.dir);

  const results: SearchResult[] = entries.map(({ id, row }) => {
    const why: MatchReason[] = concepts.map((c) => {
      const match = c.matches.get(id)!;
      return { kind: 'concept', detail: `concept ${c.name}, ${match.example ? 'an example you marked, ' : ''}confidence ${match.confidence.toFixed(2)}` };
    });
    const v = visual.get(id);
    if (v) {
      const what = request.similarTo !== undefined || request.exampleVector ? (parsed.text ? `the example, with "${parsed.text}"` : 'the example') : `"${parsed.text}"`;
      const moment = moments.get(id);
      why.push({
        kind: request.similarTo !== undefined || request.exampleVector ? 'example' : 'visual',
        detail: `${moment ? `at ${formatTimestamp(moment.at)} ` : ''}looks like ${what} (similarity ${v.similarity.toFixed(3)})`,
      });
    }
    const hit = highlights.get(id);
    if (hit)
      why.push(
        hit.caption.includes('«')
          ? { kind: 'caption', detail: snippet(hit.caption) }
          : hit.album.includes('«')
            ? { kind: 'album', detail: hit.album.replace(/[«»]/g, '') }
            : { kind: 'name', detail: hit.names.replace(/[«»]/g, '') },
      );
    const lines = linesWith(readTexts.get(id) ?? '', readWords);
    if (lines.length > 0) why.push({ kind: 'text', detail: `reads "${lines.slice(0, 3).join(' / ').slice(0, 140)}"` });
    return {
      id,
      path: row.path,
      name: basename(row.path),
      score: Math.round((v?.similarity ?? (byConcept.has(id) ? conceptConfidence(id) : 0)) * 1000) / 1000,
      takenAt: row.taken_at,
      caption: captions.get(id) ?? null,
      width: row.width,
      height: row.height,
      why,
      offline: offline.some((dir) => isUnder(row.path, dir)),
      media: row.media,
      duration: row.duration,
      moment: row.media === 'video' && moments.has(id) ? { at: moments.get(id)!.at, frame: moments.get(id)!.frame } : null,
      stack: stackOfResult(stacks.get(id)),
    };
  });
  return { results, total, videos, hidden, tookMs: Math.round((performance.now() - started) * 10) / 10, ...(taken ? { taken } : {}) };
}
