/**
 * The time a query names, read as people say it ("last summer", "Christmas 2022", "the 90s", "in
 * March", "2 years ago", "5 March 2021"), as a range of days relative to an injected clock: the range
 * a filter on when photos were taken uses (`after` inclusive, `before` exclusive, ISO dates, as
 * `QueryDates` below). Pure: no I/O, the clock is the caller's. The engine's query parser
 * (src/main/engine/search/query-parser.ts) reads a query's time with it; the app reads with it whether a
 * query is only a time (shown as that time's timeline).
 *
 * Conventions (documented here, checked by test/main/engine/search/query-parser.test.ts and query-dates.test.ts):
 * - The calendar is the user's: `now`'s local date is "today".
 * - Seasons are meteorological, northern hemisphere: spring March-May, summer June-August, autumn (fall)
 *   September-November, winter December-February, and "winter 2021" is the winter that starts in
 *   December 2021 (December 2021 to February 2022). "last summer" is the latest summer that has ended;
 *   "this summer" the one under way, or else this year's. A season without a year or "last"/"this"
 *   ("beach in summer") is every summer: no range says it, so it stays words.
 * - A time without a year (a month, a day, a holiday) is the latest one that has begun: "in March" in
 *   December 2026 is March 2026, in February 2026 it is March 2025. "last March" is the latest that has
 *   ended.
 * - Holidays: Christmas is 24-26 December (the eve, the day, Boxing Day: when its photos are taken),
 *   Christmas Eve and Christmas Day one day each, New Year's Eve 31 December and 1 January (the night
 *   goes past midnight), New Year's Day 1 January, Easter the Easter weekend (Good Friday to Easter
 *   Monday), Halloween 31 October, Valentine's Day 14 February, the Fourth of July that day. A holiday
 *   without a year is `ambiguous` (the user may have meant every Christmas), and one followed by a word
 *   of its own ("christmas tree", "easter eggs") is that thing, not a time.
 * - Decades: "the 90s", "the '90s", "the 1990s", "1990s"; a two-digit decade needs "the" ("in her 90s"
 *   is an age) and 00-20 are this century, 30-90 the last.
 * - Weeks start on Monday (ISO 8601).
 * - "since March" is from the latest March to the end of today. One time per query: the first, by the
 *   most specific reading ("2019 and 2021" reads 2019 and leaves "and 2021" as words).
 * - Never a time: a weekday alone ("sat on a bench": Glimpse has no weekday filter), a time of day
 *   ("10 am", "tonight", "morning"), "now", "today's", a lower-case "may", a number that is not a year
 *   1900-2099 ("5", "100", "a 1000 piece puzzle", "2 dogs"), a month followed by "of" ("March of the
 *   penguins").
 */
import * as chrono from 'chrono-node/en';

export interface DateSpan {
  /** Where the time is in the text (the lead word, "in", "from", "during", included). */
  start: number;
  end: number;
  /** Taken at or after (ISO date, inclusive). */
  after: string;
  /** Taken before (ISO date, exclusive). */
  before: string;
  /** The time understood, as the user would say it, resolved: "summer 2026", "Christmas 2022", "the 1990s". */
  label: string;
  /** A reading the user may want undone (a holiday without a year: maybe every Christmas). */
  ambiguous?: true;
}

export interface DateContext {
  now: Date;
  /** First names of people in the library, lower case without accents: "May" alone is then her, not the month. */
  names?: ReadonlySet<string>;
  /**
   * Reads times written in other languages than English (the search pack's: "5 de junio de 2021",
   * "2021年6月"), tried after the English forms that name a day and before a bare year or month is taken.
   */
  otherLanguages?: (looked: string, now: Date) => DateSpan | null;
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const MONTH_NAMES = new Map<string, number>(MONTHS.flatMap((name, i) => [[name, i] as const, ...(name.length > 3 ? ([[name.slice(0, 3), i]] as const) : [])]));
MONTH_NAMES.set('sept', 8);
const MONTH = `(${[...MONTH_NAMES.keys()].sort((a, b) => b.length - a.length).join('|')})\\.?`;
const FULL_MONTH = `(${MONTHS.join('|')})`;
const YEAR = '(19\\d\\d|20\\d\\d)';
/** The word before a time that belongs to it: "snow in 2021", "from March", "during the 90s". */
const LEAD = '(?:(?:in|from|during|on|at|over|of)\\s+)?';
const B = "(?<![\\p{L}\\p{N}_'’.-])";
const E = "(?![\\p{L}\\p{N}_'’-])";
const NUMBER_WORDS = new Map(['a', 'an', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'].map((w, i) => [w, Math.max(1, i - 1)]));
const COUNT = `(\\d{1,2}|${[...NUMBER_WORDS.keys()].join('|')})`;

const title = (word: string) => word[0]!.toUpperCase() + word.slice(1);
const monthName = (m: number) => title(MONTHS[m]!);

/** A calendar day, normalised (month 12 is next January, day 0 the last of the month before). */
function day(y: number, m: number, d = 1): { y: number; m: number; d: number } {
  const t = new Date(Date.UTC(2000, 0, 1));
  t.setUTCFullYear(y, m, d);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth(), d: t.getUTCDate() };
}
function iso(y: number, m: number, d = 1): string {
  const n = day(y, m, d);
  return `${String(n.y).padStart(4, '0')}-${String(n.m + 1).padStart(2, '0')}-${String(n.d).padStart(2, '0')}`;
}
/** Days since the epoch of a calendar day: to compare and count. */
const serial = (y: number, m: number, d = 1) => Date.UTC(2000, 0, 1) / 864e5 + (Date.UTC(y, m, d) - Date.UTC(2000, 0, 1)) / 864e5;

export interface Range {
  after: string;
  before: string;
  label: string;
  ambiguous?: true;
}
export const dayRange = (y: number, m: number, d: number, label = `${day(y, m, d).d} ${monthName(day(y, m, d).m)} ${day(y, m, d).y}`): Range => ({
  after: iso(y, m, d),
  before: iso(y, m, d + 1),
  label,
});
export const monthRange = (y: number, m: number): Range => ({ after: iso(y, m), before: iso(y, m + 1), label: `${monthName(day(y, m).m)} ${day(y, m).y}` });
export const yearRange = (y: number): Range => ({ after: iso(y, 0), before: iso(y + 1, 0), label: String(y) });
function weekRange(y: number, m: number, d: number): Range {
  const weekday = (new Date(Date.UTC(y, m, d)).getUTCDay() + 6) % 7; // Monday 0
  const monday = day(y, m, d - weekday);
  return { after: iso(monday.y, monday.m, monday.d), before: iso(monday.y, monday.m, monday.d + 7), label: `week of ${monday.d} ${monthName(monday.m)} ${monday.y}` };
}

const SEASONS: Record<string, { start: number; name: string }> = {
  spring: { start: 2, name: 'spring' },
  summer: { start: 5, name: 'summer' },
  autumn: { start: 8, name: 'autumn' },
  fall: { start: 8, name: 'autumn' },
  winter: { start: 11, name: 'winter' },
};
const seasonRange = (season: { start: number; name: string }, y: number): Range => ({
  after: iso(y, season.start),
  before: iso(y, season.start + 3),
  label: `${season.name} ${y}`,
});

/** Easter Sunday of a year (Gregorian; the anonymous algorithm, Meeus/Jones/Butcher): month 0-based. */
export function easterSunday(y: number): { m: number; d: number } {
  const a = y % 19;
  const b = Math.floor(y / 100);
  const c = y % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const mm = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * mm + 114) / 31);
  return { m: month - 1, d: ((h + l - 7 * mm + 114) % 31) + 1 };
}

interface Holiday {
  re: string;
  name: string;
  /** First day (month 0-based, day) and length in days, in a year. */
  days: (y: number) => { m: number; d: number; length: number };
}
const HOLIDAYS: Holiday[] = [
  { re: 'christmas\\s+eve|xmas\\s+eve', name: 'Christmas Eve', days: () => ({ m: 11, d: 24, length: 1 }) },
  { re: 'christmas\\s+day|xmas\\s+day', name: 'Christmas Day', days: () => ({ m: 11, d: 25, length: 1 }) },
  { re: 'christmas|xmas', name: 'Christmas', days: () => ({ m: 11, d: 24, length: 3 }) },
  { re: "new\\s+year['’]?s\\s+eve|nye", name: "New Year's Eve", days: () => ({ m: 11, d: 31, length: 2 }) },
  { re: "new\\s+year['’]?s(?:\\s+day)?", name: "New Year's Day", days: () => ({ m: 0, d: 1, length: 1 }) },
  { re: 'easter', name: 'Easter', days: (y) => ({ ...easterSunday(y), d: easterSunday(y).d - 2, length: 4 }) },
  { re: 'halloween', name: 'Halloween', days: () => ({ m: 9, d: 31, length: 1 }) },
  { re: "valentine['’]?s(?:\\s+day)?", name: "Valentine's Day", days: () => ({ m: 1, d: 14, length: 1 }) },
  { re: '(?:the\\s+)?(?:4th|fourth)\\s+of\\s+july|july\\s+(?:4th|fourth)|independence\\s+day', name: 'Fourth of July', days: () => ({ m: 6, d: 4, length: 1 }) },
];
const holidayRange = (h: Holiday, y: number): Range => {
  const { m, d, length } = h.days(y);
  return { after: iso(y, m, d), before: iso(y, m, d + length), label: `${h.name} ${y}` };
};

/** Words after which a holiday is the thing it names ("christmas tree"), not a time: any word but these. */
const NOT_A_MODIFIER = new Set(['a', 'an', 'the', 'of', 'on', 'in', 'at', 'and', 'or', 'with', 'to', 'for', 'from', 'by', 'without', 'no', 'not', 'near']);

interface Pattern {
  re: RegExp;
  read: (m: RegExpExecArray, now: Today, text: string) => Range | null;
}
interface Today {
  y: number;
  m: number;
  d: number;
  serial: number;
}

const rx = (source: string) => new RegExp(`${B}${source}${E}`, 'giu');

/** The latest year whose (month, day) has begun by today. */
const latestYear = (now: Today, m: number, d = 1) => (serial(now.y, m, d) <= now.serial ? now.y : now.y - 1);

const PATTERNS: Pattern[] = [
  {
    // 2019-2021, 2019 to 2021, from 2019 until 2021, between 2019 and 2021
    re: rx(`${LEAD}(?:between\\s+)?${YEAR}\\s*(?:-|–|to|until|through|and)\\s*${YEAR}`),
    read: (m) => {
      const [from, to] = [Number(m[1]), Number(m[2])];
      if (/\band\b/i.test(m[0]) && !/between/i.test(m[0])) return null;
      return from <= to ? { after: iso(from, 0), before: iso(to + 1, 0), label: `${from} to ${to}` } : null;
    },
  },
  ...HOLIDAYS.map<Pattern>((h) => ({
    // Christmas 2022, Easter of 2024, last Halloween, New Year's Eve
    re: rx(`${LEAD}(?:(last|this)\\s+)?(?:the\\s+)?(?:${h.re})(?:\\s+(?:of\\s+)?${YEAR})?`),
    read: (m, now, text) => {
      const [, which, year] = m;
      if (year) return holidayRange(h, Number(year));
      const next = text
        .slice(m.index + m[0].length)
        .match(/^\s*([\p{L}\p{N}]+)/u)?.[1]
        ?.toLowerCase();
      if (next !== undefined && !NOT_A_MODIFIER.has(next)) return null;
      // The latest that has begun ("last": that has ended; "this": this year's).
      let y = now.y;
      const starts = (year: number) => serial(year, h.days(year).m, h.days(year).d);
      const ends = (year: number) => starts(year) + h.days(year).length;
      if (which?.toLowerCase() === 'last') while (ends(y) > now.serial) y--;
      else if (which?.toLowerCase() !== 'this') while (starts(y) > now.serial) y--;
      const range = holidayRange(h, y);
      return which ? range : { ...range, ambiguous: true };
    },
  })),
  {
    // summer 2023, the summer of 2023, winter 2021 (December 2021 to February 2022), last summer, this winter
    re: rx(`${LEAD}(?:(last|this|past)\\s+)?(?:the\\s+)?(spring|summer|autumn|fall|winter)(?:\\s+(?:of\\s+)?${YEAR})?`),
    read: (m, now) => {
      const [, which, name, year] = m;
      const season = SEASONS[name!.toLowerCase()]!;
      if (year) return seasonRange(season, Number(year));
      if (!which) return null;
      const starts = (y: number) => serial(y, season.start);
      const ends = (y: number) => serial(y, season.start + 3);
      let y = now.y;
      if (which.toLowerCase() === 'this') {
        // The one under way, or this year's.
        if (starts(y - 1) <= now.serial && now.serial < ends(y - 1)) y--;
      } else while (ends(y) > now.serial) y--;
      return seasonRange(season, y);
    },
  },
  {
    // the 90s, the '90s, the 1990s, 1990s, in the 80s
    re: rx(`${LEAD}(?:(the)\\s+)?(?:(19|20)(\\d)0|['’]?(\\d)0)['’]?s`),
    read: (m) => {
      const [, the, century, tens4, tens2] = m;
      let start: number;
      if (century) start = Number(century) * 100 + Number(tens4) * 10;
      else {
        if (!the) return null;
        const t = Number(tens2);
        start = t <= 2 ? 2000 + t * 10 : 1900 + t * 10;
      }
      return { after: iso(start, 0), before: iso(start + 10, 0), label: `the ${start}s` };
    },
  },
  {
    // today, yesterday (never "today's top")
    re: rx(`${LEAD}(today|yesterday)(?!['’])`),
    read: (m, now) => (m[1]!.toLowerCase() === 'today' ? dayRange(now.y, now.m, now.d) : dayRange(now.y, now.m, now.d - 1)),
  },
  {
    // this week, last week, this month, last month, this year, last year, last weekend, this weekend
    re: rx(`${LEAD}(?:the\\s+)?(this|last|past|previous)\\s+(week|weekend|month|year)`),
    read: (m, now) => {
      const back = m[1]!.toLowerCase() === 'this' ? 0 : 1;
      switch (m[2]!.toLowerCase()) {
        case 'week':
          return weekRange(now.y, now.m, now.d - 7 * back);
        case 'month':
          return monthRange(now.y, now.m - back);
        case 'year':
          return yearRange(now.y - back);
        default: {
          // The weekend (Saturday and Sunday) that has ended ("last") or this week's ("this").
          const weekday = (new Date(Date.UTC(now.y, now.m, now.d)).getUTCDay() + 6) % 7;
          let saturday = now.d - weekday + 5;
          if (back) while (serial(now.y, now.m, saturday + 2) > now.serial) saturday -= 7;
          const s = day(now.y, now.m, saturday);
          return { after: iso(s.y, s.m, s.d), before: iso(s.y, s.m, s.d + 2), label: `weekend of ${s.d} ${monthName(s.m)} ${s.y}` };
        }
      }
    },
  },
  {
    // 3 days ago, a week ago, two months ago, 2 years ago: that day, week, month or year
    re: rx(`${LEAD}${COUNT}\\s+(day|week|month|year)s?\\s+ago`),
    read: (m, now) => {
      const n = NUMBER_WORDS.get(m[1]!.toLowerCase()) ?? Number(m[1]);
      switch (m[2]!.toLowerCase()) {
        case 'day':
          return dayRange(now.y, now.m, now.d - n);
        case 'week':
          return weekRange(now.y, now.m, now.d - 7 * n);
        case 'month':
          return monthRange(now.y, now.m - n);
        default:
          return yearRange(now.y - n);
      }
    },
  },
  {
    // 2022-06-15
    re: rx(`${LEAD}${YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])`),
    read: (m) => dayRange(Number(m[1]), Number(m[2]) - 1, Number(m[3])),
  },
  {
    // 2022-06
    re: rx(`${LEAD}${YEAR}-(0[1-9]|1[0-2])(?!-)`),
    read: (m) => monthRange(Number(m[1]), Number(m[2]) - 1),
  },
];

/** June 2022, in Jun. 2022, March of 2021 */
const MONTH_YEAR = rx(`${LEAD}${MONTH}\\s+(?:of\\s+)?${YEAR}`);
/** 2023, in 2023 */
const BARE_YEAR = new RegExp(`(?<![\\p{L}\\p{N}_.-])${LEAD}${YEAR}(?![\\p{L}\\p{N}_.-])`, 'giu');
/** in March, from may, last March, this June, March (with rules: see `bareMonth`) */
const BARE_MONTH = rx(`(?:(in|from|during|since|of|on|at)\\s+)?(?:(last|this)\\s+)?${FULL_MONTH}`);

/**
 * A month's name alone is a time only when something says so: a lead ("in May", "from March"), "last"
 * or "this", or a capital inside the query that is not followed by "of" ("beach March"); a query that
 * is only the month too. Otherwise it is a word: "may" the verb, "March of the penguins", "march" the
 * walk. And a month that is the first name of someone in the library ("May at the beach") is her,
 * unless a lead says otherwise.
 */
function bareMonth(m: RegExpExecArray, now: Today, text: string, context: DateContext): Range | null {
  const [, lead, which, name] = m;
  const month = MONTH_NAMES.get(name!.toLowerCase())!;
  const word = m[0].slice(m[0].length - name!.length);
  const before = text.slice(0, m.index).trim();
  const after = text.slice(m.index + m[0].length).trim();
  const said = lead !== undefined || which !== undefined;
  if (!said) {
    if (context.names?.has(name!.toLowerCase())) return null;
    const alone = before === '' && after === '';
    const capitalInside = /^\p{Lu}/u.test(word) && before !== '' && !/^of\b/i.test(after);
    if (!alone && !capitalInside) return null;
  } else if (lead?.toLowerCase() === 'of' && !which) return null;
  let y = latestYear(now, month);
  const w = which?.toLowerCase();
  if (w === 'this') y = now.y;
  else if (w === 'last' && serial(y, month + 1) > now.serial) y--;
  const range = monthRange(y, month);
  return lead?.toLowerCase() === 'since' ? { ...range, before: iso(now.y, now.m, now.d + 1), label: `since ${range.label}` } : range;
}

function chronoDay(looked: string, now: Date, today: Today): (Range & { start: number; end: number }) | null {
  for (const r of chrono.parse(looked, now, { forwardDate: false })) {
    const s = r.start;
    // Only a whole day, written with a month's name or a four-digit year: not a weekday ("sat"), not a
    // time of day ("10 am"), not "now", not fractions ("1/2").
    if (!s.isCertain('month') || !s.isCertain('day')) continue;
    const named = [...MONTH_NAMES.keys()].some((name) => new RegExp(`(?<!\\p{L})${name}(?!\\p{L})`, 'iu').test(r.text));
    if (!named && !/(?<!\d)(19|20)\d\d(?!\d)/.test(r.text)) continue;
    const m = s.get('month')! - 1;
    const d = s.get('day')!;
    const y = s.isCertain('year') ? s.get('year')! : latestYear(today, m, d);
    let start = r.index;
    const lead = /(?:^|\s)(in|from|during|on|at|of)\s+$/i.exec(looked.slice(0, start));
    if (lead) start -= lead[0].trimStart().length;
    return { start, end: r.index + r.text.length, ...dayRange(y, m, d) };
  }
  return null;
}

/**
 * The first time the text names, by the most specific reading: null when it names none. `looked` is the
 * text with what must not be read (quotes, words already understood) blanked out with spaces, so that
 * offsets are the text's.
 */
export function naturalDateIn(looked: string, context: DateContext): DateSpan | null {
  const local = context.now;
  const today: Today = { y: local.getFullYear(), m: local.getMonth(), d: local.getDate(), serial: serial(local.getFullYear(), local.getMonth(), local.getDate()) };
  const found = (m: RegExpExecArray, range: Range | null): DateSpan | null => (range ? { start: m.index, end: m.index + m[0].length, ...range } : null);
  const first = (re: RegExp, read: (m: RegExpExecArray) => Range | null): DateSpan | null => {
    for (const m of looked.matchAll(re)) {
      const span = found(m, read(m));
      if (span) return span;
    }
    return null;
  };
  for (const p of PATTERNS) {
    const span = first(p.re, (m) => p.read(m, today, looked));
    if (span) return span;
  }
  const onDay = chronoDay(looked, local, today) ?? context.otherLanguages?.(looked, local);
  if (onDay) return onDay;
  return (
    first(MONTH_YEAR, (m) => monthRange(Number(m[2]), MONTH_NAMES.get(m[1]!.toLowerCase())!)) ??
    first(BARE_YEAR, (m) => yearRange(Number(m[1]))) ??
    first(BARE_MONTH, (m) => bareMonth(m, today, looked, context))
  );
}

/** A query's time and the rest of it. */
export interface QueryDates {
  /** The query without its time (and the word before it, "in", "from" or "during"). */
  rest: string;
  /** Taken at or after (ISO date, inclusive). */
  after: string;
  /** Taken before (ISO date, exclusive). */
  before: string;
  /** What was understood, as the user would say it: "2023", "June 2022", "summer 2026". */
  label: string;
}

/** The query with the words in quotes blanked out: the user's own words are never read as a time. */
function withoutQuotes(query: string): string {
  return query.replace(/"[^"]*"?/g, (quoted) => ' '.repeat(quoted.length));
}

/** The time a query names and the rest of it (quotes left as they are), or null when it names none. */
export function datesInQuery(query: string, now = new Date()): QueryDates | null {
  const span = naturalDateIn(withoutQuotes(query), { now });
  if (!span) return null;
  const rest = `${query.slice(0, span.start)} ${query.slice(span.end)}`.replace(/\s+/g, ' ').trim();
  return { rest, after: span.after, before: span.before, label: span.label };
}

/** Words that say nothing of their own next to a time ("photos from 2019"). */
const ONLY_GRAMMAR = new Set(['a', 'an', 'the', 'of', 'in', 'at', 'on', 'from', 'during', 'my', 'our', 'photo', 'photos', 'picture', 'pictures', 'pics', 'all']);

/**
 * The time a query names when it names nothing else ("2023", "last summer", "photos from March"): the app
 * shows that time's photos as its timeline, which holds them all, rather than a search. Null when the
 * query has words to search (or names no time).
 */
export function onlyATime(query: string, now = new Date()): QueryDates | null {
  const dates = datesInQuery(query, now);
  if (!dates) return null;
  const words = dates.rest.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.every((w) => ONLY_GRAMMAR.has(w)) ? dates : null;
}
