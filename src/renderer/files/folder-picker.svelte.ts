import type { FolderListing, GlimpseApi } from '../../shared/api';
import { messageOf } from '../lib/notices.svelte';

/** What the picker is open for: its title and the button that chooses the folder shown. */
export interface PickerPurpose {
  title: string;
  action: string;
}

/**
 * Web mode's folder picker (a browser cannot open the computer's own): the folders of the home folder
 * and the mounted drives, listed by the server. `choose` opens it and resolves with the folder chosen,
 * or null when the user cancels. A refusal (a folder outside those places, one that went away) is shown
 * inside the picker, where the user is looking.
 */
export class FolderPicker {
  readonly #api: GlimpseApi;
  #purpose = $state.raw<PickerPurpose | null>(null);
  #listing = $state.raw<FolderListing | null>(null);
  #loading = $state(false);
  #problem = $state<string | null>(null);
  #resolve: ((path: string | null) => void) | null = null;
  #seq = 0;

  constructor(api: GlimpseApi) {
    this.#api = api;
  }

  get purpose(): PickerPurpose | null {
    return this.#purpose;
  }
  get listing(): FolderListing | null {
    return this.#listing;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get problem(): string | null {
    return this.#problem;
  }

  /** Opens the picker at the places it starts from (or at `start`); resolves with the chosen folder, or null. */
  choose(purpose: PickerPurpose, start?: string): Promise<string | null> {
    this.#resolve?.(null);
    this.#purpose = purpose;
    this.#listing = null;
    void this.go(start);
    return new Promise((resolve) => (this.#resolve = resolve));
  }

  /** Lists a folder (none: the places). */
  async go(path?: string): Promise<void> {
    const seq = ++this.#seq;
    this.#loading = true;
    try {
      const listing = await this.#api.call('browseFolders', path === undefined ? {} : { path });
      if (seq !== this.#seq) return;
      this.#listing = listing;
      this.#problem = null;
    } catch (error) {
      if (seq === this.#seq) this.#problem = messageOf(error);
    } finally {
      if (seq === this.#seq) this.#loading = false;
    }
  }

  /** Chooses the folder shown. */
  pick(): void {
    const path = this.#listing?.path;
    if (path) this.#finish(path);
  }

  cancel(): void {
    this.#finish(null);
  }

  #finish(path: string | null): void {
    const resolve = this.#resolve;
    this.#resolve = null;
    this.#purpose = null;
    this.#seq++;
    resolve?.(path);
  }
}
