import type { ExportReport, GlimpseApi, SearchResult } from '../../shared/api';
import type { FolderPicker } from '../files/folder-picker.svelte';
import { byFolder } from '../grid/tiles';
import { plural } from '../lib/format';
import { attempt } from '../lib/loaded.svelte';
import type { Notices } from '../lib/notices.svelte';

/** At most this many file manager windows are opened for one "Show in folder". */
const MOST_WINDOWS = 5;

/**
 * What the selection bar does with the chosen photos: mark them as favourites, show them in their
 * folders (the desktop's file manager; web mode lists the folders, since a browser cannot open it), and
 * export their originals to a folder (the desktop's picker, or web mode's own).
 */
export class SelectionActions {
  readonly #api: GlimpseApi;
  readonly #notices: Notices;
  readonly #picker: FolderPicker;
  #busy = $state<null | 'favourite' | 'folders' | 'export'>(null);
  #report = $state.raw<ExportReport | null>(null);
  #folders = $state.raw<Array<{ folder: string; count: number }> | null>(null);

  constructor(api: GlimpseApi, notices: Notices, picker: FolderPicker) {
    this.#api = api;
    this.#notices = notices;
    this.#picker = picker;
  }

  get busy(): null | 'favourite' | 'folders' | 'export' {
    return this.#busy;
  }
  /** The last export's report, until dismissed. */
  get report(): ExportReport | null {
    return this.#report;
  }
  /** Web mode's answer to "Show in folder": the folders, with how many of the photos each holds. */
  get folders(): Array<{ folder: string; count: number }> | null {
    return this.#folders;
  }

  dismiss(): void {
    this.#report = null;
    this.#folders = null;
  }

  /** Marks (or unmarks) photos as favourites; resolves true when it worked. */
  async setFavourite(ids: readonly number[], favourite: boolean): Promise<boolean> {
    const done = await attempt(
      this.#notices,
      'selection',
      (on) => (this.#busy = on ? 'favourite' : null),
      () => this.#api.call('setFavourite', { ids: [...ids], favourite }),
    );
    return done !== undefined;
  }

  async showInFolders(tiles: readonly SearchResult[]): Promise<void> {
    const folders = byFolder(tiles);
    if (this.#api.shell === 'web') {
      this.#folders = folders.map((f) => ({ folder: f.folder, count: f.tiles.length }));
      return;
    }
    await attempt(
      this.#notices,
      'selection',
      (on) => (this.#busy = on ? 'folders' : null),
      async () => {
        for (const { tiles: list } of folders.slice(0, MOST_WINDOWS)) {
          const answer = await this.#api.call('openInFileManager', { id: list[0]!.id });
          if (!answer.opened) throw new Error(`Could not show ${list[0]!.name} in its folder: it may have moved.`);
        }
        if (folders.length > MOST_WINDOWS) throw new Error(`Showed the first ${MOST_WINDOWS} of the ${folders.length} folders these photos are in.`);
      },
    );
  }

  /** Copies the originals to a folder the user chooses (never over a file there); the report says what was copied. */
  async export(ids: readonly number[]): Promise<void> {
    let destination: string | undefined;
    if (this.#api.shell === 'web') {
      const chosen = await this.#picker.choose({ title: `Export ${plural(ids.length, 'photo')} to a folder`, action: 'Export here' });
      if (chosen === null) return;
      destination = chosen;
    }
    const report = await attempt(
      this.#notices,
      'selection',
      (on) => (this.#busy = on ? 'export' : null),
      () => this.#api.call('exportPhotos', { ids: [...ids], ...(destination ? { destination } : {}) }),
    );
    if (report && report.destination !== null) this.#report = report;
  }
}
