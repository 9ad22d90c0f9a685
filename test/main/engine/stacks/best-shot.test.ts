/**
 * The perceptual hash and sharpness on real decoded JPEGs (scenes and darknet's photographs), and the
 * best shot of a burst: a blurred frame is never chosen over a sharp one, whatever its size.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { hammingDistance, laplacianVariance } from '../../../../src/main/engine/media/look.js';
import { lookOfFile } from '../../../../src/main/engine/media/photo.js';
import { renderScene } from '../../../../src/scenes/render.js';
import { randomScene } from '../../../../src/scenes/scene.js';
import { bestFirst } from '../../../../src/main/engine/stacks/stacks.js';

const REAL = join(process.cwd(), '.cache', 'debian-photos', 'usr', 'share', 'darknet', 'data');

describe('how a photo looks', () => {
  it('gives a flat image no sharpness and a checkerboard a lot', () => {
    assert.equal(laplacianVariance(new Uint8Array(64 * 64).fill(90), 64, 64), 0);
    const board = Uint8Array.from({ length: 64 * 64 }, (_, i) => (((i % 64) + Math.floor(i / 64)) % 2 ? 255 : 0));
    assert.ok(laplacianVariance(board, 64, 64) > 10_000);
  });

  it('hashes a photo and its re-encode alike, and two different photos apart', async () => {
    const photos = existsSync(REAL) ? ['dog.jpg', 'horses.jpg'].map((f) => readFileSync(join(REAL, f))) : [];
    const scenes = await Promise.all([1, 2].map((s) => renderScene(randomScene(s), { width: 800, height: 600 })));
    for (const [a, b] of [photos, scenes].filter((pair) => pair.length === 2)) {
      const lookA = await lookOfFile(a!);
      const again = await lookOfFile(await sharp(a!).jpeg({ quality: 40 }).toBuffer());
      const other = await lookOfFile(b!);
      assert.match(lookA.phash, /^[0-9a-f]{16}$/);
      assert.ok(hammingDistance(lookA.phash, again.phash) <= 4, `re-encode ${hammingDistance(lookA.phash, again.phash)} bits apart`);
      assert.ok(hammingDistance(lookA.phash, other.phash) > 22, `different photos ${hammingDistance(lookA.phash, other.phash)} bits apart`);
    }
  });

  it('chooses the sharp frame of a burst over a blurred one, and the largest of equally sharp copies', async () => {
    const source = existsSync(REAL) ? readFileSync(join(REAL, 'horses.jpg')) : await renderScene(randomScene(5), { width: 800, height: 600 });
    const { width = 0, height = 0 } = await sharp(source).metadata();
    const frames = {
      sharp: source,
      blurred: await sharp(source).blur(1.6).jpeg({ quality: 92 }).toBuffer(),
      smaller: await sharp(source)
        .resize(Math.round(width / 2))
        .jpeg({ quality: 92 })
        .toBuffer(),
    };
    const members = await Promise.all(
      Object.entries(frames).map(async ([name, bytes], i) => {
        const meta = await sharp(bytes).metadata();
        return { id: i + 1, name, sharpness: (await lookOfFile(bytes)).sharpness, width: meta.width!, height: meta.height!, size: bytes.length };
      }),
    );
    const blurred = members.find((m) => m.name === 'blurred')!;
    assert.ok(blurred.sharpness < 0.5 * members[0]!.sharpness, `blurred ${blurred.sharpness} against ${members[0]!.sharpness}`);
    // The blurred frame is as large as the sharp one and larger than the small copy: sharpness still decides.
    assert.deepEqual(
      bestFirst(members).map((m) => m.name),
      ['sharp', 'smaller', 'blurred'],
    );
    assert.equal(height > 0, true);
  });
});
