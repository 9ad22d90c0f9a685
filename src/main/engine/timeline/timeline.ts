import type { TimelineMonths, TimelinePage } from '../../../shared/api.js';
import type { CaptionStore } from '../captions/caption-store.js';
import type { FavouriteStore } from '../favourites/favourite-store.js';
import type { ActiveModel } from '../index/active-model.js';
import type { FolderStore } from '../library/folder-store.js';
import type { PhotoFilters } from '../search/keyword-store.js';
import { searchResult } from '../search/results.js';
import type { StackStore } from '../stacks/stack-store.js';
import type { TimelineKey, TimelineStore } from './timeline-store.js';

export interface TimelineRequest extends PhotoFilters {
  /** Continue after this tile (the last of the previous page). */
  cursor?: TimelineKey | undefined;
  /** Only the tiles of this month ('YYYY-MM'), or of the photos without a date ('undated'). */
  month?: string | undefined;
  limit: number;
}

/** The library as a timeline, as the API shows it: the month counts for the scrubber, and pages of tiles. */
export class TimelineService {
  constructor(
    private readonly timeline: TimelineStore,
    private readonly captions: CaptionStore,
    private readonly folders: FolderStore,
    private readonly stacks: StackStore,
    private readonly favourites: FavouriteStore,
    private readonly model: ActiveModel,
  ) {}

  months(filters: PhotoFilters): TimelineMonths {
    const started = performance.now();
    const months = this.timeline.months(filters);
    return { months, total: months.reduce((sum, m) => sum + m.count, 0), tookMs: Math.round((performance.now() - started) * 10) / 10 };
  }

  page(request: TimelineRequest): TimelinePage {
    const started = performance.now();
    const month = request.month === 'undated' ? null : request.month;
    const rows = this.timeline.page(request, request.cursor, request.limit, month);
    const ids = rows.map((r) => r.id);
    const captions = this.captions.captions(ids, this.model.pack.id);
    const stacks = this.stacks.stacksOf(ids);
    const favourites = this.favourites.favouritesAmong(ids);
    const offline = this.folders.offlineDirs().map((o) => o.dir);
    const tiles = rows.map((row) => {
      const stack = stacks.get(row.id);
      return searchResult(
        row,
        {
          score: null, // a tile of the timeline matched nothing: it is there by its date
          caption: captions.get(row.id) ?? null,
          why: [],
          moment: null,
          stack: stack ? { id: stack.stackId, size: stack.size } : null,
          favourite: favourites.has(row.id),
        },
        offline,
      );
    });
    const last = rows[rows.length - 1];
    return {
      tiles,
      next: rows.length === request.limit && last ? { takenAt: last.taken_at, id: last.id } : null,
      tookMs: Math.round((performance.now() - started) * 10) / 10,
    };
  }
}
