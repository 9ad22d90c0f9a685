import type { Catalog } from '../catalog/catalog.js';
import { conceptMatches } from '../concepts/concepts.js';
import type { VectorIndex } from '../index/vector-index.js';
import type { ModelPack } from '../models/pack.js';
import { l2normalise } from '../core/vector-math.js';
import { ConceptStore } from '../concepts/concept-store.js';
import { FaceStore } from '../faces/face-store.js';
import { PeopleStore } from '../faces/people-store.js';
import { KeywordStore } from './keyword-store.js';
import { packForWords } from '../models/recommend.js';
import { catalogueOfPacks } from '../models/store.js';
import { languageName } from '../../../shared/pack-figures.js';
import { UNSPACED_SCRIPT } from '../catalog/text-keys.js';
import { type Emptied, type Filter, whatEmptied } from './emptied.js';
import { type Exclusion, type ParsedPart, parseQueryParts } from './query-parser.js';
import { libraryPlaces } from '../places/place-names.js';
import { type PlaceFilter, PlaceStore } from '../places/place-store.js';
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
  /** Only these photos (a dot on the map). */
  only?: readonly number[] | undefined;
  /** Words the user asked to keep as words: a reading of the query undone ("Nice" the word, not the city). */
  literal?: readonly string[] | undefined;
  /** The clock relative times are read by ("last summer"); now when absent. */
  now?: Date | undefined;
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
  const terms = [...new Set((text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []).filter((w) => (w.length > 1 || UNSPACED_SCRIPT.test(w)) && !STOP_WORDS.has(w)))];
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
  /** What the query was read as (times, places, people, concepts, media, what to leave out), in its order. */
  parts: ParsedPart[];
  /** A time named in the query ("2023"), as a filter on when photos were taken. */
  taken: { label: string; after: string; before: string } | undefined;
  /** A part of the query filters the photos (a time, a place, a kind of media, something left out). */
  filtered: boolean;
  /** The photos the filters (and the concepts named) allow; undefined: every photo. */
  allowed: Set<number> | undefined;
  concepts: ReadonlyArray<ConceptInQuery>;
  /** The query vector (text, an example, or both), normalised; null when there is none. */
  vector: Float32Array | null;
  /** When the filters leave no photo: which of them emptied the search, and what there is without it. */
  emptied: Emptied | undefined;
  /** Words of the query the pack does not know, and what the search did without them; undefined: none. */
  unknown: { words: string[]; message: string; reader?: { id: string; name: string; language: string } } | undefined;
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
  const people = new PeopleStore(catalog);
  const placeStore = new PlaceStore(catalog);
  // Concepts asked for as such (a concept's page) answer for the query's names: then only the rest is read.
  const asked = original.concepts !== undefined;
  const reading = parseQueryParts(original.query, {
    now: original.now ?? new Date(),
    people: asked ? [] : people.named().map((p) => ({ id: p.id, name: p.name! })),
    concepts: asked ? [] : new ConceptStore(catalog).concepts().map((c) => ({ id: c.id, name: c.name })),
    // The places the library's photos were taken in (read once per query; none when no photo has a place).
    places: placeStore.hasPlaced() ? libraryPlaces(placeStore) : () => [],
    literal: original.literal ?? [],
    hasFaces: new FaceStore(catalog).hasScans(),
    languages: pack.manifest.text.languages,
  });
  const parts = reading.parts;
  let request: SearchRequest = { ...original, query: reading.rest };
  const concepts: ConceptInQuery[] = [...(original.concepts ?? [])];
  for (const part of parts) if (part.kind === 'concept') concepts.push({ name: part.label, matches: conceptMatches(catalog, pack.id, index, part.concept), without: part.without });
  // A person named in the query ("Anna at the beach"), and the people asked for as a filter (a person's page).
  const personMatches = (id: number) => new Map(people.photosOf(id).map((photo) => [photo, { confidence: 1, example: false }]));
  const named = parts.flatMap((p) => (p.kind === 'person' ? [p] : []));
  for (const part of named) concepts.push({ name: part.label, person: part.person, without: part.without, matches: personMatches(part.person) });
  for (const id of original.people ?? [])
    if (!named.some((p) => p.person === id)) concepts.push({ name: people.person(id)?.name ?? `person ${id}`, person: id, without: original.query, matches: personMatches(id) });
  // A time named is a filter on when photos were taken; so is the media named ("videos of kites").
  const date = parts.find((p) => p.kind === 'date');
  const taken = date
    ? {
        label: date.label,
        after: request.after && request.after > date.after ? request.after : date.after,
        before: request.before && request.before < date.before ? request.before : date.before,
      }
    : undefined;
  const media = parts.find((p) => p.kind === 'media');
  if (media && !request.media) request = { ...request, media: media.media };
  // A place named ("beach Portugal"), unless the app asked for one (the Places view).
  const place = parts.find((p) => p.kind === 'place');
  if (place && !request.place) request = { ...request, place: place.place.place };
  const parsed = parseQuery(request.query);
  // The photos the filters allow; without one of them, to say which emptied a search ("No photos in Lisbon from 2022; 3 in Lisbon from 2023").
  const allowedWithout = (skip?: Filter): Set<number> | undefined => {
    const time = skip === date ? undefined : taken;
    const filters = {
      ...request,
      ...(skip === media ? { media: original.media } : {}),
      ...(skip === place ? { place: original.place } : {}),
      ...(time ? { after: time.after, before: time.before } : {}),
    };
    let ids = new KeywordStore(catalog).filteredIds(filters);
    if (request.only) ids = new Set(request.only.filter((id) => !ids || ids.has(id)));
    for (const c of concepts) if (c !== skip) ids = new Set([...(ids ?? c.matches.keys())].filter((id) => c.matches.has(id)));
    for (const part of parts) if (part.kind === 'exclude' && part !== skip) ids = leaveOut(catalog, pack, index, ids, part.exclude);
    return ids;
  };
  const allowed = allowedWithout();
  const emptied = allowed?.size === 0 ? whatEmptied(catalog, { parts, concepts, noun: request.media === 'video' ? 'videos' : 'photos' }, allowedWithout) : undefined;

  const vectors: Float32Array[] = [];
  if (request.similarTo !== undefined) {
    const v = new VectorStore(catalog).vector(request.similarTo, pack.id);
    if (!v) throw new Error(`photo ${request.similarTo} is not indexed yet`);
    vectors.push(v);
  }
  if (request.exampleVector) vectors.push(request.exampleVector);
  const { known, unknown } = await wordsForThePack(pack, parsed);
  // Next to a concept, what is left of the query ranks its matches only when it has words of its own ("Miso on the sofa", not "Miso on the").
  const ranks = concepts.length === 0 || parsed.terms.length > 0 || parsed.phrases.length > 0;
  if (unknown.length === 0 && known.length > 0 && ranks) vectors.push((await pack.embedTexts([known.join(' ')]))[0]!);
  const vector = vectors.length > 0 ? l2normalise(vectors.reduce((sum, v) => sum.map((x, i) => x + v[i]!))) : null;
  const instead =
    vectors.length > 0
      ? 'showing photos like the example'
      : concepts.length > 0
        ? `showing ${concepts.map((c) => c.name).join(' and ')}${concepts.every((c) => c.person !== undefined) ? '' : ' by confidence'}`
        : 'showing name and text matches only';
  return {
    request,
    parsed,
    parts,
    taken,
    // A place or photos asked for as such (the Places view's pages) filter like a place named: with nothing typed, every one of them, newest first.
    filtered: request.place !== undefined || request.only !== undefined || parts.some((p) => p.kind === 'date' || p.kind === 'place' || p.kind === 'media' || p.kind === 'exclude'),
    allowed,
    concepts,
    vector,
    unknown: unknown.length > 0 ? await unknownNotice(pack, unknown, instead) : undefined,
    emptied,
  };
}

/** What the search says of words the pack does not know, and which pack of the catalogue reads them. */
async function unknownNotice(pack: ModelPack, words: string[], instead: string): Promise<NonNullable<UnderstoodQuery['unknown']>> {
  const message = `${pack.id} does not know ${listed(words)}: ${instead}`;
  const reader = packForWords(words, await catalogueOfPacks().catch(() => []), pack.id);
  return reader ? { words, message: `${message}. ${reader.name} reads ${languageName(reader.language)}`, reader } : { words, message };
}

/** The allowed photos without those a part of the query leaves out ("without people", "not Miso", "no videos"). */
function leaveOut(catalog: Catalog, pack: ModelPack, index: VectorIndex, allowed: Set<number> | undefined, exclude: Exclusion): Set<number> {
  const all = allowed ?? new KeywordStore(catalog).allIds();
  const out =
    'people' in exclude
      ? new Set(new FaceStore(catalog).photosWithFaces())
      : 'person' in exclude
        ? new Set(new PeopleStore(catalog).photosOf(exclude.person))
        : 'concept' in exclude
          ? new Set(conceptMatches(catalog, pack.id, index, exclude.concept).keys())
          : new Set(new KeywordStore(catalog).filteredIds({ media: exclude.media }) ?? []);
  return new Set([...all].filter((id) => !out.has(id)));
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
