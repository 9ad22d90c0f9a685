import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { DownloadSize } from '../../../shared/download-size.js';

/** The file every model pack carries at its root. */
export const MANIFEST_FILE = 'glimpse-pack.json';

const relativePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'), 'must be a path inside the pack');

const packFile = z.object({
  path: relativePath,
  /** Bytes; checked after download. */
  size: z.number().int().positive().optional(),
  /** Hex SHA-256; checked after download. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  /** Git's blob SHA-1 (what Hugging Face reports as the ETag of a small, non-LFS file); checked after download. */
  gitSha1: z.string().regex(/^[0-9a-f]{40}$/).optional(),
  /**
   * How the installed copy was verified: against the manifest's pin, or, where the manifest pins nothing,
   * against the hash the server sent (Hugging Face's X-Linked-Etag SHA-256, or the git blob SHA-1 ETag).
   * Written by the downloader into the installed manifest, beside the SHA-256 it measured.
   */
  verifiedBy: z.enum(['manifest', 'server-sha256', 'server-git-sha1']).optional(),
  /** Where to fetch the file when it is not at `path` in the pack's source repository. */
  remote: z.object({ repo: z.string(), revision: z.string(), path: z.string() }).optional(),
});

const imageEncoder = z.object({
  file: relativePath,
  input: z.string(),
  embeddingOutput: z.string(),
  /** Per-patch features that a captioning decoder can attend to (CoCa-style packs). */
  tokensOutput: z.string().optional(),
  size: z.number().int().positive(),
  resize: z.enum(['crop', 'squash', 'letterbox']),
  mean: z.tuple([z.number(), z.number(), z.number()]),
  std: z.tuple([z.number(), z.number(), z.number()]),
  /**
   * The export's own preprocessing file: Hugging Face's `preprocessor_config.json` or open_clip's
   * `preprocess_cfg.json` (Immich's exports). When the pack holds it, its size, resize mode and
   * mean/std are what the encoder is fed (the values above are the fallback for packs without one).
   */
  preprocessor: relativePath.default('preprocessor_config.json'),
});

const rgb = z.tuple([z.number(), z.number(), z.number()]);
const hfSize = z.union([z.number().int().positive(), z.object({ height: z.number().int().positive(), width: z.number().int().positive() }), z.object({ shortest_edge: z.number().int().positive() })]);

/** The parts of a Hugging Face `preprocessor_config.json` (CLIPImageProcessor and kin) that decide the pixels. */
const preprocessorConfig = z.object({
  size: hfSize.optional(),
  crop_size: hfSize.optional(),
  do_center_crop: z.boolean().optional(),
  image_mean: rgb.optional(),
  image_std: rgb.optional(),
  /** Our own key, for packs trained on stretched images (tiny-coca). */
  glimpse_resize_mode: z.enum(['crop', 'squash', 'letterbox']).optional(),
});

/** open_clip's `preprocess_cfg.json` (what `open_clip.get_model_preprocess_cfg` writes; Immich ships it as visual/preprocess_cfg.json). */
const openClipPreprocess = z.object({
  size: z.union([z.number().int().positive(), z.tuple([z.number().int().positive(), z.number().int().positive()])]),
  mean: rgb,
  std: rgb,
  interpolation: z.string().optional(),
  /** open_clip's default for configs written before the key existed is `shortest`. */
  resize_mode: z.enum(['shortest', 'squash', 'longest']).default('shortest'),
});

function squareSide(size: z.infer<typeof hfSize>, where: string): number {
  if (typeof size === 'number') return size;
  if ('shortest_edge' in size) return size.shortest_edge;
  if (size.height !== size.width) throw new PackError(`${where}: a ${size.width}x${size.height} input is not square; Glimpse feeds square inputs`);
  return size.height;
}

/**
 * The image preprocessing a pack's `preprocessor_config.json` describes, over the manifest's values:
 * center-crop configs (CLIP: resize the short edge, crop the middle) are `crop` at `crop_size`;
 * a fixed height x width without a crop is `squash`; mean/std come from `image_mean`/`image_std`.
 */
export function applyPreprocessorConfig(image: PackManifest['image'], json: unknown, where: string): PackManifest['image'] {
  if (json && typeof json === 'object' && ('resize_mode' in json || ('mean' in json && 'std' in json && !('image_mean' in json)))) return applyOpenClipPreprocess(image, json, where);
  const parsed = preprocessorConfig.safeParse(json);
  if (!parsed.success) throw new PackError(`${where}: unreadable preprocessing config: ${parsed.error.issues[0]!.message}`);
  const c = parsed.data;
  const crop = c.do_center_crop === true;
  const sizeSpec = crop ? (c.crop_size ?? c.size) : c.size;
  const size = sizeSpec ? squareSide(sizeSpec, where) : image.size;
  const resize = c.glimpse_resize_mode ?? (crop || (sizeSpec && typeof sizeSpec === 'object' && 'shortest_edge' in sizeSpec) ? 'crop' : sizeSpec ? 'squash' : image.resize);
  return { ...image, size, resize, mean: c.image_mean ?? image.mean, std: c.image_std ?? image.std };
}

/**
 * open_clip's preprocessing: `shortest` resizes the short edge and crops the middle (our `crop`),
 * `squash` stretches (SigLIP), `longest` fits the long edge and pads (our `letterbox`).
 */
function applyOpenClipPreprocess(image: PackManifest['image'], json: object, where: string): PackManifest['image'] {
  const parsed = openClipPreprocess.safeParse(json);
  if (!parsed.success) throw new PackError(`${where}: unreadable preprocessing config: ${parsed.error.issues[0]!.message}`);
  const c = parsed.data;
  const [height, width] = typeof c.size === 'number' ? [c.size, c.size] : c.size;
  if (height !== width) throw new PackError(`${where}: a ${width}x${height} input is not square; Glimpse feeds square inputs`);
  const resize = c.resize_mode === 'shortest' ? 'crop' : c.resize_mode === 'squash' ? 'squash' : 'letterbox';
  return { ...image, size: height, resize, mean: c.mean, std: c.std };
}

const textEncoder = z.object({
  file: relativePath,
  tokenizer: relativePath,
  input: z.string(),
  attentionMaskInput: z.string().optional(),
  embeddingOutput: z.string(),
  contextLength: z.number().int().positive(),
  padTokenId: z.number().int().nonnegative(),
  /** Some exports take int32 token ids (Immich's open_clip exports), most int64. */
  idType: z.enum(['int64', 'int32']).default('int64'),
  /**
   * What is done to a query before the tokenizer reads it. `whitespace`: runs of spaces become one
   * (every pack). `canonicalize`: also drops ASCII punctuation and lower-cases, as SigLIP's text was
   * during training (open_clip's `tokenizer_kwargs.clean: canonicalize`).
   */
  clean: z.enum(['whitespace', 'canonicalize']).default('whitespace'),
  /** Languages the text encoder was trained on (ISO 639-1); "multilingual" packs list many. */
  languages: z.array(z.string()).default(['en']),
  /**
   * The writing systems the text encoder was trained on (Unicode script names: "Latin", "Cyrillic",
   * "Han"...): a query word in letters of another script is unknown to the pack, and is not searched
   * by how photos look. That is the signal for a byte-level BPE tokenizer, which turns every string into
   * tokens; a word-level vocabulary also says so itself, by its unknown token. Absent: any script.
   */
  scripts: z
    .array(z.string().refine((name) => isScript(name), 'must be a Unicode script name, such as Latin or Cyrillic'))
    .optional(),
});

function isScript(name: string): boolean {
  try {
    new RegExp(`\\p{Script=${name}}`, 'u');
    return true;
  } catch {
    return false;
  }
}

/** A tensor-name template: `{layer}` is the layer number, `{kv}` is `key` or `value`. */
const perLayerName = z.string().refine((s) => s.includes('{layer}') && s.includes('{kv}'), 'must contain {layer} and {kv}');

const kvCache = z.object({
  /** The merged graph's branch switch: a bool [1], false on the first step (no past yet), true after. */
  useCacheBranch: z.string().default('use_cache_branch'),
  pastInput: perLayerName.default('past_key_values.{layer}.{kv}'),
  presentOutput: perLayerName.default('present.{layer}.{kv}'),
  /** Decoder layers (one key and one value tensor each), attention heads, and width per head. */
  layers: z.number().int().positive(),
  heads: z.number().int().positive(),
  headDim: z.number().int().positive(),
});

const captioner = z.object({
  /**
   * `shared-encoder`: the decoder attends to the image encoder's `tokensOutput` (CoCa), so one image pass
   * serves search and captions. `encoder-decoder`: the captioner has its own image encoder (vit-gpt2).
   */
  kind: z.enum(['shared-encoder', 'encoder-decoder']),
  encoder: z
    .object({ file: relativePath, input: z.string(), output: z.string(), size: z.number().int().positive(), resize: z.enum(['crop', 'squash', 'letterbox']), mean: z.tuple([z.number(), z.number(), z.number()]), std: z.tuple([z.number(), z.number(), z.number()]) })
    .optional(),
  decoder: relativePath,
  tokenizer: relativePath,
  inputIds: z.string(),
  encoderHiddenStates: z.string(),
  logits: z.string(),
  /**
   * The decoder's key-value cache, for a decoder exported with past inputs (Optimum's
   * `decoder_model_merged.onnx`): each step after the first feeds only the newest token and the
   * previous step's `present` tensors as `past_key_values`. Absent: the decoder takes the whole prefix
   * every step (`decoder_model.onnx`). Declared here (the graph's input names say which tensors exist,
   * not what they mean) and checked against the session's input metadata when it opens.
   */
  cache: kvCache.optional(),
  bosTokenId: z.number().int().nonnegative(),
  eosTokenId: z.number().int().nonnegative(),
  maxLength: z.number().int().positive(),
  numBeams: z.number().int().positive().default(1),
  /** No n-gram of this size twice in a caption (0: no guard). Hugging Face's `no_repeat_ngram_size`. */
  noRepeatNgramSize: z.number().int().nonnegative().default(3),
  /**
   * When a caption is shown: its mean token log-probability and its image-text agreement (the cosine of
   * the pack's own image and text embeddings) must both reach these. Calibrated per pack on held-out
   * photos (`calibratedOn` says how); a pack without them shows every finished caption.
   */
  confidence: z
    .object({
      minMeanLogProb: z.number().optional(),
      minAgreement: z.number().optional(),
      calibratedOn: z.string(),
    })
    .optional(),
});

export const packManifestSchema = z
  .object({
    format: z.literal(1),
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
    name: z.string(),
    description: z.string().default(''),
    licence: z.string(),
    source: z.object({
      url: z.string(),
      /** A commit or tag; downloads are pinned to it. */
      revision: z.string(),
    }),
    /**
     * For developers, never shown to users: what this manifest pins (revision, sizes, hashes), what it
     * leaves to the server, and why. `description` is what a user reads: what the pack does.
     */
    pinning: z.string().optional(),
    /**
     * About how much the download weighs, for people (the app and `glimpse models` show it), where `files`
     * do not pin every size: a figure from the sizes the source lists for these files, shown rounded
     * ("about 1.6 GB"). `source` (for developers) says where the sizes were read. Never checked against a
     * download: a file's own `size` is.
     */
    downloadSize: z.object({ about: z.number().int().positive(), source: z.string() }).optional(),
    /**
     * How well the pack finds photos, as published for this export (people read it when choosing a
     * pack, and `recommendedPack` compares packs measured on the same benchmark; search never reads it).
     * `recall`: language code -> percent.
     */
    quality: z
      .object({
        benchmark: z.string(),
        source: z.string(),
        recall: z.record(z.string(), z.number().min(0).max(100)),
      })
      .optional(),
    /**
     * What indexing and searching with the pack costs on this project's reference machine (2 x86 cores,
     * the CPU every user's fresh machine has): milliseconds of image encoder per photo and of text
     * encoder per query, measured by `npm run bench -- --packs` on exports of the real architecture at
     * the real size (the weights do not change the cost). `measuredOn` says when and how.
     */
    cost: z
      .object({
        msPerPhoto: z.number().positive(),
        msPerQuery: z.number().positive(),
        measuredOn: z.string(),
      })
      .optional(),
    embeddingDim: z.number().int().positive(),
    /** Multiplier of cosine similarity that the model was trained with (CLIP's exp(t)); turns similarities into logits. */
    logitScale: z.number().positive().default(100),
    image: imageEncoder,
    text: textEncoder,
    captioner: captioner.optional(),
    /**
     * The relevance cutoff, calibrated for this pack on held-out queries: P(a photo matches) is
     * sigmoid(intercept + similarity * s + gapToBest * (best - s) + keywordTogether * [its text holds the
     * query's words together] + queryHasKeywordTogether * [some photo's does]) over a query's candidates,
     * and a photo is shown when P reaches `threshold`. Without it, search uses a generic cutoff (Otsu's split of the
     * similarities, widened by a band from the model's temperature).
     */
    search: z
      .object({
        calibration: z
          .object({
            intercept: z.number(),
            similarity: z.number(),
            gapToBest: z.number(),
            /** Weight of "the query's words stand together in this photo's text". */
            keywordTogether: z.number().default(0),
            /** Weight of "some photo's text holds the query's words together" (then the others are less likely to match). */
            queryHasKeywordTogether: z.number().default(0),
            threshold: z.number().min(0).max(1),
            calibratedOn: z.string(),
          })
          .optional(),
      })
      .optional(),
    files: z.array(packFile).min(1),
  })
  .superRefine((m, ctx) => {
    const listed = new Set(m.files.map((f) => f.path));
    const needed = [m.image.file, m.text.file, m.text.tokenizer];
    if (m.captioner) needed.push(m.captioner.decoder, m.captioner.tokenizer, ...(m.captioner.encoder ? [m.captioner.encoder.file] : []));
    for (const path of needed) if (!listed.has(path)) ctx.addIssue({ code: 'custom', message: `${path} is used but not listed in files` });
    if (m.captioner?.kind === 'shared-encoder' && !m.image.tokensOutput)
      ctx.addIssue({ code: 'custom', message: 'a shared-encoder captioner needs image.tokensOutput' });
    if (m.captioner?.kind === 'encoder-decoder' && !m.captioner.encoder)
      ctx.addIssue({ code: 'custom', message: 'an encoder-decoder captioner needs captioner.encoder' });
  });

export type PackManifest = z.infer<typeof packManifestSchema>;

/** What downloading the pack weighs: exact when every file's size is pinned, else the manifest's rounded figure; null when unknown. */
export function packDownloadSize(manifest: Pick<PackManifest, 'files' | 'downloadSize'>): DownloadSize | null {
  if (manifest.files.every((f) => f.size !== undefined)) return { bytes: manifest.files.reduce((sum, f) => sum + f.size!, 0), exact: true };
  return manifest.downloadSize ? { bytes: manifest.downloadSize.about, exact: false } : null;
}
export type PackFile = PackManifest['files'][number];

export class PackError extends Error {
  override name = 'PackError';
}

/** Parses and validates a manifest; the message names the first problem in plain words. */
export function parseManifest(json: unknown, where: string): PackManifest {
  const result = packManifestSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const at = issue.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new PackError(`${where}: invalid model pack manifest${at}: ${issue.message}`);
  }
  return result.data;
}

export async function readManifest(packDir: string): Promise<PackManifest> {
  const path = join(packDir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new PackError(`${packDir} is not a model pack: ${MANIFEST_FILE} is missing`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PackError(`${path} is not valid JSON`);
  }
  const manifest = parseManifest(json, path);
  const preprocessor = join(packDir, manifest.image.preprocessor);
  let config: string;
  try {
    config = await readFile(preprocessor, 'utf8');
  } catch {
    return manifest; // no preprocessing file: the manifest's values
  }
  try {
    json = JSON.parse(config);
  } catch {
    throw new PackError(`${preprocessor} is not valid JSON`);
  }
  return { ...manifest, image: applyPreprocessorConfig(manifest.image, json, preprocessor) };
}
