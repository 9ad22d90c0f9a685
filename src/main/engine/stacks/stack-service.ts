import type { Duplicates, Progress, SearchResult } from '../../../shared/api.js';
import { EngineError } from '../core/errors.js';
import type { JobQueue } from '../core/job-queue.js';
import type { WriterGate } from '../core/writer-gate.js';
import type { CaptionStore } from '../captions/caption-store.js';
import type { ActiveModel } from '../index/active-model.js';
import type { FolderStore } from '../library/folder-store.js';
import type { PhotoStore } from '../library/photo-store.js';
import { FavouriteStore } from '../favourites/favourite-store.js';
import { searchResult } from '../search/results.js';
import { LookJob, type LookSummary } from './look-job.js';
import type { StackStore } from './stack-store.js';
import { type StackBuild, duplicates, refreshStacks, stackGroup } from './stacks.js';

/** Near-duplicate stacks: measuring how photos look, grouping them, and the Duplicates view. */
export class StackService {
  constructor(
    private readonly stacks: StackStore,
    private readonly photos: PhotoStore,
    private readonly captions: CaptionStore,
    private readonly folders: FolderStore,
    private readonly model: ActiveModel,
    private readonly writer: WriterGate,
    private readonly jobs: JobQueue,
    private readonly changed: (reason: string) => void,
  ) {}

  /**
   * Computes the perceptual hash and sharpness of indexed photos that have none for their content (a
   * library indexed before stacks existed); nothing is re-embedded. Null when every photo has them.
   */
  async measureLooks(options: { onProgress?: (p: Progress) => void } = {}): Promise<LookSummary | null> {
    this.writer.require('measure photos');
    if (this.jobs.closing || this.stacks.lookCounts().missing === 0) return null;
    const job = new LookJob(this.stacks.catalog, this.jobs.reporter('measuring', options.onProgress));
    await this.writer.checkedFor('update the library');
    const summary = await this.jobs.run(job);
    if (job.lastFailure) console.error(`glimpse: ${summary.failed} photos could not be measured for stacks (last: ${job.lastFailure}); they will be tried again`);
    return summary;
  }

  /** Rebuilds the stacks when their sources changed (the writer; a reader shows the last ones built). */
  refresh(): StackBuild {
    if (!this.writer.writable) return { built: false, incremental: false, groups: 0, photos: 0, seconds: 0 };
    const build = refreshStacks(this.stacks.catalog, this.model.index, this.model.pack.id);
    if (build.built) this.changed('stacks');
    return build;
  }

  /** Exact and near-duplicate groups, largest first, each with its best shot first. Glimpse never deletes a file. */
  duplicates(): Duplicates {
    // While a job runs, the stacks it will rebuild when it ends are shown as they were (a rebuild is a
    // pass over the whole library: not once per look at the view).
    if (!this.jobs.job) this.refresh();
    return duplicates(this.stacks.catalog);
  }

  /** The photos of one stack, best shot first, as search results (to open the stack in place in the grid). */
  stack(id: number): SearchResult[] {
    const group = stackGroup(this.stacks.catalog, id);
    if (!group) throw new EngineError(`no stack with id ${id}`);
    const ids = group.photos.map((p) => p.id);
    const rows = this.photos.photos(ids);
    const captions = this.captions.captions(ids, this.model.pack.id);
    const offline = this.folders.offlineDirs().map((o) => o.dir);
    const favourites = new FavouriteStore(this.stacks.catalog).favouritesAmong(ids);
    return group.photos.map((p) => {
      const detail = p.best ? 'the best shot of its stack (sharpest, then largest)' : p.copyOf !== null ? 'an exact copy in its stack' : 'a near-duplicate in its stack';
      return searchResult(
        rows.get(p.id)!,
        {
          score: null,
          caption: captions.get(p.id) ?? null,
          why: [{ kind: 'stack', detail }],
          moment: null,
          stack: { id, size: group.photos.length },
          favourite: favourites.has(p.id),
        },
        offline,
      );
    });
  }
}
