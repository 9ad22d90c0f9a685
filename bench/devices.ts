// Image-encoder throughput on each execution provider, in one process, the same graph and the same
// batches: the CPU provider as the baseline, then each named GPU provider (forced, so a software adapter is
// measured too, and labelled so). `npm run bench` runs it; on a machine with a GPU run it alone:
//
//   npx tsx bench/devices.ts --model models/tiny-coca/onnx/vision_model.onnx --size 64 --batches 1,8,32
//   npx tsx bench/devices.ts --model .cache/bench/vit-b32/vision_model.onnx --size 224 --batches 1,32,128 --providers cpu,webgpu,cuda
//
// Prints one JSON object: per provider, the adapter and images/s at each batch size.
import ort from 'onnxruntime-node';
import { adapterName, openSession } from '../src/main/engine/models/providers.js';
import type { DevicePreference } from '../src/main/engine/core/device-preference.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const model = arg('model', 'models/tiny-coca/onnx/vision_model.onnx');
const size = Number(arg('size', '64'));
const batches = arg('batches', '1,8').split(',').map(Number);
const providers = arg('providers', 'cpu,webgpu').split(',') as DevicePreference[];
const seconds = Number(arg('seconds', '3'));

interface ProviderResult {
  provider: string;
  adapter: string | null;
  software: boolean;
  imagesPerSecond: Record<number, number>;
  error?: string;
}

const results: ProviderResult[] = [];
for (const device of providers) {
  let opened: Awaited<ReturnType<typeof openSession>>;
  try {
    opened = await openSession(model, 'image encoder', { device });
  } catch (error) {
    results.push({ provider: device, adapter: null, software: false, imagesPerSecond: {}, error: (error as Error).message.slice(0, 300) });
    continue;
  }
  const { session, report } = opened;
  const imagesPerSecond: Record<number, number> = {};
  for (const batch of batches) {
    const pixels = new Float32Array(batch * 3 * size * size).map((_, i) => Math.sin(i) * 0.5);
    const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', pixels, [batch, 3, size, size]) };
    await session.run(feeds); // warm-up: a GPU compiles its shaders for this shape here
    let images = 0;
    const started = performance.now();
    while (performance.now() - started < seconds * 1000 || images === 0) {
      await session.run(feeds);
      images += batch;
    }
    imagesPerSecond[batch] = images / ((performance.now() - started) / 1000);
  }
  await session.release();
  results.push({
    provider: report.provider,
    adapter: report.adapter ? adapterName(report.adapter) : null,
    software: report.adapter?.software ?? false,
    imagesPerSecond,
  });
}
console.log(JSON.stringify({ model, size, batches, results }));
