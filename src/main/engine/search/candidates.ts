import { type Catalog } from '../catalog/catalog.js';
import { UNSPACED_SCRIPT, compactText } from '../catalog/text-keys.js';
import type { Moment } from '../index/moments.js';
import type { VectorIndex } from '../index/vector-index.js';
import { type ParsedQuery, type UnderstoodQuery, conceptConfidence, ftsString } from './query.js';
import { KeywordStore } from './keyword-store.js';
import { ReadingStore } from '../ocr/reading-store.js';

/** How many visual and keyword candidates every search ranks: the API's largest limit. */
export const CANDIDATE_POOL = 1000;

/** The candidates of every kind a query found: the second stage. Ranks count from 0, best first. */
export interface Candidates {
  visual: Map<number, { similarity: number; rank: number }>;
  /** The best frame of each video whose frames were searched. */
  moments: Map<number, Moment>;
  /** A concept named alone: its matches, most confident first. */
  byConcept: Map<number, number>;
  /** Only a time ("2023"): every photo taken then, newest first. */
  byDate: Map<number, number>;
  /** The FTS5 expression of the keyword side (null: no words); every term must match. */
  keywordMatch: string | null;
  keyword: Map<number, number>;
  /** The photos holding every quoted phrase (in their texts or read text); undefined: no phrase. */
  phraseIds: Set<number> | undefined;
  /** Photos whose read text answers the query, and the words it was read for. */
  read: { ids: number[]; words: string[] };
  /** Photos whose read text holds a quoted phrase. */
  readPhrases: Set<number>;
  /** Candidates whose text holds the query's words together and in order. */
  together: Set<number>;
  /** Photos whose own words (the user's caption, the title the user gave its album) hold every word of the query, together or apart. */
  own: Set<number>;
}

/**
 * Those of `among` whose text holds the query's words together and in order (a leading article
 * dropped, the last word a prefix): "a star" finds "two stars", "two red circles" does not find "two
 * blue stars and a red circle". A query with Chinese or Japanese words, whose text runs without spaces,
 * needs each word inside the text's tokens (KeywordStore.termMatch): "犬" stands together in "猫と犬".
 */
export function wordsTogether(catalog: Catalog, text: string, among: readonly number[]): Set<number> {
  const words = text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
  while (words.length > 1 && ['a', 'an', 'the'].includes(words[0]!)) words.shift();
  if (words.length === 0) return new Set();
  const store = new KeywordStore(catalog);
  if (words.some((w) => UNSPACED_SCRIPT.test(w))) return store.keywordMatchesAmong(words.map((w) => store.termMatch(w)).join(' AND '), among);
  return store.keywordMatchesAmong(`${ftsString(words.join(' '))}*`, among);
}

/**
 * Photos whose read text (OCR) answers the query. Each quoted phrase must be in it (or in the photo's
 * captions, album or names: `phraseIds` handles those); unquoted words count when most of them (more
 * than half) occur in the library's read text at all, so "receipt hardware store" finds the receipt
 * that reads "HARDWARE STORE" while "dog on a beach" is not answered by a sign that says "DOG". A photo
 * is a hit when its text holds every such word, spaces or not ("museum" finds "MUSEUMSHOP").
 */
export function readTextMatches(catalog: Catalog, parsed: ParsedQuery, limit: number): { ids: number[]; words: string[] } {
  const byWord = parsed.terms.map((term) => ({ term, ids: new ReadingStore(catalog).readTextSearch(term, limit) })).filter((w) => w.ids.length > 0);
  const words = byWord.length * 2 > parsed.terms.length ? byWord : [];
  if (words.length === 0) return { ids: [], words: [] };
  // In the first word's rank order (FTS5's bm25), those that hold every word.
  const sets = words.slice(1).map((w) => new Set(w.ids));
  return { ids: words[0]!.ids.filter((id) => sets.every((set) => set.has(id))), words: words.map((w) => w.term) };
}

/** The lines of a photo's read text that hold one of `words` (compared as compactText does). */
export function linesWith(text: string, words: readonly string[]): string[] {
  const compact = words.map((w) => compactText(w));
  return text.split('\n').filter((line) => compact.some((w) => compactText(line).includes(w)));
}

/**
 * The visual candidates: the index's nearest photos, and videos by their best moment. A video is as
 * close to the query as its best frame: a scene it shows for six seconds of a minute barely moves its
 * pooled vector, so its best frame's similarity ranks it when that is higher.
 */
function visualCandidates(catalog: Catalog, index: VectorIndex, query: UnderstoodQuery): Pick<Candidates, 'visual' | 'moments'> {
  let visual = new Map<number, { similarity: number; rank: number }>();
  const moments = new Map<number, Moment>();
  if (query.vector) {
    index.search(query.vector, CANDIDATE_POOL, query.allowed, catalog).forEach((n, rank) => visual.set(n.id, { similarity: n.similarity, rank }));
    const best = index.moments.best(query.vector, query.allowed);
    if (best.length > 0) {
      const scored = new Map([...visual].map(([id, v]) => [id, v.similarity]));
      for (const m of best) {
        moments.set(m.id, m);
        if (m.similarity > (scored.get(m.id) ?? -Infinity)) scored.set(m.id, m.similarity);
      }
      visual = new Map(
        [...scored]
          .sort((a, b) => b[1] - a[1] || a[0] - b[0])
          .slice(0, CANDIDATE_POOL)
          .map(([id, similarity], rank) => [id, { similarity, rank }]),
      );
    }
  }
  if (query.request.similarTo !== undefined) visual.delete(query.request.similarTo);
  return { visual, moments };
}

/**
 * Gathers every kind of candidate: visual (photos and video moments), a concept's matches, a time's
 * photos, keyword hits over captions, albums and names, quoted phrases and text read in photos. One
 * pool (CANDIDATE_POOL) for every request, whatever its limit, so the cutoff (computed over the pool)
 * and the ranking are the same in the app, the CLI and --json: the limit only truncates.
 */
export function gather(catalog: Catalog, index: VectorIndex, query: UnderstoodQuery): Candidates {
  const keywordStore = new KeywordStore(catalog);
  const readingStore = new ReadingStore(catalog);
  const { parsed, allowed, concepts, filtered } = query;
  const { visual, moments } = visualCandidates(catalog, index, query);
  const byConcept = new Map<number, number>();
  if (concepts.length > 0 && !query.vector)
    [...allowed!]
      .sort((a, b) => conceptConfidence(concepts, b) - conceptConfidence(concepts, a) || a - b)
      .slice(0, CANDIDATE_POOL)
      .forEach((id, rank) => byConcept.set(id, rank));
  const byDate = new Map<number, number>();
  if (filtered && !query.vector && concepts.length === 0 && parsed.terms.length === 0 && parsed.phrases.length === 0)
    keywordStore.newestFirst([...allowed!]).forEach((id, rank) => byDate.set(id, rank));

  const keyword = new Map<number, number>();
  const keywordMatch =
    parsed.terms.length > 0 || parsed.phrases.length > 0 ? [...parsed.terms.map((t) => keywordStore.termMatch(t)), ...parsed.phrases.map(ftsString)].join(' AND ') : null;
  if (keywordMatch)
    keywordStore.keywordIds(keywordMatch, CANDIDATE_POOL).forEach((id, rank) => {
      if (!allowed || allowed.has(id)) keyword.set(id, rank);
    });
  // Each quoted phrase must be in the photo's captions, album or names, or in the text read in it.
  let phraseIds: Set<number> | undefined;
  for (const phrase of parsed.phrases) {
    const ids = new Set([...keywordStore.keywordIds(ftsString(phrase), 100_000), ...readingStore.readTextSearch(phrase, 100_000)]);
    phraseIds = phraseIds ? new Set([...phraseIds].filter((id) => ids.has(id))) : ids;
  }
  const read = readTextMatches(catalog, parsed, CANDIDATE_POOL);
  const readPhrases = parsed.phrases.length > 0 ? new Set(parsed.phrases.flatMap((p) => readingStore.readTextSearch(p, 100_000))) : new Set<number>();
  const together = keyword.size > 0 ? wordsTogether(catalog, parsed.text, [...new Set([...visual.keys(), ...keyword.keys()])]) : new Set<number>();
  const own = new Set(keywordMatch ? keywordStore.ownWordIds(keywordMatch, CANDIDATE_POOL).filter((id) => !allowed || allowed.has(id)) : []);
  return { visual, moments, byConcept, byDate, keywordMatch, keyword, phraseIds, read, readPhrases, together, own };
}
