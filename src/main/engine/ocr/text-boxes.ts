/**
 * From a text detector's probability map to rotated boxes around lines of text: the post-processing of
 * DB ("Real-time Scene Text Detection with Differentiable Binarization", the detector PP-OCR uses).
 * Threshold the map, take each connected region, fit its smallest rotated rectangle, keep it when the
 * map is confident inside it, and grow it back to the text's full extent (the network is trained to
 * mark a shrunk core of each line; the growth is `area * unclipRatio / perimeter` on every side).
 */

export interface Point {
  x: number;
  y: number;
}

/** A rotated rectangle: centre, unit direction of its long side (the reading direction), half-sizes. */
export interface RotatedBox {
  cx: number;
  cy: number;
  /** Unit vector along the text line, pointing right (x ≥ 0). */
  ux: number;
  uy: number;
  /** Half the length along `u` and half the height across it. */
  halfLength: number;
  halfHeight: number;
  /** Mean detector probability inside the box before growing. */
  score: number;
}

export interface DetectionParams {
  /** Pixels with a probability above this are text. */
  threshold: number;
  /** A region is kept when the mean probability inside its box is at least this. */
  boxThreshold: number;
  unclipRatio: number;
  /** Boxes whose shorter side (in map pixels) is below this are noise. */
  minSize: number;
  /** At most this many regions are considered, largest first. */
  maxCandidates: number;
}

/** Corners in reading order: top-left, top-right, bottom-right, bottom-left. */
export function corners(box: RotatedBox): [Point, Point, Point, Point] {
  const { cx, cy, ux, uy, halfLength: a, halfHeight: b } = box;
  // Across the line, "down" in image coordinates (y grows downwards).
  const vx = -uy;
  const vy = ux;
  return [
    { x: cx - a * ux - b * vx, y: cy - a * uy - b * vy },
    { x: cx + a * ux - b * vx, y: cy + a * uy - b * vy },
    { x: cx + a * ux + b * vx, y: cy + a * uy + b * vy },
    { x: cx - a * ux + b * vx, y: cy - a * uy + b * vy },
  ];
}

/** The convex hull of points (Andrew's monotone chain), counter-clockwise in a y-up frame. */
export function convexHull(points: Point[]): Point[] {
  if (points.length < 3) return points.slice();
  const sorted = points.slice().sort((p, q) => p.x - q.x || p.y - q.y);
  const cross = (o: Point, a: Point, b: Point) => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
  const lower: Point[] = [];
  for (const p of sorted) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (let i = sorted.length - 1; i >= 0; i--) {
    const p = sorted[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0) upper.pop();
    upper.push(p);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/**
 * The rectangle of least area around a convex polygon: one of its sides lies on a hull edge, so each
 * edge direction is tried (rotating calipers without the bookkeeping; hulls here have few points).
 */
export function minAreaRect(hull: Point[]): Omit<RotatedBox, 'score'> {
  if (hull.length === 1) return { cx: hull[0]!.x, cy: hull[0]!.y, ux: 1, uy: 0, halfLength: 0, halfHeight: 0 };
  let best = { area: Infinity, ux: 1, uy: 0, minU: 0, maxU: 0, minV: 0, maxV: 0 };
  for (let i = 0; i < hull.length; i++) {
    const p = hull[i]!;
    const q = hull[(i + 1) % hull.length]!;
    const length = Math.hypot(q.x - p.x, q.y - p.y);
    if (length === 0) continue;
    const ux = (q.x - p.x) / length;
    const uy = (q.y - p.y) / length;
    let minU = Infinity;
    let maxU = -Infinity;
    let minV = Infinity;
    let maxV = -Infinity;
    for (const h of hull) {
      const u = h.x * ux + h.y * uy;
      const v = -h.x * uy + h.y * ux;
      if (u < minU) minU = u;
      if (u > maxU) maxU = u;
      if (v < minV) minV = v;
      if (v > maxV) maxV = v;
    }
    const area = (maxU - minU) * (maxV - minV);
    if (area < best.area) best = { area, ux, uy, minU, maxU, minV, maxV };
  }
  const { ux, uy, minU, maxU, minV, maxV } = best;
  const mu = (minU + maxU) / 2;
  const mv = (minV + maxV) / 2;
  const box = { cx: mu * ux - mv * uy, cy: mu * uy + mv * ux, ux, uy, halfLength: (maxU - minU) / 2, halfHeight: (maxV - minV) / 2 };
  return orient(box);
}

/** Makes `u` the long side and points it rightwards, so corners() come out in reading order. */
function orient(box: Omit<RotatedBox, 'score'>): Omit<RotatedBox, 'score'> {
  let { ux, uy, halfLength, halfHeight } = box;
  if (halfHeight > halfLength) {
    [ux, uy] = [-uy, ux];
    [halfLength, halfHeight] = [halfHeight, halfLength];
  }
  // Rightwards; for a vertical line, the direction that reads top to bottom.
  if (ux < -1e-9 || (Math.abs(ux) <= 1e-9 && uy < 0)) {
    ux = -ux;
    uy = -uy;
  }
  return { ...box, ux, uy, halfLength, halfHeight };
}

/** Mean of the map inside a rotated box (the box's bounding rectangle, pixels whose centre is inside). */
function meanInside(map: Float32Array, width: number, height: number, box: Omit<RotatedBox, 'score'>): number {
  const pts = corners({ ...box, score: 0 });
  const x0 = Math.max(0, Math.floor(Math.min(...pts.map((p) => p.x))));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(...pts.map((p) => p.x))));
  const y0 = Math.max(0, Math.floor(Math.min(...pts.map((p) => p.y))));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(...pts.map((p) => p.y))));
  let sum = 0;
  let count = 0;
  const a = box.halfLength + 0.5;
  const b = box.halfHeight + 0.5;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = x - box.cx;
      const dy = y - box.cy;
      if (Math.abs(dx * box.ux + dy * box.uy) <= a && Math.abs(-dx * box.uy + dy * box.ux) <= b) {
        sum += map[y * width + x]!;
        count++;
      }
    }
  }
  return count === 0 ? 0 : sum / count;
}

/**
 * The boundary pixels of each 8-connected region of `map > threshold`, largest regions first. Only
 * boundary pixels can be on a region's hull, so only they are kept.
 */
function regions(map: Float32Array, width: number, height: number, threshold: number): Point[][] {
  const label = new Int32Array(width * height);
  const found: Array<{ size: number; boundary: Point[] }> = [];
  const stack: number[] = [];
  const on = (x: number, y: number) => x >= 0 && y >= 0 && x < width && y < height && map[y * width + x]! > threshold;
  for (let start = 0; start < map.length; start++) {
    if (label[start] !== 0 || map[start]! <= threshold) continue;
    const id = found.length + 1;
    const region = { size: 0, boundary: [] as Point[] };
    label[start] = id;
    stack.push(start);
    while (stack.length > 0) {
      const i = stack.pop()!;
      const x = i % width;
      const y = (i - x) / width;
      region.size++;
      if (!on(x - 1, y) || !on(x + 1, y) || !on(x, y - 1) || !on(x, y + 1)) {
        // The pixel's four corners, so a one-pixel-wide line still has an area.
        region.boundary.push({ x, y }, { x: x + 1, y }, { x, y: y + 1 }, { x: x + 1, y: y + 1 });
      }
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (!on(nx, ny)) continue;
          const j = ny * width + nx;
          if (label[j] !== 0) continue;
          label[j] = id;
          stack.push(j);
        }
      }
    }
    found.push(region);
  }
  return found.sort((a, b) => b.size - a.size).map((r) => r.boundary);
}

/** Text boxes in the map's pixel coordinates (corners are on pixel edges: 0..width, 0..height). */
export function detectBoxes(map: Float32Array, width: number, height: number, params: DetectionParams): RotatedBox[] {
  const boxes: RotatedBox[] = [];
  for (const boundary of regions(map, width, height, params.threshold).slice(0, params.maxCandidates)) {
    const rect = minAreaRect(convexHull(boundary));
    if (2 * rect.halfHeight < params.minSize) continue;
    // Scored on pixel centres: the rectangle's corners are on pixel edges.
    const score = meanInside(map, width, height, { ...rect, cx: rect.cx - 0.5, cy: rect.cy - 0.5, halfLength: rect.halfLength - 0.5, halfHeight: rect.halfHeight - 0.5 });
    if (score < params.boxThreshold) continue;
    const w = 2 * rect.halfLength;
    const h = 2 * rect.halfHeight;
    const grow = (w * h * params.unclipRatio) / (2 * (w + h));
    const grown = { ...rect, halfLength: rect.halfLength + grow, halfHeight: rect.halfHeight + grow, score };
    if (2 * grown.halfHeight < params.minSize + 2) continue;
    boxes.push(grown);
  }
  return boxes;
}

/** The box in another image's coordinates (the map is usually smaller than the photo it was made from). */
export function scaleBox(box: RotatedBox, sx: number, sy: number): RotatedBox {
  // Scaling unequally turns the rectangle slightly; re-fitting its scaled corners keeps it a rectangle.
  const scaled = corners(box).map((p) => ({ x: p.x * sx, y: p.y * sy }));
  return { ...minAreaRect(convexHull(scaled)), score: box.score };
}

/** Reading order: lines top to bottom, and left to right within a line (boxes whose centres share a band). */
export function readingOrder(boxes: RotatedBox[]): RotatedBox[] {
  const sorted = boxes.slice().sort((a, b) => a.cy - b.cy || a.cx - b.cx);
  for (let i = 1; i < sorted.length; i++) {
    for (let j = i; j > 0; j--) {
      const a = sorted[j - 1]!;
      const b = sorted[j]!;
      if (Math.abs(a.cy - b.cy) < Math.min(a.halfHeight, b.halfHeight) && b.cx < a.cx) [sorted[j - 1], sorted[j]] = [b, a];
      else break;
    }
  }
  return sorted;
}
