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

// ---- a grid in groups under headings (the timeline's months) ----

/** A group of tiles under a heading: its key and how many tiles it holds. */
export interface TileGroup {
  key: string;
  count: number;
}

export interface PlacedGroup extends TileGroup {
  /** The heading's top, the first row's top, its rows, and the index of its first tile among all tiles. */
  top: number;
  rowsTop: number;
  rows: number;
  first: number;
}

export interface GroupedLayout {
  columns: number;
  tile: number;
  gap: number;
  padding: number;
  header: number;
  /** Thumbnail + gap (no caption): the distance between row tops. */
  rowHeight: number;
  groups: PlacedGroup[];
  /** Tiles in all groups. */
  count: number;
  height: number;
}

export const TIMELINE = { minTile: 150, gap: 6, header: 48 };

/**
 * Groups one after another, each a heading then its rows of square tiles; every position follows from
 * the counts alone, so a million tiles cost a few thousand numbers, and none need to be loaded to know
 * where they go.
 */
export function groupedLayout(width: number, groups: readonly TileGroup[], options: { minTile: number; gap: number; header: number } = TIMELINE): GroupedLayout {
  const { minTile, gap, header } = options;
  const inner = Math.max(0, width - 2 * PADDING);
  const columns = Math.max(1, Math.floor((inner + gap) / (minTile + gap)));
  const tile = Math.max(60, Math.floor((inner - gap * (columns - 1)) / columns));
  const rowHeight = tile + gap;
  let y = TOP;
  let first = 0;
  const placed = groups.map((g) => {
    const rows = Math.ceil(g.count / columns);
    const group = { ...g, top: y, rowsTop: y + header, rows, first };
    y += header + rows * rowHeight;
    first += g.count;
    return group;
  });
  return { columns, tile, gap, padding: PADDING, header, rowHeight, groups: placed, count: first, height: y + PADDING };
}

/** The last group whose start is at or before `value` (by `key` of each group), or -1. */
function lastAtOrBefore(groups: readonly PlacedGroup[], value: number, key: (g: PlacedGroup) => number): number {
  let low = 0;
  let high = groups.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (key(groups[mid]!) <= value) {
      found = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  return found;
}

/** The group of a tile (by its index among all tiles) and its index in the group. */
export function locate(layout: GroupedLayout, index: number): { group: number; at: number } {
  const group = Math.max(
    0,
    lastAtOrBefore(layout.groups, index, (g) => g.first),
  );
  return { group, at: index - (layout.groups[group]?.first ?? 0) };
}

/** Where a tile sits inside the scrolled area. */
export function groupedTilePosition(layout: GroupedLayout, group: number, at: number): { x: number; y: number } {
  const g = layout.groups[group]!;
  return { x: layout.padding + (at % layout.columns) * (layout.tile + layout.gap), y: g.rowsTop + Math.floor(at / layout.columns) * layout.rowHeight };
}

/** The group whose heading or rows are at height `y` (the first group above it). */
export function groupAtY(layout: GroupedLayout, y: number): number {
  return Math.max(
    0,
    lastAtOrBefore(layout.groups, y, (g) => g.top),
  );
}

/** The groups in view with their rows [first, last), `overscan` rows either side. */
export function visibleGroupRows(layout: GroupedLayout, scrollTop: number, viewport: number, overscan = 2): Array<{ group: number; first: number; last: number }> {
  const top = scrollTop - overscan * layout.rowHeight;
  const bottom = scrollTop + Math.max(viewport, 1) + overscan * layout.rowHeight;
  const out: Array<{ group: number; first: number; last: number }> = [];
  for (let group = groupAtY(layout, Math.max(0, top)); group < layout.groups.length; group++) {
    const g = layout.groups[group]!;
    if (g.top > bottom) break;
    const first = Math.max(0, Math.floor((top - g.rowsTop) / layout.rowHeight));
    const last = Math.min(g.rows, Math.ceil((bottom - g.rowsTop) / layout.rowHeight));
    out.push({ group, first: Math.min(first, last), last });
  }
  return out;
}

/** The scrollTop that brings tile `index` fully into view (its heading too, for a group's first row), or null when it is. */
export function groupedScrollToReveal(layout: GroupedLayout, index: number, scrollTop: number, viewport: number): number | null {
  const { group, at } = locate(layout, index);
  const row = Math.floor(at / layout.columns);
  const g = layout.groups[group];
  if (!g) return null;
  const top = row === 0 ? g.top : g.rowsTop + row * layout.rowHeight - layout.gap;
  const bottom = g.rowsTop + (row + 1) * layout.rowHeight;
  if (top < scrollTop) return Math.max(0, top);
  if (bottom > scrollTop + viewport) return Math.max(0, bottom - viewport);
  return null;
}

/** The tile a key moves the selection to: up and down keep the column, across groups too. */
export function groupedMove(layout: GroupedLayout, index: number, move: GridMove): number {
  const count = layout.count;
  if (count === 0) return 0;
  if (move === 'home') return 0;
  if (move === 'end') return count - 1;
  if (move === 'left' || move === 'right') return Math.max(0, Math.min(count - 1, index + (move === 'left' ? -1 : 1)));
  const { group, at } = locate(layout, index);
  const g = layout.groups[group]!;
  const column = at % layout.columns;
  if (move === 'up') {
    if (at >= layout.columns) return index - layout.columns;
    const above = layout.groups[group - 1];
    if (!above) return index;
    return above.first + Math.min((above.rows - 1) * layout.columns + column, above.count - 1);
  }
  if (Math.floor(at / layout.columns) < g.rows - 1) return Math.min(index + layout.columns, g.first + g.count - 1);
  const below = layout.groups[group + 1];
  return below ? below.first + Math.min(column, below.count - 1) : index;
}
