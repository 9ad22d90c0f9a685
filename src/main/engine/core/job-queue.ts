import type { Progress } from '../../../shared/api.js';
import type { JobControl, JobProgress } from './job-control.js';

export const IDLE: Progress = { phase: 'idle', done: 0, total: 0, errors: 0, rate: 0, etaSeconds: null, currentFile: null, failure: null };

/**
 * The engine's jobs, one at a time: work is queued behind what runs (a burst of watcher events never
 * runs two jobs at once), the job in flight hears pause, resume and cancel, and progress is kept and
 * reported with its phase.
 */
export class JobQueue {
  private running: Promise<unknown> = Promise.resolve();
  private current: JobControl | undefined;
  private state: Progress = { ...IDLE };
  /** Set by `close`: a job started from now on is cancelled at once. */
  private stopping = false;

  constructor(private readonly report: (progress: Progress) => void) {}

  get progress(): Progress {
    return { ...this.state };
  }

  /** The job in flight (undefined between jobs). */
  get job(): JobControl | undefined {
    return this.current;
  }

  get closing(): boolean {
    return this.stopping;
  }

  set(progress: Progress): void {
    this.state = progress;
    this.report({ ...progress });
  }

  /** Back to idle, keeping the counts of the last job, with what stopped it (null: nothing). */
  settle(failure?: string | null): void {
    this.set({ ...this.state, phase: 'idle', currentFile: null, etaSeconds: null, ...(failure !== undefined ? { failure } : {}) });
  }

  /** Runs `work` after everything queued before it; its failure does not stop what is queued after. */
  enqueue<T>(work: () => Promise<T>, onFailure: (error: unknown) => void = () => undefined): Promise<T> {
    const next = this.running.then(work);
    this.running = next.catch(onFailure);
    return next;
  }

  /** Queues waiting on `gate` (the writer's checks): jobs queued meanwhile run after it settles. */
  after(gate: Promise<unknown>): void {
    this.running = this.running.then(() => gate).catch(() => undefined);
  }

  /** A job's progress as the engine's, in `phase` (or paused): to status and events, and to the caller. */
  reporter(phase: Progress['phase'], onProgress?: (p: Progress) => void): (p: JobProgress) => void {
    return ({ paused, ...counts }) => {
      const progress: Progress = { phase: paused ? 'paused' : phase, ...counts, failure: null };
      this.set(progress);
      onProgress?.(progress);
    };
  }

  /** Runs a background job as the current one, so that pause, resume and cancel reach it. */
  async run<T>(job: JobControl & { run(): Promise<T> }): Promise<T> {
    this.current = job;
    if (this.stopping) job.cancel();
    try {
      return await job.run();
    } finally {
      this.current = undefined;
    }
  }

  pause(): void {
    this.current?.pause();
  }

  resume(): void {
    this.current?.resume();
  }

  cancel(): void {
    this.current?.cancel();
  }

  /** Resolves when the queued jobs have finished. */
  async idle(): Promise<void> {
    await this.running;
  }

  /** The engine is closing: the job in flight is cancelled, and so is any job started from now on. */
  stop(): void {
    this.stopping = true;
    this.current?.cancel();
  }
}
