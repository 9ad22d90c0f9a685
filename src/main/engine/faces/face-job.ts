import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Catalog } from '../catalog/catalog.js';
import { JobControl, type JobProgress } from '../core/job-control.js';
import { isUnder } from '../core/paths.js';
import { FolderStore } from '../library/folder-store.js';
import type { PhotoRow } from '../library/photo-store.js';
import type { RgbPixels } from '../media/decode.js';
import { bytesFingerprint, decodeForReading } from '../media/photo.js';
import { type FaceInput, FaceStore } from './face-store.js';

/** What the job needs of the face models (FaceFinder). */
export interface FaceFinding {
  readonly manifest: { id: string; readSide: number };
  find(image: RgbPixels): Promise<FaceInput[]>;
}

export interface FaceSummary {
  /** Photos looked at. */
  scanned: number;
  /** Faces found in them. */
  faces: number;
  /** Photos that could not be looked at this time (tried again next time). */
  failed: number;
  cancelled: boolean;
  seconds: number;
  /** The faces found, for grouping. */
  newFaces: number[];
}

/**
 * Finds the faces in indexed photos the face models have not looked at in their current content: a
 * background phase after indexing, like reading text, so faces never delay search. Nothing is
 * re-embedded. A photo whose file changed since it was indexed is left to the next index, which makes
 * it pending again. Photos are decoded `concurrency` at a time (the cores).
 */
export class FaceJob extends JobControl {
  constructor(
    private readonly catalog: Catalog,
    private readonly finder: FaceFinding,
    onProgress?: (progress: JobProgress) => void,
    private readonly concurrency = Math.max(2, availableParallelism()),
  ) {
    super(onProgress);
  }

  private async scanOne(row: PhotoRow): Promise<number[] | 'changed'> {
    const bytes = await readFile(row.path);
    if (bytesFingerprint(bytes) !== row.hash) return 'changed';
    const image = await decodeForReading(bytes, this.finder.manifest.readSide);
    const faces = await this.finder.find(image);
    return new FaceStore(this.catalog).recordScan(row.id, row.hash!, this.finder.manifest.id, faces) ?? 'changed';
  }

  async run(): Promise<FaceSummary> {
    const store = new FaceStore(this.catalog);
    const started = performance.now();
    const model = this.finder.manifest.id;
    const offline = new FolderStore(this.catalog).offlineDirs().map((o) => o.dir);
    this.progress.total = store.scanCounts(model).unscanned;
    this.emit(true);
    const summary: FaceSummary = { scanned: 0, faces: 0, failed: 0, cancelled: false, seconds: 0, newFaces: [] };
    let afterId = 0;
    for (;;) {
      const page = store.unscannedPhotos(model, 64, afterId).filter((row) => !offline.some((dir) => isUnder(row.path, dir)));
      if (page.length === 0) break;
      afterId = Math.max(afterId, ...page.map((r) => r.id));
      let next = 0;
      const worker = async () => {
        while (next < page.length) {
          await this.unpaused();
          if (this.cancelled) {
            summary.cancelled = true;
            return;
          }
          const row = page[next++]!;
          this.progress.currentFile = row.path;
          try {
            const outcome = await this.scanOne(row);
            if (outcome !== 'changed') {
              summary.scanned++;
              summary.faces += outcome.length;
              summary.newFaces.push(...outcome);
            }
          } catch (error) {
            summary.failed++;
            this.failed(row.path, error);
          }
          this.progress.done++;
          this.paceSince(started);
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.concurrency, page.length) }, worker));
      if (summary.cancelled) break;
    }
    this.progress.currentFile = null;
    this.emit(true);
    summary.seconds = (performance.now() - started) / 1000;
    return summary;
  }
}
