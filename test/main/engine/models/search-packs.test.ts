// The search packs that come as Immich's exports (SigLIP 2 ViT-B/16 and ViT-B/32-256, multilingual CLIP
// with XLM-RoBERTa), each end to end with stand-in weights: the real architecture at the real size in
// the real layout (visual/ and textual/ graphs taking one image or one query per run, open_clip's
// preprocess_cfg.json, the tokenizer files), random weights (scripts/export-search-stand-ins.py, exported
// once into .cache/search-stand-ins/), served by a loopback server that behaves like Hugging Face.
// Download -> verify -> switch -> index -> search, and the contract of each layout: preprocessing read
// from the export's own config, queries cleaned and padded as the pack was trained, any script read.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { downloadPack } from '../../../../src/main/engine/models/download.js';
import { type PackManifest, readManifest } from '../../../../src/main/engine/models/manifest.js';
import { ModelPack } from '../../../../src/main/engine/models/pack.js';
import { catalogueOfPacks, verifyPack } from '../../../../src/main/engine/models/store.js';
import { searchParams } from '../../../../src/shared/api.js';
import { scene, tempDir, writeScene } from '../../../fixtures.js';
import { FakeHub, isLfs } from './fake-hub.js';
import { reposFor, standIns, standInSetOf } from './stand-ins.js';

const PACK_IDS = ['siglip2-vit-b16', 'siglip2-vit-b32-256', 'xlm-roberta-vit-b32'];
/** A query in each of four scripts: every one of these packs reads them all. */
const QUERIES = ['a red circle on grass', 'красный круг на траве', '草地上的红色圆圈', 'دائرة حمراء على العشب'];

describe('the Immich-layout search packs with stand-in weights, from download to search', { timeout: 25 * 60_000 }, () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Photos');
  const dataDir = join(tmp.path, 'data');
  const SCENES = [
    scene([['red', 'circle']], 'grass', 'left', 1),
    scene([['blue', 'star', 2]], 'sand', null, 2),
    scene([['yellow', 'square']], 'sky', 'top', 3),
    scene([['green', 'triangle', 3]], 'plain', 'right', 4),
  ];
  let catalogue: PackManifest[];
  let hub: FakeHub;
  let engine: GlimpseEngine;
  let stand: string;

  before(async () => {
    const started = performance.now();
    stand = standIns('immich');
    catalogue = (await catalogueOfPacks()).filter((m) => PACK_IDS.includes(m.id));
    assert.deepEqual(catalogue.map((m) => m.id).sort(), [...PACK_IDS].sort(), 'the catalogue lists every pack');
    for (const m of catalogue) assert.equal(standInSetOf(m), 'immich');
    hub = new FakeHub(catalogue.flatMap((m) => reposFor(m, stand)));
    await hub.start();
    // A portrait, a panorama and two landscapes: crop and squash differ on each.
    const sizes = [
      { width: 800, height: 600 },
      { width: 600, height: 900 },
      { width: 1600, height: 500 },
      { width: 640, height: 480 },
    ];
    for (const [i, s] of SCENES.entries()) await writeScene(join(library, `photo-${i}.jpg`), s, sizes[i]!);
    engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    engine.addFolder(library);
    await engine.update();
    process.stderr.write(`# stand-ins ready and library indexed with ${engine.pack.id} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  });
  after(async () => {
    await engine?.close();
    hub?.stop();
    tmp.remove();
  });

  for (const id of PACK_IDS) {
    it(`${id}: downloads and verifies every file, reads the export's preprocessing, switches the library and searches in four scripts`, async () => {
      const manifest = catalogue.find((m) => m.id === id)!;
      let started = performance.now();
      const packDir = await downloadPack(manifest, { packsDir: join(dataDir, 'models'), baseUrl: hub.url('hub') });
      const installed = await readManifest(packDir);
      for (const f of installed.files) assert.equal(f.verifiedBy, isLfs(f.path) ? 'server-sha256' : 'server-git-sha1', `${f.path} was verified by what the hub sent`);
      assert.deepEqual(await verifyPack(packDir), []);
      const bytes = installed.files.reduce((n, f) => n + readFileSync(join(packDir, f.path)).length, 0);
      process.stderr.write(`# ${id}: downloaded and verified ${(bytes / 1e6).toFixed(0)} MB in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);

      // open_clip's preprocess_cfg.json decides the pixels: its size (an integer or [h, w]) and resize mode.
      const cfg = JSON.parse(readFileSync(join(packDir, manifest.image.preprocessor), 'utf8')) as { size: number | number[]; resize_mode: string; mean: number[]; std: number[] };
      const side = Array.isArray(cfg.size) ? cfg.size[0] : cfg.size;
      assert.equal(installed.image.size, side);
      assert.equal(installed.image.resize, { shortest: 'crop', squash: 'squash', longest: 'letterbox' }[cfg.resize_mode]);
      assert.deepEqual(installed.image.mean, cfg.mean);
      assert.deepEqual(installed.image.std, cfg.std);
      // The open_clip config the export carries agrees with the manifest's text contract.
      const config = JSON.parse(readFileSync(join(packDir, 'config.json'), 'utf8')) as { embed_dim: number; text_cfg: { context_length?: number; tokenizer_kwargs?: { clean?: string } } };
      assert.equal(installed.embeddingDim, config.embed_dim);
      assert.equal(installed.text.contextLength, config.text_cfg.context_length ?? 77);
      assert.equal(installed.text.clean, config.text_cfg.tokenizer_kwargs?.clean === 'canonicalize' ? 'canonicalize' : 'whitespace');
      const tokenizerConfig = JSON.parse(readFileSync(join(packDir, 'textual', 'tokenizer_config.json'), 'utf8')) as { pad_token: string };
      const vocabulary = JSON.parse(readFileSync(join(packDir, manifest.text.tokenizer), 'utf8')) as { added_tokens: Array<{ id: number; content: string }> };
      assert.equal(installed.text.padTokenId, vocabulary.added_tokens.find((t) => t.content === tokenizerConfig.pad_token)?.id, 'the pad id is the tokenizer config pad token');

      started = performance.now();
      const result = await engine.switchModel(id);
      process.stderr.write(`# ${id}: switched (${SCENES.length} photos, one image per encoder run) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
      assert.equal(result.switched, true);
      assert.equal(result.indexing?.indexed, SCENES.length);
      assert.equal(result.indexing?.errors, 0);
      assert.equal(engine.pack.id, id);
      assert.equal(engine.stores.photos.counts(id).indexed, SCENES.length);

      for (const query of QUERIES) {
        const response = await engine.search(searchParams.parse({ query, limit: 10 }));
        assert.equal(response.unknownWords, undefined, `"${query}" is read by ${id}`);
        assert.ok(response.results.length > 0, `"${query}" shows at least its best match`);
        for (const r of response.results) assert.ok(r.path.startsWith(library));
      }
      for (const [i] of SCENES.entries()) {
        const example = await engine.searchByFile(join(library, `photo-${i}.jpg`), searchParams.parse({ query: '', limit: 3 }));
        assert.equal(example.results[0]?.path, join(library, `photo-${i}.jpg`), 'a photo is its own best match');
      }
    });
  }

  it('feeds each layout its queries as it was trained: a fixed length of ids, cleaned as its training text was', async () => {
    for (const id of PACK_IDS) {
      const pack = await ModelPack.open(join(dataDir, 'models', id), { device: 'cpu' });
      try {
        const { contextLength, padTokenId, clean } = pack.manifest.text;
        for (const query of [...QUERIES, 'x', 'word '.repeat(200)]) assert.equal((await pack.tokenize(query)).length, contextLength, `${id}: "${query.slice(0, 20)}" fills the context exactly`);
        const short = await pack.tokenize('a dog');
        assert.equal(short.at(-1), padTokenId, 'a short query is padded');
        assert.deepEqual(await pack.tokenize('a   dog '), short, 'runs of spaces are one');
        if (clean === 'canonicalize') assert.deepEqual(await pack.tokenize('A Dog!'), short, `${id} lower-cases and drops punctuation, as SigLIP's training text`);
        else assert.notDeepEqual(await pack.tokenize('A Dog!'), short, `${id} reads case and punctuation`);
        // One query per run: the graph's batch is fixed at 1, and a batch of several is run one by one.
        const [a, b] = await pack.embedTexts(['a dog', 'a cat']);
        const [alone] = await pack.embedTexts(['a cat']);
        assert.deepEqual(b, alone, 'the second query of a batch is embedded as if alone');
        assert.notDeepEqual(a, b);
      } finally {
        await pack.close();
      }
    }
  });
});
