// Times in a query written in the languages the search pack reads besides English: chrono-node's
// parsers for those languages (a day: "5 de junio de 2021", "gestern", "3 июня 2021"; a month with its
// year: "junio de 2021", "в июне 2021"), and the year and month forms of Chinese and Japanese
// ("2021年", "2021年6月"), which chrono reads only with a day. English is read by src/shared/query-dates.ts;
// these are kept here, in the main process, so that the renderer's bundle does not carry every language.
import * as ar from 'chrono-node/ar';
import * as de from 'chrono-node/de';
import * as es from 'chrono-node/es';
import * as fi from 'chrono-node/fi';
import * as fr from 'chrono-node/fr';
import * as id from 'chrono-node/id';
import * as it from 'chrono-node/it';
import * as ja from 'chrono-node/ja';
import * as nl from 'chrono-node/nl';
import * as pt from 'chrono-node/pt';
import * as ru from 'chrono-node/ru';
import * as sv from 'chrono-node/sv';
import * as uk from 'chrono-node/uk';
import * as vi from 'chrono-node/vi';
import * as zh from 'chrono-node/zh';
import type { ParsedResult } from 'chrono-node';
import { type DateSpan, dayRange, monthRange, yearRange } from '../../../shared/query-dates.js';

interface Parser {
  parse: (text: string, ref: Date, option: { forwardDate: boolean }) => ParsedResult[];
}
const PARSERS: Record<string, Parser> = { ar, de, es, fi, fr, id, it, ja, nl, pt, ru, sv, uk, vi, zh };

/** The little words before a time that go with it ("en junio de 2021", "im Juni 2021"), per language. */
const LEADS: Record<string, ReadonlySet<string>> = {
  de: new Set(['im', 'am', 'vom', 'seit', 'in']),
  es: new Set(['en', 'el', 'de', 'desde', 'del']),
  fr: new Set(['en', 'le', 'du', 'depuis', 'de']),
  it: new Set(['a', 'in', 'il', 'nel', 'del', 'dal']),
  nl: new Set(['in', 'op', 'van', 'sinds']),
  pt: new Set(['em', 'no', 'de', 'desde', 'do']),
  sv: new Set(['i', 'på', 'den', 'sedan']),
  ru: new Set(['в', 'во', 'с']),
  uk: new Set(['в', 'у', 'з']),
};

/** The languages whose times the query parser reads (ISO 639-1). */
export const DATE_LANGUAGES: readonly string[] = ['en', ...Object.keys(PARSERS)];

/** 2021年, 2021年6月 (Chinese and Japanese): a year, or a month of it. */
const CJK_YEAR_MONTH = /(?<!\d)((?:19|20)\d\d)\s*年(?:\s*(1[0-2]|0?[1-9])\s*月(?!\s*\d))?/u;

/**
 * The reader of times in `languages` other than English, for the query parser; undefined when the pack
 * reads none that it knows (then only English times are read, and the pack's figures say so).
 */
export function otherLanguageDates(languages: readonly string[]): ((looked: string, now: Date) => DateSpan | null) | undefined {
  const parsers = languages.filter((l) => l !== 'en' && PARSERS[l]).map((l) => ({ parser: PARSERS[l]!, leads: LEADS[l] ?? new Set<string>() }));
  const cjk = languages.includes('zh') || languages.includes('ja');
  if (parsers.length === 0 && !cjk) return undefined;
  return (looked, now) => {
    for (const { parser, leads } of parsers)
      for (const r of parser.parse(looked, now, { forwardDate: false })) {
        const s = r.start;
        const dayOf = s.isCertain('day') && s.isCertain('month');
        const monthOf = !s.isCertain('day') && s.isCertain('month') && s.isCertain('year');
        if (!dayOf && !monthOf) continue; // a weekday, a time of day
        if (s.isCertain('hour') && !dayOf) continue;
        const y = s.get('year')!;
        const m = s.get('month')! - 1;
        const range = dayOf ? dayRange(y, m, s.get('day')!) : monthRange(y, m);
        const lead = /(\p{L}+)\s+$/u.exec(looked.slice(0, r.index));
        const start = lead && leads.has(lead[1]!.toLowerCase()) ? lead.index : r.index;
        return { start, end: r.index + r.text.length, ...range };
      }
    if (cjk) {
      const m = CJK_YEAR_MONTH.exec(looked);
      if (m) {
        const range = m[2] ? monthRange(Number(m[1]), Number(m[2]) - 1) : yearRange(Number(m[1]));
        return { start: m.index, end: m.index + m[0].length, ...range };
      }
    }
    return null;
  };
}
