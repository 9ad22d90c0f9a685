/**
 * Reading text in photos: the geometry of text boxes (against brute force, on seeded random shapes), the
 * CTC decoder, and the real PP-OCRv4 models on held-out photos with known text, held to the targets
 * (word recall >= 0.9 on clear text of 24 px and up, >= 0.7 turned 45 degrees or stored sideways, at
 * most 1 photo in 20 without text showing any). bench/ocr-quality.ts reports the full figures.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { preparePhoto } from '../../../../src/main/engine/media/photo.js';
import { locateOcrPack, readOcrManifest, verifyOcrFiles } from '../../../../src/main/engine/ocr/ocr-pack.js';
import { scoreReadings } from '../../../../src/main/engine/ocr/reading-score.js';
import { type Point, convexHull, corners, detectBoxes, minAreaRect, readingOrder } from '../../../../src/main/engine/ocr/text-boxes.js';
import { ctcGreedyDecode } from '../../../../src/main/engine/ocr/text-lines.js';
import { TextReader, keepLine, lettersForZeros, DEFAULT_THRESHOLDS } from '../../../../src/main/engine/ocr/text-reader.js';
import { seededRandom } from '../../../../src/scenes/scene.js';
import { READING_CONDITIONS, textPhotoSet } from '../../../../src/scenes/text-photos.js';
import { backgroundPhotos } from '../../../../bench/ocr-quality.js';

function rectArea(points: Point[], angle: number): number {
  const ux = Math.cos(angle);
  const uy = Math.sin(angle);
  const us = points.map((p) => p.x * ux + p.y * uy);
  const vs = points.map((p) => -p.x * uy + p.y * ux);
  return (Math.max(...us) - Math.min(...us)) * (Math.max(...vs) - Math.min(...vs));
}

describe('text box geometry', () => {
  it('fits the smallest rectangle around any point set: every point inside, no smaller one at any angle (300 seeded sets)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = seededRandom(seed);
      const angle = random() * Math.PI;
      const [w, h] = [5 + random() * 200, 2 + random() * 60];
      const cx = random() * 500;
      const cy = random() * 500;
      const points = Array.from({ length: 3 + Math.floor(random() * 40) }, () => {
        const u = (random() - 0.5) * w;
        const v = (random() - 0.5) * h;
        return { x: cx + u * Math.cos(angle) - v * Math.sin(angle), y: cy + u * Math.sin(angle) + v * Math.cos(angle) };
      });
      const box = minAreaRect(convexHull(points));
      const area = 4 * box.halfLength * box.halfHeight;
      for (let a = 0; a < 180; a += 0.25) assert.ok(area <= rectArea(points, (a * Math.PI) / 180) + 1e-6, `seed ${seed}: a smaller rectangle at ${a} degrees`);
      for (const p of points) {
        const dx = p.x - box.cx;
        const dy = p.y - box.cy;
        assert.ok(Math.abs(dx * box.ux + dy * box.uy) <= box.halfLength + 1e-6, `seed ${seed}: point outside along the line`);
        assert.ok(Math.abs(-dx * box.uy + dy * box.ux) <= box.halfHeight + 1e-6, `seed ${seed}: point outside across the line`);
      }
      assert.ok(box.halfLength >= box.halfHeight, `seed ${seed}: the long side is the reading direction`);
      assert.ok(box.ux >= 0, `seed ${seed}: reads rightwards`);
      const [tl, tr, br, bl] = corners({ ...box, score: 1 });
      // Top edge left to right, and "down" (across the line) towards the bottom edge, in image coordinates.
      assert.ok(tr.x >= tl.x - 1e-9, `seed ${seed}: the top edge runs rightwards`);
      assert.ok((bl.x - tl.x) * -box.uy + (bl.y - tl.y) * box.ux > 0, `seed ${seed}: the bottom edge is below the top one`);
      assert.ok(Math.abs(Math.hypot(br.x - bl.x, br.y - bl.y) - 2 * box.halfLength) < 1e-6);
    }
  });

  it('finds a turned line in a probability map and grows it back by area x ratio / perimeter', () => {
    const [width, height] = [200, 160];
    for (const degrees of [0, 30, -45, 90]) {
      const map = new Float32Array(width * height);
      const a = (degrees * Math.PI) / 180;
      const [halfL, halfH] = [50, 8];
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++) {
          const dx = x + 0.5 - 100;
          const dy = y + 0.5 - 80;
          if (Math.abs(dx * Math.cos(a) + dy * Math.sin(a)) <= halfL && Math.abs(-dx * Math.sin(a) + dy * Math.cos(a)) <= halfH) map[y * width + x] = 0.9;
        }
      const boxes = detectBoxes(map, width, height, { threshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5, minSize: 3, maxCandidates: 10 });
      assert.equal(boxes.length, 1, `${degrees} degrees`);
      const box = boxes[0]!;
      const grow = (2 * halfL * 2 * halfH * 1.5) / (2 * (2 * halfL + 2 * halfH));
      assert.ok(Math.abs(box.halfHeight - (halfH + grow)) < 2, `${degrees}: height ${box.halfHeight} vs ${halfH + grow}`);
      assert.ok(Math.abs(box.halfLength - (halfL + grow)) < 2, `${degrees}: length ${box.halfLength} vs ${halfL + grow}`);
      const found = (Math.atan2(box.uy, box.ux) * 180) / Math.PI;
      const expected = degrees === 90 ? 90 : degrees;
      assert.ok(Math.abs(found - expected) < 3 || Math.abs(Math.abs(found - expected) - 180) < 3, `${degrees}: direction ${found}`);
    }
  });

  it('drops regions the map is not confident of, and orders lines top to bottom, left to right', () => {
    const [width, height] = [100, 100];
    const map = new Float32Array(width * height).fill(0);
    for (let y = 10; y < 20; y++) for (let x = 10; x < 60; x++) map[y * width + x] = 0.35; // above threshold, below boxThreshold
    assert.deepEqual(detectBoxes(map, width, height, { threshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5, minSize: 3, maxCandidates: 10 }), []);
    const box = (cx: number, cy: number) => ({ cx, cy, ux: 1, uy: 0, halfLength: 10, halfHeight: 5, score: 1 });
    const ordered = readingOrder([box(80, 52), box(20, 50), box(50, 10)]);
    assert.deepEqual(
      ordered.map((b) => b.cx),
      [50, 20, 80],
    );
  });
});

describe('reading a line', () => {
  it('decodes CTC output greedily: repeats merged, blanks dropped, a blank separating a double letter', () => {
    const charset = ['a', 'b', 'o', 'k'];
    const steps = [0, 2, 2, 0, 3, 0, 3, 4, 4, 0]; // - b b - o - o k k -  => "book"
    const probs = new Float32Array(steps.length * 5);
    steps.forEach((c, t) => {
      for (let k = 0; k < 5; k++) probs[t * 5 + k] = k === c ? 0.8 : 0.05;
    });
    const line = ctcGreedyDecode(probs, 0, steps.length, 5, charset);
    assert.equal(line.text, 'book');
    assert.ok(Math.abs(line.confidence - 0.8) < 1e-6);
  });

  it('keeps real words and drops stray marks', () => {
    assert.equal(lettersForZeros('B0LTS 15.30 T0TAL c0ffee 2020'), 'BOLTS 15.30 TOTAL coffee 2020');
    assert.ok(keepLine('MUSEUM', 0.95, DEFAULT_THRESHOLDS));
    assert.ok(!keepLine('m', 0.27, DEFAULT_THRESHOLDS), 'a stray letter');
    assert.ok(!keepLine('人#', 0.5, DEFAULT_THRESHOLDS), 'an unsure short reading');
    assert.ok(!keepLine('·:', 0.99, DEFAULT_THRESHOLDS), 'punctuation only');
    assert.ok(keepLine('42', 0.97, DEFAULT_THRESHOLDS), 'a sure number');
  });
});

describe('PP-OCRv4 on held-out photos with known text', () => {
  let reader: TextReader;
  const backgrounds = backgroundPhotos();
  before(async () => {
    const manifest = await readOcrManifest();
    reader = await TextReader.open(manifest, await locateOcrPack(manifest), { device: 'cpu' });
  });
  after(() => reader.release());

  it('installs the files the manifest pins, byte for byte', async () => {
    const manifest = await readOcrManifest();
    assert.deepEqual(await verifyOcrFiles(await locateOcrPack(manifest), manifest), []);
  });

  const measure = async (condition: (typeof READING_CONDITIONS)[keyof typeof READING_CONDITIONS], count: number) => {
    const photos = await textPhotoSet({ ...condition, count, backgrounds });
    const readings = [];
    for (const photo of photos) {
      // Decoded as the indexer decodes: EXIF orientation applied, at the pack's read size.
      const { readImage } = await preparePhoto(photo.bytes, [], { readSide: reader.manifest.readSide });
      const lines = await reader.read(readImage!);
      for (const l of lines) for (const p of l.box) assert.ok(p.x >= -0.05 && p.x <= 1.05 && p.y >= -0.05 && p.y <= 1.05, `box inside the photo: ${JSON.stringify(l.box)}`);
      readings.push({ written: photo.words, writtenLines: photo.spec.lines, read: lines.map((l) => l.text) });
    }
    const score = scoreReadings(readings);
    console.log(`# ${JSON.stringify(score)}`);
    return score;
  };

  it('reads clear text of 24 px and up: word recall >= 0.9', async () => {
    const score = await measure(READING_CONDITIONS.clear, 16);
    assert.ok(score.wordRecall >= 0.9, `word recall ${score.wordRecall}`);
  });

  it('reads text turned 45 degrees, and photos stored sideways with an EXIF orientation: word recall >= 0.7', async () => {
    const turned = await measure(READING_CONDITIONS.turned45, 12);
    assert.ok(turned.wordRecall >= 0.7, `turned 45: word recall ${turned.wordRecall}`);
    const sideways = await measure(READING_CONDITIONS.sideways, 12);
    assert.ok(sideways.wordRecall >= 0.7, `sideways: word recall ${sideways.wordRecall}`);
  });

  it('reads no text in photos that have none (at most 1 in 20)', async () => {
    const score = await measure(READING_CONDITIONS.noText, 20);
    assert.equal(score.noTextPhotos, 20);
    assert.ok(score.falseTextPhotos <= 1, `${score.falseTextPhotos} of 20 photos without text had text read`);
  });
});
