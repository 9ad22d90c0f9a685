import type { Duplicates, GlimpseApi } from '../../shared/api';
import { Loaded, attempt } from '../lib/loaded.svelte';
import type { Notices } from '../lib/notices.svelte';

/** The Duplicates view: exact and near-duplicate groups for clean-up. Glimpse never deletes a file; it shows where each one is. */
export class DuplicatesState {
  readonly #api: GlimpseApi;
  readonly #notices: Notices;
  readonly #report: Loaded<Duplicates | null>;

  constructor(api: GlimpseApi, notices: Notices) {
    this.#api = api;
    this.#notices = notices;
    this.#report = new Loaded<Duplicates | null>(null, notices, 'duplicates');
  }

  get report(): Duplicates | null {
    return this.#report.value;
  }
  get loading(): boolean {
    return this.#report.loading;
  }

  load(): Promise<void> {
    return this.#report.load(() => this.#api.call('duplicates', {}));
  }

  reloadIfLoaded(): void {
    if (this.#report.value) void this.load();
  }

  /** Shows a photo in the system's file manager (the desktop app; a browser cannot open one). */
  async reveal(id: number, name: string): Promise<void> {
    const answer = await attempt(
      this.#notices,
      'duplicates',
      () => undefined,
      () => this.#api.call('openInFileManager', { id }),
    );
    if (answer && !answer.opened)
      this.#notices.report(
        new Error(this.#api.shell === 'web' ? `A browser cannot open your file manager: ${name} is in the folder shown under it.` : `Could not show ${name} in its folder.`),
        'duplicates',
      );
  }
}
