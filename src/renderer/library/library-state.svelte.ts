import type { FolderInfo, GlimpseApi, Progress, Status } from '../../shared/api';
import type { FolderPicker } from '../files/folder-picker.svelte';
import { attempt } from '../lib/loaded.svelte';
import type { NoticeTopic, Notices } from '../lib/notices.svelte';

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
  /** When the status was last fetched for a job's progress (the totals follow the bar at most once a second). */
  #refreshedForProgress = 0;

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
  /** Photos are being found or indexed (not yet all searchable); reading their text afterwards is not this. */
  get indexing(): boolean {
    return this.#progress.phase === 'scanning' || this.#progress.phase === 'indexing';
  }
  get busy(): null | 'adding' | 'sample' | 'picking' {
    return this.#busy;
  }
  get removing(): number | null {
    return this.#removing;
  }

  async refresh(): Promise<void> {
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = undefined;
    const seen = this.#progressSeen;
    try {
      const status = await this.#api.call('status', {});
      this.#status = status;
      if (seen === this.#progressSeen) this.#progress = status.progress;
      this.#notices.resolved('library');
    } catch (error) {
      this.#notices.report(error, 'library');
    } finally {
      this.#loaded = true;
    }
  }

  /** Coalesces the refreshes a burst of events asks for. */
  scheduleRefresh(delay = 300): void {
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = undefined;
      this.#refreshedForProgress = Date.now();
      void this.refresh();
    }, delay);
  }

  /**
   * A job moved on. The totals (searchable, waiting, could not be read) come from `status`, so while a
   * job runs it is fetched again at most once a second: otherwise they stood still while the bar moved,
   * until the job ended.
   */
  onProgress(progress: Progress): void {
    this.#progressSeen++;
    this.#progress = progress;
    if (progress.phase === 'idle') return;
    const wait = this.#refreshedForProgress + 1000 - Date.now();
    if (wait <= 0) {
      this.#refreshedForProgress = Date.now();
      void this.refresh();
    } else if (this.#refreshTimer === undefined) this.scheduleRefresh(wait);
  }

  /** A typed path (trimmed), or a picker's path (with the desktop's grant) as it came: a folder's name may end in a space. */
  async addFolder(path: string, grant?: string, picked = grant !== undefined): Promise<boolean> {
    const folder = picked ? path : path.trim();
    if (!folder) return false;
    const added = await this.#change('folders', 'adding', () => this.#api.call('addFolder', grant === undefined ? { path: folder } : { path: folder, grant }));
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
      'folders',
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
    await this.#change('settings', null, () => this.#api.call('setOcr', { enabled }));
  }

  async removeFolder(id: number): Promise<void> {
    await attempt(
      this.#notices,
      'folders',
      (on) => (this.#removing = on ? id : null),
      () => this.#api.call('removeFolder', { id }),
    );
    await this.refresh();
  }

  async addSample(): Promise<boolean> {
    return (await this.#change('folders', 'sample', () => this.#api.call('addSampleLibrary', {}))) !== undefined;
  }

  async control(action: 'pause' | 'resume' | 'cancel'): Promise<void> {
    const progress = await attempt(
      this.#notices,
      'indexing',
      () => undefined,
      () => this.#api.call('controlIndexing', { action }),
    );
    if (progress) this.onProgress(progress);
  }

  /** A change to the library, with `busy` saying which while it runs, then the status fetched again. */
  async #change<T>(topic: NoticeTopic, busy: LibraryState['busy'], action: () => Promise<T>): Promise<T | undefined> {
    const answer = await attempt(this.#notices, topic, (on) => (this.#busy = on ? busy : null), action);
    await this.refresh();
    return answer;
  }
}
