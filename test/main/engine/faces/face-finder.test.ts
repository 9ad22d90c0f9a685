/**
 * FaceFinder on real photos, with the real models in onnxruntime: it finds the faces in photos of people
 * (alone, in groups, grayscale, a face that fills the photo) and none in photos of animals; the same
 * person's faces are closer than different people's; a grayscale copy and a copy stored sideways with an
 * EXIF orientation give the same faces; 200 faces in one photo are capped at maxFaces, quickly; a
 * detector output poisoned with NaN and Infinity loses only the poisoned anchors.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { RgbPixels } from '../../../../src/main/engine/media/decode.js';
import { decodeForReading } from '../../../../src/main/engine/media/photo.js';
import { anchorCentres, decodeDetections, wholeView } from '../../../../src/main/engine/faces/face-detect.js';
import { writeSampleLibrary } from '../../../../src/scenes/sample-library.js';
import { FaceFinder, type FoundFace, descriptorDistance, detectorTensor } from '../../../../src/main/engine/faces/face-finder.js';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'faces');
const DARKNET = join(process.cwd(), '.cache', 'debian-photos', 'usr', 'share', 'darknet', 'data');

describe('FaceFinder on real photos', () => {
  let finder: FaceFinder;
  const cache = new Map<string, FoundFace[]>();
  const decode = async (bytes: Buffer) => decodeForReading(bytes, finder.manifest.readSide);
  const facesOf = async (file: string): Promise<FoundFace[]> => {
    if (!cache.has(file)) cache.set(file, await finder.find(await decode(readFileSync(join(FIXTURES, file)))));
    return cache.get(file)!;
  };

  before(async () => {
    finder = await FaceFinder.open({ device: 'cpu' });
  });
  after(async () => {
    await finder.close();
  });

  it('finds the face in photos of one person, and the three in a group photo, each with a 128-d descriptor and sane quality', async () => {
    const alone = [
      'labelled/jesper/01.jpg',
      'labelled/jesper/02.jpg',
      'labelled/jesper/05.jpg',
      'labelled/anne-helene/01.jpg',
      'labelled/franck/01.jpg',
      'labelled/franck/03.jpg',
      'labelled/grace-hopper/01.jpg',
      'labelled/eileen-collins/01.jpg',
      'unlabelled/cameraman.jpg',
    ];
    for (const file of alone) {
      const faces = await facesOf(file);
      assert.equal(faces.length, 1, `${file}: ${faces.length} faces`);
    }
    const group = await facesOf('groups/qt-logo.jpg');
    assert.equal(group.length, 3);
    for (const face of [...group, ...(await facesOf('labelled/grace-hopper/01.jpg'))]) {
      assert.equal(face.embedding.length, 128);
      assert.ok(face.score >= finder.manifest.detector.minScore && face.score <= 1);
      const { x, y, width, height } = face.box;
      assert.ok(x >= 0 && y >= 0 && x + width <= 1 && y + height <= 1 && width > 0 && height > 0);
      for (const [px, py] of face.points.slice(0, 4)) assert.ok(px >= x && px <= x + width && py >= y && py <= y + height, 'eyes, nose and mouth inside the box');
      assert.ok(face.points[0]![0] < face.points[1]![0], "the subject's right eye is on the image's left");
      assert.ok(face.side > 40 && face.sharpness > 40 && face.frontal > 0.25, JSON.stringify({ side: face.side, sharpness: face.sharpness, frontal: face.frontal }));
    }
    // Best first.
    for (let i = 1; i < group.length; i++) assert.ok(group[i - 1]!.score >= group[i]!.score);
  });

  it('finds no face in photos of animals and things (darknet and fixtures)', async () => {
    const files = ['no-faces/kpa-blackie.jpg', 'no-faces/skimage-chelsea.jpg', 'no-faces/gnome-cat.jpg'].map((f) => join(FIXTURES, f));
    const darknet = ['dog.jpg', 'eagle.jpg', 'giraffe.jpg', 'horses.jpg'].map((f) => join(DARKNET, f)).filter((f) => existsSync(f));
    if (darknet.length === 0) console.log(`# no darknet photos at ${DARKNET} (bash .ci/run fetches them): fixtures only`);
    for (const file of [...files, ...darknet]) {
      const faces = await finder.find(await decode(readFileSync(file)));
      assert.deepEqual(
        faces.map((f) => f.score),
        [],
        file,
      );
    }
  });

  it('finds no face on nearly every photo of the sample library (generated scenes of shapes, words and backgrounds)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'glimpse-sample-faces-'));
    try {
      const photos = await writeSampleLibrary(dir, { count: 60 });
      let withFaces = 0;
      for (const p of photos) if ((await finder.find(await decode(readFileSync(p.path)))).length > 0) withFaces++;
      console.log(`# a face found on ${withFaces} of ${photos.length} sample photos`);
      assert.ok(withFaces / photos.length <= 0.05, `${withFaces} of ${photos.length}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("finds a face that fills the photo (the detector's margin)", async () => {
    const image = await decode(readFileSync(join(FIXTURES, 'labelled/franck/01.jpg')));
    const [face] = await facesOf('labelled/franck/01.jpg');
    const W = image.width;
    const H = image.height;
    // The face's own box, a little smaller: forehead to chin, cheek to cheek, nothing else.
    const left = Math.round((face!.box.x + face!.box.width * 0.05) * W);
    const top = Math.round((face!.box.y + face!.box.height * 0.05) * H);
    const width = Math.round(face!.box.width * 0.9 * W);
    const height = Math.round(face!.box.height * 0.9 * H);
    const crop = await sharp(Buffer.from(image.data), { raw: { width: W, height: H, channels: 3 } })
      .extract({ left, top, width, height })
      .jpeg({ quality: 92 })
      .toBuffer();
    const faces = await finder.find(await decode(crop));
    assert.equal(faces.length, 1);
    // Measured 0.40: the chip's padding reaches past the crop's edge, where it is black.
    assert.ok(descriptorDistance(faces[0]!.embedding, face!.embedding) < 0.5, `${descriptorDistance(faces[0]!.embedding, face!.embedding)}`);
  });

  it("puts the same person's faces closer together than different people's", async () => {
    const one = async (file: string) => (await facesOf(file))[0]!.embedding;
    const jesper = [await one('labelled/jesper/01.jpg'), await one('labelled/jesper/02.jpg')];
    const franck = [await one('labelled/franck/01.jpg'), await one('labelled/franck/03.jpg')];
    const others = [await one('labelled/anne-helene/01.jpg'), await one('labelled/grace-hopper/01.jpg'), await one('labelled/eileen-collins/01.jpg')];
    const same = [descriptorDistance(jesper[0]!, jesper[1]!), descriptorDistance(franck[0]!, franck[1]!)];
    const different: number[] = [];
    for (const a of [...jesper, ...franck, ...others])
      for (const b of [...jesper, ...franck, ...others]) {
        if (a === b || (jesper.includes(a) && jesper.includes(b)) || (franck.includes(a) && franck.includes(b))) continue;
        different.push(descriptorDistance(a, b));
      }
    console.log(`# same person: ${same.map((d) => d.toFixed(2)).join(', ')}; different people: ${Math.min(...different).toFixed(2)} and up`);
    assert.ok(Math.max(...same) < Math.min(...different), `same ${same} vs different from ${Math.min(...different)}`);
    assert.ok(Math.max(...same) < 0.6);
  });

  it('gives the same faces for a grayscale copy, a CMYK copy and a copy stored sideways with EXIF orientation 6', async () => {
    const file = 'labelled/jesper/02.jpg';
    const bytes = readFileSync(join(FIXTURES, file));
    const [original] = await facesOf(file);
    const grey = await sharp(bytes).greyscale().jpeg({ quality: 95 }).toBuffer();
    // Stored turned 90 degrees anticlockwise, with orientation 6 (turn clockwise to show): upright once decoded.
    const sideways = await sharp(bytes).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
    const cmyk = await sharp(bytes).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
    assert.equal((await sharp(cmyk).metadata()).space, 'cmyk');
    for (const [what, copy, maxDistance] of [
      ['grayscale', grey, 0.35],
      // CMYK and back loses colour (no profile): still far inside one person's reach.
      ['CMYK', cmyk, 0.2],
      ['EXIF-rotated', sideways, 0.1],
    ] as const) {
      const faces = await finder.find(await decode(copy));
      assert.equal(faces.length, 1, what);
      const f = faces[0]!;
      for (const k of ['x', 'y', 'width', 'height'] as const) assert.ok(Math.abs(f.box[k] - original!.box[k]) < 0.01, `${what}: box ${k} ${f.box[k]} vs ${original!.box[k]}`);
      const d = descriptorDistance(f.embedding, original!.embedding);
      console.log(`# ${what} copy: descriptor ${d.toFixed(3)} from the original's`);
      assert.ok(d < maxDistance, `${what}: ${d}`);
    }
  });

  it('caps a photo of 200 faces at maxFaces, surest first, without error and quickly', async () => {
    const chips = await Promise.all(
      ['labelled-franck-01.face0.png', 'labelled-grace-hopper-01.face0.png', 'groups-qt-logo.face0.png', 'labelled-jesper-01.face0.png'].map((f) =>
        sharp(join(FIXTURES, 'reference', f))
          .removeAlpha()
          .resize(64, 64)
          .toBuffer(),
      ),
    );
    const composite = Array.from({ length: 200 }, (_, i) => ({ input: chips[i % chips.length]!, left: (i % 20) * 64, top: Math.floor(i / 20) * 64 }));
    const photo = await sharp({ create: { width: 1280, height: 640, channels: 3, background: { r: 128, g: 128, b: 128 } } })
      .composite(composite)
      .jpeg()
      .toBuffer();
    const image = await decode(photo);
    const started = performance.now();
    const faces = await finder.find(image);
    const ms = performance.now() - started;
    console.log(`# 200 faces of 64 px: ${faces.length} kept in ${ms.toFixed(0)} ms`);
    assert.ok(faces.length <= finder.manifest.maxFaces);
    assert.ok(faces.length > 0);
    for (let i = 1; i < faces.length; i++) assert.ok(faces[i - 1]!.score >= faces[i]!.score);
    assert.ok(ms < 30_000);
  });

  it('drops only the anchors whose output is NaN or infinite (a real output, poisoned)', async () => {
    const d = finder.manifest.detector;
    const image: RgbPixels = await decode(readFileSync(join(FIXTURES, 'groups/qt-logo.jpg')));
    const view = wholeView(image.width, image.height, d.inputSize, d.margin);
    const resized = await sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 3 } })
      .resize(view.outWidth, view.outHeight, { fit: 'fill' })
      .raw()
      .toBuffer();
    const input = await sharp(resized, { raw: { width: view.outWidth, height: view.outHeight, channels: 3 } })
      .extend({ left: view.padX, top: view.padY, right: d.inputSize - view.outWidth - view.padX, bottom: d.inputSize - view.outHeight - view.padY, background: '#000' })
      .raw()
      .toBuffer();
    const raw = await finder.runDetector(detectorTensor(input, d.inputSize, d.mean, d.std));
    const anchors = anchorCentres(d.anchors, d.inputSize);
    const clean = decodeDetections(raw, anchors, 0.5);
    assert.ok(clean.length >= 3);
    // Poison the surest anchor's key point with NaN and another's width with Infinity.
    const poisoned = Float32Array.from(raw);
    const scores = Array.from({ length: anchors.length }, (_, i) => raw[i * 17]!);
    const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
    poisoned[order[0]! * 17 + 9] = Number.NaN;
    poisoned[order[1]! * 17 + 3] = Number.POSITIVE_INFINITY;
    poisoned[order[2]! * 17] = Number.NaN;
    const left = decodeDetections(poisoned, anchors, 0.5);
    assert.equal(left.length, clean.length - 3);
    assert.ok(left.every((det) => [det.x0, det.y0, det.x1, det.y1, det.score, ...det.points.flat()].every(Number.isFinite)));
  });
});
