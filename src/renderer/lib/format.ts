/** Small display helpers shared by the views. */

export { mediaCount, plural } from '../../shared/counting';

export function fileSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${Math.round(bytes / 1e3)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

/** "1 h 5 min", "4 min", "35 s". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function dateTime(iso: string | null): string | null {
  if (!iso) return null;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** The last part of a path, for either separator. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]+/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}

/** Focus is in a place where keys are text (so `/` and arrows belong to it, not to the app). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement || target.isContentEditable;
}

/** A query as typed, in quotation marks unless it has its own. */
export function quoted(query: string): string {
  return /["“”]/.test(query) ? query : `“${query}”`;
}

/** `2024-06-30` -> `2024-07-01` (calendar arithmetic in UTC, so no time zone shifts the day). */
export function dayAfter(day: string): string {
  const start = Date.parse(`${day.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(start)) return day;
  return new Date(start + 86_400_000).toISOString().slice(0, 10);
}
