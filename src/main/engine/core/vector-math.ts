/** Vector arithmetic shared by the model pack, search and album captions: one definition of each. */

/** The vector scaled to length 1 (a zero vector stays zero). Cosine similarity is then a dot product. */
export function l2normalise(values: Float32Array): Float32Array {
  let sum = 0;
  for (const v of values) sum += v * v;
  const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
  return values.map((v) => v * scale);
}

/** The normalised mean direction of several vectors (a centroid on the unit sphere). */
export function meanDirection(vectors: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(vectors[0]!.length);
  for (const v of vectors) for (let i = 0; i < out.length; i++) out[i]! += v[i]!;
  return l2normalise(out);
}

export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}
