import type { FolderInfo, GlimpseApi, Progress, Status } from '../../shared/api';
import type { FolderPicker } from '../files/folder-picker.svelte';
import { attempt } from '../lib/loaded.svelte';
import type { Notices } from '../lib/notices.svelte';

export const IDLE: Progress = { phase: 'idle', done: 0, total: 0, errors: 0, rate: 0, etaSeconds: null, currentFile: null, failure: null };

/** 'none': the desktop's picker came back empty (the path field is offered); 'cancelled': web mode's picker was closed. */
export type PickOutcome = 'added' | 'failed' | 'none' | 'cancelled';

/** The library: folders, counts and indexing progress, fed by `status` and the `progress` event. */
export class LibraryState {
  readonly #api: GlimpseApi;
  readonly #notices: Notices;
  readonly #picker: FolderPicker;

  #status = $state.raw<Status | null>(null);
  #progress = $state.raw<Progress>(IDLE);
  #loaded = $state(false);
  #busy = $state<null | 'adding' | 'sample' | 'picking'>(null);
  #removing = $state<number | null>(null);

  /** Counts progress events, so a status fetched before the latest event cannot roll progress back. */
  #progressSeen = 0;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(api: GlimpseApi, notices: Notices, picker: FolderPicker) {
    this.#api = api;
    this.#notices = notices;
    this.#picker = picker;
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

  /** A typed path (trimmed), or a picker's path (with the desktop's grant) as it came: a folder's name may end in a space. */
  async addFolder(path: string, grant?: string, picked = grant !== undefined): Promise<boolean> {
    const folder = picked ? path : path.trim();
    if (!folder) return false;
    const added = await this.#change('adding', () => this.#api.call('addFolder', grant === undefined ? { path: folder } : { path: folder, grant }));
    return added !== undefined;
  }

  /**
   * A folder picker, then adding what was picked: the native one (desktop; 'none' when it was cancelled,
   * and the caller offers a text field for the path), or web mode's own, which lists the folders of the
   * home folder and the mounted drives ('cancelled' when closed).
   */
  async pickAndAdd(): Promise<PickOutcome> {
    if (this.#api.shell === 'web') {
      const path = await this.#picker.choose({ title: 'Add a folder of photos', action: 'Add this folder' });
      if (path === null) return 'cancelled';
      return (await this.addFolder(path, undefined, true)) ? 'added' : 'failed';
    }
    const picked = await attempt(
      this.#notices,
      (on) => (this.#busy = on ? 'picking' : null),
      () => this.#api.call('pickFolder', {}),
    );
    if (!picked) return 'failed';
    if (!picked.path) return 'none';
    // The grant is what lets the desktop app add the picked folder without asking again.
    return (await this.addFolder(picked.path, picked.grant)) ? 'added' : 'failed';
  }

  /** Turns reading text in photos on or off; on, the engine reads the photos indexed without it in the background. */
  async setOcr(enabled: boolean): Promise<void> {
    await this.#change(null, () => this.#api.call('setOcr', { enabled }));
  }

  async removeFolder(id: number): Promise<void> {
    await attempt(
      this.#notices,
      (on) => (this.#removing = on ? id : null),
      () => this.#api.call('removeFolder', { id }),
    );
    await this.refresh();
  }

  async addSample(): Promise<boolean> {
    return (await this.#change('sample', () => this.#api.call('addSampleLibrary', {}))) !== undefined;
  }

  async control(action: 'pause' | 'resume' | 'cancel'): Promise<void> {
    const progress = await attempt(
      this.#notices,
      () => undefined,
      () => this.#api.call('controlIndexing', { action }),
    );
    if (progress) this.onProgress(progress);
  }

  /** A change to the library, with `busy` saying which while it runs, then the status fetched again. */
  async #change<T>(busy: LibraryState['busy'], action: () => Promise<T>): Promise<T | undefined> {
    const answer = await attempt(this.#notices, (on) => (this.#busy = on ? busy : null), action);
    await this.refresh();
    return answer;
  }
}
