/**
 * The grid's geometry, kept pure so it is cheap and easy to reason about: every row has the same
 * height, so the rows in view follow from `scrollTop` alone and only those exist in the DOM.
 */
export interface GridLayout {
  columns: number;
  /** Width (and height) of a square thumbnail. */
  tile: number;
  gap: number;
  /** Left and right margin. */
  padding: number;
  /** Space above the first row (room for the selection ring). */
  top: number;
  /** Thumbnail + caption + gap: the fixed distance between row tops. */
  rowHeight: number;
  rows: number;
  height: number;
}

export const MIN_TILE = 168;
export const GAP = 14;
export const PADDING = 24;
export const TOP = 10;
/** Two lines of caption under each thumbnail. */
export const CAPTION = 42;

export function gridLayout(width: number, count: number): GridLayout {
  const inner = Math.max(0, width - 2 * PADDING);
  const columns = Math.max(1, Math.floor((inner + GAP) / (MIN_TILE + GAP)));
  const tile = Math.max(80, Math.floor((inner - GAP * (columns - 1)) / columns));
  const rowHeight = tile + CAPTION + GAP;
  const rows = Math.ceil(count / columns);
  return { columns, tile, gap: GAP, padding: PADDING, top: TOP, rowHeight, rows, height: TOP + rows * rowHeight + PADDING };
}

/** Where a tile sits inside the scrolled area. */
export function tilePosition(layout: GridLayout, index: number): { x: number; y: number } {
  return { x: layout.padding + (index % layout.columns) * (layout.tile + layout.gap), y: layout.top + Math.floor(index / layout.columns) * layout.rowHeight };
}

/** Rows [first, last) to render for a viewport, with `overscan` extra rows above and below. */
export function visibleRows(layout: GridLayout, scrollTop: number, viewport: number, overscan = 2): { first: number; last: number } {
  const top = Math.max(0, scrollTop - layout.top);
  const first = Math.max(0, Math.floor(top / layout.rowHeight) - overscan);
  const last = Math.min(layout.rows, Math.ceil((top + Math.max(viewport, 1)) / layout.rowHeight) + overscan);
  return { first, last: Math.max(first, last) };
}

/** The scrollTop that brings `index` fully into view, or null when it already is. */
export function scrollToReveal(layout: GridLayout, index: number, scrollTop: number, viewport: number): number | null {
  const row = Math.floor(index / layout.columns);
  const top = row === 0 ? 0 : layout.top + row * layout.rowHeight - layout.gap;
  const bottom = layout.top + (row + 1) * layout.rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewport) return Math.max(0, bottom - viewport);
  return null;
}

export type GridMove = 'left' | 'right' | 'up' | 'down' | 'home' | 'end';

/** The index a key moves the selection to, clamped to the results. */
export function moveIndex(index: number, move: GridMove, columns: number, count: number): number {
  if (count === 0) return 0;
  const step = { left: -1, right: 1, up: -columns, down: columns, home: -Infinity, end: Infinity }[move];
  const next = index + step;
  if (move === 'up' && next < 0) return index;
  if (move === 'down' && next >= count) {
    // Last row may be short: go to the last photo when there is a row below at all.
    return Math.floor(index / columns) < Math.floor((count - 1) / columns) ? count - 1 : index;
  }
  return Math.max(0, Math.min(count - 1, next));
}
