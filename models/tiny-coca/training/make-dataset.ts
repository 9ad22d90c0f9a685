/**
 * Writes the tiny-coca training and validation sets: scenes from the app's own generator, encoded as
 * JPEG at assorted sizes and qualities, then decoded and resized by the app's own preprocessing, so the
 * model learns on exactly the pixels it will see at run time.
 *
 *   npx tsx models/tiny-coca/training/make-dataset.ts <out-dir> [train-count] [val-count]
 */
import { mkdirSync, openSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { captionOf, captionVocabulary, randomScene, seededRandom } from '../../../src/scenes/scene.js';
import { renderScene } from '../../../src/scenes/render.js';
import { decodeFileForModel } from '../../../src/main/engine/media/photo.js';

const SIZE = 64;
const SIZES: Array<[number, number]> = [[320, 240], [400, 300], [300, 300], [480, 320], [240, 320], [360, 270]];

async function writeSplit(dir: string, name: string, count: number, seedBase: number): Promise<void> {
  const images = openSync(join(dir, `${name}-images.u8`), 'w');
  const lines: string[] = [];
  const random = seededRandom(seedBase);
  const jobs = Array.from({ length: count }, (_, i) => {
    const [w, h] = SIZES[Math.floor(random() * SIZES.length)]!;
    return { seed: seedBase * 1_000_003 + i, w, h, quality: 60 + Math.floor(random() * 36) };
  });
  const concurrency = availableParallelism() * 2;
  for (let start = 0; start < count; start += 256) {
    const batch = jobs.slice(start, start + 256);
    const results: Uint8Array[] = new Array(batch.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < batch.length) {
          const k = next++;
          const job = batch[k]!;
          const scene = randomScene(job.seed);
          const file = await renderScene(scene, { width: job.w, height: job.h, quality: job.quality });
          // The app's own preparation (working copy, then the model's input), so training sees what the app feeds.
          results[k] = (await decodeFileForModel(file, { size: SIZE, resize: 'squash' })).data;
        }
      }),
    );
    batch.forEach((job, k) => {
      writeSync(images, results[k]!);
      const scene = randomScene(job.seed);
      lines.push(JSON.stringify({ caption: captionOf(scene), groups: scene.groups, background: scene.background, position: scene.position, word: scene.word }));
    });
    if (start % 5120 === 0) console.log(`${name}: ${start + batch.length}/${count}`);
  }
  closeSync(images);
  writeFileSync(join(dir, `${name}.jsonl`), lines.join('\n') + '\n');
}

const [outDir = '.cache/tiny-coca-data', trainCount = '60000', valCount = '2000'] = process.argv.slice(2);
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'vocab.json'), JSON.stringify({ words: captionVocabulary() }));
await writeSplit(outDir, 'val', Number(valCount), 7);
await writeSplit(outDir, 'train', Number(trainCount), 1);
writeFileSync(join(outDir, 'READY'), new Date().toISOString());
