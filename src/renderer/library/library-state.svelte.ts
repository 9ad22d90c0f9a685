import type { FolderInfo, GlimpseApi, Progress, Status } from '../../shared/api';
import type { Notices } from '../lib/notices.svelte';

export const IDLE: Progress = { phase: 'idle', done: 0, total: 0, errors: 0, rate: 0, etaSeconds: null, currentFile: null, failure: null };

export type PickOutcome = 'added' | 'failed' | 'none';

/** The library: folders, counts and indexing progress, fed by `status` and the `progress` event. */
export class LibraryState {
  readonly #api: GlimpseApi;
  readonly #notices: Notices;

  #status = $state.raw<Status | null>(null);
  #progress = $state.raw<Progress>(IDLE);
  #loaded = $state(false);
  #busy = $state<null | 'adding' | 'sample' | 'picking'>(null);
  #removing = $state<number | null>(null);

  /** Counts progress events, so a status fetched before the latest event cannot roll progress back. */
  #progressSeen = 0;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(api: GlimpseApi, notices: Notices) {
    this.#api = api;
    this.#notices = notices;
  }

  get status(): Status | null {
    return this.#status;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  get folders(): FolderInfo[] {
    return this.#status?.folders ?? [];
  }
  /** Known to have no folders (not merely unknown because `status` failed). */
  get isEmpty(): boolean {
    return this.#status !== null && this.#status.folders.length === 0;
  }
  get progress(): Progress {
    return this.#progress;
  }
  get working(): boolean {
    return this.#progress.phase !== 'idle';
  }
  get busy(): null | 'adding' | 'sample' | 'picking' {
    return this.#busy;
  }
  get removing(): number | null {
    return this.#removing;
  }

  async refresh(): Promise<void> {
    clearTimeout(this.#refreshTimer);
    const seen = this.#progressSeen;
    try {
      const status = await this.#api.call('status', {});
      this.#status = status;
      if (seen === this.#progressSeen) this.#progress = status.progress;
    } catch (error) {
      this.#notices.report(error);
    } finally {
      this.#loaded = true;
    }
  }

  /** Coalesces the refreshes a burst of events asks for. */
  scheduleRefresh(delay = 300): void {
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = setTimeout(() => void this.refresh(), delay);
  }

  onProgress(progress: Progress): void {
    this.#progressSeen++;
    this.#progress = progress;
  }

  /** A typed path (trimmed), or the picker's path with its grant (as it came: a folder's name may end in a space). */
  async addFolder(path: string, grant?: string): Promise<boolean> {
    const folder = grant === undefined ? path.trim() : path;
    if (!folder) return false;
    this.#busy = 'adding';
    try {
      await this.#api.call('addFolder', grant === undefined ? { path: folder } : { path: folder, grant });
      return true;
    } catch (error) {
      this.#notices.report(error);
      return false;
    } finally {
      this.#busy = null;
      await this.refresh();
    }
  }

  /**
   * The native folder picker (desktop). 'none' when there is no picker (web mode) or it was
   * cancelled: the caller then offers a text field for the path.
   */
  async pickAndAdd(): Promise<PickOutcome> {
    this.#busy = 'picking';
    let picked: { path: string | null; grant?: string };
    try {
      picked = await this.#api.call('pickFolder', {});
    } catch (error) {
      this.#notices.report(error);
      return 'failed';
    } finally {
      this.#busy = null;
    }
    if (!picked.path) return 'none';
    // The grant is what lets the desktop app add the picked folder without asking again.
    return (await this.addFolder(picked.path, picked.grant)) ? 'added' : 'failed';
  }

  /** Turns reading text in photos on or off; on, the engine reads the photos indexed without it in the background. */
  async setOcr(enabled: boolean): Promise<void> {
    try {
      await this.#api.call('setOcr', { enabled });
    } catch (error) {
      this.#notices.report(error);
    } finally {
      await this.refresh();
    }
  }

  async removeFolder(id: number): Promise<void> {
    this.#removing = id;
    try {
      await this.#api.call('removeFolder', { id });
    } catch (error) {
      this.#notices.report(error);
    } finally {
      this.#removing = null;
      await this.refresh();
    }
  }

  async addSample(): Promise<boolean> {
    this.#busy = 'sample';
    try {
      await this.#api.call('addSampleLibrary', {});
      return true;
    } catch (error) {
      this.#notices.report(error);
      return false;
    } finally {
      this.#busy = null;
      await this.refresh();
    }
  }

  async control(action: 'pause' | 'resume' | 'cancel'): Promise<void> {
    try {
      this.onProgress(await this.#api.call('controlIndexing', { action }));
    } catch (error) {
      this.#notices.report(error);
    }
  }
}
