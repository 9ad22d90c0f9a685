// The real-size stand-in for benchmarks: torchvision's ViT-B/32 with random weights (bench/export-vit-b32.py),
// made into a pack with tiny-coca's text side (unused while indexing), so throughput is measured at the
// real model's cost.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type PackManifest, MANIFEST_FILE } from '../src/main/engine/models/manifest.js';
import { catalogueOfPacks } from '../src/main/engine/models/store.js';

const TINY = resolve('models/tiny-coca');

/** Exports the encoder into `vitDir` once (Debian's python3-torch); false when it cannot be. */
export function exportVit(vitDir: string): boolean {
  if (existsSync(join(vitDir, 'vision_model.onnx'))) return true;
  return spawnSync('/usr/bin/python3', ['bench/export-vit-b32.py', vitDir], { stdio: 'inherit' }).status === 0;
}

/** A pack that pairs the ViT-B/32 stand-in image encoder with tiny-coca's text side (unused while indexing). */
export function standInPack(packsDir: string, vitDir: string): void {
  const dir = join(packsDir, 'vit-b32-standin');
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  for (const f of ['onnx/text_model.onnx', 'tokenizer.json']) writeFileSync(join(dir, f), readFileSync(join(TINY, f)));
  writeFileSync(join(dir, 'onnx/vision_model.onnx'), readFileSync(join(vitDir, 'vision_model.onnx')));
  const manifest = {
    format: 1,
    id: 'vit-b32-standin',
    name: 'ViT-B/32 stand-in (random weights, benchmark only)',
    licence: 'BSD-3-Clause (torchvision architecture)',
    source: { url: 'bench/export-vit-b32.py', revision: 'local' },
    embeddingDim: 512,
    image: {
      file: 'onnx/vision_model.onnx',
      input: 'pixel_values',
      embeddingOutput: 'image_embeds',
      size: 224,
      resize: 'crop',
      mean: [0.48145466, 0.4578275, 0.40821073],
      std: [0.26862954, 0.26130258, 0.27577711],
    },
    text: { file: 'onnx/text_model.onnx', tokenizer: 'tokenizer.json', input: 'input_ids', embeddingOutput: 'text_embeds', contextLength: 24, padTokenId: 0 },
    files: [{ path: 'onnx/vision_model.onnx' }, { path: 'onnx/text_model.onnx' }, { path: 'tokenizer.json' }],
  };
  writeFileSync(join(dir, 'glimpse-pack.json'), JSON.stringify(manifest, null, 2));
}

/**
 * The catalogue's clip-vit-b32 pack (CLIP ViT-B/32 + vit-gpt2 captions, decoded with the key-value
 * cache) assembled from the stand-in export (`scripts/export-stand-in-packs.py`, which the stand-in
 * test runs into .cache/stand-in-packs): real sizes, random weights. False when there is no export.
 */
export async function captioningStandInPack(packsDir: string): Promise<string | false> {
  const standIns = resolve('.cache/stand-in-packs');
  if (!existsSync(join(standIns, 'info.json'))) return false;
  const manifest = (await catalogueOfPacks()).find((m) => m.id === 'clip-vit-b32') as PackManifest;
  const main = /huggingface\.co\/(.+)$/.exec(manifest.source.url)![1]!;
  const dir = join(packsDir, manifest.id);
  for (const f of manifest.files) {
    const repo = (f.remote?.repo ?? main).split('/')[1]!;
    const target = join(dir, f.path);
    mkdirSync(dirname(target), { recursive: true });
    if (!existsSync(target)) copyFileSync(join(standIns, repo, f.remote?.path ?? f.path), target);
  }
  writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
  return manifest.id;
}
