/**
 * Finds the faces in an upright photo and describes each: BlazeFace looks at the whole photo (inside a
 * black margin, so a face that fills the photo is found) and at overlapping tiles (so small faces in a
 * group photo are), the views' detections are merged by non-maximum suppression, each face is aligned to
 * dlib's 150 px chip from its eyes, nose and mouth, and dlib's ResNet describes all of a photo's chips in
 * batches. Sessions open on the same provider chain as the search models (GPU when there is one).
 */
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import type { RgbPixels } from '../media/decode.js';
import { type OpenSessionOptions, type SessionReport, openSession } from '../models/providers.js';
import { chipTransform, extractChip, frontality, sharpness } from './face-align.js';
import { type Detection, type View, anchorCentres, decodeDetections, suppress, tileViews, toPhoto, wholeView } from './face-detect.js';
import { type FaceManifest, FacePackError, facePackDir, readFaceManifest, verifyFaceFiles } from './face-pack.js';

export interface FoundFace {
  /** The face's box in the upright photo, as fractions (0..1) of its width and height. */
  box: { x: number; y: number; width: number; height: number };
  /** The detector's key points, fractions of width/height, in the detector's order (manifest.detector.keypoints). */
  points: Array<[number, number]>;
  /** Detector confidence, 0..1. */
  score: number;
  /** The face box's shorter side in pixels of the image given. */
  side: number;
  /** Variance of the Laplacian on the aligned grey chip's middle half, grey levels (0..255) squared (face-align.ts). */
  sharpness: number;
  /** 0..1, 1 = looking straight at the camera (from key-point symmetry). */
  frontal: number;
  /** The recogniser's descriptor (128 floats, as dlib gives it: compare by Euclidean distance). */
  embedding: Float32Array;
}

let sharpModule: Promise<typeof import('sharp')> | undefined;
const libvips = async () => (await (sharpModule ??= import('sharp'))).default;

/** Candidates kept from each view before the views are merged (a photo of hundreds of faces stays cheap). */
const PER_VIEW = 256;

export class FaceFinder {
  readonly sessions: SessionReport[] = [];
  private readonly anchors: Array<[number, number]>;

  private constructor(
    readonly manifest: FaceManifest,
    private readonly detector: ort.InferenceSession,
    private readonly recogniser: ort.InferenceSession,
  ) {
    this.anchors = anchorCentres(manifest.detector.anchors, manifest.detector.inputSize);
  }

  /** Opens the models of models/faces/faces.json (or of `dir`), after checking every file's size. */
  static async open(options: OpenSessionOptions = { device: 'auto' }, dir = facePackDir()): Promise<FaceFinder> {
    const manifest = await readFaceManifest(dir);
    const problems = await verifyFaceFiles(dir, manifest);
    if (problems.length > 0) throw new FacePackError(`the face models in ${dir} are not whole: ${problems.join('; ')}`);
    const open = async (file: string, label: string) => {
      try {
        return await openSession(join(dir, file), label, options);
      } catch (error) {
        throw new FacePackError(`cannot open ${file} of the face models: ${(error as Error).message}`);
      }
    };
    const det = await open(manifest.detector.file, 'face detector');
    const rec = await open(manifest.recogniser.file, 'face recogniser');
    const finder = new FaceFinder(manifest, det.session, rec.session);
    finder.sessions.push(det.report, rec.report);
    return finder;
  }

  /** The faces in an upright photo, at most manifest.maxFaces, the detector's surest first. */
  async find(image: RgbPixels): Promise<FoundFace[]> {
    const faces = await this.detect(image);
    if (faces.length === 0) return [];
    return this.describe(image, faces);
  }

  /** The detections in photo pixels, merged across the views, at most maxFaces. */
  async detect(image: RgbPixels): Promise<Detection[]> {
    const d = this.manifest.detector;
    if (image.width < 2 || image.height < 2) return [];
    const all: Detection[] = [];
    for (const { view, input } of await this.viewInputs(image)) {
      const raw = await this.runDetector(input);
      const found = suppress(decodeDetections(raw, this.anchors, d.minScore), d.nmsIou, PER_VIEW);
      all.push(...toPhoto(view, found, image.width, image.height, d.inputSize));
    }
    return suppress(all, d.nmsIou, this.manifest.maxFaces);
  }

  /**
   * The views of the photo as the detector's inputs: the whole photo resized once and placed on black, and
   * the tiles cut from one copy of the photo resized to the tiles' scale (two resizes for five views, not
   * one per view: preparing the views cost more than running the detector on them).
   */
  private async viewInputs(image: RgbPixels): Promise<Array<{ view: View; input: Float32Array }>> {
    const d = this.manifest.detector;
    const S = d.inputSize;
    const sharp = await libvips();
    const raw = { raw: { width: image.width, height: image.height, channels: 3 as const } };
    const whole = wholeView(image.width, image.height, S, d.margin);
    const tiles = d.tiles ? tileViews(image.width, image.height, S, d.tiles) : [];
    const inputs: Array<{ view: View; input: Float32Array }> = [];
    // The tiles' copy first: the whole view is resized from it (a third of the photo's size), not from the photo.
    let source = { data: image.data, width: image.width, height: image.height };
    if (tiles.length > 0) {
      const width = Math.max(S, Math.round(image.width * tiles[0]!.scale));
      const height = Math.max(S, Math.round(image.height * tiles[0]!.scale));
      const scaled = await sharp(image.data, raw).resize(width, height, { fit: 'fill' }).raw().toBuffer();
      const [sx, sy] = [width / image.width, height / image.height];
      for (const tile of tiles) {
        const left = Math.min(width - S, Math.round(tile.left * sx));
        const top = Math.min(height - S, Math.round(tile.top * sy));
        inputs.push({ view: { ...tile, left: left / sx, top: top / sy, scale: sx }, input: detectorTensor(scaled, S, d.mean, d.std, { width, height, left: -left, top: -top }) });
      }
      source = { data: scaled, width, height };
    }
    const small = await sharp(source.data, { raw: { width: source.width, height: source.height, channels: 3 } })
      .resize(whole.outWidth, whole.outHeight, { fit: 'fill' })
      .raw()
      .toBuffer();
    inputs.unshift({ view: whole, input: detectorTensor(small, S, d.mean, d.std, { width: whole.outWidth, height: whole.outHeight, left: whole.padX, top: whole.padY }) });
    return inputs;
  }

  /** The detector's raw output for one input (NCHW, normalised). */
  async runDetector(input: Float32Array): Promise<Float32Array> {
    const d = this.manifest.detector;
    const result = await this.detector.run({ [d.input]: new ort.Tensor('float32', input, [1, 3, d.inputSize, d.inputSize]) });
    const out = result[d.output];
    if (!out) throw new FacePackError(`the face detector did not produce ${d.output}`);
    return out.data as Float32Array;
  }

  /** Descriptors of face chips (each size x size RGB, HWC), in batches of manifest.recogniser.batch. */
  async describeChips(chips: readonly Uint8Array[], divisor = this.manifest.recogniser.divisor): Promise<Float32Array[]> {
    const r = this.manifest.recogniser;
    const plane = r.size * r.size;
    const out: Float32Array[] = [];
    for (let start = 0; start < chips.length; start += r.batch) {
      const batch = chips.slice(start, start + r.batch);
      const input = new Float32Array(batch.length * 3 * plane);
      batch.forEach((chip, n) => {
        for (let c = 0; c < 3; c++) {
          const base = (n * 3 + c) * plane;
          const mean = r.mean[c]!;
          for (let i = 0; i < plane; i++) input[base + i] = (chip[i * 3 + c]! - mean) / divisor;
        }
      });
      const result = await this.recogniser.run({ [r.input]: new ort.Tensor('float32', input, [batch.length, 3, r.size, r.size]) });
      const t = result[r.output];
      if (!t) throw new FacePackError(`the face recogniser did not produce ${r.output}`);
      const data = t.data as Float32Array;
      for (let n = 0; n < batch.length; n++) out.push(data.slice(n * r.dimensions, (n + 1) * r.dimensions));
    }
    return out;
  }

  private async describe(image: RgbPixels, detections: Detection[]): Promise<FoundFace[]> {
    const r = this.manifest.recogniser;
    const chips: Uint8Array[] = [];
    const kept: Detection[] = [];
    for (const d of detections) {
      try {
        chips.push(extractChip(image, chipTransform(d.points, r.size, r.padding), r.size));
        kept.push(d);
      } catch {
        // Key points that coincide: no face to align.
      }
    }
    const embeddings = await this.describeChips(chips);
    const { width: W, height: H } = image;
    const faces: FoundFace[] = [];
    kept.forEach((d, i) => {
      const embedding = embeddings[i]!;
      if (!embedding.every(Number.isFinite)) return;
      const x0 = Math.max(0, d.x0);
      const y0 = Math.max(0, d.y0);
      const x1 = Math.min(W, d.x1);
      const y1 = Math.min(H, d.y1);
      if (!(x1 > x0 && y1 > y0)) return;
      faces.push({
        box: { x: x0 / W, y: y0 / H, width: (x1 - x0) / W, height: (y1 - y0) / H },
        points: d.points.map(([x, y]) => [x / W, y / H]),
        score: d.score,
        side: Math.min(x1 - x0, y1 - y0),
        sharpness: sharpness(chips[i]!, r.size),
        frontal: frontality(d.points),
        embedding,
      });
    });
    return faces;
  }

  async close(): Promise<void> {
    await this.detector.release();
    await this.recogniser.release();
  }
}

/**
 * RGB pixels (HWC) as the detector's NCHW input of side x side, (x - mean) / std. Without `place`, the
 * pixels are side x side; with it, an image of `width` x `height` whose pixel (0, 0) lands at (left, top)
 * of the input (negative: cut from inside it), and what it does not cover is black.
 */
export function detectorTensor(
  pixels: Uint8Array,
  side: number,
  mean: number,
  std: number,
  place: { width: number; height: number; left: number; top: number } = { width: side, height: side, left: 0, top: 0 },
): Float32Array {
  const plane = side * side;
  const input = new Float32Array(3 * plane).fill((0 - mean) / std);
  // One table lookup per value and no bounds test per pixel: five views of every photo are filled here.
  const normalised = new Float32Array(256);
  for (let v = 0; v < 256; v++) normalised[v] = (v - mean) / std;
  const [x0, x1] = [Math.max(0, place.left), Math.min(side, place.left + place.width)];
  const [y0, y1] = [Math.max(0, place.top), Math.min(side, place.top + place.height)];
  for (let y = y0; y < y1; y++) {
    let from = ((y - place.top) * place.width + (x0 - place.left)) * 3;
    for (let to = y * side + x0, end = y * side + x1; to < end; to++, from += 3) {
      input[to] = normalised[pixels[from]!]!;
      input[plane + to] = normalised[pixels[from + 1]!]!;
      input[2 * plane + to] = normalised[pixels[from + 2]!]!;
    }
  }
  return input;
}

/** Euclidean distance between two descriptors. */
export function descriptorDistance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}
