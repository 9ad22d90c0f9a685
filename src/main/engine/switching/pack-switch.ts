import { join } from 'node:path';
import type { Progress } from '../../../shared/api.js';
import { refreshAlbums } from '../albums/albums.js';
import type { Catalog } from '../catalog/catalog.js';
import type { JobQueue } from '../core/job-queue.js';
import { type Settings, loadSettings, writeSettings } from '../core/settings.js';
import type { WriterGate } from '../core/writer-gate.js';
import type { ModelSlot } from '../index/active-model.js';
import { VectorIndex } from '../index/vector-index.js';
import type { IndexingService } from '../indexing/indexing-service.js';
import type { PipelineSummary } from '../indexing/pipeline.js';
import { FolderStore } from '../library/folder-store.js';
import { PhotoStore } from '../library/photo-store.js';
import { ModelPack } from '../models/pack.js';
import { resolvePack } from '../models/store.js';
import { KeywordStore } from '../search/keyword-store.js';

/**
 * Switching the library to another installed pack. Every photo is embedded (and captioned) with it in
 * the background while search keeps using the current pack; when no reachable photo still lacks a
 * vector of the new pack, the new pack takes over and becomes the saved setting. Interrupted (closed,
 * cancelled, a fault), the intent stays in settings.json (`nextModel`) and the next writer continues
 * where this one stopped: vectors already made are kept. Photos in offline folders are embedded when
 * their folder is back.
 */
export class PackSwitch {
  private switching: { id: string; name: string } | null = null;

  constructor(
    private readonly dataDir: string,
    private readonly settings: Settings,
    private readonly catalog: Catalog,
    private readonly model: ModelSlot,
    private readonly indexing: IndexingService,
    private readonly refreshStacks: () => void,
    private readonly writer: WriterGate,
    private readonly jobs: JobQueue,
    private readonly changed: (reason: string) => void,
  ) {}

  /** The pack the library is being switched to while its vectors are made (null when none). */
  get switchingTo(): { id: string; name: string } | null {
    return this.switching ? { ...this.switching } : null;
  }

  switchTo(id: string, options: { onProgress?: (p: Progress) => void } = {}): Promise<{ switched: boolean; indexing: PipelineSummary | null }> {
    this.writer.require('switch model packs');
    return this.jobs.enqueue(() => this.run(id, options));
  }

  private async run(id: string, options: { onProgress?: (p: Progress) => void }): Promise<{ switched: boolean; indexing: PipelineSummary | null }> {
    const saved = loadSettings(this.dataDir).settings;
    if (id === this.model.pack.id) {
      if (saved.nextModel) writeSettings(this.dataDir, { ...saved, nextModel: undefined });
      return { switched: false, indexing: null };
    }
    let dir: string;
    try {
      dir = await resolvePack(join(this.dataDir, 'models'), id);
    } catch (error) {
      // The pack was removed since the switch began: there is nothing to continue.
      if (saved.nextModel === id) writeSettings(this.dataDir, { ...saved, nextModel: undefined });
      throw error;
    }
    const pack = await ModelPack.open(dir, { device: this.settings.device });
    let index: VectorIndex | undefined;
    try {
      index = await VectorIndex.open(join(this.dataDir, 'index'), pack.id, pack.dimensions, this.catalog, { writable: true });
      writeSettings(this.dataDir, { ...saved, nextModel: id });
      this.switching = { id, name: pack.manifest.name };
      this.changed(`switching to ${pack.manifest.name}`);
      const indexing = await this.indexing.indexPending(options.onProgress ? { onProgress: options.onProgress } : {}, { pack, index });
      const folders = new FolderStore(this.catalog);
      const offline = folders.offlineDirs().reduce((n, o) => n + folders.pendingCountUnder(id, o.dir), 0);
      if (indexing.cancelled || new PhotoStore(this.catalog).counts(id).pending > offline) {
        index.save();
        return { switched: false, indexing };
      }
      const [oldPack, oldIndex] = [this.model.pack, this.model.index];
      this.model.adopt(pack, index);
      this.settings.model = id;
      new KeywordStore(this.catalog).setKeywordModel(id);
      writeSettings(this.dataDir, { ...loadSettings(this.dataDir).settings, model: id, nextModel: undefined });
      try {
        oldIndex.save();
      } finally {
        oldIndex.close();
      }
      await oldPack.close();
      await refreshAlbums(this.catalog, pack);
      this.refreshStacks(); // built from the new pack's vectors
      this.changed(`now using ${pack.manifest.name}`);
      return { switched: true, indexing };
    } catch (error) {
      index?.save();
      throw error;
    } finally {
      if (index && this.model.index !== index) index.close();
      this.switching = null;
      if (this.model.pack !== pack) await pack.close();
      this.jobs.settle();
    }
  }
}
