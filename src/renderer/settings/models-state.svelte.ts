import type { Events, GlimpseApi, ModelInfo } from '../../shared/api';
import { Loaded, attempt } from '../lib/loaded.svelte';
import type { Notices } from '../lib/notices.svelte';

export type ModelAction = 'download' | 'pause' | 'cancel' | 'use';

/** The model packs the engine knows about, with their downloads kept live from the engine's events. */
export class ModelsState {
  readonly #api: GlimpseApi;
  readonly #notices: Notices;
  readonly #models: Loaded<ModelInfo[]>;
  #busy = $state<string | null>(null);

  constructor(api: GlimpseApi, notices: Notices) {
    this.#api = api;
    this.#notices = notices;
    this.#models = new Loaded<ModelInfo[]>([], notices, 'models');
  }

  get models(): ModelInfo[] {
    return this.#models.value;
  }
  get loading(): boolean {
    return this.#models.loading;
  }
  get loaded(): boolean {
    return this.#models.loaded;
  }
  /** The pack whose action is being sent (its buttons wait). */
  get busy(): string | null {
    return this.#busy;
  }

  load(): Promise<void> {
    return this.#models.load(() => this.#api.call('models', {}));
  }

  async act(id: string, action: ModelAction): Promise<void> {
    const models = await attempt(
      this.#notices,
      'models',
      (on) => (this.#busy = on ? id : null),
      () => this.#api.call('modelAction', { id, action }),
    );
    if (!models) return;
    this.#models.set(models);
    // A download that cannot reach its site fails within milliseconds, and its event can come before this
    // answer (which still says "downloading"); setting the answer dropped the reload that event began, and
    // the row stayed "downloading". Reading the list once more after the answer shows where it is now.
    if (action === 'download') void this.load();
  }

  /** A download moved on: progress updates the row in place; its end reloads the list (installed, failed). */
  onDownload(event: Events['modelDownload']): void {
    if (event.phase === 'downloading') {
      this.#models.update((models) => models.map((m) => (m.id === event.id ? { ...m, download: event } : m)));
      return;
    }
    if (this.#models.loaded) void this.load();
  }

  reloadIfLoaded(): void {
    if (this.#models.loaded) void this.load();
  }
}
