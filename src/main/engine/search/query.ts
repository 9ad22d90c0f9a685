import type { Catalog } from '../catalog/catalog.js';
import { conceptMatches, conceptsInQuery } from '../concepts/concepts.js';
import type { VectorIndex } from '../index/vector-index.js';
import type { ModelPack } from '../models/pack.js';
import { l2normalise } from '../core/vector-math.js';
import { datesInQuery } from '../../../shared/query-dates.js';
import { ConceptStore } from '../concepts/concept-store.js';
import { peopleInQuery } from '../faces/people-in-query.js';
import { PeopleStore } from '../faces/people-store.js';
import { KeywordStore } from './keyword-store.js';
import type { PlaceFilter } from '../places/place-store.js';
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
  /** Only photos taken in this country, region or city. */
  place?: PlaceFilter | undefined;
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
  /** Only photos with every one of these people in them (person ids), besides those named in the query. */
  people?: readonly number[] | undefined;
}

/** A concept the user taught, or a person (`person`: their id), named in the query or asked for as a filter. */
export interface ConceptInQuery {
  name: string;
  matches: ReadonlyMap<number, { confidence: number; example: boolean }>;
  person?: number;
  /** For a person: the query without the words that named them. */
  without?: string;
}

export interface ParsedQuery {
  /** What the text encoder reads: the query without quote marks. */
  text: string;
  /** Quoted phrases: a result must contain each of them in its captions, album or names. */
  phrases: string[];
  /** Words for the keyword ranking (stop words dropped). */
  terms: string[];
}

const STOP_WORDS = new Set(['a', 'an', 'the', 'of', 'on', 'in', 'at', 'and', 'or', 'with', 'to', 'for', 'from', 'by', 'photo', 'picture', 'image', 'some', 'two', 'three']);

/**
 * Words that carry the grammar of an English query, not what it shows ("circles that are red", "a photo
 * of my dog"): when the pack does not know one, it is left out without a word to the user. Any other word
 * the pack does not know means the pack cannot say what the photo should look like.
 */
const FUNCTION_WORDS = new Set([
  ...STOP_WORDS,
  ...['that', 'which', 'who', 'whose', 'is', 'are', 'was', 'were', 'be', 'been', 'being', 'has', 'have', 'had', 'it', 'its', 'this', 'these', 'those', 'there'],
  ...['my', 'our', 'your', 'his', 'her', 'their', 'me', 'us', 'i', 'we', 'you', 'he', 'she', 'they', 'them', 'any', 'all', 'as', 'into', 'onto', 'over', 'under'],
  ...['photos', 'pictures', 'images', 'pic', 'pics', 'shot', 'shots', 'showing', 'show', 'find'],
]);

/** A word with no letter, digit or pictograph ("*", "--", "=") is punctuation: nothing to search for. */
const WORDLIKE = /[\p{L}\p{N}\p{Extended_Pictographic}]/u;

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
  /** Words of the query the pack does not know, and what the search did without them; undefined: none. */
  unknown: { words: string[]; message: string } | undefined;
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
    // So does a person's name ("Anna at the beach"), and the people asked for as a filter (a person's page).
    const people = new PeopleStore(catalog);
    const named = peopleInQuery(
      request.query,
      people.named().map((p) => ({ id: p.id, name: p.name! })),
    );
    const asked = (request.people ?? []).filter((id) => !named.found.some((p) => p.id === id)).map((id) => ({ id, name: people.person(id)?.name ?? `person ${id}` }));
    const persons = [...named.found, ...asked].map((p) => ({
      name: p.name,
      person: p.id,
      // The words the user typed without this person's name: what searching without them means.
      without: named.found.includes(p) ? peopleInQuery(original.query, [p]).rest : original.query,
      matches: new Map(people.photosOf(p.id).map((photo) => [photo, { confidence: 1, example: false }])),
    }));
    if (persons.length > 0) request = { ...request, query: named.rest, concepts: [...(request.concepts ?? []), ...persons] };
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
  const { known, unknown } = await wordsForThePack(pack, parsed);
  // Next to a concept, what is left of the query ranks its matches only when it has words of its own ("Miso on the sofa", not "Miso on the").
  const ranks = concepts.length === 0 || parsed.terms.length > 0 || parsed.phrases.length > 0;
  if (unknown.length === 0 && known.length > 0 && ranks) parts.push((await pack.embedTexts([known.join(' ')]))[0]!);
  const vector = parts.length > 0 ? l2normalise(parts.reduce((sum, v) => sum.map((x, i) => x + v[i]!))) : null;
  const instead =
    parts.length > 0
      ? 'showing photos like the example'
      : concepts.length > 0
        ? `showing ${concepts.map((c) => c.name).join(' and ')}${concepts.every((c) => c.person !== undefined) ? '' : ' by confidence'}`
        : 'showing name and text matches only';
  return {
    request,
    parsed,
    taken,
    allowed,
    concepts,
    vector,
    unknown: unknown.length > 0 ? { words: unknown, message: `${pack.id} does not know ${listed(unknown)}: ${instead}` } : undefined,
  };
}

/**
 * Which words of the query the pack can search by how photos look. A word the pack cannot read (its
 * tokenizer has no token for it, or it is written in a script the pack was not trained on: `unknownWords`)
 * would reach the text encoder as an unknown token or as nothing, and the encoder would answer an empty
 * query with confident matches that have nothing to do with it ("a bird" found four shapes, an emoji and
 * "кошка" the same five photos). So one such word, unless it is only grammar ("circles that are red") or
 * inside quotes (the user asked for those exact words in the text), takes the query off the visual side
 * altogether: the pack cannot say what the photo should look like, and the user is told so. Punctuation
 * is never searched.
 */
async function wordsForThePack(pack: ModelPack, parsed: ParsedQuery): Promise<{ known: string[]; unknown: string[] }> {
  const words = parsed.text.split(/\s+/).filter((w) => WORDLIKE.test(w));
  const notKnown = new Set(await pack.unknownWords(words.join(' ')));
  const quoted = new Set(parsed.phrases.flatMap((p) => p.toLowerCase().split(/\s+/)));
  const unknown = [...new Set(words.filter((w) => notKnown.has(w) && !FUNCTION_WORDS.has(w.toLowerCase()) && !quoted.has(w.toLowerCase())))];
  return { known: words.filter((w) => !notKnown.has(w)), unknown };
}

/** 'bird'; 'bird' or 'tree'; 'a', 'b' or 'c' (at most five named). */
function listed(words: readonly string[]): string {
  const named = words.slice(0, 5).map((w) => `'${w}'`);
  if (words.length > 5) return `${named.join(', ')} and ${words.length - 5} more`;
  return named.length === 1 ? named[0]! : `${named.slice(0, -1).join(', ')} or ${named[named.length - 1]!}`;
}
