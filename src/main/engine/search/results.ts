import { basename } from 'node:path';
import type { MatchReason, SearchResult } from '../../../shared/api.js';
import { formatTimestamp } from '../../../shared/timestamp.js';
import { type Catalog } from '../catalog/catalog.js';
import { type PhotoRow } from '../library/photo-store.js';
import { isUnder } from '../core/paths.js';
import { type Candidates, linesWith } from './candidates.js';
import { type UnderstoodQuery, conceptConfidence } from './query.js';
import { PhotoStore } from '../library/photo-store.js';
import { StackStore } from '../stacks/stack-store.js';
import { CaptionStore } from '../captions/caption-store.js';
import { KeywordStore } from './keyword-store.js';
import { ReadingStore } from '../ocr/reading-store.js';
import { FolderStore } from '../library/folder-store.js';
import { FavouriteStore } from '../favourites/favourite-store.js';

/** One photo as a search result: the one builder of `SearchResult` (search pages, an opened stack). */
export function searchResult(
  row: PhotoRow,
  shown: Pick<SearchResult, 'score' | 'caption' | 'why' | 'moment' | 'stack' | 'favourite'>,
  offlineDirs: readonly string[],
): SearchResult {
  return {
    id: row.id,
    path: row.path,
    name: basename(row.path),
    score: shown.score,
    takenAt: row.taken_at,
    caption: shown.caption,
    width: row.width,
    height: row.height,
    why: shown.why,
    offline: offlineDirs.some((dir) => isUnder(row.path, dir)),
    media: row.media,
    duration: row.duration,
    moment: shown.moment,
    stack: shown.stack,
    favourite: shown.favourite,
  };
}

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

export interface Page {
  entries: Array<{ id: number; row: PhotoRow }>;
  /** Shown results before paging. */
  total: number;
  videos: number;
  stacks: Map<number, { stackId: number; size: number }>;
}

/**
 * The page asked for (the fifth stage): the ranked ids that can be shown (a visual match has a vector
 * for this model; a keyword-only match must have been indexed once: it has a thumbnail and metadata; a
 * photo waiting to be re-indexed keeps its old vector and stays findable), by date when asked, one per
 * near-duplicate stack when asked (the best-ranked photo of the stack stands for it, with the stack's
 * size; the stack opens in place with its best shot first), then the offset and limit.
 */
export function page(catalog: Catalog, query: UnderstoodQuery, c: Candidates, ranked: readonly number[]): Page {
  const { request } = query;
  const rows = new PhotoStore(catalog).photos(ranked);
  let entries = ranked
    .map((id) => ({ id, row: rows.get(id) }))
    .filter((x): x is { id: number; row: PhotoRow } => !!x.row && (c.visual.has(x.id) || c.byConcept.has(x.id) || x.row.status === 'indexed'));
  if (request.sort === 'date') entries = [...entries].sort((a, b) => (b.row.taken_at ?? '').localeCompare(a.row.taken_at ?? ''));
  const stacks = new StackStore(catalog).stacksOf(entries.map((x) => x.id));
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
  return { entries: entries.slice(request.offset ?? 0, (request.offset ?? 0) + request.limit), total, videos, stacks };
}

/** The page's results, each saying why it matched (the sixth stage; highlighting only the page is the cheap part). */
export function buildResults(catalog: Catalog, model: string, query: UnderstoodQuery, c: Candidates, shown: Page): SearchResult[] {
  const { request, parsed, concepts } = query;
  const ids = shown.entries.map((x) => x.id);
  const captions = new CaptionStore(catalog).captions(ids, model);
  const highlights = c.keywordMatch
    ? new KeywordStore(catalog).keywordHighlights(
        c.keywordMatch,
        ids.filter((id) => c.keyword.has(id)),
      )
    : new Map<number, { caption: string; album: string; names: string }>();
  const readWords = [...c.read.words, ...parsed.phrases];
  const readTexts = readWords.length > 0 ? new ReadingStore(catalog).readTexts(ids) : new Map<number, string>();
  const offline = new FolderStore(catalog).offlineDirs().map((o) => o.dir);
  const favourites = new FavouriteStore(catalog).favouritesAmong(ids);
  const byExample = request.similarTo !== undefined || request.exampleVector !== undefined;
  return shown.entries.map(({ id, row }) => {
    const why: MatchReason[] = concepts.map((concept) => {
      if (concept.person !== undefined) return { kind: 'person', detail: concept.name };
      const match = concept.matches.get(id)!;
      return { kind: 'concept', detail: `concept ${concept.name}, ${match.example ? 'an example you marked, ' : ''}confidence ${match.confidence.toFixed(2)}` };
    });
    const v = c.visual.get(id);
    const moment = c.moments.get(id);
    if (v) {
      const what = byExample ? (parsed.text ? `the example, with "${parsed.text}"` : 'the example') : `"${parsed.text}"`;
      why.push({
        kind: byExample ? 'example' : 'visual',
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
    const stack = shown.stacks.get(id);
    return searchResult(
      row,
      {
        score: v
          ? Math.round(v.similarity * 1000) / 1000
          : c.byConcept.has(id) && concepts.some((k) => k.person === undefined)
            ? Math.round(
                conceptConfidence(
                  concepts.filter((k) => k.person === undefined),
                  id,
                ) * 1000,
              ) / 1000
            : null,
        caption: captions.get(id) ?? null,
        why,
        moment: row.media === 'video' && moment ? { at: moment.at, frame: moment.frame } : null,
        stack: stack ? { id: stack.stackId, size: stack.size } : null,
        favourite: favourites.has(id),
      },
      offline,
    );
  });
}
