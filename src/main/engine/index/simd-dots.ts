/**
 * Inner products of one query with many rows of a matrix, four floats at a time (WebAssembly SIMD):
 * about the speed of hnswlib's native scan, on a matrix JavaScript fills directly (hnswlib-node takes
 * each vector as a JavaScript array of numbers, which costs tens of microseconds a vector).
 *
 * The module is one function, `dots(matrix, query, rows, stride, out)`: byte offsets into the memory it
 * imports, `stride` floats a row (a multiple of 4). It is written out here as bytes, instruction by
 * instruction, so that nothing has to be compiled to build it.
 */

const i32 = 0x7f;
const v128 = 0x7b;
const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, depth],
  brIf: (depth: number) => [0x0d, depth],
  get: (local: number) => [0x20, local],
  set: (local: number) => [0x21, local],
  i32Const: (n: number) => [0x41, n], // n < 64: one byte of signed LEB128
  i32Add: [0x6a],
  i32Mul: [0x6c],
  i32GeU: [0x4f],
  f32Add: [0x92],
  f32Store: [0x38, 2, 0], // align 2^2, offset 0
  v128Load: [0xfd, 0x00, 2, 0], // align 2^2 (rows are 4-byte aligned), offset 0
  v128Zero: [0xfd, 0x0c, ...new Array<number>(16).fill(0)],
  f32x4Add: [0xfd, 0xe4, 0x01],
  f32x4Mul: [0xfd, 0xe6, 0x01],
  lane: (n: number) => [0xfd, 0x1f, n], // f32x4.extract_lane
};

// Parameters 0-4: matrix, query, rows, stride, out; locals 5-7: row, j, rowStart; 8: the running sums.
const [MATRIX, QUERY, ROWS, STRIDE, OUT, ROW, J, START, SUMS] = [0, 1, 2, 3, 4, 5, 6, 7, 8];

const body = [
  [0x02, 0x03, i32, 0x01, v128], // locals: 3 x i32, 1 x v128
  op.block,
  op.loop,
  [...op.get(ROW), ...op.get(ROWS), ...op.i32GeU, ...op.brIf(1)],
  [...op.v128Zero, ...op.set(SUMS)],
  // rowStart = matrix + row * stride * 4
  [...op.get(MATRIX), ...op.get(ROW), ...op.get(STRIDE), ...op.i32Mul, ...op.i32Const(4), ...op.i32Mul, ...op.i32Add, ...op.set(START)],
  [...op.i32Const(0), ...op.set(J)],
  op.block,
  op.loop,
  [...op.get(J), ...op.get(STRIDE), ...op.i32GeU, ...op.brIf(1)],
  // sums += row[j..j+4] * query[j..j+4]
  [...op.get(SUMS)],
  [...op.get(START), ...op.get(J), ...op.i32Const(4), ...op.i32Mul, ...op.i32Add, ...op.v128Load],
  [...op.get(QUERY), ...op.get(J), ...op.i32Const(4), ...op.i32Mul, ...op.i32Add, ...op.v128Load],
  [...op.f32x4Mul, ...op.f32x4Add, ...op.set(SUMS)],
  [...op.get(J), ...op.i32Const(4), ...op.i32Add, ...op.set(J), ...op.br(0)],
  op.end,
  op.end,
  // out[row] = the four sums added
  [...op.get(OUT), ...op.get(ROW), ...op.i32Const(4), ...op.i32Mul, ...op.i32Add],
  [...op.get(SUMS), ...op.lane(0), ...op.get(SUMS), ...op.lane(1), ...op.f32Add, ...op.get(SUMS), ...op.lane(2), ...op.f32Add, ...op.get(SUMS), ...op.lane(3), ...op.f32Add],
  [...op.f32Store],
  [...op.get(ROW), ...op.i32Const(1), ...op.i32Add, ...op.set(ROW), ...op.br(0)],
  op.end,
  op.end,
  op.end,
].flat();

/** A section: its id, then its size and content. Sizes here stay under 128 (one byte of LEB128) except the code's. */
function section(id: number, content: number[]): number[] {
  return [id, ...leb(content.length), ...content];
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    const byte = n & 0x7f;
    n >>>= 7;
    out.push(n ? byte | 0x80 : byte);
  } while (n);
  return out;
}

const name = (s: string) => [s.length, ...Buffer.from(s)];

const MODULE = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
  ...section(1, [1, 0x60, 5, i32, i32, i32, i32, i32, 0]), // one type: (i32 x 5) -> ()
  ...section(2, [1, ...name('e'), ...name('m'), 0x02, 0x00, 0x01]), // import e.m: a memory of 1+ pages
  ...section(3, [1, 0]), // one function, of type 0
  ...section(7, [1, ...name('dots'), 0x00, 0]), // export it as "dots"
  ...section(10, [1, ...leb(body.length), ...body]),
]);

const PAGE = 65536;

/** Rows of `dim` floats (stored `stride` apart) in WebAssembly memory, scored against a query at SIMD speed. */
export class SimdMatrix {
  readonly stride: number;
  private readonly memory = new WebAssembly.Memory({ initial: 1 });
  private readonly dots: (matrix: number, query: number, rows: number, stride: number, out: number) => void;

  constructor(readonly dim: number) {
    this.stride = Math.ceil(dim / 4) * 4;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(MODULE), { e: { m: this.memory } });
    this.dots = instance.exports.dots as typeof this.dots;
  }

  /** Makes room for `rows` rows (and the scratch a search needs after them); rows keep their place. */
  reserve(rows: number): void {
    const bytes = this.scratchAt(rows) + this.stride * 4 + rows * 4;
    const pages = Math.ceil(bytes / PAGE);
    const have = this.memory.buffer.byteLength / PAGE;
    if (pages > have) this.memory.grow(Math.max(pages - have, have)); // doubling, so growing row by row stays linear
  }

  /** The rows, as floats (`stride` a row); a fresh view, since growing the memory replaces its buffer. */
  rows(count: number): Float32Array {
    return new Float32Array(this.memory.buffer, 0, count * this.stride);
  }

  set(row: number, vector: Float32Array): void {
    this.rows(row + 1).set(vector, row * this.stride);
  }

  /** Row `from`'s vector into row `to`. */
  move(from: number, to: number): void {
    this.rows(Math.max(from, to) + 1).copyWithin(to * this.stride, from * this.stride, from * this.stride + this.dim);
  }

  vector(row: number): Float32Array {
    return this.rows(row + 1).slice(row * this.stride, row * this.stride + this.dim);
  }

  /** The query's inner product with each of the first `count` rows, in single precision. */
  scores(query: Float32Array, count: number): Float32Array {
    this.reserve(count);
    const queryAt = this.scratchAt(count);
    const outAt = queryAt + this.stride * 4;
    const q = new Float32Array(this.memory.buffer, queryAt, this.stride);
    q.fill(0);
    q.set(query.subarray(0, this.dim));
    this.dots(0, queryAt, count, this.stride, outAt);
    return new Float32Array(this.memory.buffer, outAt, count).slice();
  }

  private scratchAt(rows: number): number {
    return Math.ceil((rows * this.stride * 4) / 16) * 16;
  }
}
