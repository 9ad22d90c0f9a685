/**
 * When the filters a query names leave no photo, which of them emptied it, said as a person would: "No
 * photos in Lisbon from 2022; 3 in Lisbon from 2023", "No videos of Anna; 12 photos of Anna". Only the
 * filters are looked at (a time, a place, people and concepts, the media, what to leave out): a search
 * whose filters allow photos but whose words match none of them is the relevance cutoff's to explain.
 */
import type { Catalog } from '../catalog/catalog.js';
import { plural } from '../../../shared/counting.js';
import type { ParsedPart } from './query-parser.js';

/** A concept or person a query filters by (named, or asked for by the app): query.ts's ConceptInQuery. */
interface NamedFilter {
  name: string;
  /** The query without its words (undefined: asked for by the app, not named in the query). */
  without?: string | undefined;
}

/** What the user is told, and a search that has photos (the query without the filter, or with the nearest year). */
export interface Emptied {
  message: string;
  instead?: string;
}

/** One filter of a query: a part it names, or a concept or person. */
export type Filter = ParsedPart | NamedFilter;

interface Filters {
  parts: readonly ParsedPart[];
  concepts: readonly NamedFilter[];
  /** "photos", or "videos" when the search asks for videos. */
  noun: 'photos' | 'videos';
}

/** The filters as words after the noun: "of Anna in Lisbon from summer 2023 without people". */
function described(filters: Filters, skip?: Filter): string {
  const of = filters.concepts.filter((c) => c !== skip).map((c) => c.name);
  const words: string[] = [];
  if (of.length > 0) words.push(`of ${of.length === 1 ? of[0]! : `${of.slice(0, -1).join(', ')} and ${of.at(-1)!}`}`);
  for (const part of filters.parts) {
    if (part === skip) continue;
    if (part.kind === 'place') words.push(`in ${part.label}`);
    else if (part.kind === 'date') words.push(`from ${part.label}`);
    else if (part.kind === 'exclude') words.push(part.label);
  }
  return words.join(' ');
}

/**
 * What to tell the user when the filters allow no photo (undefined when there is nothing to say):
 * without the time, the nearest year that has photos; otherwise the filter whose absence allows most.
 */
export function whatEmptied(catalog: Catalog, filters: Filters, allowedWithout: (skip: Filter) => Set<number> | undefined): Emptied | undefined {
  const all: Filter[] = [...filters.concepts, ...filters.parts.filter((p) => p.kind !== 'person' && p.kind !== 'concept')];
  if (all.length === 0) return undefined;
  const none = `No ${filters.noun} ${described(filters)}`.trim();
  const date = filters.parts.find((p) => p.kind === 'date');
  if (date) {
    const ids = allowedWithout(date);
    const years = ids === undefined || ids.size > 0 ? yearsOf(catalog, ids) : [];
    const asked = Number(date.after.slice(0, 4));
    const nearest = years.sort((a, b) => Math.abs(a.year - asked) - Math.abs(b.year - asked) || b.year - a.year)[0];
    if (nearest)
      return {
        message: `${none}; ${plural(nearest.photos, filters.noun === 'videos' ? 'video' : 'photo')} ${described(filters, date)} from ${nearest.year}`.replace(/\s+/g, ' '),
        instead: `${date.without} ${nearest.year}`.trim(),
      };
  }
  let best: { filter: Filter; photos: number } | undefined;
  for (const filter of all) {
    if (filter === date) continue;
    const photos = allowedWithout(filter)?.size ?? Infinity;
    if (photos > 0 && photos !== Infinity && (!best || photos > best.photos)) best = { filter, photos };
  }
  if (!best) return { message: `${none}.` };
  const noun = best.filter === filters.parts.find((p) => p.kind === 'media') ? 'photo' : filters.noun === 'videos' ? 'video' : 'photo';
  const rest = described(filters, best.filter);
  const without = best.filter.without;
  return { message: `${none}; ${plural(best.photos, noun)}${rest ? ` ${rest}` : ''}`, ...(without ? { instead: without } : {}) };
}

/** The years photos were taken in, with how many photos each (all photos when `ids` is undefined). */
function yearsOf(catalog: Catalog, ids: Set<number> | undefined): Array<{ year: number; photos: number }> {
  const rows = (
    ids === undefined
      ? catalog.statement(`SELECT substr(taken_at, 1, 4) AS year, count(*) AS photos FROM photos WHERE taken_at IS NOT NULL GROUP BY year`).all()
      : catalog
          .statement(`SELECT substr(taken_at, 1, 4) AS year, count(*) AS photos FROM photos WHERE taken_at IS NOT NULL AND id IN (SELECT value FROM json_each(?)) GROUP BY year`)
          .all(JSON.stringify([...ids]))
  ) as Array<{ year: string; photos: number }>;
  return rows.map((r) => ({ year: Number(r.year), photos: r.photos })).filter((r) => Number.isInteger(r.year));
}
