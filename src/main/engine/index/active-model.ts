import type { ModelPack } from '../models/pack.js';
import type { VectorIndex } from './vector-index.js';

/**
 * The pack search uses and its vector index, as the engine holds them now: a pack switch replaces both
 * at once, so features ask for them when they need them rather than keeping them.
 */
export interface ActiveModel {
  readonly pack: ModelPack;
  readonly index: VectorIndex;
}

/** Where the engine keeps its active model; only a pack switch adopts another. */
export class ModelSlot implements ActiveModel {
  constructor(
    public pack: ModelPack,
    public index: VectorIndex,
  ) {}

  adopt(pack: ModelPack, index: VectorIndex): void {
    this.pack = pack;
    this.index = index;
  }
}
