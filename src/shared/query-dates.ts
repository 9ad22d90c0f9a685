/**
 * When a query names a time ("dog on the beach 2023", "snow in January 2021", "kids 2019-2021"), that
 * part is a filter on when the photo was taken, not words to look for: the rest of the query is what
 * is searched. Only unambiguous forms are read: a year from 1900 to 2099, a month name with a year
 * ("June 2022", "Jun 2022"), ISO months ("2022-06"), and spans of years ("2019-2021", "2019 to 2021"),
 * each optionally after "in", "from" or "during". Text in quotes is never read as a date.
 */

export interface QueryDates {
  /** The query without its time (and the word before it, "in", "from" or "during"). */
  rest: string;
  /** Taken at or after (ISO date, inclusive). */
  after: string;
  /** Taken before (ISO date, exclusive). */
  before: string;
  /** What was understood, as the user would say it: "2023", "June 2022", "2019 to 2021". */
  label: string;
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const MONTH_NAMES = new Map<string, number>(MONTHS.flatMap((name, i) => [[name, i] as const, ...(name.length > 3 ? ([[name.slice(0, 3), i]] as const) : [])]));
MONTH_NAMES.set('sept', 8);

const YEAR = '(19\\d\\d|20\\d\\d)';
const LEAD = '(?:(?:in|from|during)\\s+)?';
const MONTH = `(${[...MONTH_NAMES.keys()].sort((a, b) => b.length - a.length).join('|')})\\.?`;

const iso = (year: number, month = 0) => `${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}-01`;
const nextMonth = (year: number, month: number) => (month === 11 ? iso(year + 1, 0) : iso(year, month + 1));
const title = (word: string) => word[0]!.toUpperCase() + word.slice(1);

/** The patterns, most specific first; each gives the range it names. */
const PATTERNS: Array<{ re: RegExp; range: (m: RegExpExecArray) => Omit<QueryDates, 'rest'> | null }> = [
  {
    // 2019-2021, 2019 to 2021, 2019–2021
    re: new RegExp(`(?<![\\p{L}\\p{N}])${LEAD}${YEAR}\\s*(?:-|–|to|until)\\s*${YEAR}(?![\\p{L}\\p{N}])`, 'iu'),
    range: (m) => {
      const [from, to] = [Number(m[1]), Number(m[2])];
      return from <= to ? { after: iso(from), before: iso(to + 1), label: `${from} to ${to}` } : null;
    },
  },
  {
    // 2022-06
    re: new RegExp(`(?<![\\p{L}\\p{N}])${LEAD}${YEAR}-(0[1-9]|1[0-2])(?![\\p{L}\\p{N}-])`, 'iu'),
    range: (m) => {
      const [year, month] = [Number(m[1]), Number(m[2]) - 1];
      return { after: iso(year, month), before: nextMonth(year, month), label: `${title(MONTHS[month]!)} ${year}` };
    },
  },
  {
    // June 2022, in Jun. 2022
    re: new RegExp(`(?<![\\p{L}\\p{N}])${LEAD}${MONTH}\\s+${YEAR}(?![\\p{L}\\p{N}])`, 'iu'),
    range: (m) => {
      const month = MONTH_NAMES.get(m[1]!.toLowerCase())!;
      const year = Number(m[2]);
      return { after: iso(year, month), before: nextMonth(year, month), label: `${title(MONTHS[month]!)} ${year}` };
    },
  },
  {
    // 2023, in 2023
    re: new RegExp(`(?<![\\p{L}\\p{N}_.-])${LEAD}${YEAR}(?![\\p{L}\\p{N}_.-])`, 'iu'),
    range: (m) => ({ after: iso(Number(m[1])), before: iso(Number(m[1]) + 1), label: m[1]! }),
  },
];

/** The time a query names, and the query without it; null when it names none. */
export function datesInQuery(query: string): QueryDates | null {
  // Quoted phrases are the user's exact words: blank them out while looking, keep them in the rest.
  const quoted: Array<[number, number]> = [];
  for (const m of query.matchAll(/"[^"]*"?/g)) quoted.push([m.index, m.index + m[0].length]);
  const looked = quoted.reduce((text, [from, to]) => text.slice(0, from) + ' '.repeat(to - from) + text.slice(to), query);
  for (const { re, range } of PATTERNS) {
    const m = re.exec(looked);
    if (!m) continue;
    const found = range(m);
    if (!found) continue;
    const rest = (query.slice(0, m.index) + ' ' + query.slice(m.index + m[0].length)).replace(/\s+/g, ' ').trim();
    return { rest, ...found };
  }
  return null;
}

/**
 * The time a query names when that is all it names ("2023", "in June 2022"): the app then shows that
 * time's photos as its timeline, which holds them all, rather than a search. Null when the query has
 * words to search (or names no time).
 */
export function onlyATime(query: string): QueryDates | null {
  const dates = datesInQuery(query);
  return dates && !/[\p{L}\p{N}]/u.test(dates.rest) ? dates : null;
}
