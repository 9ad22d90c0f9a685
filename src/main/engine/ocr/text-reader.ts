/**
 * Reads the text in a photo with an OCR pack: detect lines on the photo scaled to the detector's size,
 * turn each line upright (the classifier says whether it is upside down), recognise it, and keep what
 * the recogniser is sure of. A photo without text costs one detector run: recognition runs only on the
 * regions found. Sessions open on the same provider chain as the search models (GPU when there is one).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import type { RgbPixels } from '../media/decode.js';
import { type OpenSessionOptions, type SessionReport, openSession } from '../models/providers.js';
import { type OcrManifest, OcrPackError } from './ocr-pack.js';
import { type Point, type RotatedBox, convexHull, corners, detectBoxes, minAreaRect, readingOrder, scaleBox } from './text-boxes.js';
import { ctcGreedyDecode, lineWidth, sampleLine } from './text-lines.js';

/** One line of text found in a photo. */
export interface ReadLine {
  text: string;
  /** Mean probability of its characters, 0..1. */
  confidence: number;
  /** Corners in reading order (top-left, top-right, bottom-right, bottom-left), as fractions of the upright photo's width and height. */
  box: [Point, Point, Point, Point];
}

export interface ReadingThresholds {
  /** Lines below this mean character probability are dropped (PaddleOCR's drop_score). */
  minConfidence: number;
  /** Lines this short or shorter need `shortConfidence`: a stray mark in a photo without text reads as one or two characters. */
  shortLength: number;
  shortConfidence: number;
}

/** Measured on photos with and without text (test/main/engine/ocr, docs/PERFORMANCE.md). */
export const DEFAULT_THRESHOLDS: ReadingThresholds = { minConfidence: 0.6, shortLength: 3, shortConfidence: 0.9 };

/** Recognition runs on this many lines at a time (their width is padded to the widest). */
const LINE_BATCH = 8;
/** PaddleOCR's recogniser was trained on 48 x 320 crops: narrower lines are padded to that width. */
const MIN_PLANE_WIDTH = 320;

let sharpModule: Promise<typeof import('sharp')> | undefined;
const libvips = async () => (await (sharpModule ??= import('sharp'))).default;

function tensorOf(result: ort.InferenceSession.ReturnType, name: string, what: string): ort.Tensor {
  const t = result[name];
  if (!t) throw new OcrPackError(`the ${what} did not produce ${name}`);
  return t;
}

/**
 * The recogniser reads a round O as a zero inside words, in monospaced fonts above all ("B0LTS",
 * "T0TAL"). In a word of letters whose only digits are zeros, the zeros are letters.
 */
export function lettersForZeros(text: string): string {
  return text.replace(/[\p{L}0]+/gu, (word) => {
    if (!word.includes('0') || word.replace(/0/g, '').length < 2) return word;
    const upper = word.replace(/0/g, '') === word.replace(/0/g, '').toUpperCase();
    return word.replace(/0/g, upper ? 'O' : 'o');
  });
}

/** Whether a line is text worth keeping rather than a stray mark. */
export function keepLine(text: string, confidence: number, thresholds: ReadingThresholds): boolean {
  const meaningful = text.replace(/[^\p{L}\p{N}]/gu, '');
  if (meaningful.length === 0 || confidence < thresholds.minConfidence) return false;
  return meaningful.length > thresholds.shortLength || confidence >= thresholds.shortConfidence;
}

export class TextReader {
  readonly sessions: SessionReport[] = [];
  private constructor(
    readonly manifest: OcrManifest,
    private readonly detector: ort.InferenceSession,
    private readonly recogniser: ort.InferenceSession,
    private readonly classifier: ort.InferenceSession | undefined,
    private readonly charset: string[],
    readonly thresholds: ReadingThresholds,
  ) {}

  static async open(manifest: OcrManifest, dir: string, options: OpenSessionOptions, thresholds = DEFAULT_THRESHOLDS): Promise<TextReader> {
    const open = async (file: string, label: string) => {
      try {
        return await openSession(join(dir, file), label, options);
      } catch (error) {
        throw new OcrPackError(`cannot open ${file} of the OCR pack ${manifest.id}: ${(error as Error).message}`);
      }
    };
    const det = await open(manifest.detector.file, 'text detector');
    const rec = await open(manifest.recogniser.file, 'text recogniser');
    const cls = manifest.classifier ? await open(manifest.classifier.file, 'text orientation') : undefined;
    const lines = (await readFile(join(dir, manifest.recogniser.charset), 'utf8')).replace(/\r/g, '').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const charset = manifest.recogniser.spaceClass ? [...lines, ' '] : lines;
    const reader = new TextReader(manifest, det.session, rec.session, cls?.session, charset, thresholds);
    reader.sessions.push(det.report, rec.report, ...(cls ? [cls.report] : []));
    return reader;
  }

  /** The lines of text in an upright photo, in reading order. */
  async read(image: RgbPixels): Promise<ReadLine[]> {
    if (image.width < 8 || image.height < 8) return [];
    const boxes = await this.detect(image);
    if (boxes.length === 0) return [];
    const flips = await this.upsideDown(image, boxes);
    const decoded = await this.recognise(image, boxes, flips);
    const pieces: Array<{ box: RotatedBox; text: string; confidence: number; flipped: boolean }> = [];
    boxes.forEach((box, i) => {
      const { text, confidence } = decoded[i]!;
      const clean = lettersForZeros(text.replace(/\s+/g, ' ').trim());
      if (keepLine(clean, confidence, this.thresholds)) pieces.push({ box, text: clean, confidence, flipped: flips[i]! });
    });
    return joinLines(pieces).map(({ box, text, confidence, flipped }) => {
      const pts = corners(box).map((p) => ({ x: round4(p.x / image.width), y: round4(p.y / image.height) })) as ReadLine['box'];
      return { text, confidence: round4(confidence), box: flipped ? [pts[2], pts[3], pts[0], pts[1]] : pts };
    });
  }

  /** Photos the detector's quick look found no text in (and so were not looked at closely). */
  glancedAway = 0;

  /**
   * Text boxes in the image's coordinates. With a `glanceSide`, the detector first looks at the photo
   * that small (a fraction of the cost): a photo where nothing there looks like text at all is done.
   * Most photos have no text, so most pay only for the glance.
   */
  private async detect(image: RgbPixels): Promise<RotatedBox[]> {
    const d = this.manifest.detector;
    if (d.glanceSide && Math.max(image.width, image.height) > d.glanceSide) {
      const glance = await this.probabilityMap(image, d.glanceSide);
      if (!anyRegion(glance.map, glance.width, glance.height, d.threshold, d.glanceMinPixels)) {
        this.glancedAway++;
        return [];
      }
    }
    const { map, width, height } = await this.probabilityMap(image, d.maxSide);
    const boxes = detectBoxes(map, width, height, d);
    return readingOrder(boxes.map((b) => scaleBox(b, image.width / width, image.height / height)));
  }

  /** The detector's text probability map of the photo scaled to at most `side` pixels. */
  private async probabilityMap(image: RgbPixels, side: number): Promise<{ map: Float32Array; width: number; height: number }> {
    const d = this.manifest.detector;
    const scale = Math.min(1, side / Math.max(image.width, image.height));
    const w = Math.max(d.multiple, Math.round((image.width * scale) / d.multiple) * d.multiple);
    const h = Math.max(d.multiple, Math.round((image.height * scale) / d.multiple) * d.multiple);
    const sharp = await libvips();
    const resized = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
      .resize(w, h, { fit: 'fill', kernel: 'linear' })
      .raw()
      .toBuffer();
    const input = new Float32Array(3 * w * h);
    const order = d.channelOrder === 'bgr' ? [2, 1, 0] : [0, 1, 2];
    for (let k = 0; k < 3; k++) {
      const c = order[k]!;
      const scaleK = 1 / (255 * d.std[c]!);
      const shiftK = d.mean[c]! / d.std[c]!;
      const plane = k * w * h;
      for (let i = 0; i < w * h; i++) input[plane + i] = resized[i * 3 + c]! * scaleK - shiftK;
    }
    const result = await this.detector.run({ [d.input]: new ort.Tensor('float32', input, [1, 3, h, w]) });
    const map = tensorOf(result, d.output, 'text detector');
    const [, , mh, mw] = map.dims as number[];
    return { map: map.data as Float32Array, width: mw!, height: mh! };
  }

  /** For each box, whether its text is upside down. */
  private async upsideDown(image: RgbPixels, boxes: RotatedBox[]): Promise<boolean[]> {
    const c = this.manifest.classifier;
    if (!this.classifier || !c) return boxes.map(() => false);
    const flips: boolean[] = [];
    const plane = c.width * c.height;
    for (let start = 0; start < boxes.length; start += LINE_BATCH) {
      const batch = boxes.slice(start, start + LINE_BATCH);
      const input = new Float32Array(batch.length * 3 * plane);
      batch.forEach((box, i) => {
        const width = Math.min(c.width, lineWidth(box, c.height, c.width));
        sampleLine(image, box, false, { width, height: c.height, planeWidth: c.width }, c, input, i * 3 * plane);
      });
      const result = await this.classifier.run({ [c.input]: new ort.Tensor('float32', input, [batch.length, 3, c.height, c.width]) });
      const probs = tensorOf(result, c.output, 'text orientation classifier').data as Float32Array;
      batch.forEach((_, i) => flips.push(probs[i * 2 + 1]! >= c.threshold));
    }
    return flips;
  }

  private async recognise(image: RgbPixels, boxes: RotatedBox[], flips: boolean[]): Promise<Array<{ text: string; confidence: number }>> {
    const r = this.manifest.recogniser;
    const widths = boxes.map((b) => lineWidth(b, r.height, r.maxWidth));
    // Lines of similar width together, so little of each batch is padding.
    const order = boxes.map((_, i) => i).sort((a, b) => widths[a]! - widths[b]!);
    const out: Array<{ text: string; confidence: number }> = new Array(boxes.length);
    for (let start = 0; start < order.length; start += LINE_BATCH) {
      const batch = order.slice(start, start + LINE_BATCH);
      const planeWidth = Math.max(MIN_PLANE_WIDTH, ...batch.map((i) => widths[i]!));
      const size = 3 * r.height * planeWidth;
      const input = new Float32Array(batch.length * size);
      batch.forEach((boxIndex, i) => sampleLine(image, boxes[boxIndex]!, flips[boxIndex]!, { width: widths[boxIndex]!, height: r.height, planeWidth }, r, input, i * size));
      const result = await this.recogniser.run({ [r.input]: new ort.Tensor('float32', input, [batch.length, 3, r.height, planeWidth]) });
      const probs = tensorOf(result, r.output, 'text recogniser');
      const [, steps, classes] = probs.dims as number[];
      if (classes !== this.charset.length + 1)
        throw new OcrPackError(`the recogniser has ${classes} classes but the character set ${r.charset} gives ${this.charset.length + 1} (with the blank)`);
      batch.forEach((boxIndex, i) => (out[boxIndex] = ctcGreedyDecode(probs.data as Float32Array, i * steps! * classes!, steps!, classes!, this.charset)));
    }
    return out;
  }

  async release(): Promise<void> {
    await Promise.all([this.detector.release(), this.recogniser.release(), this.classifier?.release()]);
  }
}

/**
 * Words the detector boxed apart that stand on one line (same direction, centres on the same baseline,
 * close along it) are one line of text: "MUSEUM" and "SHOP" on a sign read "MUSEUM SHOP", so a quoted
 * phrase finds it and the viewer shows it as written.
 */
export function joinLines<T extends { box: RotatedBox; text: string; confidence: number; flipped: boolean }>(pieces: readonly T[]): T[] {
  const lines: Array<{ parts: T[] }> = [];
  for (const piece of [...pieces].sort((a, b) => a.box.cy - b.box.cy || a.box.cx - b.box.cx)) {
    const line = lines.find(({ parts }) => parts.some((q) => sameLine(q.box, piece.box) && q.flipped === piece.flipped));
    if (line) line.parts.push(piece);
    else lines.push({ parts: [piece] });
  }
  return lines.map(({ parts }) => {
    if (parts.length === 1) return parts[0]!;
    const first = parts[0]!;
    // Along the line's direction (reversed for text read upside down).
    const along = (b: RotatedBox) => (b.cx * first.box.ux + b.cy * first.box.uy) * (first.flipped ? -1 : 1);
    const ordered = parts.sort((a, b) => along(a.box) - along(b.box));
    const box = { ...minAreaRect(convexHull(ordered.flatMap((p) => corners(p.box)))), score: Math.min(...ordered.map((p) => p.box.score)) };
    const characters = ordered.reduce((n, p) => n + p.text.length, 0);
    const confidence = ordered.reduce((sum, p) => sum + p.confidence * p.text.length, 0) / characters;
    return { ...first, box, text: ordered.map((p) => p.text).join(' '), confidence };
  });
}

/** Two boxes of one line: nearly parallel, centres within half a height across the line, a gap of at most 1.5 heights along it. */
function sameLine(a: RotatedBox, b: RotatedBox): boolean {
  if (Math.abs(a.ux * b.uy - a.uy * b.ux) > 0.1) return false;
  const height = Math.max(a.halfHeight, b.halfHeight) * 2;
  if (Math.abs(Math.min(a.halfHeight, b.halfHeight) / Math.max(a.halfHeight, b.halfHeight)) < 0.6) return false;
  const dx = b.cx - a.cx;
  const dy = b.cy - a.cy;
  const across = Math.abs(-dx * a.uy + dy * a.ux);
  const gap = Math.abs(dx * a.ux + dy * a.uy) - a.halfLength - b.halfLength;
  return across < height / 2 && gap < 1.5 * height;
}

/** Whether `map > threshold` holds on at least `minPixels` 4-connected pixels anywhere. */
export function anyRegion(map: Float32Array, width: number, height: number, threshold: number, minPixels: number): boolean {
  const seen = new Uint8Array(width * height);
  const stack: number[] = [];
  for (let start = 0; start < map.length; start++) {
    if (seen[start] || map[start]! <= threshold) continue;
    let size = 0;
    seen[start] = 1;
    stack.push(start);
    while (stack.length > 0) {
      const i = stack.pop()!;
      if (++size >= minPixels) return true;
      const x = i % width;
      for (const j of [x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1, i - width, i + width]) {
        if (j < 0 || j >= map.length || seen[j] || map[j]! <= threshold) continue;
        seen[j] = 1;
        stack.push(j);
      }
    }
  }
  return false;
}

function round4(v: number): number {
  return Math.round(v * 10_000) / 10_000;
}
