/**
 * Aligning faces to dlib's chip: the similarity fit (against known transforms, seeded), the template the
 * detector's points are mapped onto, the bilinear sampler (against an image whose pixels name their own
 * place, and a real face chip), and the quality measures on real chips (sharpness falls with blur,
 * frontality is 1 for symmetric key points and 0 for a profile).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import {
  type Point,
  MEAN_FACE,
  applySimilarity,
  chipTemplate,
  chipTransform,
  extractChip,
  fitSimilarity,
  frontality,
  invertSimilarity,
  sharpness,
} from '../../../../src/main/engine/faces/face-align.js';
import { seededRandom } from '../../../../src/scenes/scene.js';

const REFERENCE = join(process.cwd(), 'test', 'fixtures', 'faces', 'reference');
const close = (a: Point, b: Point, eps: number) => Math.hypot(a[0] - b[0], a[1] - b[1]) < eps;

describe('face alignment', () => {
  it('fits the similarity that made a point set, exactly (200 seeded transforms), and inverts it', () => {
    const random = seededRandom(7);
    for (let n = 0; n < 200; n++) {
      const angle = (random() - 0.5) * 2 * Math.PI;
      const scale = 0.05 + random() * 5;
      const t = { a: scale * Math.cos(angle), b: scale * Math.sin(angle), tx: (random() - 0.5) * 1000, ty: (random() - 0.5) * 1000 };
      const from = Array.from({ length: 2 + Math.floor(random() * 5) }, (): Point => [random() * 800, random() * 600]);
      const fit = fitSimilarity(
        from,
        from.map((p) => applySimilarity(t, p)),
      );
      for (const p of from) assert.ok(close(applySimilarity(fit, p), applySimilarity(t, p), 1e-6));
      for (const p of from) assert.ok(close(applySimilarity(invertSimilarity(fit), applySimilarity(fit, p)), p, 1e-6));
    }
  });

  it("maps the detector's eyes, nose and mouth onto dlib's mean face in the 150 px chip with padding 0.25", () => {
    const template = chipTemplate(150, 0.25);
    // dlib: (padding + x) / (2 padding + 1) * size.
    assert.ok(close(template[0]!, [((0.25 + MEAN_FACE.rightEye[0]) / 1.5) * 150, ((0.25 + MEAN_FACE.rightEye[1]) / 1.5) * 150], 1e-9));
    // A face turned 30 degrees, 3 times the chip's scale, anywhere in a photo: its points land on the template.
    const t = { a: 3 * Math.cos(0.5), b: 3 * Math.sin(0.5), tx: 400, ty: 250 };
    const inPhoto = template.map((p) => applySimilarity(t, p));
    const toChip = chipTransform([...inPhoto, [0, 0], [1, 1]], 150, 0.25); // the ears are not used
    inPhoto.forEach((p, i) => assert.ok(close(applySimilarity(toChip, p), template[i]!, 1e-6)));
    // The eyes are level in the chip, the right eye (the subject's) on the left.
    assert.ok(Math.abs(template[0]![1] - template[1]![1]) < 1e-9 && template[0]![0] < template[1]![0]);
  });

  it('samples the photo where the transform says, bilinearly (pixels that name their own place)', () => {
    const width = 300;
    const height = 200;
    const data = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x % 256, y, (x + y) % 256], (y * width + x) * 3);
    // A shift by (20.5, 10.25): chip pixel (x, y) shows photo pixel (x + 20.5, y + 10.25), between pixels.
    const chip = extractChip({ data, width, height }, { a: 1, b: 0, tx: -20.5, ty: -10.25 }, 64);
    for (const [x, y] of [
      [0, 0],
      [10, 33],
      [63, 63],
    ] as const) {
      const o = (y * 64 + x) * 3;
      assert.equal(chip[o], Math.round(x + 20.5));
      assert.equal(chip[o + 1], Math.round(y + 10.25));
    }
    // Outside the photo is black.
    const outside = extractChip({ data, width, height }, { a: 1, b: 0, tx: 500, ty: 0 }, 8);
    assert.ok(outside.every((v) => v === 0));
  });

  it('shrinks a large face by averaging (no aliasing): a real chip at 4x, shrunk back, is the chip', async () => {
    const chip = new Uint8Array(await sharp(join(REFERENCE, 'labelled-franck-01.face0.png')).removeAlpha().raw().toBuffer());
    const big = new Uint8Array(
      await sharp(chip, { raw: { width: 150, height: 150, channels: 3 } })
        .resize(600, 600, { kernel: 'nearest' })
        .raw()
        .toBuffer(),
    );
    const back = extractChip({ data: big, width: 600, height: 600 }, { a: 0.25, b: 0, tx: 0, ty: 0 }, 150);
    let worst = 0;
    for (let i = 0; i < back.length; i++) worst = Math.max(worst, Math.abs(back[i]! - chip[i]!));
    assert.ok(worst <= 1, `differs by ${worst}`);
  });

  it('measures sharpness on real face chips: blurred, it falls (sharp > 2 x blurred by 2 px)', async () => {
    for (const name of ['labelled-franck-01.face0.png', 'labelled-grace-hopper-01.face0.png', 'groups-qt-logo.face0.png']) {
      const file = join(REFERENCE, name);
      const chip = new Uint8Array(await sharp(file).removeAlpha().raw().toBuffer());
      const blurred = new Uint8Array(await sharp(file).removeAlpha().blur(2).raw().toBuffer());
      const s = sharpness(chip, 150);
      const b = sharpness(blurred, 150);
      assert.ok(s > 2 * b, `${name}: ${s} vs ${b} blurred`);
    }
  });

  it('scores frontality from key-point symmetry: 1 for a symmetric face, 0 for a profile, in between when turned', () => {
    const straight: Point[] = [
      [40, 50],
      [80, 50],
      [60, 70],
      [60, 85],
      [20, 55],
      [100, 55],
    ];
    assert.equal(frontality(straight), 1);
    const profile: Point[] = [
      [40, 50],
      [60, 50],
      [35, 70],
      [45, 85],
      [20, 55],
      [61, 55],
    ];
    // The nose over the left eye (0); the near ear a quarter as far from its eye as the far one (0.25).
    assert.ok(frontality(profile) < 0.15, `profile: ${frontality(profile)}`);
    const turned: Point[] = [
      [40, 50],
      [76, 50],
      [64, 70],
      [62, 85],
      [22, 55],
      [88, 55],
    ];
    const f = frontality(turned);
    assert.ok(f > 0.3 && f < 0.9, `turned: ${f}`);
  });
});
