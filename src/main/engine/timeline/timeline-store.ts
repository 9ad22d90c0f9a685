import { CatalogStore } from '../catalog/catalog.js';
import type { PhotoRow } from '../library/photo-store.js';
import { type PhotoFilters, filterSql } from '../search/keyword-store.js';
import { monthEnd } from '../../../shared/timeline.js';

/** Where a page of the timeline starts: after this tile (exclusive). `takenAt` null: among the photos without a date. */
export interface TimelineKey {
  takenAt: string | null;
  id: number;
}

/**
 * The photos the timeline shows: indexed once (they have a thumbnail and metadata; one waiting to be
 * indexed again keeps its last ones), not unreadable. The partial index `photos_timeline` (schema v12)
 * holds exactly these rows.
 */
const shown = (a: string) => `${a}hash IS NOT NULL AND ${a}status NOT IN ('error', 'skipped')`;

/**
 * `p` is not the tile of its near-duplicate stack: another photo of the stack that the timeline shows
 * (with the same filters) comes before it (newer, or as new with a larger id; a dated photo before one
 * without a date). One tile per stack, its newest photo, as search shows a stack sorted by date.
 */
const notStackTile = (q: string) =>
  `EXISTS (SELECT 1 FROM stacks s JOIN stacks s2 ON s2.stack_id = s.stack_id AND s2.photo_id <> s.photo_id JOIN photos q ON q.id = s2.photo_id
     WHERE s.photo_id = p.id AND ${shown('q.')}${q}
       AND (q.taken_at > p.taken_at OR (q.taken_at IS NOT NULL AND p.taken_at IS NULL) OR (q.taken_at IS p.taken_at AND q.id > p.id)))`;

/**
 * The library as a timeline: newest first by when each photo was taken (then by id), photos without a
 * date last, one tile per near-duplicate stack. Pages are keyset pages on (taken_at, id), so a page deep
 * in a million photos costs what the first does; the month counts are one aggregate query.
 */
export class TimelineStore extends CatalogStore {
  /**
   * Tiles per month ('YYYY-MM', null for photos without a date), newest first, the undated last: every
   * photo shown, less the stacks' photos that are not their stack's tile (counted over stacked photos only).
   */
  months(filters: PhotoFilters): Array<{ month: string | null; count: number }> {
    const p = filterSql(filters, 'p.');
    const q = filterSql(filters, 'q.');
    const and = (where: string[]) => where.map((w) => ` AND ${w}`).join('');
    // Where the count starts: the favourites when only they are asked for (a few thousand rows, not every
    // photo probed against them); else the index of the rows the timeline shows, with their kind and id,
    // which the count reads alone unless a filter needs other columns (the planner, without statistics,
    // would pick another). The stacks' part walks the stacked photos only (CROSS JOIN keeps that order).
    const from = filters.favourites
      ? 'favourites f CROSS JOIN photos p ON p.id = f.photo_id'
      : filters.folder || filters.camera
        ? 'photos p'
        : 'photos p INDEXED BY photos_timeline';
    return this.sql(
      `SELECT month, sum(n) AS count FROM (
         SELECT substr(p.taken_at, 1, 7) AS month, count(*) AS n FROM ${from} WHERE ${shown('p.')}${and(p.where)} GROUP BY month
         UNION ALL
         SELECT substr(p.taken_at, 1, 7) AS month, -count(*) AS n FROM stacks st CROSS JOIN photos p ON p.id = st.photo_id
           WHERE ${shown('p.')}${and(p.where)} AND ${notStackTile(and(q.where))} GROUP BY month)
       GROUP BY month HAVING sum(n) > 0 ORDER BY month IS NULL, month DESC`,
    ).all(...p.args, ...p.args, ...q.args) as Array<{ month: string | null; count: number }>;
  }

  /**
   * Up to `limit` tiles after `from` (from the newest when absent), in timeline order: the dated photos
   * by (taken_at, id) descending, then those without a date by id descending. `month` keeps the page
   * inside one month ('YYYY-MM'; null: the photos without a date), so a page costs at most what its
   * month holds, however few photos a filter lets through.
   */
  page(filters: PhotoFilters, from: TimelineKey | undefined, limit: number, month?: string | null): PhotoRow[] {
    const p = filterSql(filters, 'p.');
    const q = filterSql(filters, 'q.');
    const and = (where: string[]) => where.map((w) => ` AND ${w}`).join('');
    const rest = `${and(p.where)} AND NOT ${notStackTile(and(q.where))}`;
    const rows: PhotoRow[] = [];
    const before = from ?? (month ? { takenAt: monthEnd(month), id: 0 } : undefined);
    if (month !== null && (!before || before.takenAt !== null)) {
      const after = `${before ? ' AND (p.taken_at, p.id) < (?, ?)' : ' AND p.taken_at IS NOT NULL'}${month ? ' AND p.taken_at >= ?' : ''}`;
      rows.push(
        ...(this.sql(`SELECT p.* FROM photos p WHERE ${shown('p.')}${after}${rest} ORDER BY p.taken_at DESC, p.id DESC LIMIT ?`).all(
          ...(before ? [before.takenAt, before.id] : []),
          ...(month ? [`${month}-01`] : []),
          ...p.args,
          ...q.args,
          limit,
        ) as PhotoRow[]),
      );
    }
    if (month === null || (month === undefined && rows.length < limit)) {
      const below = before?.takenAt === null ? before.id : Number.MAX_SAFE_INTEGER;
      rows.push(
        ...(this.sql(`SELECT p.* FROM photos p WHERE ${shown('p.')} AND p.taken_at IS NULL AND p.id < ?${rest} ORDER BY p.id DESC LIMIT ?`).all(
          below,
          ...p.args,
          ...q.args,
          limit - rows.length,
        ) as PhotoRow[]),
      );
    }
    return rows;
  }
}
