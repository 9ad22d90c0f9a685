// OCR on the GPU path: the PP-OCRv4 detector, classifier and recogniser opened through the same provider
// chain as the search models, forced onto WebGPU on SwiftShader (a software Vulkan device that Debian's
// chromium ships; see webgpu.test.ts), read a photo as they do on the CPU. VK_ICD_FILENAMES is read
// when Dawn first starts, which is after this line.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { preparePhoto } from '../../../../src/main/engine/media/photo.js';
import { locateOcrPack, readOcrManifest } from '../../../../src/main/engine/ocr/ocr-pack.js';
import { TextReader } from '../../../../src/main/engine/ocr/text-reader.js';
import { writtenPhoto } from '../../../../src/scenes/text-photos.js';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
const VULKAN_LOADER = '/usr/lib/x86_64-linux-gnu/libvulkan.so.1';
process.env.VK_ICD_FILENAMES = SWIFTSHADER;
process.env.XDG_RUNTIME_DIR ??= tmpdir();
const missing = [SWIFTSHADER, VULKAN_LOADER].filter((f) => !existsSync(f));
const skip = missing.length && !process.env.CI ? `needs ${missing.join(' and ')} (apt install chromium libvulkan1)` : false;

describe('OCR on WebGPU (SwiftShader)', { skip }, () => {
  it('reads a sign as the CPU does, with the sessions on the WebGPU provider', async () => {
    const manifest = await readOcrManifest();
    // Small, so the software device gets through it quickly: the detector at 320 px.
    const small = { ...manifest, detector: { ...manifest.detector, maxSide: 320 }, readSide: 480 };
    const dir = await locateOcrPack(manifest);
    const photo = await writtenPhoto({ layout: 'sign', lines: ['OPEN DAILY'], fontSize: 48, width: 480, height: 360, seed: 5 });
    const { readImage } = await preparePhoto(photo.bytes, [], { readSide: small.readSide });
    const cpu = await TextReader.open(small, dir, { device: 'cpu' });
    const gpu = await TextReader.open(small, dir, { device: 'webgpu' });
    try {
      assert.deepEqual(
        gpu.sessions.map((s) => s.provider),
        ['webgpu', 'webgpu', 'webgpu'],
      );
      const [onCpu, onGpu] = [await cpu.read(readImage!), await gpu.read(readImage!)];
      assert.deepEqual(
        onCpu.map((l) => l.text),
        ['OPEN DAILY'],
      );
      assert.deepEqual(
        onGpu.map((l) => l.text),
        onCpu.map((l) => l.text),
      );
      for (const [i, line] of onGpu.entries()) {
        assert.ok(Math.abs(line.confidence - onCpu[i]!.confidence) < 1e-3, `confidence ${line.confidence} vs ${onCpu[i]!.confidence}`);
        line.box.forEach((p, k) => assert.ok(Math.abs(p.x - onCpu[i]!.box[k]!.x) < 0.01 && Math.abs(p.y - onCpu[i]!.box[k]!.y) < 0.01, 'the same box'));
      }
    } finally {
      await Promise.all([cpu.release(), gpu.release()]);
    }
  });
});
