/**
 * Icons indexed as photos and duplicates over-grouped (issue 27.7): Debian's darknet package ships a
 * folder of 760 glyph images (8 x 11 px and up) that were indexed as photos, and 499 different glyphs
 * were grouped into one near-duplicate stack, collapsing search into one tile. Images smaller than a
 * photo are listed as skipped, a perceptual hash of a tiny image decides nothing, and a stack whose
 * members disagree (a chain A~B~C~...~Z) is not one stack.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { isMediaFile } from '../../../../src/main/engine/media/formats.js';
import { HASH_MIN_SIDE } from '../../../../src/main/engine/stacks/grouping.js';
import { searchParams } from '../../../../src/shared/api.js';
import { libraryFolders, scene, writeScene } from '../../../fixtures.js';
import { checkStacks } from '../../../lifecycle/stacks.js';

const { fresh, removeAll } = libraryFolders();
const LABELS = join(process.cwd(), '.cache', 'debian-photos', 'usr', 'share', 'darknet', 'data', 'labels');

/** Each image file under `dir` with its size, read from the file itself: the oracle. */
async function sizes(dir: string): Promise<Map<string, { width: number; height: number }>> {
  const out = new Map<string, { width: number; height: number }>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !isMediaFile(entry.name)) continue;
    const path = join(entry.parentPath, entry.name);
    const { width, height } = await sharp(path).metadata();
    out.set(path, { width: width!, height: height! });
  }
  return out;
}

/** Game sprites and icons as people have them: small PNGs of a scene, a strip of frames, a favicon. */
async function writeSprites(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const picture = await writeScene(join(dir, '..', 'source.png'), scene([['red', 'star']], 'plain', 'middle', 1), { width: 256, height: 256, format: 'png' });
  for (const side of [16, 24, 32, 48])
    await sharp(picture)
      .resize(side, side)
      .png()
      .toFile(join(dir, `icon-${side}.png`));
  await sharp(picture).resize(512, 16, { fit: 'fill' }).png().toFile(join(dir, 'strip.png'));
  await sharp(picture).resize(16, 16).toFile(join(dir, 'favicon.webp'));
}

describe('icons and sprites in a library folder', () => {
  after(() => removeAll());

  it('are listed as skipped with their size, not indexed, while the photos beside them are; a smaller minimum takes them', { timeout: 300_000 }, async (t) => {
    if (!existsSync(LABELS)) return t.skip(`darknet's glyph images are not in ${LABELS} (.ci/run fetches the darknet package there)`);
    const { photos, dataDir } = fresh();
    cpSync(LABELS, join(photos, 'labels'), { recursive: true });
    await writeSprites(join(photos, 'sprites'));
    await writeScene(join(photos, 'trip', 'beach.jpg'), scene([['blue', 'circle']], 'sand', 'left', 2), { width: 640, height: 480 });
    await writeScene(join(photos, 'trip', 'field.jpg'), scene([['green', 'square']], 'grass', 'right', 3), { width: 640, height: 480 });
    const files = await sizes(photos);
    const small = [...files].filter(([, s]) => Math.min(s.width, s.height) < 64);
    assert.ok(small.length > 700, `darknet's labels are mostly tiny (${small.length} of ${files.size})`);

    let engine = await GlimpseEngine.open({ dataDir, device: 'cpu', captions: false, ocr: false });
    try {
      engine.addFolder(photos);
      const summary = await engine.update();
      assert.equal(summary.indexing.skipped, small.length);
      assert.equal(summary.indexing.errors, 0, JSON.stringify(engine.stores.photos.errors(5)));
      const status = engine.status();
      assert.equal(status.photos.skipped, small.length);
      assert.equal(status.photos.indexed, files.size - small.length);
      assert.equal(status.folders[0]!.photoCount, files.size - small.length, "the folder's photos are its photos, not its icons");
      for (const [path, { width, height }] of small) {
        const row = engine.stores.photos.photoByPath(path)!;
        assert.equal(row.status, 'skipped', path);
        assert.equal(
          row.error,
          `skipped: ${width} × ${height} px is smaller than a photo (an icon or a sprite?); images under 64 px on a side are not indexed (the minPhotoSide setting)`,
        );
        assert.equal(engine.stores.vectors.vector(row.id, engine.pack.id), undefined, 'not indexed');
      }
      const detail = engine.photoDetail(engine.stores.photos.photoByPath(join(photos, 'sprites', 'icon-16.png'))!.id);
      assert.equal(detail.status, 'skipped');
      assert.match(detail.error ?? '', /16 × 16 px is smaller than a photo/);
      const { results } = await engine.search(searchParams.parse({ query: 'a red star', all: true, limit: 1000 }));
      assert.ok(
        results.every((r) => !small.some(([path]) => path === r.path)),
        'a skipped image is never a result',
      );
    } finally {
      await engine.close();
    }

    // With no minimum, the same files are indexed (the skipped ones are looked at again, not the rest)...
    engine = await GlimpseEngine.open({ dataDir, device: 'cpu', captions: false, ocr: false, minPhotoSide: 0 });
    try {
      const summary = await engine.update();
      assert.equal(summary.indexing.indexed, small.length);
      assert.equal(engine.status().photos.indexed, files.size);
      // ...and their perceptual hashes decide nothing: a glyph under 32 px joins only its exact copies,
      // and every stack agrees with a centre (checkStacks), so no stack of different glyphs forms.
      checkStacks(engine.catalog, engine.pack.id, true);
      const tiny = new Set(small.filter(([, s]) => Math.min(s.width, s.height) < HASH_MIN_SIDE).map(([path]) => path));
      for (const group of engine.duplicates().groups) {
        const ofTiny = group.photos.filter((p) => tiny.has(p.path));
        if (ofTiny.length > 0) assert.equal(group.kind, 'exact', `tiny images stacked only as exact copies: ${group.photos.map((p) => p.name).join(', ')}`);
      }
    } finally {
      await engine.close();
    }

    // Back to the default: what is smaller than a photo leaves the index again.
    engine = await GlimpseEngine.open({ dataDir, device: 'cpu', captions: false, ocr: false });
    try {
      await engine.update();
      assert.equal(engine.status().photos.skipped, small.length);
      assert.equal(engine.index.size, files.size - small.length, 'their vectors left the index');
      checkStacks(engine.catalog, engine.pack.id, true);
    } finally {
      await engine.close();
    }
  });
});

describe('a chain of pictures each like the next', () => {
  after(() => removeAll());

  it('is not one stack: every stack agrees with a centre', { timeout: 120_000 }, async () => {
    const { photos, dataDir } = fresh();
    // An animation's frames: a ball rolling 2 px a frame across 120 px. Each frame is a near-duplicate of
    // the next, the first and the last are different pictures.
    const frames = 60;
    mkdirSync(photos, { recursive: true });
    for (let i = 0; i < frames; i++) {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="120"><rect width="160" height="120" fill="#d8d4c8"/><circle cx="${20 + 2 * i}" cy="60" r="18" fill="#c0392b"/></svg>`;
      await sharp(Buffer.from(svg))
        .jpeg({ quality: 90 })
        .toFile(join(photos, `frame${String(i).padStart(2, '0')}.jpg`));
    }
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu', captions: false, ocr: false });
    try {
      engine.addFolder(photos);
      await engine.update();
      const groups = engine.duplicates().groups;
      assert.ok(groups.length > 0, 'frames close to each other are stacked');
      checkStacks(engine.catalog, engine.pack.id, true);
      const first = engine.stores.photos.photoByPath(join(photos, 'frame00.jpg'))!.id;
      const last = engine.stores.photos.photoByPath(join(photos, `frame${frames - 1}.jpg`))!.id;
      assert.ok(!groups.some((g) => g.photos.some((p) => p.id === first) && g.photos.some((p) => p.id === last)), 'the first and the last frame are not one stack');
    } finally {
      await engine.close();
    }
  });
});
