import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { preparePhoto } from '../../../../src/main/engine/media/photo.js';
import { renderScene } from '../../../../src/scenes/render.js';
import { scene } from '../../../fixtures.js';

const input = { size: 64, resize: 'squash' as const };

describe('decoding photos', () => {
  it('reads AVIF, GIF (first frame), TIFF, WebP and PNG to the same picture as the JPEG', async () => {
    const png = await renderScene(scene([['red', 'square']], 'grass', 'left', 3), { width: 800, height: 600, format: 'png' });
    const reference = (await preparePhoto(png, [input])).inputs[0]!.data;
    for (const format of ['avif', 'gif', 'tiff', 'webp', 'jpeg'] as const) {
      const bytes = await sharp(png)[format]().toBuffer();
      const prepared = await preparePhoto(bytes, [input]);
      assert.deepEqual([prepared.metadata.width, prepared.metadata.height], [800, 600], format);
      const pixels = prepared.inputs[0]!.data;
      let diff = 0;
      for (let i = 0; i < pixels.length; i++) diff += Math.abs(pixels[i]! - reference[i]!);
      assert.ok(diff / pixels.length < 12, `${format} decodes to the same picture (mean difference ${(diff / pixels.length).toFixed(1)})`);
    }
  });

  it('applies EXIF orientation before the model sees the photo', async () => {
    const upright = await renderScene(scene([['blue', 'star']], 'sky', 'left', 4), { width: 800, height: 600 });
    // Stored rotated 90 degrees clockwise, with orientation 8 telling viewers to rotate it back.
    const stored = await sharp(upright).rotate(90).withMetadata({ orientation: 8 }).jpeg().toBuffer();
    const prepared = await preparePhoto(stored, [input]);
    assert.deepEqual([prepared.metadata.width, prepared.metadata.height], [800, 600]);
    const a = (await preparePhoto(upright, [input])).inputs[0]!.data;
    const b = prepared.inputs[0]!.data;
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff += Math.abs(a[i]! - b[i]!);
    assert.ok(diff / a.length < 12, `mean difference ${(diff / a.length).toFixed(1)}`);
  });

  it('shrinks a 24-megapixel JPEG on load and still reads its EXIF', async () => {
    const big = await renderScene(scene([['red', 'circle']], 'grass', 'left', 5), {
      width: 6000,
      height: 4000,
      exif: { make: 'Canon', model: 'Canon EOS R6', takenAt: new Date(Date.UTC(2022, 2, 3, 4, 5, 6)) },
    });
    const prepared = await preparePhoto(big, [input, { size: 224, resize: 'crop' }]);
    assert.equal(prepared.metadata.takenAt, '2022-03-03T04:05:06Z');
    assert.equal(prepared.metadata.camera, 'Canon EOS R6');
    assert.deepEqual([prepared.inputs[1]!.width, prepared.inputs[1]!.height], [224, 224]);
    assert.ok((await sharp(prepared.thumbnail).metadata()).width! <= 320);
  });
});
