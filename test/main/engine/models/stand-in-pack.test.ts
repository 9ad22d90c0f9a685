// The clip-vit-b32 pack as the catalogue ships it, end to end, with stand-in weights: real-size
// architectures with the real repositories' file layout and tensor names, random weights
// (scripts/export-stand-in-packs.py, exported once into .cache/stand-in-packs/, never committed), served
// by a loopback server that behaves like Hugging Face. Download -> verify -> switch -> re-index -> search
// -> captions through the decoder's key-value cache. Random weights make gibberish captions, so this
// asserts the structure and the decoding, not the words.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { preparePhoto } from '../../../../src/main/engine/media/photo.js';
import { downloadPack } from '../../../../src/main/engine/models/download.js';
import { MANIFEST_FILE, type PackManifest, parseManifest, readManifest } from '../../../../src/main/engine/models/manifest.js';
import { ModelPack } from '../../../../src/main/engine/models/pack.js';
import { catalogueOfPacks, verifyPack } from '../../../../src/main/engine/models/store.js';
import { searchParams } from '../../../../src/shared/api.js';
import { scene, tempDir, writeScene } from '../../../fixtures.js';
import { FakeHub, isLfs } from './fake-hub.js';
import { reposFor, standIns } from './stand-ins.js';

const PACK_ID = 'clip-vit-b32';

describe('the clip-vit-b32 pack with stand-in weights, from download to KV-cache captions', { timeout: 15 * 60_000 }, () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Photos');
  const dataDir = join(tmp.path, 'data');
  const SCENES = [scene([['red', 'circle']], 'grass', 'left', 1), scene([['blue', 'star', 2]], 'sand', null, 2), scene([['yellow', 'square']], 'sky', 'top', 3)];
  let manifest: PackManifest;
  let hub: FakeHub;
  let engine: GlimpseEngine;
  let packDir: string;

  before(async () => {
    const started = performance.now();
    const dir = standIns('xenova');
    const catalogue = await catalogueOfPacks();
    manifest = catalogue.find((m) => m.id === PACK_ID)!;
    assert.ok(manifest, `the catalogue lists ${PACK_ID}`);
    hub = new FakeHub(reposFor(manifest, dir));
    await hub.start();
    for (const [i, s] of SCENES.entries()) await writeScene(join(library, `photo-${i}.jpg`), s, { width: 800, height: 600 });
    engine = await GlimpseEngine.open({ dataDir, device: 'cpu', captions: true });
    engine.addFolder(library);
    await engine.update();
    process.stderr.write(`# stand-ins ready and library indexed with ${engine.pack.id} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  });
  after(async () => {
    await engine?.close();
    hub?.stop();
    tmp.remove();
  });

  it('downloads every file of the catalogue entry through the redirect to the CDN and verifies each one', async () => {
    const started = performance.now();
    packDir = await downloadPack(manifest, { packsDir: join(dataDir, 'models'), baseUrl: hub.url('hub') });
    const seconds = (performance.now() - started) / 1000;
    const installed = await readManifest(packDir);
    for (const f of installed.files) {
      assert.equal(f.verifiedBy, isLfs(f.path) ? 'server-sha256' : 'server-git-sha1', `${f.path} was verified by what the hub sent`);
      assert.match(f.sha256 ?? '', /^[0-9a-f]{64}$/);
    }
    assert.deepEqual(await verifyPack(packDir), []);
    const onnx = manifest.files.filter((f) => isLfs(f.path)).map((f) => f.remote?.path ?? f.path);
    for (const path of onnx)
      assert.ok(
        hub.log.some((r) => r.host === 'cdn' && r.path === path),
        `${path} came from the CDN`,
      );
    const bytes = installed.files.reduce((n, f) => n + readFileSync(join(packDir, f.path)).length, 0);
    process.stderr.write(`# downloaded and verified ${(bytes / 1e6).toFixed(0)} MB in ${seconds.toFixed(1)} s\n`);
  });

  it('switches the library to it: every photo embedded and captioned by the new pack, then searched with it', async () => {
    const started = performance.now();
    const result = await engine.switchModel(PACK_ID);
    process.stderr.write(`# switch (${SCENES.length} photos, real-size encoders and decoder) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    assert.equal(result.switched, true);
    assert.equal(result.indexing?.indexed, SCENES.length);
    assert.equal(result.indexing?.errors, 0);
    assert.equal(engine.pack.id, PACK_ID);
    assert.equal(engine.stores.photos.counts(PACK_ID).indexed, SCENES.length);

    const text = await engine.search(searchParams.parse({ query: 'a red circle on grass', limit: 10 }));
    assert.ok(text.results.length > 0, 'a text query shows at least its best match');
    for (const r of text.results) assert.ok(r.path.startsWith(library));
    for (const [i] of SCENES.entries()) {
      const example = await engine.searchByFile(join(library, `photo-${i}.jpg`), searchParams.parse({ query: '', limit: 3 }));
      assert.equal(example.results[0]?.path, join(library, `photo-${i}.jpg`), 'a photo is its own best match');
    }
  });

  it('captions through the KV cache with the same tokens as re-reading the prefix, and the engine stored those captions', async () => {
    const pack = engine.pack;
    assert.ok(pack.manifest.captioner?.cache, 'the catalogue entry declares the merged decoder cache');
    assert.ok(pack.captionInput, 'an encoder-decoder captioner has its own input');
    const timing = { cached: 0, uncached: 0 };
    let finished = 0;
    for (const [i] of SCENES.entries()) {
      const path = join(library, `photo-${i}.jpg`);
      const prepared = await preparePhoto(await readFile(path), [pack.imageInput, pack.captionInput]);
      const [features] = await pack.embedImages([prepared.inputs[0]!]);
      const item = { features: features!, pixels: prepared.inputs[1]! };
      let t = performance.now();
      const [cached] = await pack.caption([item]);
      timing.cached += performance.now() - t;
      t = performance.now();
      const [uncached] = await pack.caption([item], { useCache: false });
      timing.uncached += performance.now() - t;
      assert.deepEqual(cached!.ids, uncached!.ids, 'the same tokens');
      assert.ok(Math.abs(cached!.meanLogProb - uncached!.meanLogProb) < 1e-4, `the same likelihood (${cached!.meanLogProb} vs ${uncached!.meanLogProb})`);
      assert.equal(cached!.text, uncached!.text);
      assert.ok(cached!.ids.length > 0 && cached!.ids.length <= manifest.captioner!.maxLength - 1);
      assert.equal(cached!.finished, cached!.ids.at(-1) === manifest.captioner!.eosTokenId, 'finished exactly when the end token came');
      assert.ok(cached!.text.length > 0, 'the GPT-2-type tokenizer decodes what the decoder chose');

      // What the engine stored while switching is the same decoding: withheld with its reason when it did
      // not come to an end (the manifest has no calibrated thresholds, so a finished caption is shown).
      const id = engine.stores.photos.photoByPath(path)!.id;
      const withheld = engine.stores.captions.withheldCaption(id, PACK_ID);
      if (cached!.finished) assert.equal(withheld, undefined);
      else {
        assert.equal(withheld?.text, cached!.text, 'the engine decoded the same caption');
        assert.match(withheld.reason, /^CLIP ViT-B\/32 \+ vit-gpt2 captions could not describe this photo/);
      }
      finished += cached!.finished ? 1 : 0;
      if (i === 0) {
        // Beams reorder the cache: each surviving beam continues from the rows of the beam it grew from.
        const [beamCached] = await pack.caption([item], { numBeams: 3, maxLength: 8 });
        const [beamUncached] = await pack.caption([item], { numBeams: 3, maxLength: 8, useCache: false });
        assert.deepEqual(beamCached!.ids, beamUncached!.ids, 'the same tokens with three beams');
      }
    }
    process.stderr.write(
      `# caption per photo (encoder included): ${(timing.cached / SCENES.length / 1000).toFixed(2)} s with the cache, ${(timing.uncached / SCENES.length / 1000).toFixed(2)} s re-reading the prefix; ${finished} of ${SCENES.length} came to an end\n`,
    );
  });

  it('refuses a cache the decoder does not have: the manifest is checked against the graph when it opens', async () => {
    const wrong = structuredClone(await readManifest(packDir));
    wrong.captioner!.cache!.heads = 16;
    const dir = join(tmp.path, 'wrong-heads');
    mkdirSync(dir);
    for (const entry of readdirSync(packDir)) if (entry !== MANIFEST_FILE) symlinkSync(join(packDir, entry), join(dir, entry));
    writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify(wrong));
    const pack = await ModelPack.open(dir, { device: 'cpu' });
    try {
      await assert.rejects(pack.load(['captioner']), /past_key_values\.0\.key is \[batch_size, 12, past_sequence_length, 64\], the manifest says 16 heads of width 64/);
    } finally {
      await pack.close();
    }
    const template = structuredClone(manifest) as unknown as { captioner: { cache: { pastInput: string } } };
    template.captioner.cache.pastInput = 'past_key_values.{layer}';
    assert.throws(() => parseManifest(template, 'x'), /captioner\.cache\.pastInput: must contain \{layer\} and \{kv\}/);
  });
});
