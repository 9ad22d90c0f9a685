// The WebGPU path, run for real on SwiftShader: a software Vulkan device that Debian's chromium package
// ships (CI installs it, with the Vulkan loader, libvulkan1). onnxruntime's WebGPU provider (Dawn) and
// our adapter probe both read VK_ICD_FILENAMES when they first start, which is after this line.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ort from 'onnxruntime-node';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { preparePhoto } from '../../../../src/main/engine/media/photo.js';
import { type ImageFeatures, ModelPack } from '../../../../src/main/engine/models/pack.js';
import { openSession, probeWebgpuAdapter } from '../../../../src/main/engine/models/providers.js';
import { renderScene } from '../../../../src/scenes/render.js';
import { writeSampleLibrary } from '../../../../src/scenes/sample-library.js';
import { searchParams } from '../../../../src/shared/api.js';
import { scene, tempDir } from '../../../fixtures.js';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
const VULKAN_LOADER = '/usr/lib/x86_64-linux-gnu/libvulkan.so.1';
process.env.VK_ICD_FILENAMES = SWIFTSHADER;
process.env.XDG_RUNTIME_DIR ??= tmpdir();

const TINY_COCA = fileURLToPath(new URL('../../../../models/tiny-coca', import.meta.url));
const missing = [SWIFTSHADER, VULKAN_LOADER].filter((f) => !existsSync(f));
// CI installs both (.ci/run); elsewhere the suite says what to install instead of failing.
const skip = missing.length && !process.env.CI ? `needs ${missing.join(' and ')} (apt install chromium libvulkan1)` : false;

// Tolerances. Both providers compute in fp32, so the only difference is the order of summation in
// matrix products and reductions: measured at 1.2e-7 (embeddings), 5e-6 (encoder tokens, values up to
// about 4.4) and about 1e-6 relative in logits. Each bound is about 100x what was measured, and still
// orders of magnitude below what separates two different photos (cosines between distinct scenes differ
// by more than 1e-2), so a bound that holds means the same ranking and the same captions.
const EMBEDDING_TOLERANCE = 1e-5;
const TOKEN_TOLERANCE = 5e-4;
const LOGIT_TOLERANCE = 1e-3;

const SCENES = [
  scene([['red', 'circle']], 'grass', 'left', 11),
  scene([['blue', 'star', 2]], 'sand', 'right', 12),
  scene([['yellow', 'triangle']], 'night', 'top', 13),
  scene([['purple', 'square']], 'sky', 'bottom', 14),
];

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe('WebGPU on a software adapter (SwiftShader)', { skip }, () => {
  let cpu: ModelPack;
  let gpu: ModelPack;
  let cpuFeatures: ImageFeatures[];
  const tmp = tempDir();

  before(async () => {
    cpu = await ModelPack.open(TINY_COCA, { device: 'cpu' });
    gpu = await ModelPack.open(TINY_COCA, { device: 'webgpu' });
    await gpu.load();
    const inputs = await Promise.all(
      SCENES.map(async (s) => (await preparePhoto(await renderScene(s, { width: 640, height: 480, quality: 85 }), [cpu.imageInput])).inputs[0]!),
    );
    cpuFeatures = await cpu.embedImages(inputs);
    const gpuFeatures = await gpu.embedImages(inputs);
    imagePairs = cpuFeatures.map((f, i) => [f, gpuFeatures[i]!]);
  });
  let imagePairs: Array<[ImageFeatures, ImageFeatures]> = [];
  after(async () => {
    await cpu.close();
    await gpu.close();
    tmp.remove();
  });

  it('the probe names the adapter and knows it is software', async () => {
    const adapter = await probeWebgpuAdapter();
    assert.notEqual(typeof adapter, 'string', `no adapter: ${String(adapter)}`);
    if (typeof adapter === 'string') return;
    assert.match(`${adapter.description} ${adapter.architecture}`, /swiftshader/i);
    assert.equal(adapter.backend, 'vulkan');
    assert.equal(adapter.software, true);
  });

  it('a forced provider runs every session of the pack on WebGPU, on that adapter', () => {
    assert.deepEqual(
      gpu.sessions.map((s) => [s.session, s.provider]),
      [
        ['image encoder', 'webgpu'],
        ['text encoder', 'webgpu'],
        ['caption decoder', 'webgpu'],
      ],
    );
    for (const s of gpu.sessions) assert.match(s.adapter?.description ?? '', /swiftshader/i);
  });

  it('auto skips a software adapter for the CPU and says why', async () => {
    const auto = await ModelPack.open(TINY_COCA, { device: 'auto' });
    try {
      await auto.load(['image']);
      const [image] = auto.sessions;
      assert.equal(image?.provider, 'cpu');
      assert.match(image?.fallbackReason ?? '', /webgpu: the only adapter is SwiftShader.*software.*slower than the CPU/i);
      assert.match(image?.fallbackReason ?? '', /cuda: .*not installed/);
    } finally {
      await auto.close();
    }
  });

  it('the vision encoder gives the CPU provider its embeddings and tokens', () => {
    for (const [c, g] of imagePairs) {
      assert.ok(maxAbsDifference(c.embedding, g.embedding) <= EMBEDDING_TOLERANCE, `embedding differs by ${maxAbsDifference(c.embedding, g.embedding)}`);
      assert.ok(maxAbsDifference(c.tokens!.data, g.tokens!.data) <= TOKEN_TOLERANCE, `tokens differ by ${maxAbsDifference(c.tokens!.data, g.tokens!.data)}`);
    }
  });

  it('the text encoder gives the CPU provider its embeddings', async () => {
    const texts = ['a red circle on grass', 'two blue stars', 'yellow', 'triangles that are yellow at night'];
    const [c, g] = [await cpu.embedTexts(texts), await gpu.embedTexts(texts)];
    c.forEach((v, i) => assert.ok(maxAbsDifference(v, g[i]!) <= EMBEDDING_TOLERANCE, `"${texts[i]}" differs by ${maxAbsDifference(v, g[i]!)}`));
  });

  it('the caption decoder gives the same logits and the same captions', async () => {
    const decoderFile = join(TINY_COCA, 'onnx/decoder_model.onnx');
    const [onCpu, onGpu] = await Promise.all([openSession(decoderFile, 'decoder', { device: 'cpu' }), openSession(decoderFile, 'decoder', { device: 'webgpu' })]);
    try {
      assert.equal(onGpu.report.provider, 'webgpu');
      const { count, width } = cpuFeatures[0]!.tokens!;
      const hidden = new Float32Array(cpuFeatures.length * count * width);
      cpuFeatures.forEach((f, i) => hidden.set(f.tokens!.data, i * count * width));
      // Every image with the same prefix: start token, "a", and one more word.
      const ids = new BigInt64Array(cpuFeatures.flatMap(() => [1n, 3n, 7n]));
      const feeds = { input_ids: new ort.Tensor('int64', ids, [cpuFeatures.length, 3]), encoder_hidden_states: new ort.Tensor('float32', hidden, [cpuFeatures.length, count, width]) };
      const [a, b] = [await onCpu.session.run(feeds), await onGpu.session.run(feeds)];
      const diff = maxAbsDifference(a.logits!.data as Float32Array, b.logits!.data as Float32Array);
      assert.ok(diff <= LOGIT_TOLERANCE, `logits differ by ${diff}`);
    } finally {
      await onCpu.session.release();
      await onGpu.session.release();
    }
    const captions = async (pack: ModelPack) => (await pack.caption(cpuFeatures.map((features) => ({ features })))).map((c) => c.text);
    const [c, g] = [await captions(cpu), await captions(gpu)];
    assert.deepEqual(g, c);
    assert.match(c[0]!, /red circle/, 'and they describe the photo');
  });

  it('the engine indexes a library on WebGPU and ranks it as it does on the CPU', { timeout: 300_000 }, async () => {
    const photos = join(tmp.path, 'Photos');
    await writeSampleLibrary(photos, { count: 16, width: 320, height: 240 });
    const rankings = async (device: 'cpu' | 'webgpu') => {
      const engine = await GlimpseEngine.open({ dataDir: join(tmp.path, `data-${device}`), device, captions: false, ocr: false });
      try {
        engine.addFolder(photos);
        const summary = await engine.update();
        assert.equal(summary.indexing.errors, 0);
        const providers = engine.status().model.sessions.map((s) => [s.session, s.provider]);
        assert.deepEqual(new Set(providers.map(([, p]) => p)), new Set([device]), `sessions ${JSON.stringify(providers)}`);
        const byQuery: string[][] = [];
        for (const query of ['a red circle', 'a blue star on sand', 'two squares', 'a triangle at night', 'green'])
          byQuery.push((await engine.search(searchParams.parse({ query, limit: 5 }))).results.map((r) => r.path));
        return byQuery;
      } finally {
        await engine.close();
      }
    };
    assert.deepEqual(await rankings('webgpu'), await rankings('cpu'));
  });
});

describe('WebGPU with no usable driver (a real failure, not a mock)', { skip }, () => {
  const run = promisify(execFile);
  // A fresh process, because the driver is chosen once per process: here the ICD file names nothing.
  const inChild = async (device: string) => {
    const script = `
      const { ModelPack } = await import(${JSON.stringify(new URL('../../../../src/main/engine/models/pack.ts', import.meta.url).href)});
      const pack = await ModelPack.open(${JSON.stringify(TINY_COCA)}, { device: ${JSON.stringify(device)} });
      try { await pack.load(['image']); console.log(JSON.stringify(pack.sessions)); }
      catch (error) { console.log(JSON.stringify({ error: error.message })); }
      await pack.close();`;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, VK_ICD_FILENAMES: join(tmpdir(), 'no-such-vulkan-driver.json') },
    });
    return JSON.parse(stdout.trim().split('\n').pop()!) as unknown;
  };

  it('auto falls back to the CPU and names the missing adapter', async () => {
    const [image] = (await inChild('auto')) as Array<{ provider: string; fallbackReason: string }>;
    assert.equal(image?.provider, 'cpu');
    assert.match(image?.fallbackReason ?? '', /webgpu: no vulkan adapter/);
  });

  it('a forced WebGPU refuses to start and says why', async () => {
    const result = (await inChild('webgpu')) as { error?: string };
    assert.match(result.error ?? '', /the webgpu provider could not open image encoder .*no vulkan adapter/);
  });
});
