import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ort from 'onnxruntime-node';
import { Tokenizer } from '@huggingface/tokenizers';
import type { RgbPixels, ResizeMode } from '../media/decode.js';
import { l2normalise } from '../core/vector-math.js';
import { type PackManifest, PackError, readManifest } from './manifest.js';
import type { DevicePreference } from '../core/device-preference.js';
import { type SessionReport, openSession } from './providers.js';
import { errorText } from '../../../shared/error-text.js';
import { cleanQuery, filledTo, fixedBatch, idTensor, inBatches, truncated } from './text-input.js';

/** What one image-encoder pass yields: the search embedding and, for CoCa-style packs, the tokens a captioner reads. */
export interface ImageFeatures {
  /** L2-normalised, so cosine similarity is a dot product. */
  embedding: Float32Array;
  tokens?: { data: Float32Array; count: number; width: number };
}

export interface OpenPackOptions {
  device?: DevicePreference;
  gpuProviders?: string[];
  intraOpThreads?: number;
}

export interface ModelInputSpec {
  size: number;
  resize: ResizeMode;
}

type Session = ort.InferenceSession;


/** HWC uint8 pixels of several images -> one NCHW float32 tensor, normalised with the pack's mean/std. */
function pixelTensor(images: RgbPixels[], size: number, mean: readonly number[], std: readonly number[]): ort.Tensor {
  const plane = size * size;
  const out = new Float32Array(images.length * 3 * plane);
  images.forEach((image, n) => {
    if (image.width !== size || image.height !== size)
      throw new PackError(`image is ${image.width}x${image.height}, the model needs ${size}x${size}`);
    const base = n * 3 * plane;
    const { data } = image;
    for (let c = 0; c < 3; c++) {
      const m = mean[c]!;
      const s = std[c]!;
      const offset = base + c * plane;
      for (let i = 0; i < plane; i++) out[offset + i] = (data[i * 3 + c]! / 255 - m) / s;
    }
  });
  return new ort.Tensor('float32', out, [images.length, 3, size, size]);
}

function output(result: ort.InferenceSession.ReturnType, name: string, where: string): ort.Tensor {
  const tensor = result[name];
  if (!tensor) throw new PackError(`${where} has no output named ${name}`);
  return tensor;
}

function checkInputs(session: Session, names: string[], where: string): void {
  for (const name of names)
    if (!session.inputNames.includes(name)) throw new PackError(`${where} has no input named ${name} (it has ${session.inputNames.join(', ')})`);
}

const UNKNOWN_TOKENS = new Set(['[UNK]', '<unk>', '<|unk|>']);

/** A generated caption with what the decoder thought of it. */
export interface GeneratedCaption {
  text: string;
  /** Mean log-probability per token (0 is certain; lower is less sure). */
  meanLogProb: number;
  /** False when the decoder ran out of length before its end token: a loop or a ramble. */
  finished: boolean;
  /** The token ids the decoder chose, after the start token (the end token included when it came). */
  ids: number[];
}

interface Beam {
  ids: number[];
  logProb: number;
  done: boolean;
  /** The row of the last decoder step's `present` tensors that holds this beam's cache. */
  cacheRow?: number;
}

type CacheSpec = NonNullable<NonNullable<PackManifest['captioner']>['cache']>;

/** The per-layer tensor names of a cache template, in feeding order: layer 0 key, layer 0 value, layer 1 key, … */
export function cacheNames(template: string, layers: number): string[] {
  return Array.from({ length: layers * 2 }, (_, j) => template.replace('{layer}', String(j >> 1)).replace('{kv}', j % 2 === 0 ? 'key' : 'value'));
}

/**
 * Checks a cached decoder against the manifest: every past input is there (and no more layers than
 * declared), and where the graph states the heads and head width of a past tensor (Optimum exports
 * leave only batch and sequence symbolic), they are the manifest's.
 */
function checkCache(session: Session, cache: CacheSpec, where: string): void {
  const past = cacheNames(cache.pastInput, cache.layers);
  checkInputs(session, [cache.useCacheBranch, ...past], where);
  const extra = cacheNames(cache.pastInput, cache.layers + 1).slice(past.length);
  if (extra.some((name) => session.inputNames.includes(name))) throw new PackError(`${where} has more than the ${cache.layers} cache layers its manifest declares`);
  const missing = cacheNames(cache.presentOutput, cache.layers).filter((name) => !session.outputNames.includes(name));
  if (missing.length > 0) throw new PackError(`${where} has no output named ${missing[0]} (it has ${session.outputNames.join(', ')})`);
  for (const meta of session.inputMetadata ?? []) {
    if (!past.includes(meta.name) || !meta.isTensor) continue;
    const [, heads, , headDim] = meta.shape;
    if ((typeof heads === 'number' && heads !== cache.heads) || (typeof headDim === 'number' && headDim !== cache.headDim))
      throw new PackError(`${where}: ${meta.name} is [${meta.shape.join(', ')}], the manifest says ${cache.heads} heads of width ${cache.headDim}`);
  }
}

/** Rows of a cache tensor [rows, heads, seq, headDim], in the order given (the beams that go on). */
function gatherRows(tensor: ort.Tensor, rows: readonly number[]): ort.Tensor {
  const [count, heads, seq, width] = tensor.dims as [number, number, number, number];
  if (rows.length === count && rows.every((r, i) => r === i)) return tensor;
  const block = heads * seq * width;
  const data = tensor.data as Float32Array;
  const out = new Float32Array(rows.length * block);
  rows.forEach((row, i) => out.set(data.subarray(row * block, (row + 1) * block), i * block));
  return new ort.Tensor('float32', out, [rows.length, heads, seq, width]);
}

type CaptionerParts = { decoder: Session; encoder?: Session; tokenizer: Tokenizer };
export type PackPart = 'image' | 'text' | 'captioner';

/**
 * One model pack: the image and text encoders that share an embedding space, and the captioner when
 * the pack has one. The same code serves the bundled tiny-coca and the downloaded CLIP-family packs.
 *
 * Opening a pack reads its manifest only; each ONNX session is opened (and its inputs checked) the
 * first time it is needed, so `glimpse status` opens none and `glimpse search` only the text encoder.
 * `load()` opens them up front (doctor; the app warms the text encoder so the first query is fast).
 */
export class ModelPack {
  private imagePart: Promise<Session> | undefined;
  private textPart: Promise<Session> | undefined;
  private tokenizerPart: Promise<Tokenizer> | undefined;
  private captionerPart: Promise<CaptionerParts> | undefined;
  /** Where each session opened so far runs, and why not on the GPU when it does not. */
  readonly sessions: SessionReport[] = [];

  private constructor(
    readonly dir: string,
    readonly manifest: PackManifest,
    private readonly sessionOptions: Parameters<typeof openSession>[2],
  ) {}

  static async open(dir: string, options: OpenPackOptions = {}): Promise<ModelPack> {
    const manifest = await readManifest(dir);
    return new ModelPack(dir, manifest, { device: options.device ?? 'auto', gpuProviders: options.gpuProviders, intraOpThreads: options.intraOpThreads });
  }

  /** Opens the given parts now (all by default); a part that cannot be opened rejects with why. */
  async load(parts: readonly PackPart[] = ['image', 'text', 'captioner']): Promise<void> {
    await Promise.all(
      parts.map((part) =>
        part === 'image' ? this.imageSession() : part === 'text' ? Promise.all([this.textSession(), this.tokenizer()]) : this.manifest.captioner ? this.captionerParts() : Promise.resolve(),
      ),
    );
  }

  private async openSession(file: string, label: string, inputs: string[], onCpuInAuto?: string): Promise<Session> {
    let opened: Awaited<ReturnType<typeof openSession>>;
    const cpuInstead = onCpuInAuto !== undefined && this.sessionOptions.device === 'auto';
    try {
      opened = await openSession(join(this.dir, file), label, cpuInstead ? { ...this.sessionOptions, device: 'cpu' } : this.sessionOptions);
      if (cpuInstead) opened.report.fallbackReason = onCpuInAuto;
    } catch (error) {
      throw new PackError(`cannot open ${file} of model pack ${this.manifest.id}: ${errorText(error)}`);
    }
    this.sessions.push(opened.report);
    checkInputs(opened.session, inputs, file);
    return opened.session;
  }

  private async loadTokenizer(file: string): Promise<Tokenizer> {
    try {
      // tokenizer_config.json (special tokens, casing) sits beside tokenizer.json in Hugging Face exports.
      const configFile = join(this.dir, dirname(file), 'tokenizer_config.json');
      const config: object = existsSync(configFile) ? (JSON.parse(await readFile(configFile, 'utf8')) as object) : {};
      return new Tokenizer(JSON.parse(await readFile(join(this.dir, file), 'utf8')), config);
    } catch (error) {
      throw new PackError(`cannot read tokenizer ${file} of model pack ${this.manifest.id}: ${errorText(error)}`);
    }
  }

  private imageSession(): Promise<Session> {
    return (this.imagePart ??= this.openSession(this.manifest.image.file, 'image encoder', [this.manifest.image.input]));
  }

  private textSession(): Promise<Session> {
    // One short query at a time: a GPU would add its start-up (and the adapter probe) to every
    // `glimpse search` and gain nothing measurable, so in auto the text encoder stays on the CPU.
    return (this.textPart ??= this.openSession(this.manifest.text.file, 'text encoder', [this.manifest.text.input], 'queries run on the CPU in auto: one short text gains nothing from a GPU'));
  }

  private tokenizer(): Promise<Tokenizer> {
    return (this.tokenizerPart ??= this.loadTokenizer(this.manifest.text.tokenizer));
  }

  private captionerParts(): Promise<CaptionerParts> {
    const c = this.manifest.captioner;
    if (!c) return Promise.reject(new PackError(`model pack ${this.id} has no captioner`));
    return (this.captionerPart ??= (async () => {
      const decoder = await this.openSession(c.decoder, 'caption decoder', [c.inputIds, c.encoderHiddenStates]);
      if (c.cache) checkCache(decoder, c.cache, c.decoder);
      const encoder = c.encoder ? await this.openSession(c.encoder.file, 'caption encoder', [c.encoder.input]) : undefined;
      const tokenizer = c.tokenizer === this.manifest.text.tokenizer ? await this.tokenizer() : await this.loadTokenizer(c.tokenizer);
      return { decoder, ...(encoder ? { encoder } : {}), tokenizer };
    })());
  }

  /** The provider the image encoder runs on, opening it if needed (undefined when it cannot be opened). */
  async imageProvider(): Promise<string | undefined> {
    try {
      await this.imageSession();
    } catch {
      return undefined; // the error is reported where the encoder is used
    }
    return this.sessions.find((s) => s.session === 'image encoder')?.provider;
  }

  get id(): string {
    return this.manifest.id;
  }

  get dimensions(): number {
    return this.manifest.embeddingDim;
  }

  get hasCaptioner(): boolean {
    return this.manifest.captioner !== undefined;
  }

  /** The pixels the image encoder wants. */
  get imageInput(): ModelInputSpec {
    return { size: this.manifest.image.size, resize: this.manifest.image.resize };
  }

  /** The pixels a captioner with its own encoder wants; undefined when captions reuse the search features. */
  get captionInput(): ModelInputSpec | undefined {
    const encoder = this.manifest.captioner?.encoder;
    return encoder ? { size: encoder.size, resize: encoder.resize } : undefined;
  }

  async embedImages(images: RgbPixels[]): Promise<ImageFeatures[]> {
    if (images.length === 0) return [];
    const session = await this.imageSession();
    const batch = fixedBatch(session, this.manifest.image.input);
    if (batch !== undefined && images.length !== batch) {
      const out: ImageFeatures[] = [];
      for (const chunk of inBatches(images, batch)) out.push(...(await this.embedImages(filledTo(chunk, batch))).slice(0, chunk.length));
      return out;
    }
    const spec = this.manifest.image;
    const result = await session.run({ [spec.input]: pixelTensor(images, spec.size, spec.mean, spec.std) });
    const embeds = output(result, spec.embeddingOutput, spec.file);
    const dim = this.manifest.embeddingDim;
    if (embeds.dims[1] !== dim) throw new PackError(`${spec.file} gives ${embeds.dims[1]}-d embeddings, the manifest says ${dim}`);
    const embedData = embeds.data as Float32Array;
    const tokens = spec.tokensOutput ? output(result, spec.tokensOutput, spec.file) : undefined;
    return images.map((_, n) => {
      const features: ImageFeatures = { embedding: l2normalise(embedData.slice(n * dim, (n + 1) * dim)) };
      if (tokens) {
        const [, count, width] = tokens.dims as [number, number, number];
        const size = count * width;
        features.tokens = { data: (tokens.data as Float32Array).slice(n * size, (n + 1) * size), count, width };
      }
      return features;
    });
  }

  /** The padded ids and how many of them are real tokens (pad can equal the end token, as in CLIP). */
  private encodeForModel(tokenizer: Tokenizer, text: string): { ids: number[]; length: number } {
    const { contextLength, padTokenId, clean } = this.manifest.text;
    const cleaned = cleanQuery(text, clean);
    let ids = tokenizer.encode(cleaned).ids;
    if (ids.length > contextLength) ids = truncated(ids, tokenizer.encode(cleaned, { add_special_tokens: false }).ids, contextLength);
    return { ids: [...ids, ...new Array<number>(contextLength - ids.length).fill(padTokenId)], length: ids.length };
  }

  /**
   * Words of `text` the text encoder cannot read: written in a script the manifest does not list
   * (`text.scripts`), or that its tokenizer has no token for: the unknown token, or nothing at all (a
   * word-level vocabulary's normaliser drops what it cannot spell, such as "кошка" or an emoji, which
   * would leave the encoder an empty query). A byte-level BPE tokenizer reads every string, so for such
   * packs the declared scripts are what tells.
   */
  async unknownWords(text: string): Promise<string[]> {
    const tokenizer = await this.tokenizer();
    const scripts = this.manifest.text.scripts;
    const foreign = scripts ? new RegExp(`[^${scripts.map((s) => `\\p{Script=${s}}`).join('')}\\P{L}]`, 'u') : null;
    return text.split(/\s+/).filter((word) => {
      if (!word) return false;
      if (foreign?.test(word)) return true;
      const tokens = tokenizer.encode(word, { add_special_tokens: false }).tokens;
      return tokens.length === 0 || tokens.some((t: string) => UNKNOWN_TOKENS.has(t));
    });
  }

  /** The token ids the text encoder is fed for `text`: cleaned as the pack's training text was, tokenized, cut and padded to its context. */
  async tokenize(text: string): Promise<number[]> {
    return this.encodeForModel(await this.tokenizer(), text).ids;
  }

  async embedTexts(texts: string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const spec = this.manifest.text;
    const [session, tokenizer] = await Promise.all([this.textSession(), this.tokenizer()]);
    const encoded = texts.map((t) => this.encodeForModel(tokenizer, t));
    const maskInput = spec.attentionMaskInput ?? (session.inputNames.includes('attention_mask') ? 'attention_mask' : undefined);
    const dim = this.manifest.embeddingDim;
    const out: Float32Array[] = [];
    const batch = fixedBatch(session, spec.input);
    for (const run of inBatches(encoded, batch)) {
      const chunk = filledTo(run, batch);
      const feeds: Record<string, ort.Tensor> = { [spec.input]: idTensor(chunk.map((e) => e.ids), spec.idType) };
      if (maskInput && session.inputNames.includes(maskInput)) {
        feeds[maskInput] = idTensor(chunk.map(({ ids, length }) => ids.map((_, j) => (j < length ? 1 : 0))), spec.idType);
      }
      const result = await session.run(feeds);
      const data = output(result, spec.embeddingOutput, spec.file).data as Float32Array;
      run.forEach((_, n) => out.push(l2normalise(data.slice(n * dim, (n + 1) * dim))));
    }
    return out;
  }

  /**
   * Captions images. Shared-encoder packs (CoCa) caption from the features `embedImages` already
   * produced; encoder-decoder packs need the image's pixels at `captionInput`'s size.
   */
  async caption(
    items: Array<{ features?: ImageFeatures; pixels?: RgbPixels }>,
    options: { numBeams?: number; maxLength?: number; /** False re-reads the whole prefix each step even where the decoder has a cache (for comparison). */ useCache?: boolean } = {},
  ): Promise<GeneratedCaption[]> {
    const spec = this.manifest.captioner;
    if (!spec) throw new PackError(`model pack ${this.id} has no captioner`);
    if (items.length === 0) return [];
    const captioner = await this.captionerParts();
    let states: Array<{ data: Float32Array; count: number; width: number }>;
    if (spec.encoder && captioner.encoder) {
      const enc = spec.encoder;
      const pixels = items.map((item) => {
        if (!item.pixels) throw new PackError(`the ${this.id} captioner needs the image's pixels`);
        return item.pixels;
      });
      const result = await captioner.encoder.run({ [enc.input]: pixelTensor(pixels, enc.size, enc.mean, enc.std) });
      const hidden = output(result, enc.output, enc.file);
      const [, count, width] = hidden.dims as [number, number, number];
      const size = count * width;
      states = pixels.map((_, n) => ({ data: (hidden.data as Float32Array).slice(n * size, (n + 1) * size), count, width }));
    } else {
      states = items.map((item) => {
        if (!item.features?.tokens) throw new PackError(`the ${this.id} captioner needs the image encoder's tokens`);
        return item.features.tokens;
      });
    }
    const sequences = await this.beamSearch(captioner.decoder, states, options.numBeams ?? spec.numBeams, options.maxLength ?? spec.maxLength, options.useCache !== false);
    return sequences.map((beam) => {
      const words = beam.ids.slice(1).filter((id) => id !== spec.eosTokenId);
      // The tokenizer refuses to decode no ids: a decoder that ends at once has an empty caption.
      const text = words.length > 0 ? captioner.tokenizer.decode(words, { skip_special_tokens: true }).trim() : '';
      return { text, meanLogProb: score(beam), finished: beam.done, ids: beam.ids.slice(1) };
    });
  }

  /**
   * Beam search over the decoder (greedy is one beam). Every step runs the decoder once over all open
   * beams of all images. Without a cache (`decoder_model.onnx`, tiny-coca) each step re-reads the whole
   * prefix. With one (`decoder_model_merged.onnx`), the first step runs the graph's no-past branch
   * (use_cache_branch false, zero-length past tensors, as transformers.js feeds it) and every later step
   * feeds only the newest token of each beam with the `present` rows of the beam it grew from as its past.
   */
  private async beamSearch(decoder: Session, states: Array<{ data: Float32Array; count: number; width: number }>, numBeams: number, maxLength: number, useCache: boolean): Promise<Beam[]> {
    const spec = this.manifest.captioner!;
    const cache = spec.cache;
    const beams: Beam[][] = states.map(() => [{ ids: [spec.bosTokenId], logProb: 0, done: false }]);
    const pastNames = cache ? cacheNames(cache.pastInput, cache.layers) : [];
    const presentNames = cache ? cacheNames(cache.presentOutput, cache.layers) : [];
    let presents: ort.Tensor[] = [];
    for (let step = 1; step < maxLength; step++) {
      const open: Array<{ image: number; beam: Beam }> = [];
      beams.forEach((list, image) => list.forEach((beam) => !beam.done && open.push({ image, beam })));
      if (open.length === 0) break;
      const { count, width } = states[0]!;
      const hidden = new Float32Array(open.length * count * width);
      open.forEach(({ image }, row) => hidden.set(states[image]!.data, row * count * width));
      // Without useCache, a cached decoder runs its no-past branch over the whole prefix every step.
      const cached = useCache && cache !== undefined && step > 1;
      const feeds: Record<string, ort.Tensor> = {
        [spec.inputIds]: idTensor(
          open.map(({ beam }) => (cached ? beam.ids.slice(-1) : beam.ids)),
          'int64',
        ),
        [spec.encoderHiddenStates]: new ort.Tensor('float32', hidden, [open.length, count, width]),
      };
      if (cache) {
        feeds[cache.useCacheBranch] = new ort.Tensor('bool', Uint8Array.of(cached ? 1 : 0), [1]);
        const rows = open.map(({ beam }) => beam.cacheRow!);
        pastNames.forEach((name, j) => {
          feeds[name] = cached ? gatherRows(presents[j]!, rows) : new ort.Tensor('float32', new Float32Array(0), [open.length, cache.heads, 0, cache.headDim]);
        });
      }
      const result = await decoder.run(feeds);
      if (useCache && cache) presents = presentNames.map((name) => output(result, name, spec.decoder));
      const logits = output(result, spec.logits, spec.decoder);
      const [, seq, vocab] = logits.dims as [number, number, number];
      const data = logits.data as Float32Array;
      const candidates: Beam[][] = beams.map((list) => list.filter((b) => b.done));
      open.forEach(({ image, beam }, row) => {
        const offset = (row * seq + seq - 1) * vocab;
        let max = -Infinity;
        for (let v = 0; v < vocab; v++) max = Math.max(max, data[offset + v]!);
        let sum = 0;
        for (let v = 0; v < vocab; v++) sum += Math.exp(data[offset + v]! - max);
        const logZ = max + Math.log(sum);
        // No n-gram twice in one caption (the usual guard against "stars stars stars ..." loops): a token
        // that would repeat one is out of the running for this beam.
        const banned = bannedNextTokens(beam.ids, spec.noRepeatNgramSize);
        for (const token of banned) data[offset + token] = -Infinity;
        const best = topK(data, offset, vocab, numBeams);
        for (const token of best) {
          if (!Number.isFinite(data[offset + token]!)) continue;
          const done = token === spec.eosTokenId;
          candidates[image]!.push({ ids: [...beam.ids, token], logProb: beam.logProb + data[offset + token]! - logZ, done, cacheRow: row });
        }
      });
      candidates.forEach((list, image) => {
        list.sort((a, b) => score(b) - score(a));
        beams[image] = list.slice(0, numBeams);
      });
    }
    return beams.map((list) => [...list].sort((a, b) => score(b) - score(a))[0]!);
  }

  /** Releases the sessions that were opened (one that failed to open has nothing to release). */
  async close(): Promise<void> {
    const opened = await Promise.allSettled([this.imagePart, this.textPart, this.captionerPart]);
    const sessions = opened.flatMap((r) => (r.status === 'fulfilled' && r.value ? ('decoder' in r.value ? [r.value.decoder, r.value.encoder] : [r.value]) : []));
    await Promise.all(sessions.map((session) => session?.release() ?? Promise.resolve()));
  }
}

/** The tokens that would complete an n-gram already in `ids` (none when n is 0). */
export function bannedNextTokens(ids: readonly number[], n: number): Set<number> {
  const banned = new Set<number>();
  if (n <= 0 || ids.length < n) return banned;
  const prefix = ids.slice(ids.length - n + 1);
  for (let i = 0; i + n <= ids.length; i++) {
    let same = true;
    for (let k = 0; k < n - 1 && same; k++) same = ids[i + k] === prefix[k];
    if (same) banned.add(ids[i + n - 1]!);
  }
  return banned;
}

/** Mean log-probability per generated token: the caption's likelihood, independent of its length. */
function score(beam: Beam): number {
  return beam.logProb / beam.ids.length;
}

function topK(data: Float32Array, offset: number, length: number, k: number): number[] {
  const best: number[] = [];
  for (let v = 0; v < length; v++) {
    const value = data[offset + v]!;
    if (best.length < k || value > data[offset + best[best.length - 1]!]!) {
      best.push(v);
      best.sort((a, b) => data[offset + b]! - data[offset + a]!);
      if (best.length > k) best.pop();
    }
  }
  return best;
}
