/**
 * The OCR pack from a model mirror, through the same downloader as the search packs: a Hugging
 * Face-like loopback server (302 to a CDN host with X-Linked-Etag, ranges) serves the real PP-OCRv4
 * files; they are verified against the manifest's pinned SHA-256, installed by one rename, and read a
 * photo. A mirror that serves other bytes is refused, and nothing is installed.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { preparePhoto } from '../../../../src/main/engine/media/photo.js';
import { OCR_MANIFEST_FILE, downloadOcrPack, locateOcrPack, readOcrManifest, verifyOcrFiles } from '../../../../src/main/engine/ocr/ocr-pack.js';
import { TextReader } from '../../../../src/main/engine/ocr/text-reader.js';
import { writtenPhoto } from '../../../../src/scenes/text-photos.js';
import { tempDir } from '../../../fixtures.js';
import { FakeHub } from '../models/fake-hub.js';

describe('the OCR pack from a model mirror', () => {
  const tmp = tempDir();
  after(() => tmp.remove());

  it('downloads through the hub layout, verifies every file against its pin, installs, and reads', async () => {
    const manifest = await readOcrManifest();
    const source = await locateOcrPack(manifest); // the npm package's copy is what the mirror serves
    const hub = new FakeHub([{ repo: manifest.mirror!.repo, revision: manifest.mirror!.revision, dir: source, files: manifest.files.map((f) => f.path) }]);
    await hub.start();
    try {
      const modelsDir = join(tmp.path, 'models');
      const progress: number[] = [];
      const dir = await downloadOcrPack(manifest, { modelsDir, baseUrl: hub.url('hub'), onProgress: (p) => progress.push(p.bytes) });
      assert.equal(dir, join(modelsDir, manifest.id));
      assert.deepEqual(await verifyOcrFiles(dir, manifest), []);
      assert.ok(existsSync(join(dir, OCR_MANIFEST_FILE)));
      assert.equal(
        progress.at(-1),
        manifest.files.reduce((n, f) => n + f.size, 0),
        'progress reaches the pack size',
      );
      assert.ok(
        hub.log.some((l) => l.host === 'cdn'),
        'the model files came from the CDN host after the redirect',
      );
      const reader = await TextReader.open(manifest, dir, { device: 'cpu' });
      try {
        const photo = await writtenPhoto({ layout: 'sign', lines: ['FERRY TERMINAL'], fontSize: 56, seed: 9 });
        const { readImage } = await preparePhoto(photo.bytes, [], { readSide: manifest.readSide });
        assert.deepEqual(
          (await reader.read(readImage!)).map((l) => l.text),
          ['FERRY TERMINAL'],
        );
      } finally {
        await reader.release();
      }
    } finally {
      hub.stop();
    }
  });

  it('refuses a mirror whose file differs from the pin, and installs nothing', async () => {
    const manifest = await readOcrManifest();
    const source = await locateOcrPack(manifest);
    const forged = join(tmp.path, 'forged');
    mkdirSync(forged, { recursive: true });
    for (const f of manifest.files) {
      const bytes = readFileSync(join(source, f.path));
      if (f.path === manifest.recogniser.charset) bytes[0] = bytes[0]! ^ 1; // same size, other content
      writeFileSync(join(forged, f.path), bytes);
    }
    const hub = new FakeHub([{ repo: manifest.mirror!.repo, revision: manifest.mirror!.revision, dir: forged, files: manifest.files.map((f) => f.path) }]);
    await hub.start();
    try {
      const modelsDir = join(tmp.path, 'models-forged');
      await assert.rejects(downloadOcrPack(manifest, { modelsDir, baseUrl: hub.url('hub') }), /ppocr_keys_v1\.txt is corrupt: expected sha256/);
      assert.equal(existsSync(join(modelsDir, manifest.id)), false, 'nothing installed');
    } finally {
      hub.stop();
    }
  });
});
