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
// The rule and the captioning are src/calibration/caption-confidence.ts, shared with scripts/calibrate-pack.ts.
import { join } from 'node:path';
import { type CaptionScore, captionScore, describeConfidence, fitConfidence } from '../../../src/calibration/caption-confidence.js';
import { writePackCalibration } from '../../../src/calibration/manifests.js';
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
const scores: CaptionScore[] = [];
for (let i = 0; i < count; i++) {
  const [width, height] = SIZES[i % SIZES.length]!;
  scores.push(await captionScore(pack, await renderScene(randomScene(CALIBRATION_SEEDS + i), { width, height, quality: 70 + (i % 25) })));
}
await pack.close();

const chosen = fitConfidence(scores, keep);
const confidence = {
  minMeanLogProb: chosen.minMeanLogProb,
  minAgreement: chosen.minAgreement,
  calibratedOn: `calibrate-captions.ts: ${count} held-out scenes (seeds ${CALIBRATION_SEEDS}+), ${describeConfidence(chosen, keep)}`,
};
console.log(JSON.stringify(confidence, null, 2));
if (!process.argv.includes('--dry-run')) {
  const file = writePackCalibration(packDir, { confidence });
  console.log(`Wrote captioner.confidence into ${file}`);
}
