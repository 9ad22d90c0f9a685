import type { Catalog } from '../catalog/catalog.js';
import { conceptMatches, conceptsInQuery } from '../concepts/concepts.js';
import type { VectorIndex } from '../index/vector-index.js';
import type { ModelPack } from '../models/pack.js';
import { l2normalise } from '../core/vector-math.js';
import { datesInQuery } from '../../../shared/query-dates.js';
import { ConceptStore } from '../concepts/concept-store.js';
import { KeywordStore } from './keyword-store.js';
import { VectorStore } from '../index/vector-store.js';

/** A search as the engine is asked it (the API's `search` params, plus what the engine adds). */
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
  /** Only the user's favourites. */
  favourites?: boolean | undefined;
  sort: 'relevance' | 'date';
  all: boolean;
  /** One result per near-duplicate stack (the app's grid); otherwise every photo, each saying its stack. */
  stacks?: boolean | undefined;
  /**
   * Concepts the user taught, named in the query (found by `understand` when absent; `query` is then the
   * rest of it): only their matches are results, every one of them shown, ranked by the rest of the
   * query, or by confidence when nothing is left of it.
   */
  concepts?: ReadonlyArray<ConceptInQuery> | undefined;
}

export interface ConceptInQuery {
  name: string;
  matches: ReadonlyMap<number, { confidence: number; example: boolean }>;
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

/** A string as one FTS5 term or phrase. */
export function ftsString(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}

/** What a search was understood to ask: the first stage. */
export interface UnderstoodQuery {
  request: SearchRequest;
  parsed: ParsedQuery;
  /** A time named in the query ("2023"), as a filter on when photos were taken. */
  taken: { label: string; after: string; before: string } | undefined;
  /** The photos the filters (and the concepts named) allow; undefined: every photo. */
  allowed: Set<number> | undefined;
  concepts: ReadonlyArray<ConceptInQuery>;
  /** The query vector (text, an example, or both), normalised; null when there is none. */
  vector: Float32Array | null;
}

/** How sure the concepts named are of a photo (the least sure of them). */
export function conceptConfidence(concepts: ReadonlyArray<ConceptInQuery>, id: number): number {
  return Math.min(...concepts.map((c) => c.matches.get(id)?.confidence ?? 0));
}

/**
 * Reads the query: the concepts it names, a time it names, quoted phrases and keyword terms, the
 * filters as the set of photos they allow, and the query vector from the text encoder and/or an
 * example photo ("this, but at night": the two are added and normalised again).
 */
export async function understand(catalog: Catalog, pack: ModelPack, index: VectorIndex, original: SearchRequest): Promise<UnderstoodQuery> {
  let request = original;
  // A concept the user taught, named in the query, answers for its words ("Miso on the sofa").
  if (!request.concepts) {
    const { found, rest } = conceptsInQuery(request.query, new ConceptStore(catalog).concepts());
    if (found.length > 0) request = { ...request, query: rest, concepts: found.map((c) => ({ name: c.name, matches: conceptMatches(catalog, pack.id, index, c.id) })) };
  }
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
  let allowed = new KeywordStore(catalog).filteredIds(taken ? { ...request, after: taken.after, before: taken.before } : request);
  const concepts = request.concepts ?? [];
  for (const c of concepts) allowed = new Set([...(allowed ?? c.matches.keys())].filter((id) => c.matches.has(id)));

  const parts: Float32Array[] = [];
  if (request.similarTo !== undefined) {
    const v = new VectorStore(catalog).vector(request.similarTo, pack.id);
    if (!v) throw new Error(`photo ${request.similarTo} is not indexed yet`);
    parts.push(v);
  }
  if (request.exampleVector) parts.push(request.exampleVector);
  // Words the text encoder has never seen become unknown tokens, which carry nothing but noise into the
  // embedding: they are left out ("circles that are red" is read as "circles red"), and a query made
  // only of such words is answered by keywords alone.
  const words = parsed.text.split(/\s+/).filter(Boolean);
  const unknown = new Set(await pack.unknownWords(parsed.text));
  const known = words.filter((w) => !unknown.has(w));
  // Next to a concept, what is left of the query ranks its matches only when it has words of its own ("Miso on the sofa", not "Miso on the").
  const ranks = concepts.length === 0 || parsed.terms.length > 0 || parsed.phrases.length > 0;
  if (known.length > 0 && ranks) parts.push((await pack.embedTexts([known.join(' ')]))[0]!);
  const vector = parts.length > 0 ? l2normalise(parts.reduce((sum, v) => sum.map((x, i) => x + v[i]!))) : null;
  return { request, parsed, taken, allowed, concepts, vector };
}
