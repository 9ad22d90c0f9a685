import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Catalog } from '../catalog/catalog.js';
import { JobControl, type JobProgress } from '../core/job-control.js';
import { isUnder } from '../core/paths.js';
import { FolderStore } from '../library/folder-store.js';
import type { PhotoRow } from '../library/photo-store.js';
import type { RgbPixels } from '../media/decode.js';
import { bytesFingerprint, decodeForReading, fileFingerprint } from '../media/photo.js';
import { DEFAULT_SAMPLING, probeVideo, sampleFrames } from '../media/video.js';
import { type FaceInput, FaceStore } from './face-store.js';

/** Frames of a video looked at for faces. */
const VIDEO_FRAMES = 3;
/** Two faces of one video this close are one person seen twice (well inside the grouping's reach). */
const SAME_FACE = 0.4;

function distance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}

/** What the job needs of the face models (FaceFinder). */
export interface FaceFinding {
  readonly manifest: { id: string; readSide: number; maxFaces: number };
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
}

/**
 * Finds the faces in indexed photos (and in a few frames of each video) the face models have not looked at in their current content: a
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
    let faces: FaceInput[];
    if (row.media === 'video') {
      if ((await fileFingerprint(row.path, row.size)) !== row.hash) return 'changed';
      faces = await this.videoFaces(row.path);
    } else {
      const bytes = await readFile(row.path);
      if (bytesFingerprint(bytes) !== row.hash) return 'changed';
      faces = await this.finder.find(await decodeForReading(bytes, this.finder.manifest.readSide));
    }
    return new FaceStore(this.catalog).recordScan(row.id, row.hash!, this.finder.manifest.id, faces) ?? 'changed';
  }

  /**
   * A video's faces: those of a few frames spread over it (VIDEO_FRAMES), each person once (a face like
   * one already kept, within SAME_FACE, is the same face seen again: the clearer of the two is kept).
   * Boxes are of the frame they were found in.
   */
  private async videoFaces(path: string): Promise<FaceInput[]> {
    const probe = await probeVideo(path);
    const { frames } = await sampleFrames(path, probe, {
      ...DEFAULT_SAMPLING,
      maxFrames: VIDEO_FRAMES,
      passSeconds: 0,
      frameSide: this.finder.manifest.readSide,
      timeLimitMs: 60_000,
    });
    const kept: FaceInput[] = [];
    const clarity = (f: FaceInput) => f.side * f.frontal;
    for (const frame of frames)
      for (const face of await this.finder.find(frame.pixels)) {
        const same = kept.findIndex((k) => distance(k.embedding, face.embedding) < SAME_FACE);
        if (same < 0) kept.push(face);
        else if (clarity(face) > clarity(kept[same]!)) kept[same] = face;
      }
    return kept.slice(0, this.finder.manifest.maxFaces);
  }

  async run(): Promise<FaceSummary> {
    const store = new FaceStore(this.catalog);
    const started = performance.now();
    const model = this.finder.manifest.id;
    const offline = new FolderStore(this.catalog).offlineDirs().map((o) => o.dir);
    this.progress.total = store.scanCounts(model).unscanned;
    this.emit(true);
    const summary: FaceSummary = { scanned: 0, faces: 0, failed: 0, cancelled: false, seconds: 0 };
    // Photos in a folder that could not be listed wait until it is back.
    const finished = await this.eachFile(
      (afterId) => store.unscannedPhotos(model, 64, afterId),
      (row) => !offline.some((dir) => isUnder(row.path, dir)),
      this.concurrency,
      async (row) => {
        const outcome = await this.scanOne(row);
        if (outcome === 'changed') return;
        summary.scanned++;
        summary.faces += outcome.length;
      },
      () => summary.failed++,
    );
    summary.cancelled = !finished;
    summary.seconds = (performance.now() - started) / 1000;
    return summary;
  }
}
