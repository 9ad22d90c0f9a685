import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ModelPack } from '../../../../src/main/engine/models/pack.js';
import { preparePhoto } from '../../../../src/main/engine/media/photo.js';
import { renderScene } from '../../../../src/scenes/render.js';
import { captionOf } from '../../../../src/scenes/scene.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyPreprocessorConfig } from '../../../../src/main/engine/models/manifest.js';
import { installPackCopy, scene, tempDir } from '../../../fixtures.js';

const TINY_COCA = fileURLToPath(new URL('../../../../models/tiny-coca', import.meta.url));

const SCENES = [
  scene([['red', 'circle']], 'grass', 'left', 11),
  scene([['blue', 'star']], 'sand', 'right', 12),
  scene([['yellow', 'triangle']], 'night', 'top', 13),
  scene([['purple', 'square']], 'sky', 'bottom', 14),
  scene([['white', 'diamond']], 'grass', 'middle', 15),
  scene([['orange', 'circle', 2]], 'plain', 'middle', 16),
];

function dot(a: Float32Array, b: Float32Array): number {
  return a.reduce((s, x, i) => s + x * b[i]!, 0);
}

describe('tiny-coca through the pack loader', () => {
  let pack: ModelPack;
  let features: Awaited<ReturnType<ModelPack['embedImages']>>;

  before(async () => {
    pack = await ModelPack.open(TINY_COCA, { device: 'cpu' });
    const inputs = await Promise.all(
      SCENES.map(async (s, i) => (await preparePhoto(await renderScene(s, { width: 1200 + i * 40, height: 900, quality: 85 }), [pack.imageInput])).inputs[0]!),
    );
    features = await pack.embedImages(inputs);
  });
  after(() => pack.close());

  it('ranks each scene first for its own caption, among real JPEGs', async () => {
    const texts = await pack.embedTexts(SCENES.map(captionOf));
    texts.forEach((t, q) => {
      const scores = features.map((f) => dot(f.embedding, t));
      const best = scores.indexOf(Math.max(...scores));
      assert.equal(best, q, `"${captionOf(SCENES[q]!)}" ranked scene ${best} first (scores ${scores.map((s) => s.toFixed(3)).join(', ')})`);
    });
  });

  it('ranks the right scene first for a short query ("red circle", "a blue star")', async () => {
    const [red, blue] = await pack.embedTexts(['red circle', 'a blue star']);
    const best = (t: Float32Array) => features.map((f) => dot(f.embedding, t)).reduce((b, s, i, all) => (s > all[b]! ? i : b), 0);
    assert.equal(best(red!), 0);
    assert.equal(best(blue!), 1);
  });

  it('captions a scene with the right colour and shape words', async () => {
    const captions = (await pack.caption(features.map((f) => ({ features: f })))).map((c) => c.text);
    SCENES.forEach((s, i) => {
      const g = s.groups[0]!;
      assert.match(captions[i]!, new RegExp(`\\b${g.colour} ${g.shape}`), `caption "${captions[i]}" for "${captionOf(s)}"`);
    });
  });

  it('gives the same caption with beam search as greedy for a clear scene, or a better-scored one', async () => {
    const [greedy] = await pack.caption([{ features: features[0]! }], { numBeams: 1 });
    const [beam] = await pack.caption([{ features: features[0]! }], { numBeams: 3 });
    assert.match(greedy!.text, /red circle/);
    assert.match(beam!.text, /red circle/);
    assert.ok(greedy!.finished && beam!.finished, 'both end with the end token');
  });

  it('returns L2-normalised embeddings of the manifest dimension', () => {
    for (const f of features) {
      assert.equal(f.embedding.length, pack.dimensions);
      assert.ok(Math.abs(dot(f.embedding, f.embedding) - 1) < 1e-4);
    }
  });
});

describe('opening a pack', () => {
  it('opens no session until one is needed, and only the one needed', async () => {
    const pack = await ModelPack.open(TINY_COCA, { device: 'cpu' });
    try {
      assert.equal(pack.sessions.length, 0, 'reading the manifest opens nothing');
      await pack.embedTexts(['a red circle']);
      assert.deepEqual(pack.sessions.map((s) => s.session), ['text encoder'], 'a text query opens the text encoder only');
      await pack.embedTexts(['a blue square']);
      assert.equal(pack.sessions.length, 1, 'and only once');
    } finally {
      await pack.close();
    }
  });
});

describe('execution providers', () => {
  it('falls back to the CPU with the reason recorded when the GPU provider cannot load', async () => {
    const pack = await ModelPack.open(TINY_COCA, { device: 'auto', gpuProviders: ['cuda-not-here'] });
    try {
      await pack.load();
      assert.equal(pack.sessions.length, 3);
      for (const s of pack.sessions) {
        assert.equal(s.provider, 'cpu');
        // Queries stay on the CPU in auto whatever the GPU: one short text gains nothing from it.
        assert.match(s.fallbackReason ?? '', s.session === 'text encoder' ? /queries run on the CPU in auto/ : /cuda-not-here/);
      }
    } finally {
      await pack.close();
    }
  });

  it('refuses to start when only the GPU is allowed and none loads', async () => {
    const pack = await ModelPack.open(TINY_COCA, { device: 'gpu', gpuProviders: ['cuda-not-here'] });
    await assert.rejects(pack.load(), /no GPU provider could open/);
    await assert.rejects(pack.embedTexts(['a red circle']), /no GPU provider could open/, 'and says so again on use');
    await pack.close();
  });

  it('records that the CPU was asked for', async () => {
    const pack = await ModelPack.open(TINY_COCA, { device: 'cpu' });
    try {
      await pack.load();
      assert.equal(pack.sessions.length, 3);
      assert.deepEqual(new Set(pack.sessions.map((s) => s.fallbackReason)), new Set(['CPU requested']));
    } finally {
      await pack.close();
    }
  });
});

describe("a pack's own preprocessing file", () => {
  it('reads the Hugging Face forms of size, crop and mean/std', () => {
    const base = { file: 'v.onnx', input: 'pixel_values', embeddingOutput: 'image_embeds', size: 1, resize: 'letterbox' as const, mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number], preprocessor: 'p.json' };
    const clip = applyPreprocessorConfig(base, { size: { shortest_edge: 224 }, crop_size: { height: 224, width: 224 }, do_center_crop: true, image_mean: [0.48145466, 0.4578275, 0.40821073], image_std: [0.26862954, 0.26130258, 0.27577711] }, 'clip');
    assert.deepEqual([clip.size, clip.resize, clip.mean[0], clip.std[2]], [224, 'crop', 0.48145466, 0.27577711]);
    const siglip = applyPreprocessorConfig(base, { size: { height: 384, width: 384 }, do_center_crop: false, image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5] }, 'siglip');
    assert.deepEqual([siglip.size, siglip.resize, siglip.mean], [384, 'squash', [0.5, 0.5, 0.5]]);
    assert.deepEqual(applyPreprocessorConfig(base, {}, 'empty'), base, 'what the file does not say, the manifest says');
    assert.throws(() => applyPreprocessorConfig(base, { size: { height: 224, width: 320 } }, 'wide'), /not square/);
    assert.throws(() => applyPreprocessorConfig(base, { image_mean: [0.5, 0.5] }, 'short'), /unreadable preprocessing config/);
  });

  it('is what the encoder is fed: a pack whose file says other mean/std embeds the same photo differently', async () => {
    const tmp = tempDir();
    try {
      const dir = await installPackCopy(tmp.path, 'tiny-coca-grey');
      const configFile = join(dir, 'preprocessor_config.json');
      const config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
      writeFileSync(configFile, JSON.stringify({ ...config, image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5] }));
      const [original, grey] = await Promise.all([ModelPack.open(TINY_COCA, { device: 'cpu' }), ModelPack.open(dir, { device: 'cpu' })]);
      try {
        assert.deepEqual(original.manifest.image.mean, [0.48145466, 0.4578275, 0.40821073], "the bundled pack's file agrees with its manifest");
        assert.deepEqual(grey.manifest.image.mean, [0.5, 0.5, 0.5]);
        const photo = await preparePhoto(await renderScene(SCENES[0]!, { width: 320, height: 240 }), [original.imageInput]);
        const [a] = await original.embedImages(photo.inputs);
        const [b] = await grey.embedImages(photo.inputs);
        assert.ok(dot(a!.embedding, b!.embedding) < 0.9999, 'the other normalisation changes the embedding');
      } finally {
        await Promise.all([original.close(), grey.close()]);
      }
    } finally {
      tmp.remove();
    }
  });
});
