import type { Events, GlimpseApi, ModelInfo } from '../../shared/api';
import type { Notices } from '../lib/notices.svelte';

export type ModelAction = 'download' | 'pause' | 'cancel' | 'use';

/** The model packs the engine knows about, with their downloads kept live from the engine's events. */
export class ModelsState {
  readonly #api: GlimpseApi;
  readonly #notices: Notices;

  #models = $state.raw<ModelInfo[]>([]);
  #loading = $state(false);
  #loaded = $state(false);
  #busy = $state<string | null>(null);

  constructor(api: GlimpseApi, notices: Notices) {
    this.#api = api;
    this.#notices = notices;
  }

  get models(): ModelInfo[] {
    return this.#models;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  /** The pack whose action is being sent (its buttons wait). */
  get busy(): string | null {
    return this.#busy;
  }

  async load(): Promise<void> {
    this.#loading = true;
    try {
      this.#models = await this.#api.call('models', {});
    } catch (error) {
      this.#notices.report(error);
    } finally {
      this.#loading = false;
      this.#loaded = true;
    }
  }

  async act(id: string, action: ModelAction): Promise<void> {
    this.#busy = id;
    try {
      this.#models = await this.#api.call('modelAction', { id, action });
    } catch (error) {
      this.#notices.report(error);
    } finally {
      this.#busy = null;
    }
  }

  /** A download moved on: progress updates the row in place; its end reloads the list (installed, failed). */
  onDownload(event: Events['modelDownload']): void {
    if (event.phase === 'downloading') {
      this.#models = this.#models.map((m) => (m.id === event.id ? { ...m, download: event } : m));
      return;
    }
    if (this.#loaded) void this.load();
  }

  reloadIfLoaded(): void {
    if (this.#loaded) void this.load();
  }
}
