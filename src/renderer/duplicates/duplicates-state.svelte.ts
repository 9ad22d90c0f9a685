import type { Duplicates, GlimpseApi } from '../../shared/api';
import type { Notices } from '../lib/notices.svelte';

/** The Duplicates view: exact and near-duplicate groups for clean-up. Glimpse never deletes a file; it shows where each one is. */
export class DuplicatesState {
  readonly #api: GlimpseApi;
  readonly #notices: Notices;

  #report = $state.raw<Duplicates | null>(null);
  #loading = $state(false);
  #seq = 0;

  constructor(api: GlimpseApi, notices: Notices) {
    this.#api = api;
    this.#notices = notices;
  }

  get report(): Duplicates | null {
    return this.#report;
  }
  get loading(): boolean {
    return this.#loading;
  }

  async load(): Promise<void> {
    const seq = ++this.#seq;
    this.#loading = true;
    try {
      const report = await this.#api.call('duplicates', {});
      if (seq === this.#seq) this.#report = report;
    } catch (error) {
      if (seq === this.#seq) this.#notices.report(error);
    } finally {
      if (seq === this.#seq) this.#loading = false;
    }
  }

  reloadIfLoaded(): void {
    if (this.#report) void this.load();
  }

  /** Shows a photo in the system's file manager (the desktop app; a browser cannot open one). */
  async reveal(id: number, name: string): Promise<void> {
    try {
      const { opened } = await this.#api.call('openInFileManager', { id });
      if (!opened)
        this.#notices.report(
          new Error(this.#api.shell === 'web' ? `A browser cannot open your file manager: ${name} is in the folder shown under it.` : `Could not show ${name} in its folder.`),
        );
    } catch (error) {
      this.#notices.report(error);
    }
  }
}
