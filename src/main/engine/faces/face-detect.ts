/**
 * BlazeFace's output as faces: MediaPipe's SSD anchors, the decoding of each anchor's 17 numbers, the views
 * of a photo the detector is shown (the whole photo inside a margin, and overlapping tiles for small faces),
 * and non-maximum suppression across them. Pure TypeScript; face-finder.ts runs the model.
 */
import type { FaceManifest } from './face-pack.js';

export type Point = [number, number];

/** A face as the detector gives it, in the coordinates of the image it was shown (pixels). */
export interface Detection {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  points: Point[];
  score: number;
}

/**
 * Anchor centres in input pixels, in the detector's output order: MediaPipe's SsdAnchorsCalculator with
 * fixed-size anchors (layers of one stride share a grid, their anchors laid out cell by cell).
 */
export function anchorCentres(anchors: FaceManifest['detector']['anchors'], inputSize: number): Point[] {
  const out: Point[] = [];
  const { strides, anchorsPerLayer, offset } = anchors;
  let layer = 0;
  while (layer < strides.length) {
    let last = layer;
    let perCell = 0;
    while (last < strides.length && strides[last] === strides[layer]) perCell += anchorsPerLayer[last++]!;
    const grid = Math.ceil(inputSize / strides[layer]!);
    for (let y = 0; y < grid; y++)
      for (let x = 0; x < grid; x++) for (let k = 0; k < perCell; k++) out.push([((x + offset) / grid) * inputSize, ((y + offset) / grid) * inputSize]);
    layer = last;
  }
  return out;
}

/**
 * The detections above `minScore` in one output ([anchors, 17]: the score's logit, the box's centre offset
 * and size, six key point offsets, in input pixels). An anchor with any number that is not finite is skipped.
 */
export function decodeDetections(raw: Float32Array, anchors: readonly Point[], minScore: number): Detection[] {
  const stride = raw.length / anchors.length;
  if (!Number.isInteger(stride) || stride < 5) throw new Error(`the detector gave ${raw.length} numbers for ${anchors.length} anchors`);
  const keypoints = Math.floor((stride - 5) / 2);
  const minLogit = Math.log(minScore / (1 - minScore));
  const out: Detection[] = [];
  for (let i = 0; i < anchors.length; i++) {
    const o = i * stride;
    const logit = raw[o]!;
    if (!(logit >= minLogit)) continue; // NaN fails too
    let finite = true;
    for (let j = 0; j < stride; j++) if (!Number.isFinite(raw[o + j]!)) finite = false;
    const [ax, ay] = anchors[i]!;
    const w = raw[o + 3]!;
    const h = raw[o + 4]!;
    if (!finite || !(w > 0) || !(h > 0)) continue;
    const cx = raw[o + 1]! + ax;
    const cy = raw[o + 2]! + ay;
    const points: Point[] = [];
    for (let k = 0; k < keypoints; k++) points.push([raw[o + 5 + 2 * k]! + ax, raw[o + 6 + 2 * k]! + ay]);
    out.push({ x0: cx - w / 2, y0: cy - h / 2, x1: cx + w / 2, y1: cy + h / 2, points, score: 1 / (1 + Math.exp(-logit)) });
  }
  return out;
}

export function iou(a: Detection, b: Detection): number {
  const w = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
  const h = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / ((a.x1 - a.x0) * (a.y1 - a.y0) + (b.x1 - b.x0) * (b.y1 - b.y0) - inter);
}

/** Greedy non-maximum suppression: the surest first, dropping any that overlaps a kept one by more than `threshold`. */
export function suppress(detections: readonly Detection[], threshold: number, max: number): Detection[] {
  const sorted = [...detections].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const d of sorted) {
    if (kept.length >= max) break;
    if (kept.every((k) => iou(k, d) <= threshold)) kept.push(d);
  }
  return kept;
}

/**
 * A square region of the photo the detector is shown: photo pixel (x, y) is input pixel
 * ((x - left) * scale + padX, (y - top) * scale + padY). `tile` views are cut from inside the photo.
 */
export interface View {
  left: number;
  top: number;
  width: number;
  height: number;
  /** Output size of the region, before the black border (placed at padX, padY in the input). */
  outWidth: number;
  outHeight: number;
  padX: number;
  padY: number;
  scale: number;
  tile: boolean;
}

/** The whole photo, fitted inside a square of side inputSize / (1 + 2 margin), centred on black. */
export function wholeView(width: number, height: number, inputSize: number, margin: number): View {
  const inner = inputSize / (1 + 2 * margin);
  const scale = inner / Math.max(width, height);
  const outWidth = Math.max(1, Math.round(width * scale));
  const outHeight = Math.max(1, Math.round(height * scale));
  return {
    left: 0,
    top: 0,
    width,
    height,
    outWidth,
    outHeight,
    padX: Math.floor((inputSize - outWidth) / 2),
    padY: Math.floor((inputSize - outHeight) / 2),
    // The resize maps width onto outWidth exactly; rounding makes x and y scales differ by < 1 px.
    scale: outWidth / width,
    tile: false,
  };
}

/**
 * Overlapping square tiles of `side` x the photo's longer side (no larger than its shorter side), spread
 * evenly so neighbours share at least `overlap` of a tile; none when a tile would be no larger than the
 * detector's input (the whole view already shows such a photo at full size).
 */
export function tileViews(width: number, height: number, inputSize: number, tiles: NonNullable<FaceManifest['detector']['tiles']>): View[] {
  const side = Math.floor(Math.min(Math.max(width, height) * tiles.side, width, height));
  if (side <= inputSize) return [];
  const starts = (extent: number): number[] => {
    if (extent <= side) return [0];
    const count = Math.min(tiles.maxPerAxis, Math.ceil((extent - side) / (side * (1 - tiles.overlap))) + 1);
    return Array.from({ length: count }, (_, i) => Math.round(((extent - side) * i) / (count - 1)));
  };
  const views: View[] = [];
  for (const top of starts(height))
    for (const left of starts(width))
      views.push({ left, top, width: side, height: side, outWidth: inputSize, outHeight: inputSize, padX: 0, padY: 0, scale: inputSize / side, tile: true });
  return views;
}

/**
 * A view's detections in photo pixels. In a tile, a face cut by the tile's edge inside the photo is
 * dropped (`edge`, a fraction of the input): the tile beside it, or the whole view, sees it whole.
 */
export function toPhoto(view: View, detections: readonly Detection[], photoWidth: number, photoHeight: number, inputSize: number, edge = 0.02): Detection[] {
  const back = ([x, y]: Point): Point => [(x - view.padX) / view.scale + view.left, (y - view.padY) / view.scale + view.top];
  const out: Detection[] = [];
  const e = edge * inputSize;
  for (const d of detections) {
    if (view.tile) {
      const cut =
        (d.x0 < e && view.left > 0) ||
        (d.y0 < e && view.top > 0) ||
        (d.x1 > inputSize - e && view.left + view.width < photoWidth) ||
        (d.y1 > inputSize - e && view.top + view.height < photoHeight);
      if (cut) continue;
    }
    const [x0, y0] = back([d.x0, d.y0]);
    const [x1, y1] = back([d.x1, d.y1]);
    out.push({ x0, y0, x1, y1, points: d.points.map(back), score: d.score });
  }
  return out;
}
