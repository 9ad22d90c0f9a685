/**
 * One HTTP byte range (RFC 9110 §14) of a file of `size` bytes, as a video element asks for it:
 * `bytes=0-`, `bytes=1000-1999`, `bytes=-500` (the last 500). Several ranges in one header are answered
 * with the whole file (players never ask for them); a range past the end is unsatisfiable (416).
 */
export type ByteRange = { start: number; end: number } | 'unsatisfiable' | null;

export function parseRange(header: string | undefined | null, size: number): ByteRange {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null; // not a single byte range: serve the whole file
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/** The status and headers that answer a range request (or a plain one: 200, the whole file). */
export function rangeResponse(range: ByteRange, size: number): { status: 200 | 206 | 416; headers: Record<string, string>; start: number; end: number } {
  if (range === 'unsatisfiable') return { status: 416, headers: { 'content-range': `bytes */${size}`, 'accept-ranges': 'bytes' }, start: 0, end: -1 };
  if (range === null) return { status: 200, headers: { 'accept-ranges': 'bytes', 'content-length': String(size) }, start: 0, end: size - 1 };
  return {
    status: 206,
    headers: { 'accept-ranges': 'bytes', 'content-range': `bytes ${range.start}-${range.end}/${size}`, 'content-length': String(range.end - range.start + 1) },
    start: range.start,
    end: range.end,
  };
}
