/**
 * OCR as part of the library: photos are read after they are indexed (changed ones while), their text is found by keyword
 * (spaces or not), named in "why it matched", and shown with its boxes; OCR can be off, and turned on
 * later reads the library without re-embedding anything; a photo that changes is read again, one that
 * is deleted takes its text with it. After every step the text layer's invariants are checked.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { writtenPhoto } from '../../../../src/scenes/text-photos.js';
import { searchParams } from '../../../../src/shared/api.js';
import { libraryFolders, scene, writeScene } from '../../../fixtures.js';
import { checkTextLayer } from '../../../lifecycle/text-layer.js';

const folders = libraryFolders();

async function library(dir: string): Promise<{ receipt: string; sign: string; sideways: string }> {
  await mkdir(dir, { recursive: true });
  const receipt = await writtenPhoto({ layout: 'receipt', lines: ['HARDWARE STORE', 'HAMMER 12.50', 'NAILS 3.20', 'TOTAL 15.70'], fontSize: 36, angle: 8 });
  const sign = await writtenPhoto({ layout: 'sign', lines: ['MUSEUM SHOP'], fontSize: 56, seed: 2 });
  const sideways = await writtenPhoto({ layout: 'caption', lines: ['PLATFORM NORTH'], fontSize: 48, exifOrientation: 6, seed: 3 });
  const paths = { receipt: join(dir, 'receipt.jpg'), sign: join(dir, 'sign.jpg'), sideways: join(dir, 'sideways.jpg') };
  await writeFile(paths.receipt, receipt.bytes);
  await writeFile(paths.sign, sign.bytes);
  await writeFile(paths.sideways, sideways.bytes);
  for (const [i, s] of [scene([['red', 'circle']], 'grass'), scene([['blue', 'star', 2]], 'sand'), scene([['yellow', 'square']], 'night')].entries())
    await writeScene(join(dir, `scene-${i}.jpg`), s, { width: 800, height: 600 });
  return paths;
}

describe('text read in photos, in the library', () => {
  after(() => folders.removeAll());

  it('reads new photos once they are indexed; finds them by their words, names the words, and shows the lines with boxes', async () => {
    const { photos, dataDir } = folders.fresh();
    const paths = await library(photos);
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    try {
      engine.addFolder(photos);
      const summary = await engine.update();
      assert.equal(summary.indexing.indexed, 6);
      assert.equal(summary.reading?.read, 6, 'a new photo is read in the reading phase, after it is searchable');
      const status = engine.status().ocr;
      assert.deepEqual({ read: status.read, unread: status.unread, enabled: status.enabled, problem: status.problem }, { read: 6, unread: 0, enabled: true, problem: null });
      assert.ok(status.withText >= 3, `photos with text: ${status.withText}`);
      assert.deepEqual(
        status.sessions.map((s) => s.session),
        ['text detector', 'text recogniser', 'text orientation'],
      );
      checkTextLayer(engine.catalog);

      const find = async (query: string) => (await engine.search(searchParams.parse({ query }))).results;
      const receipt = await find('receipt hardware store');
      assert.equal(receipt[0]?.path, paths.receipt, `"receipt hardware store" puts the receipt first: ${receipt.map((r) => r.name)}`);
      const why = receipt[0]!.why.find((w) => w.kind === 'text');
      assert.ok(why && /HARDWARE STORE/.test(why.detail), `why it matched names the words read: ${JSON.stringify(receipt[0]!.why)}`);
      assert.ok(
        (await find('museum')).some((r) => r.path === paths.sign),
        '"museum" finds the sign',
      );
      assert.ok(
        (await find('"museum shop"')).some((r) => r.path === paths.sign),
        'a quoted phrase matches read text',
      );
      assert.ok(
        (await find('platform')).some((r) => r.path === paths.sideways),
        'a photo stored sideways (EXIF) is read upright',
      );
      assert.ok(!(await find('"museum shop"')).some((r) => r.path === paths.receipt), 'a quoted phrase is required');

      const detail = engine.photoDetail(receipt[0]!.id);
      assert.ok(detail.readText && detail.readText.lines.length >= 3, `lines: ${JSON.stringify(detail.readText)}`);
      assert.ok(detail.readText.lines.some((l) => l.text.includes('HARDWARE')));
      for (const line of detail.readText.lines) {
        assert.equal(line.box.length, 4);
        for (const p of line.box) assert.ok(p.x >= 0 && p.x <= 1 && p.y >= 0 && p.y <= 1, `corner inside the photo: ${JSON.stringify(p)}`);
      }
      const plain = engine.stores.photos.photoByPath(join(photos, 'scene-0.jpg'))!;
      assert.deepEqual(engine.photoDetail(plain.id).readText, { lines: [] }, 'a photo without text was read and has none');
    } finally {
      await engine.close();
    }
  });

  it('with OCR off reads nothing; turned on, reads the library in the background without re-embedding', async () => {
    const { photos, dataDir } = folders.fresh();
    const paths = await library(photos);
    const off = await GlimpseEngine.open({ dataDir, device: 'cpu', ocr: false });
    try {
      off.addFolder(photos);
      const summary = await off.update();
      assert.equal(summary.reading, null);
      assert.deepEqual({ read: off.status().ocr.read, unread: off.status().ocr.unread }, { read: 0, unread: 6 });
      assert.ok(!(await off.search(searchParams.parse({ query: 'museum' }))).results.some((r) => r.path === paths.sign));
    } finally {
      await off.close();
    }
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    try {
      assert.equal(engine.settings.ocr, true);
      const vectorWrites = engine.stores.vectors.lastVectorSeq();
      const phases = new Set<string>();
      engine.on('progress', (p) => phases.add(p.phase));
      engine.setOcr(false);
      engine.setOcr(true);
      await engine.update(); // queued after the background reading
      assert.ok(phases.has('reading'), `phases: ${[...phases]}`);
      assert.deepEqual({ read: engine.status().ocr.read, unread: engine.status().ocr.unread }, { read: 6, unread: 0 });
      assert.equal(engine.stores.vectors.lastVectorSeq(), vectorWrites, 'no vector was written: nothing was re-embedded');
      assert.ok((await engine.search(searchParams.parse({ query: 'museum' }))).results.some((r) => r.path === paths.sign));
      checkTextLayer(engine.catalog);

      // A photo whose content changes is read again; the old words no longer find it.
      const sign = engine.stores.photos.photoByPath(paths.sign)!;
      await copyFile(paths.receipt, paths.sign);
      await engine.update();
      assert.ok(!(await engine.search(searchParams.parse({ query: 'museum' }))).results.some((r) => r.path === paths.sign), 'the old text is gone');
      assert.ok(
        engine.photoDetail(sign.id).readText!.lines.some((l) => l.text.includes('HARDWARE')),
        'the new text is read',
      );
      checkTextLayer(engine.catalog);

      // A deleted photo takes its text with it.
      await rm(paths.receipt);
      await engine.update();
      assert.ok(!(await engine.search(searchParams.parse({ query: 'hardware' }))).results.some((r) => r.path === paths.receipt));
      checkTextLayer(engine.catalog);
      assert.equal(engine.catalog.db.prepare(`SELECT count(*) FROM ocr_readings r LEFT JOIN photos p ON p.id = r.photo_id WHERE p.id IS NULL`).pluck().get(), 0);
    } finally {
      await engine.close();
    }
  });

  it('a photo that cannot be decoded gets a clear error and the rest are read', async () => {
    const { photos, dataDir } = folders.fresh();
    await library(photos);
    await writeFile(join(photos, 'broken.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]));
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    try {
      engine.addFolder(photos);
      const summary = await engine.update();
      assert.equal(summary.indexing.errors, 1);
      assert.equal(engine.status().ocr.read, 6);
      assert.match(engine.stores.photos.errors()[0]!.error, /damaged|truncated|not an image/);
    } finally {
      await engine.close();
    }
  });
});
