import { basename, join, resolve } from 'node:path';
import { isDamage } from './catalog/backup.js';
import { openCatalog } from './recovery.js';
import type { Catalog } from './catalog/catalog.js';
import { DEVICE_PREFERENCES, type DevicePreference, isDevicePreference } from './core/device-preference.js';
import { LibraryLock, type LockHolder } from './core/library-lock.js';
import { type Settings, loadSettings } from './core/settings.js';
import { VectorStore } from './index/vector-store.js';
import { VectorIndex } from './index/vector-index.js';
import { ModelPack, type PackPart } from './models/pack.js';
import { resolvePack } from './models/store.js';
import { KeywordStore } from './search/keyword-store.js';

export interface EngineOptions {
  dataDir: string;
  /** Overrides the saved settings for this run. */
  model?: string | undefined;
  device?: DevicePreference | undefined;
  captions?: boolean | undefined;
  /** Read the text in photos (OCR); overrides the saved setting for this run. */
  ocr?: boolean | undefined;
  /** Find faces and group them into people (the saved setting when absent). */
  people?: boolean | undefined;
  /** The smallest image indexed as a photo (pixels on its shorter side); overrides the saved setting for this run. */
  minPhotoSide?: number | undefined;
  /**
   * 'write' (the default) takes the library's write lock: this engine may scan, index and manage
   * folders. 'read' searches and edits captions and album titles while another process writes.
   */
  access?: 'write' | 'read' | undefined;
  /** How long a writer waits for another one to finish before giving up (ms; default 0). */
  lockWaitMs?: number | undefined;
  onLockWait?: ((holder: LockHolder | null) => void) | undefined;
  /** How this process is named to others that find the library busy. */
  command?: string | undefined;
  /**
   * Model parts to open while the vector index loads (on another thread), for a caller that will use
   * them at once: `glimpse search` opens the text encoder this way. A part that fails to open reports
   * its error where it is first used.
   */
  warm?: readonly PackPart[] | undefined;
  /**
   * When a writer runs its whole-file checks (the catalogue's quick check, the graphs' checksums: about
   * 5 s of reading at a million photos). 'at-open' (the default): before `open` returns. 'after-open'
   * (the app): once open has returned, on threads, so the first search does not wait; every job waits
   * for them, and the index is not saved before them. After a writer that ended uncleanly (a crash, a
   * kill, a power cut: what it wrote may be torn) they always run at open.
   */
  checks?: 'at-open' | 'after-open' | undefined;
}

/** What opening a library gives the engine. */
export interface OpenedLibrary {
  dataDir: string;
  settings: Settings;
  notices: string[];
  /** The write lock (null: opened to read). */
  lock: LibraryLock | null;
  catalog: Catalog;
  pack: ModelPack;
  index: VectorIndex;
  /** The writer's whole-file checks are still to run (the engine runs them on threads after open). */
  checksAfterOpen: boolean;
}

/** GLIMPSE_DEVICE overrides the saved device setting for one run (between the saved setting and an explicit option). */
function deviceFromEnvironment(notices: string[]): DevicePreference | undefined {
  const value = process.env.GLIMPSE_DEVICE;
  if (!value) return undefined;
  if (isDevicePreference(value)) return value;
  notices.push(`GLIMPSE_DEVICE=${value} is not one of ${DEVICE_PREFERENCES.join(', ')}; it was ignored`);
  return undefined;
}

/**
 * Opens a library: its settings (overridden for this run by the options), the write lock unless it is
 * opened to read, the catalogue (checked and recovered from its backup when damaged, refused when a
 * data folder that held a library has lost it: `catalog/backup.ts`), the model pack and its vector index.
 */
export async function openLibrary(options: EngineOptions): Promise<OpenedLibrary> {
  const dataDir = resolve(options.dataDir);
  const notices: string[] = [];
  const { settings: saved, notice } = loadSettings(dataDir);
  if (notice) notices.push(notice);
  const settings: Settings = {
    model: options.model ?? saved.model,
    device: options.device ?? deviceFromEnvironment(notices) ?? saved.device,
    captions: options.captions ?? saved.captions,
    ocr: options.ocr ?? saved.ocr,
    people: options.people ?? saved.people,
    minPhotoSide: options.minPhotoSide ?? saved.minPhotoSide,
    ...(saved.nextModel && saved.nextModel !== (options.model ?? saved.model) ? { nextModel: saved.nextModel } : {}),
  };
  const command = options.command ?? `${basename(process.argv[1] ?? 'glimpse')} ${process.argv.slice(2).join(' ')}`.trim();
  const lock =
    options.access === 'read'
      ? null
      : await LibraryLock.acquire(dataDir, command, { waitMs: options.lockWaitMs ?? 0, ...(options.onLockWait ? { onWait: options.onLockWait } : {}) });
  const checksAfterOpen = lock !== null && options.checks === 'after-open' && lock.endedUncleanly === null;
  let catalog: Catalog | undefined;
  let pack: ModelPack | undefined;
  try {
    catalog = await openCatalog(dataDir, lock !== null, notices, { quickCheck: !checksAfterOpen });
    pack = await ModelPack.open(await resolvePack(join(dataDir, 'models'), settings.model), { device: settings.device });
    const warming = options.warm ? pack.load(options.warm).catch(() => undefined) : undefined;
    const index = await VectorIndex.open(join(dataDir, 'index'), pack.id, pack.dimensions, catalog, { writable: lock !== null, checksumsAfterOpen: checksAfterOpen });
    await warming;
    if (lock && !checksAfterOpen) writerOpened(catalog, pack.id);
    return { dataDir, settings, notices, lock, catalog, pack, index, checksAfterOpen };
  } catch (error) {
    await pack?.close(); // sessions the warm-up opened
    catalog?.close();
    lock?.release();
    // Damage met while opening before the checks: open again with them, which recovers it.
    if (checksAfterOpen && isDamage(error)) return openLibrary({ ...options, checks: 'at-open' });
    throw error;
  }
}

/** What a writer does once its checks have passed: tidy the vector log, point keyword search at its pack. */
export function writerOpened(catalog: Catalog, packId: string): void {
  const vectors = new VectorStore(catalog);
  // Compacts the vector log when superseded entries make up most of it.
  if (vectors.vectorLogSize() > 2 * vectors.vectorCountAll() + 1000) vectors.compactVectorLog();
  new KeywordStore(catalog).setKeywordModel(packId);
}
