// What an encoder is fed besides pixels: a query cleaned, tokenized, cut and padded as the pack was
// trained, as a tensor of ids, in runs of the batch size the graph was exported with.
import ort from 'onnxruntime-node';
import type { PackManifest } from './manifest.js';

export function idTensor(rows: number[][], type: 'int64' | 'int32'): ort.Tensor {
  const width = rows[0]?.length ?? 0;
  const flat = rows.flat();
  const data = type === 'int64' ? BigInt64Array.from(flat, (v) => BigInt(v)) : Int32Array.from(flat);
  return new ort.Tensor(type, data, [rows.length, width]);
}

/**
 * A query too long for the context, cut as Hugging Face's tokenizers cut it: the text's own tokens are
 * shortened and the template's special tokens kept around them (CLIP's start and end, Gemma's start
 * alone, XLM-R's <s> and </s>), so the encoder still sees the tokens it was trained to see.
 */
export function truncated(ids: number[], textIds: number[], contextLength: number): number[] {
  let start = -1;
  for (let p = 0; p + textIds.length <= ids.length && start < 0; p++) if (textIds.every((id, j) => ids[p + j] === id)) start = p;
  if (start < 0) return [...ids.slice(0, contextLength - 1), ids[ids.length - 1]!]; // no template to find: keep the last (end) token
  const prefix = ids.slice(0, start);
  const suffix = ids.slice(start + textIds.length);
  return [...prefix, ...textIds.slice(0, Math.max(0, contextLength - prefix.length - suffix.length)), ...suffix].slice(0, contextLength);
}

/**
 * The batch size a graph was exported with, when it is a fixed number rather than a symbolic axis
 * (Immich's open_clip exports take exactly one image or one query per run).
 */
export function fixedBatch(session: ort.InferenceSession, input: string): number | undefined {
  const meta = session.inputMetadata?.find((m) => m.name === input);
  const first = meta?.isTensor ? meta.shape[0] : undefined;
  return typeof first === 'number' && first > 0 ? first : undefined;
}

/** `items` in runs of `size` (all of them at once when the graph takes any batch). */
export function inBatches<T>(items: T[], size: number | undefined): T[][] {
  if (size === undefined) return [items];
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const ASCII_PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;

/** A query as the pack's training text looked: see the manifest's `text.clean`. */
export function cleanQuery(text: string, clean: PackManifest['text']['clean']): string {
  const spaced = text.split(/\s+/).filter(Boolean).join(' ');
  return clean === 'canonicalize' ? spaced.replace(ASCII_PUNCTUATION, '').toLowerCase() : spaced;
}

/**
 * A run shorter than a graph's fixed batch, filled up with copies of its last item (their outputs are
 * dropped): a graph exported for 4 images is given 4, also for the last 2 photos of a library.
 */
export function filledTo<T>(chunk: T[], size: number | undefined): T[] {
  if (size === undefined || chunk.length >= size || chunk.length === 0) return chunk;
  return [...chunk, ...new Array<T>(size - chunk.length).fill(chunk[chunk.length - 1]!)];
}
