import type { Progress } from '../../../shared/api.js';
import { errorText } from '../../../shared/error-text.js';

/** A job's progress as the job reports it; the engine adds the phase (and a failure) when it passes it on. */
export type JobProgress = Omit<Progress, 'phase' | 'failure'> & { paused: boolean };

/** How often a job reports progress at most, unless something the user did (pause, resume) changed it. */
const PROGRESS_EVERY_MS = 200;

/**
 * What every background job of the engine shares: pause, resume and cancel as the user asks them, and
 * progress reported at most every 200 ms. A job's loop awaits `unpaused()` between units of work and
 * stops when `cancelled` is set.
 */
export abstract class JobControl {
  protected readonly progress: JobProgress = { done: 0, total: 0, errors: 0, rate: 0, etaSeconds: null, currentFile: null, paused: false };
  /** The last file that failed and why, for the log (the job goes on: the file is tried again later). */
  lastFailure: string | null = null;
  private gate: { promise: Promise<void>; release: () => void } | undefined;
  private stopped = false;
  private lastEmit = 0;

  constructor(private readonly onProgress?: (progress: JobProgress) => void) {}

  /** The user cancelled the job: it finishes what is in flight and returns. */
  protected get cancelled(): boolean {
    return this.stopped;
  }

  pause(): void {
    if (this.gate) return;
    let release!: () => void;
    this.gate = { promise: new Promise<void>((r) => (release = r)), release };
    this.progress.paused = true;
    this.emit(true);
  }

  resume(): void {
    this.gate?.release();
    this.gate = undefined;
    this.progress.paused = false;
    this.emit(true);
  }

  cancel(): void {
    this.stopped = true;
    this.resume();
  }

  /** Resolves at once, or when a paused job is resumed or cancelled (or woken by `wake`). */
  protected async unpaused(): Promise<void> {
    if (this.gate) await this.gate.promise;
  }

  /** Lets a paused loop run on while the job stays paused, so it sees a fault and stops. */
  protected wake(): void {
    this.gate?.release();
  }

  protected emit(force = false): void {
    const now = Date.now();
    // While paused, what finishes is the work that was in flight: each step is reported, so the count
    // the user sees while the job waits is the true one.
    if (!force && !this.progress.paused && now - this.lastEmit < PROGRESS_EVERY_MS) return;
    this.lastEmit = now;
    this.onProgress?.({ ...this.progress });
  }

  /** A file the job could not do: counted, and remembered for the log. */
  protected failed(path: string, error: unknown): void {
    this.progress.errors++;
    this.lastFailure = `${path}: ${errorText(error)}`;
  }

  /** Rate and time left from the average since the job `started` (performance.now()), then a report. */
  protected paceSince(started: number): void {
    const seconds = (performance.now() - started) / 1000;
    this.progress.rate = Math.round((this.progress.done / Math.max(seconds, 1e-3)) * 10) / 10;
    this.progress.etaSeconds = this.progress.rate > 0 ? Math.round((this.progress.total - this.progress.done) / this.progress.rate) : null;
    this.emit();
  }

  /**
   * Works through files page by page (`page(afterId)`: the next ones after the last id, until a page is
   * empty), those `wanted` only, `concurrency` at a time (one file's decoding overlaps another's model
   * run), pausing and stopping as the user asks, reporting the file in progress and the pace. A file whose
   * `work` throws is counted as failed (`onFailure`) and the job goes on. False when the user cancelled it.
   */
  protected async eachFile<T extends { id: number; path: string }>(
    page: (afterId: number) => T[],
    wanted: (file: T) => boolean,
    concurrency: number,
    work: (file: T) => Promise<void>,
    onFailure: () => void,
  ): Promise<boolean> {
    const started = performance.now();
    let afterId = 0;
    let cancelled = false;
    for (;;) {
      const all = page(afterId);
      if (all.length === 0) break;
      // The page's last id, whether or not its files are wanted: a page of unwanted ones does not end the job.
      afterId = Math.max(afterId, ...all.map((f) => f.id));
      const files = all.filter(wanted);
      let next = 0;
      const worker = async () => {
        while (next < files.length) {
          await this.unpaused();
          if (this.cancelled) {
            cancelled = true;
            return;
          }
          const file = files[next++]!;
          this.progress.currentFile = file.path;
          try {
            await work(file);
          } catch (error) {
            onFailure();
            this.failed(file.path, error);
          }
          this.progress.done++;
          this.paceSince(started);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
      if (cancelled) break;
    }
    this.progress.currentFile = null;
    this.emit(true);
    return !cancelled;
  }
}
