import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * A write-ahead log's committed frames (https://www.sqlite.org/fileformat2.html, "The WAL File Format"):
 * which pages a WAL holds newer than the database file, for reading a catalogue without SQLite. A frame
 * counts only when its salts are the header's (older frames left behind by a restarted log are not) and
 * the running checksum holds up to it, and only up to the last commit frame (a transaction that was
 * still being written is not).
 */

const MAGIC_LE = 0x377f0682;
const MAGIC_BE = 0x377f0683;
const HEADER = 32;
const FRAME_HEADER = 24;

export interface WalFrames {
  pageSize: number;
  /** Page number -> the offset in the WAL of its newest committed content. */
  frames: Map<number, number>;
  /** The database's size in pages after the last committed transaction. */
  pages: number;
  /** Reads a page's committed content (its offset from `frames`). */
  read(offset: number): Buffer;
  close(): void;
}

/** SQLite's WAL checksum, continued from (s0, s1) over `data` (a multiple of 8 bytes). */
export function walChecksum(data: Buffer, bigEndian: boolean, s0 = 0, s1 = 0): [number, number] {
  for (let i = 0; i + 8 <= data.length; i += 8) {
    const x0 = bigEndian ? data.readUInt32BE(i) : data.readUInt32LE(i);
    const x1 = bigEndian ? data.readUInt32BE(i + 4) : data.readUInt32LE(i + 4);
    s0 = (s0 + x0 + s1) >>> 0;
    s1 = (s1 + x1 + s0) >>> 0;
  }
  return [s0, s1];
}

/** The committed frames of the WAL file, or null when there is none or its header does not check out. */
export function readWal(file: string): WalFrames | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  const size = fstatSync(fd).size;
  const header = Buffer.alloc(HEADER);
  const magic = size >= HEADER && readSync(fd, header, 0, HEADER, 0) === HEADER ? header.readUInt32BE(0) : 0;
  const pageSize = header.readUInt32BE(8);
  const bigEndian = magic === MAGIC_BE;
  let sum = walChecksum(header.subarray(0, 24), bigEndian);
  if (
    (magic !== MAGIC_LE && magic !== MAGIC_BE) ||
    pageSize < 512 ||
    pageSize > 65536 ||
    (pageSize & (pageSize - 1)) !== 0 ||
    sum[0] !== header.readUInt32BE(24) ||
    sum[1] !== header.readUInt32BE(28)
  ) {
    closeSync(fd);
    return null;
  }
  const salt = [header.readUInt32BE(16), header.readUInt32BE(20)];
  const frames = new Map<number, number>();
  const pending = new Map<number, number>();
  let pages = 0;
  const frame = Buffer.alloc(FRAME_HEADER + pageSize);
  for (let at = HEADER; at + frame.length <= size; at += frame.length) {
    if (readSync(fd, frame, 0, frame.length, at) !== frame.length) break;
    if (frame.readUInt32BE(8) !== salt[0] || frame.readUInt32BE(12) !== salt[1]) break;
    sum = walChecksum(frame.subarray(0, 8), bigEndian, sum[0], sum[1]);
    sum = walChecksum(frame.subarray(FRAME_HEADER), bigEndian, sum[0], sum[1]);
    if (sum[0] !== frame.readUInt32BE(16) || sum[1] !== frame.readUInt32BE(20)) break;
    const page = frame.readUInt32BE(0);
    if (page === 0) break;
    pending.set(page, at + FRAME_HEADER);
    const commit = frame.readUInt32BE(4);
    if (commit > 0) {
      for (const [p, offset] of pending) frames.set(p, offset);
      pending.clear();
      pages = commit;
    }
  }
  return {
    pageSize,
    frames,
    pages,
    read: (offset) => {
      const page = Buffer.alloc(pageSize);
      readSync(fd, page, 0, pageSize, offset);
      return page;
    },
    close: () => closeSync(fd),
  };
}
