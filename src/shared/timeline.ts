/**
 * How the timeline groups photos, for the engine (which counts and pages them) and the renderer (which
 * places each tile under its month): by the month of `taken_at` as the catalogue stores it (UTC, as the
 * date filters and the dates read from a query compare it), photos without a date in a group of their own.
 */
/** The timeline's groups: tiles per month, newest first ('YYYY-MM'; null: photos without a date, last). */
export interface TimelineMonths {
  months: Array<{ month: string | null; count: number }>;
  total: number;
  tookMs: number;
}

/** 'YYYY-MM' of a tile's taken-at time, or null for a photo without a date. */
export function monthOf(takenAt: string | null): string | null {
  return takenAt !== null && /^\d{4}-\d{2}/.test(takenAt) ? takenAt.slice(0, 7) : null;
}

/** The first instant after a month ('2024-12' -> '2025-01-01'), as the catalogue's times compare. */
export function monthEnd(month: string): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${String(year + 1).padStart(4, '0')}-01-01` : `${String(year).padStart(4, '0')}-${String(m + 1).padStart(2, '0')}-01`;
}
