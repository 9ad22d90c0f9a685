import { join } from 'node:path';
import { CatalogDamagedError, isDamage, markDamaged } from './catalog/backup.js';
import type { Catalog } from './catalog/catalog.js';
import { quickCheckOnThread } from './catalog/file-checks.js';
import { errorText } from './core/errors.js';
import type { JobQueue } from './core/job-queue.js';
import type { WriterGate } from './core/writer-gate.js';
import type { ActiveModel } from './index/active-model.js';
import { writerOpened } from './opening.js';

/**
 * The writer's whole-file checks when they run after open (the app answers first): the catalogue's
 * quick check, then the checksums of the graphs loaded on trust (a damaged graph is rebuilt from the
 * catalogue), each on a thread, with every job queued behind them. Damage in the catalogue is marked
 * for recovery at the next start (with the user's own words salvaged from the damaged file) and stops
 * all writing.
 */
export class WriterChecks {
  constructor(
    private readonly dataDir: string,
    private readonly catalog: Catalog,
    private readonly model: ActiveModel,
    private readonly writer: WriterGate,
    private readonly jobs: JobQueue,
    private readonly notices: string[],
  ) {}

  /** Runs the checks in the background; jobs queued meanwhile run after them (`WriterGate.whenChecked`). */
  start(): void {
    const checks = this.run();
    this.writer.checking(checks);
    this.jobs.after(checks);
  }

  private async run(): Promise<void> {
    try {
      const check = await quickCheckOnThread(join(this.dataDir, 'catalog.sqlite'));
      if (check !== 'ok') throw new CatalogDamagedError(`its integrity check found: ${check}`);
      await this.model.index.verify(this.catalog);
      writerOpened(this.catalog, this.model.pack.id);
    } catch (error) {
      if (isDamage(error)) this.reportDamage(errorText(error));
      throw error;
    }
  }

  /** Damage found: nothing more is written, and the next start restores the catalogue from its backup. */
  reportDamage(reason: string): void {
    this.writer.damaged(reason);
    markDamaged(this.dataDir, reason);
    this.notices.push(`The library's catalogue is damaged (${reason}). Glimpse will restore it from its backup the next time it starts.`);
  }
}
