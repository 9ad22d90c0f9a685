import { EngineError } from './errors.js';
import { LibraryLock, describeHolder } from './library-lock.js';

/**
 * Who may write to the library, and when: the process holding its write lock, once the writer's
 * whole-file checks have passed, and never after they found damage (until the next start recovers it).
 * Every change a feature makes to the library asks here first.
 */
export class WriterGate {
  /** The writer's checks (resolved when they ran at open, or there are none to run). */
  private checks: Promise<void> = Promise.resolve();
  private damage: string | null = null;

  constructor(
    private readonly dataDir: string,
    private lock: LibraryLock | null,
  ) {}

  get writable(): boolean {
    return this.lock !== null;
  }

  /** The damage the writer's checks found (null: none). */
  get damageFound(): string | null {
    return this.damage;
  }

  damaged(reason: string): void {
    this.damage = reason;
  }

  checking(checks: Promise<void>): void {
    this.checks = checks;
  }

  /** Resolves when the writer's checks have run; rejects with what they found. */
  whenChecked(): Promise<void> {
    return this.checks;
  }

  /** Why this engine cannot write (null when it can). */
  readOnlyReason(): string | null {
    if (this.lock) return null;
    const holder = LibraryLock.activeHolder(this.dataDir);
    return holder ? `another Glimpse process (${describeHolder(holder)}) is updating this library` : null;
  }

  /** Takes the write lock if it has become free; true when this engine now writes. */
  tryAcquire(command: string): boolean {
    this.lock ??= LibraryLock.tryAcquire(this.dataDir, command);
    return this.lock !== null;
  }

  require(action: string): void {
    if (this.damage) throw new EngineError(`Cannot ${action}: the library's catalogue is damaged (${this.damage}). Glimpse restores it from its backup the next time it starts.`);
    if (!this.lock)
      throw new EngineError(`Cannot ${action}: ${this.readOnlyReason() ?? 'this Glimpse opened the library read-only'}. Searching and editing captions work meanwhile.`);
  }

  /** Waits for the writer's checks, then makes sure this engine may still write. */
  async checkedFor(action: string): Promise<void> {
    await this.checks.catch(() => undefined);
    this.require(action);
  }

  release(): void {
    this.lock?.release();
    this.lock = null;
  }
}
