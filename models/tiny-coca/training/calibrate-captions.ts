// Calibrates when tiny-coca's captions are shown, and writes the result into its manifest
// (captioner.confidence). Run after training (train.sh does), or alone:
//
//   npx tsx models/tiny-coca/training/calibrate-captions.ts [--count 1000] [--keep 0.975] [--dry-run]
//
// The data: photos of the model's own world rendered from scene seeds it never trained on (training
// used seeds from 1,000,003 and 7,000,021; these start at 50,000,000), prepared and captioned exactly as
// the app does. Both signals a caption carries are measured: its mean token log-probability and its
// agreement with the photo by the pack's own encoders (cosine of image and text embeddings). One
// quantile q is chosen, the smallest that keeps `--keep` of these captions when both thresholds are set
// at their q-th percentile. What lies below is unlike anything the model saw working: that is what a
// photo from outside its world looks like to it. The check on other photos (a second held-out seed range
// and real photographs) is the test in test/main/engine/captions/honesty.test.ts, not this script.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { captionPhotos } from '../../../src/main/engine/captions/confidence.js';
import { preparePhoto } from '../../../src/main/engine/media/photo.js';
import { MANIFEST_FILE } from '../../../src/main/engine/models/manifest.js';
import { ModelPack } from '../../../src/main/engine/models/pack.js';
import { renderScene } from '../../../src/scenes/render.js';
import { randomScene } from '../../../src/scenes/scene.js';

export const CALIBRATION_SEEDS = 50_000_000;
const SIZES: Array<[number, number]> = [
  [640, 480],
  [480, 640],
  [800, 600],
  [500, 500],
];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const packDir = join(import.meta.dirname, '..');
const count = Number(arg('count', '1000'));
const keep = Number(arg('keep', '0.965'));
const pack = await ModelPack.open(packDir, { device: 'cpu' });
const scores: Array<{ logProb: number; agreement: number; finished: boolean }> = [];
for (let i = 0; i < count; i++) {
  const [width, height] = SIZES[i % SIZES.length]!;
  const bytes = await renderScene(randomScene(CALIBRATION_SEEDS + i), { width, height, quality: 70 + (i % 25) });
  const prepared = await preparePhoto(bytes, [pack.imageInput]);
  const [features] = await pack.embedImages([prepared.inputs[0]!]);
  const [caption] = await captionPhotos(pack, [{ features: features! }]);
  scores.push({ logProb: caption!.meanLogProb, agreement: caption!.agreement, finished: caption!.finished });
}
await pack.close();

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const logProbs = sorted(scores.map((s) => s.logProb));
const agreements = sorted(scores.map((s) => s.agreement));
const at = (xs: number[], q: number) => xs[Math.floor(q * (xs.length - 1))]!;
let chosen = { q: 0, minMeanLogProb: at(logProbs, 0), minAgreement: at(agreements, 0), kept: 1 };
for (let q = 0; q <= 0.2; q += 0.0025) {
  const minMeanLogProb = at(logProbs, q);
  const minAgreement = at(agreements, q);
  const kept = scores.filter((s) => s.finished && s.logProb >= minMeanLogProb && s.agreement >= minAgreement).length / scores.length;
  if (kept < keep) break;
  chosen = { q, minMeanLogProb, minAgreement, kept };
}
const round = (x: number) => Math.floor(x * 1000) / 1000; // down: never stricter than measured
const confidence = {
  minMeanLogProb: round(chosen.minMeanLogProb),
  minAgreement: round(chosen.minAgreement),
  calibratedOn:
    `calibrate-captions.ts: ${count} held-out scenes (seeds ${CALIBRATION_SEEDS}+), both thresholds at their ` +
    `${(chosen.q * 100).toFixed(2)}th percentile, keeping ${(chosen.kept * 100).toFixed(1)}% of captions (target ${keep * 100}%)`,
};
console.log(JSON.stringify(confidence, null, 2));
if (!process.argv.includes('--dry-run')) {
  const file = join(packDir, MANIFEST_FILE);
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as { captioner: Record<string, unknown> };
  manifest.captioner.confidence = confidence;
  writeFileSync(file, JSON.stringify(manifest, null, 2) + '\n');
  console.log(`Wrote captioner.confidence into ${file}`);
}
