/**
 * The ONNX exports of the face models (scripts/export-face-models.py) against the originals: the TF.js
 * models' outputs on real photos, recorded by scripts/check-face-models.mjs in
 * test/fixtures/faces/reference-outputs.json (TensorFlow.js, pure-JS CPU backend). Both sides start from
 * the same pixels (the PNGs beside it). Tolerances: detector scores within 0.002, boxes and key points
 * within 0.25 input pixels (256 px input; under 1 px of these photos); descriptors within 0.001 Euclidean
 * (dlib's same-person threshold is 0.6). Also: the manifest parses and every file matches its SHA-256.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { anchorCentres, decodeDetections, suppress } from '../../../../src/main/engine/faces/face-detect.js';
import { FaceFinder, descriptorDistance, detectorTensor } from '../../../../src/main/engine/faces/face-finder.js';
import { facePackDir, readFaceManifest, verifyFaceFiles } from '../../../../src/main/engine/faces/face-pack.js';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'faces');

interface ReferenceFace {
  score: number;
  box: [number, number, number, number];
  points: Array<[number, number]>;
  chip: string;
  descriptor: number[];
}
interface Reference {
  tfjs: string;
  detector: { inputSize: number; minScore: number; iou: number };
  photos: Array<{ photo: string; detectorInput: string; faces: ReferenceFace[] }>;
}
const reference = JSON.parse(readFileSync(join(FIXTURES, 'reference-outputs.json'), 'utf8')) as Reference;

async function rgb(file: string): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp(join(FIXTURES, 'reference', file))
      .removeAlpha()
      .raw()
      .toBuffer(),
  );
}

describe('face models: the ONNX exports agree with the TF.js originals', () => {
  let finder: FaceFinder;
  before(async () => {
    finder = await FaceFinder.open({ device: 'cpu' });
  });
  after(async () => {
    await finder.close();
  });

  it('has a manifest whose files are all present, of its sizes and SHA-256', async () => {
    const manifest = await readFaceManifest();
    assert.deepEqual(await verifyFaceFiles(facePackDir(), manifest, true), []);
    assert.equal(manifest.recogniser.dimensions, 128);
    assert.ok(reference.tfjs.startsWith('4.'), `reference recorded with TF.js ${reference.tfjs}`);
  });

  it('finds the same faces as TF.js BlazeFace: scores within 0.002, boxes and key points within 0.25 input pixels', async () => {
    const d = finder.manifest.detector;
    assert.equal(reference.detector.inputSize, d.inputSize);
    const anchors = anchorCentres(d.anchors, d.inputSize);
    let worstBox = 0;
    let worstScore = 0;
    let faces = 0;
    for (const photo of reference.photos) {
      const pixels = await rgb(photo.detectorInput);
      const raw = await finder.runDetector(detectorTensor(pixels, d.inputSize, d.mean, d.std));
      const ours = suppress(decodeDetections(raw, anchors, reference.detector.minScore), reference.detector.iou, 50);
      assert.equal(ours.length, photo.faces.length, `${photo.photo}: ${ours.length} faces, TF.js ${photo.faces.length}`);
      photo.faces.forEach((ref, i) => {
        const o = ours[i]!;
        worstScore = Math.max(worstScore, Math.abs(o.score - ref.score));
        const coords = [o.x0, o.y0, o.x1, o.y1, ...o.points.flat()];
        const refCoords = [...ref.box, ...ref.points.flat()];
        coords.forEach((v, k) => (worstBox = Math.max(worstBox, Math.abs(v - refCoords[k]!))));
        faces++;
      });
    }
    console.log(`# detector vs TF.js on ${faces} faces: worst score difference ${worstScore.toExponential(1)}, worst coordinate ${worstBox.toExponential(1)} px`);
    assert.ok(faces >= 8, `only ${faces} reference faces`);
    assert.ok(worstScore < 0.002, `score differs by ${worstScore}`);
    assert.ok(worstBox < 0.25, `a box or key point differs by ${worstBox} input pixels`);
  });

  it("describes the same face chips as face-api's FaceRecognitionNet within 0.001 (Euclidean), batched or alone", async () => {
    const chips: Uint8Array[] = [];
    const expected: Float32Array[] = [];
    for (const photo of reference.photos)
      for (const face of photo.faces) {
        chips.push(await rgb(face.chip));
        expected.push(Float32Array.from(face.descriptor));
      }
    // The reference ran face-api's own preprocessing, which divides by 255 (dlib itself by 256: the manifest's divisor).
    const batched = await finder.describeChips(chips, 255);
    const alone = await finder.describeChips(chips.slice(0, 1), 255);
    const worst = Math.max(...batched.map((d, i) => descriptorDistance(d, expected[i]!)));
    assert.ok(worst < 1e-3, `a descriptor is ${worst} from TF.js's`);
    assert.ok(descriptorDistance(alone[0]!, batched[0]!) < 1e-4);
    // What the manifest's divisor (dlib's 256) changes, for the record: small next to the 0.5-0.6 thresholds.
    const dlib = await finder.describeChips(chips, 256);
    const shift = Math.max(...dlib.map((d, i) => descriptorDistance(d, batched[i]!)));
    console.log(`# recogniser vs TF.js on ${chips.length} chips: worst distance ${worst.toExponential(1)}; /256 instead of /255 moves descriptors by up to ${shift.toFixed(4)}`);
    assert.ok(shift < 0.05, `dividing by 256 instead of 255 moves a descriptor by ${shift}`);
  });
});
