import type { GlimpseApi, ModelInfo } from '../../shared/api';
import type { Notices } from '../lib/notices.svelte';

/** The model packs the engine knows about. */
export class ModelsState {
  readonly #api: GlimpseApi;
  readonly #notices: Notices;

  #models = $state.raw<ModelInfo[]>([]);
  #loading = $state(false);
  #loaded = $state(false);

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
}
