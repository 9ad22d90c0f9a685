/** Vectors as the catalogue stores them: float32 little-endian blobs. */

export function vectorBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

export function blobVector(blob: Buffer): Float32Array {
  // Copy: the blob's memory belongs to SQLite's row buffer.
  const copy = new Float32Array(blob.byteLength / 4);
  new Uint8Array(copy.buffer).set(blob);
  return copy;
}

/** A vector blob as floats without a copy where its offset allows (4-byte aligned), else copied; valid while the row's buffer is. */
export function vectorView(blob: Buffer): Float32Array {
  return blob.byteOffset % 4 === 0 ? new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4) : blobVector(blob);
}
