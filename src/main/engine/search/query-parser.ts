/**
 * One reader of a query's parts, in one place (issue 29, item 3): the taught concepts, the people, the
 * time, the media, what to leave out and the places a query names, each as a part the app shows as a
 * chip (its label, the words it took, the query without them), and the rest of the query: the words to
 * search. Pure: the clock, the names and the places are the caller's (`QueryContext`).
 *
 * The order of reading, and why:
 * 1. Quotes and `literal` spans are the user's own words: never read.
 * 2. Taught concepts (the user's own names come first): whole words, any case, longer names first, each word
 *    used once; a name of several words together and in order, or else apart ("boat grandpa" names
 *    "Grandpa's boat").
 * 3. The time (src/shared/query-dates.ts), before people so that "May 2022" is a month even when someone is
 *    called May; a month alone ("May at the beach") is then her.
 * 4. People (any case, without accents, a first name alone
 *    when only one person has it, the capitalised start of one person's first name, never a lower-case
 *    fragment nor the query's first word).
 * 5. Media: "videos", "video", "clips", "movies" ask for videos ("videos of kites"); "only photos" for
 *    photos. "photos of X" / "pictures of X" are how people say "X": no filter, the words stay (the
 *    search already ignores them). "video game(s)", "video call(s)", "paper clip(s)", "hair clip(s)"
 *    are things, not media.
 * 6. Exclusions: "without people", "no people", "with nobody", "no one" (photos with no faces; not when
 *    `hasFaces` is false: without a face index every photo would pass), "without Anna" (a person), "not
 *    Miso" (a concept), "no videos" (media). "not at night" stays words: Glimpse has no filter for the
 *    time of day, and what the text encoder makes of it is the search's business.
 * 7. Places, last: n-grams of the words left (longest first, four words at most, none starting or
 *    ending with a stop word, none with a digit), looked up through `context.places`; only a place the
 *    library has photos of, the candidate with most photos. A place whose name is also a common word
 *    ("Nice", "Turkey", "China", "Reading", "Jersey": COMMON_WORD_PLACES) is read only when a lead says
 *    so ("in", "at", "from", "near"...), or it is capitalised inside the query, or it is all the query
 *    left; and then it is `ambiguous`: the app offers to keep it as a word (`literal`).
 */
import { NAME_WORD, conceptKey } from '../../../shared/concept-name.js';
import { personKey } from '../../../shared/person-name.js';
import { naturalDateIn } from '../../../shared/query-dates.js';
import { otherLanguageDates } from './query-languages.js';
import type { PlaceCandidate } from '../places/place-names.js';

export interface QueryContext {
  /** The clock: "last summer" is relative to it. */
  now: Date;
  /** The people with a name. */
  people: ReadonlyArray<{ id: number; name: string }>;
  /** The concepts the user taught. */
  concepts: ReadonlyArray<{ id: number; name: string }>;
  /** The places a phrase may name (any case, accents forgiven: the lookup's job), with the library's photos there. */
  places: (phrase: string) => readonly PlaceCandidate[];
  /** Spans the user asked to keep as words (the undo of an ambiguous reading): never read, like quotes. */
  literal?: readonly string[];
  /** Whether the library's faces are known (false: "without people" cannot be told, and stays words). */
  hasFaces?: boolean;
  /** The languages the search pack reads (ISO 639-1): times are read in those of them the parser knows too (DATE_LANGUAGES). */
  languages?: readonly string[];
}

interface PartBase {
  /** The text the part took, lead words included ("in Lisbon"), and where it is in the query (NFKC-normalised). */
  text: string;
  start: number;
  end: number;
  /** What its chip says: "summer 2023", "Lisbon", "Anna", "videos", "without people". */
  label: string;
  /** The query without this part's words: what removing its chip searches. */
  without: string;
  /** A reading the user may want undone (a place name that is also a word, a holiday without a year). */
  ambiguous?: true;
}
export type Exclusion = { people: true } | { person: number } | { concept: number } | { media: 'photo' | 'video' };
export type ParsedPart =
  | (PartBase & { kind: 'date'; after: string; before: string })
  | (PartBase & { kind: 'place'; place: PlaceCandidate })
  | (PartBase & { kind: 'person'; person: number })
  | (PartBase & { kind: 'concept'; concept: number })
  | (PartBase & { kind: 'media'; media: 'photo' | 'video' })
  | (PartBase & { kind: 'exclude'; exclude: Exclusion });

export interface ParsedParts {
  /** In the order of the query. */
  parts: ParsedPart[];
  /** The words left to search: the query without its parts (and their lead words), quotes kept; '' when only stop words are left. */
  rest: string;
}

/**
 * Places whose name is also an everyday word (English), so that "roast turkey dinner", "a nice day",
 * "china plates", "reading a book", "football jersey", "a bath" are not trips: read as places only when
 * something says so (see the module's comment). Compared lower case without accents. Places named like
 * people (Sydney, Paris, Austin, Florence) are not here: a person of the library with that name is read
 * first, and otherwise the place is what a photo query means.
 */
export const COMMON_WORD_PLACES: ReadonlySet<string> = new Set([
  ...['nice', 'turkey', 'china', 'jersey', 'reading', 'bath', 'split', 'mobile', 'orange', 'guinea', 'cork', 'derby', 'wells', 'march', 'may', 'sale'],
  ...['deal', 'hull', 'bury', 'rugby', 'buffalo', 'eagle', 'phoenix', 'temple', 'mesa', 'paradise', 'liberty', 'independence', 'hope', 'unity', 'union'],
  ...['eden', 'worms', 'normal', 'surprise', 'bliss', 'money', 'house', 'home', 'beach', 'sandwich', 'santa', 'man', 'bay', 'north', 'south', 'east'],
  ...['west', 'central', 'island', 'bar', 'ham', 'tours', 'cannes', 'battle', 'crete', 'java', 'jasper', 'dove', 'lens', 'nancy', 'bologna', 'champagne'],
]);

/** Words that carry no meaning of their own: never a place on their own, nor at an n-gram's edge. */
const STOP = new Set([
  ...['a', 'an', 'the', 'of', 'on', 'in', 'at', 'and', 'or', 'with', 'to', 'for', 'from', 'by', 'near', 'around', 'during', 'over', 'into', 'onto'],
  ...['is', 'are', 'was', 'be', 'my', 'our', 'your', 'his', 'her', 'their', 'me', 'us', 'we', 'i', 'some', 'any', 'all', 'this', 'that', 'these', 'those'],
  ...['no', 'not', 'without', 'photo', 'photos', 'picture', 'pictures', 'pic', 'pics', 'image', 'images', 'only', 'just', 'me', 'it', 'its', '&'],
]);
const PLACE_LEADS = new Set(['in', 'at', 'from', 'near', 'around', 'to', 'visiting']);
const PERSON_LEADS = new Set(['with', 'of']);
const CONCEPT_LEADS = new Set(['with', 'of']);
const NEGATORS = new Set(['without', 'no', 'not', 'except', 'excluding', 'minus']);
const VIDEO_WORDS = new Set(['video', 'videos', 'clip', 'clips', 'movie', 'movies', 'footage']);
const PHOTO_WORDS = new Set(['photo', 'photos', 'picture', 'pictures', 'pic', 'pics', 'image', 'images']);
/** After a video word, the thing is an object: "video game", "video call". Before a clip, "paper clip". */
const VIDEO_THINGS = new Set([
  'game',
  'games',
  'call',
  'calls',
  'camera',
  'cameras',
  'player',
  'store',
  'tape',
  'tapes',
  'poster',
  'posters',
  'theater',
  'theatre',
  'star',
  'night',
]);
const CLIP_THINGS = new Set(['paper', 'hair', 'bulldog', 'binder', 'tie', 'money']);
/**
 * First names that are also everyday words ("may the force", "rose garden", "will power"): read as the
 * person only written with a capital (or as a whole name of several words).
 */
const WORD_NAMES = new Set([
  'may',
  'june',
  'april',
  'august',
  'summer',
  'autumn',
  'rose',
  'grace',
  'joy',
  'bill',
  'mark',
  'will',
  'faith',
  'hope',
  'dawn',
  'iris',
  'ivy',
  'pearl',
  'ruby',
  'amber',
  'violet',
  'jade',
  'olive',
  'sunny',
  'chase',
  'pat',
  'sky',
  'river',
  'rocky',
  'max',
  'sandy',
  'holly',
  'daisy',
  'lily',
  'penny',
  'carol',
  'eve',
  'art',
  'sue',
  'rob',
  'bob',
  'jack',
  'frank',
  'ray',
  'gene',
  'drew',
  'guy',
  'miles',
  'victor',
]);
const PEOPLE_WORDS = new Set(['people', 'persons', 'person', 'humans', 'faces', 'anyone', 'anybody', 'someone', 'somebody']);

interface Token {
  word: string;
  /** Lower case, without accents. */
  key: string;
  start: number;
  end: number;
  capitalised: boolean;
  /** In quotes or a literal span: never read. */
  kept: boolean;
  /** Taken by a part. */
  used: boolean;
}

interface Found {
  kind: ParsedPart['kind'];
  /** Token indexes the part took (its own words), then its lead words. */
  first: number;
  last: number;
  label: string;
  value: Omit<ParsedPart, keyof PartBase | 'kind'>;
  ambiguous?: true;
  /** Other spans it took (a concept's words found apart). */
  extra?: Array<[number, number]>;
  /** Character bounds when a part is not whole tokens (a date's regex span). */
  start?: number;
  end?: number;
}

const fold = (word: string) => word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/’/g, "'");

function tokenise(text: string, kept: ReadonlyArray<[number, number]>, cuts: readonly number[] = []): Token[] {
  // A cut inside a word splits it: a time written without spaces ("2021年6月の猫") is then words of its own.
  const pieces = [...text.matchAll(NAME_WORD)].flatMap((m) => {
    const bounds = [m.index, ...cuts.filter((c) => c > m.index && c < m.index + m[0].length), m.index + m[0].length];
    return bounds.slice(1).map((end, i) => [bounds[i]!, end] as const);
  });
  return pieces.map(([start, end]) => {
    const word = text.slice(start, end);
    return { word, key: fold(word), start, end, capitalised: /^\p{Lu}/u.test(word), kept: kept.some(([a, b]) => start >= a && end <= b), used: false };
  });
}

/** The text with the spans given blanked out with spaces (offsets stay the text's). */
function withBlanks(text: string, spans: ReadonlyArray<[number, number]>): string {
  let out = text;
  for (const [a, b] of spans) out = out.slice(0, a) + ' '.repeat(Math.min(b, text.length) - a) + out.slice(Math.min(b, text.length));
  return out;
}

/** The text without the character spans given, spaces made one; "and" or a comma left between nothing dropped. */
function without(text: string, spans: ReadonlyArray<[number, number]>): string {
  let out = '';
  let at = 0;
  for (const [start, end] of [...spans].sort((a, b) => a[0] - b[0])) {
    if (start < at) continue;
    out += `${text.slice(at, start)} \uE000 `;
    at = end;
  }
  out += text.slice(at);
  // A joiner next to a removed part goes with it: "dogs and Anna" -> "dogs", "Anna and Ben" -> "".
  out = out.replace(/(?:[\s,]+(?:and|&))?[\s,]*\uE000/giu, ' \uE000').replace(/^[\s\uE000]*\uE000[\s,]*(?:(?:and|&)\s+)?/iu, '');
  return out
    .replace(/\uE000/g, ' ')
    .replace(/\s+,/g, ',')
    .replace(/^[\s,]+|[\s,]+$/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The query's parts and the words left to search; see the module's comment for how it reads. */
export function parseQueryParts(query: string, context: QueryContext): ParsedParts {
  const text = query.normalize('NFKC');
  const kept: Array<[number, number]> = [...text.matchAll(/"[^"]*"?/g)].map((m) => [m.index, m.index + m[0].length]);
  for (const literal of context.literal ?? []) {
    const l = literal.normalize('NFKC').trim();
    if (!l) continue;
    const lower = text.toLowerCase();
    for (let i = lower.indexOf(l.toLowerCase()); i >= 0; i = lower.indexOf(l.toLowerCase(), i + 1)) kept.push([i, i + l.length]);
  }
  const otherLanguages = otherLanguageDates(context.languages ?? ['en']);
  const foreignTime = otherLanguages?.(withBlanks(text, kept), context.now);
  const tokens = tokenise(text, kept, foreignTime ? [foreignTime.start, foreignTime.end] : []);
  const free = (i: number) => i >= 0 && i < tokens.length && !tokens[i]!.kept && !tokens[i]!.used;
  const found: Found[] = [];
  const take = (f: Found) => {
    for (let i = f.first; i <= f.last; i++) tokens[i]!.used = true;
    found.push(f);
  };
  /** The part's lead word ("in" Lisbon), when it is free and one of `leads`: the index it starts at. */
  const lead = (first: number, leads: ReadonlySet<string>) => (free(first - 1) && leads.has(tokens[first - 1]!.key) ? first - 1 : first);

  // Concepts: whole words, longer names first; together and in order, or else apart .
  const concepts = context.concepts.map((c) => ({ c, key: conceptKey(c.name).split(' ').map(fold) })).filter((c) => c.key[0] !== '');
  for (const { c, key } of concepts.sort((a, b) => b.key.length - a.key.length || b.key.join(' ').length - a.key.join(' ').length)) {
    let at: number[] | undefined;
    for (let i = 0; !at && i + key.length <= tokens.length; i++) if (key.every((w, j) => free(i + j) && tokens[i + j]!.key === w)) at = key.map((_, j) => i + j);
    if (!at) {
      const apart: number[] = [];
      for (const w of key) {
        const k = tokens.findIndex((t, n) => free(n) && !apart.includes(n) && t.key === w);
        if (k < 0) break;
        apart.push(k);
      }
      if (apart.length === key.length) at = apart;
    }
    if (!at) continue;
    // Found apart, the concept is one part: its first word carries it, the others are spans of it.
    const [head, ...others] = at;
    for (const k of others) tokens[k]!.used = true;
    const together = others.every((k, j) => k === at[j]! + 1);
    const last = together ? at.at(-1)! : head!;
    take({
      kind: 'concept',
      first: lead(head!, CONCEPT_LEADS),
      last,
      label: c.name,
      value: { concept: c.id },
      extra: together ? [] : others.map((k) => [tokens[k]!.start, tokens[k]!.end]),
    });
  }

  // The time.
  const names = new Set(context.people.map((p) => fold(personKey(p.name).split(' ')[0] ?? '')));
  const blanked = () => {
    let looked = text;
    const blank = (a: number, b: number) => (looked = looked.slice(0, a) + ' '.repeat(b - a) + looked.slice(b));
    for (const [a, b] of kept) blank(a, Math.min(b, text.length));
    for (const t of tokens) if (t.used) blank(t.start, t.end);
    return looked;
  };
  const date = naturalDateIn(blanked(), { now: context.now, names, ...(otherLanguages ? { otherLanguages } : {}) });
  if (date) {
    const inside = tokens.map((t, i) => [t, i] as const).filter(([t]) => t.start >= date.start && t.end <= date.end);
    if (inside.length > 0) {
      for (const [t] of inside) t.used = true;
      found.push({
        kind: 'date',
        first: inside[0]![1],
        last: inside.at(-1)![1],
        start: date.start,
        end: date.end,
        label: date.label,
        value: { after: date.after, before: date.before },
        ...(date.ambiguous ? { ambiguous: true as const } : {}),
      });
    }
  }

  // People, with where each name is.
  const people = context.people.map((p) => ({ p, key: personKey(p.name).split(' ').map(fold) })).filter((x) => x.key[0] !== '');
  const person = (p: { id: number; name: string }, first: number, last: number) =>
    take({ kind: 'person', first: lead(first, PERSON_LEADS), last, label: p.name, value: { person: p.id } });
  for (const { p, key } of [...people].sort((a, b) => b.key.length - a.key.length)) {
    for (let i = 0; i + key.length <= tokens.length; i++)
      if (key.every((w, j) => free(i + j) && tokens[i + j]!.key === w) && (key.length > 1 || tokens[i]!.capitalised || !WORD_NAMES.has(key[0]!))) {
        person(p, i, i + key.length - 1);
        break;
      }
  }
  const firstNames = new Map<string, Array<{ id: number; name: string }>>();
  for (const { p, key } of people) firstNames.set(key[0]!, [...(firstNames.get(key[0]!) ?? []), p]);
  const firstWord = tokens.findIndex((t) => !t.kept);
  tokens.forEach((t, i) => {
    if (!free(i)) return;
    const same = firstNames.get(t.key);
    if (same?.length === 1 && (t.capitalised || !WORD_NAMES.has(t.key)) && !found.some((f) => f.kind === 'person' && 'person' in f.value && f.value.person === same[0]!.id))
      return person(same[0]!, i, i);
    if (!t.capitalised || t.key.length < 3 || i === firstWord) return;
    const starting = people.filter(({ key }) => key[0]!.startsWith(t.key));
    if (starting.length === 1) person(starting[0]!.p, i, i);
  });

  // Media.
  for (let i = 0; i < tokens.length; i++) {
    if (!free(i)) continue;
    const t = tokens[i]!;
    const next = free(i + 1) ? tokens[i + 1]!.key : undefined;
    const prev = free(i - 1) ? tokens[i - 1]!.key : undefined;
    if (VIDEO_WORDS.has(t.key)) {
      if ((next && VIDEO_THINGS.has(next)) || (prev && CLIP_THINGS.has(prev))) continue;
      if (prev && NEGATORS.has(prev)) {
        take({ kind: 'exclude', first: i - 1, last: i, label: 'no videos', value: { exclude: { media: 'video' } } });
        continue;
      }
      if (found.some((f) => f.kind === 'media')) continue;
      const first = prev === 'only' || prev === 'just' || prev === 'all' ? i - 1 : i;
      take({ kind: 'media', first, last: next === 'of' || next === 'with' || next === 'from' ? i + 1 : i, label: 'videos', value: { media: 'video' } });
    } else if (PHOTO_WORDS.has(t.key)) {
      // "only photos", "photos only", "just pictures", "no photos"; "photos of X" is "X".
      if (prev && NEGATORS.has(prev)) take({ kind: 'exclude', first: i - 1, last: i, label: 'no photos', value: { exclude: { media: 'photo' } } });
      else if (prev === 'only' || prev === 'just') take({ kind: 'media', first: i - 1, last: i, label: 'photos', value: { media: 'photo' } });
      else if (next === 'only') take({ kind: 'media', first: i, last: i + 1, label: 'photos', value: { media: 'photo' } });
    }
  }

  // Exclusions: of people at all, or of a part read above (a person, a concept).
  if (context.hasFaces !== false)
    for (let i = 0; i < tokens.length; i++) {
      if (!free(i)) continue;
      const k = tokens[i]!.key;
      const next = free(i + 1) ? tokens[i + 1]!.key : undefined;
      let last = -1;
      if (NEGATORS.has(k) && next && PEOPLE_WORDS.has(next)) last = i + 1;
      else if (k === 'nobody' || k === 'noone') last = i;
      else if (k === 'no' && next === 'one') last = i + 1;
      if (last < 0) continue;
      const first = free(i - 1) && tokens[i - 1]!.key === 'with' ? i - 1 : i;
      take({ kind: 'exclude', first, last, label: 'without people', value: { exclude: { people: true } } });
    }
  for (const f of found) {
    if ((f.kind !== 'person' && f.kind !== 'concept') || !free(f.first - 1) || !NEGATORS.has(tokens[f.first - 1]!.key)) continue;
    const negator = f.first - 1;
    tokens[negator]!.used = true;
    const id = 'person' in f.value ? { person: f.value.person } : 'concept' in f.value ? { concept: f.value.concept } : null;
    if (!id) continue;
    Object.assign(f, { kind: 'exclude', first: negator, label: `without ${f.label}`, value: { exclude: id } });
  }

  // Places: n-grams of the words left, longest first.
  const wholeQueryLeft = (first: number, last: number) => tokens.every((t, i) => (i >= first && i <= last) || t.used || STOP.has(t.key) || t.kept);
  for (let n = 4; n >= 1; n--)
    for (let i = 0; i + n <= tokens.length; i++) {
      const span = tokens.slice(i, i + n);
      if (span.some((_, j) => !free(i + j)) || STOP.has(span[0]!.key) || STOP.has(span.at(-1)!.key) || span.some((t) => /\p{N}/u.test(t.word))) continue;
      const phrase = text.slice(span[0]!.start, span.at(-1)!.end);
      const best = [...context.places(phrase)].filter((c) => c.photos > 0).sort((a, b) => b.photos - a.photos)[0];
      if (!best) continue;
      const key = span.map((t) => t.key).join(' ');
      // "in the Lake District": the article goes with the place, and so does a lead before it.
      const article = free(i - 1) && tokens[i - 1]!.key === 'the' ? i - 1 : i;
      const leadAt = lead(article, PLACE_LEADS);
      let ambiguous = false;
      if (COMMON_WORD_PLACES.has(key)) {
        const capitalInside = span.every((t) => t.capitalised) && i !== firstWord;
        if (leadAt === article && !capitalInside && !wholeQueryLeft(i, i + n - 1)) continue;
        ambiguous = true;
      }
      take({ kind: 'place', first: leadAt, last: i + n - 1, label: best.name, value: { place: best }, ...(ambiguous ? { ambiguous: true as const } : {}) });
    }

  // The parts, with the words each took and the query without them.
  const spanOf = (f: Found): [number, number] => [Math.min(f.start ?? Infinity, tokens[f.first]!.start), Math.max(f.end ?? -Infinity, tokens[f.last]!.end)];
  const all = found.map(spanOf);
  const sorted = found.map((f, n) => ({ f, span: all[n]! })).sort((a, b) => a.span[0] - b.span[0]);
  const extraSpans = found.flatMap((f) => f.extra ?? []);
  const parts = sorted.map(({ f, span }) => {
    const part = {
      kind: f.kind,
      text: text.slice(span[0], span[1]),
      start: span[0],
      end: span[1],
      label: f.label,
      without: without(text, [span, ...(f.extra ?? [])]),
      ...(f.ambiguous ? { ambiguous: true as const } : {}),
      ...f.value,
    };
    return part as ParsedPart;
  });
  // What is left only of words without meaning ("photos from 2019", "the") has nothing to search.
  const rest = without(text, [...all, ...extraSpans]);
  const meaningful = tokenise(
    rest,
    [...rest.matchAll(/"[^"]*"?/g)].map((m) => [m.index, m.index + m[0].length]),
  ).some((t) => t.kept || !STOP.has(t.key));
  // With nothing read, the query is left as it was typed: the search decides what words like "a photo" mean.
  if (parts.length === 0) return { parts, rest: text };
  return { parts, rest: meaningful || /\p{Extended_Pictographic}/u.test(rest) ? rest : '' };
}
