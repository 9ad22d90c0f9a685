/**
 * Queries the pack cannot read (issue 27.2): words outside its vocabulary, other scripts, emoji and
 * punctuation. The pack says nothing about how such a photo looks, so search shows no visual matches and
 * says which words it does not know; names and text still answer. A real library, the bundled pack.
 */
import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { recommendedPack } from '../../../../src/main/engine/models/recommend.js';
import { catalogueOfPacks } from '../../../../src/main/engine/models/store.js';
import { languageName } from '../../../../src/shared/pack-figures.js';
import { after, before, describe, it } from 'node:test';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { openIndexed } from '../indexed-library.js';
import { ModelPack } from '../../../../src/main/engine/models/pack.js';
import { bundledPacksDir } from '../../../../src/main/engine/models/store.js';
import { OUT_OF_VOCABULARY } from '../../../../src/scenes/query-set.js';
import { searchParams } from '../../../../src/shared/api.js';
import { scene, tempDir, writeScene } from '../../../fixtures.js';

const search = (engine: GlimpseEngine, query: string) => engine.search(searchParams.parse({ query, limit: 100 }));

describe('queries the pack cannot read', () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Photos');
  let engine: GlimpseEngine;

  before(async () => {
    const scenes = [
      scene([['red', 'circle']], 'grass', 'left', 1),
      scene([['blue', 'square']], 'sand', 'middle', 2),
      scene([['yellow', 'star', 3]], 'night', null, 3),
      scene(
        [
          ['red', 'triangle'],
          ['orange', 'diamond'],
        ],
        'sky',
        null,
        4,
      ),
      scene([['purple', 'circle', 2]], 'plain', 'right', 5),
      scene([['green', 'star']], 'plain', 'top', 6),
      scene([['white', 'diamond']], 'sky', 'bottom', 7),
    ];
    for (const [i, s] of scenes.entries()) await writeScene(join(library, 'scenes', `IMG_${1000 + i}.jpg`), s, { width: 640, height: 480 });
    // A photo the pack knows nothing of, found by its name only (as eagle.jpg of Debian's darknet photos).
    await writeScene(join(library, 'darknet', 'eagle.jpg'), scene([['white', 'triangle']], 'sky', 'middle', 8), { width: 640, height: 480 });
    engine = await openIndexed(join(tmp.path, 'data'), library);
  });
  after(async () => {
    await engine.close();
    tmp.remove();
  });

  it('says which word it does not know, and shows no photo for how it looks', async () => {
    const response = await search(engine, 'a bird');
    assert.deepEqual(response.unknownWords, { words: ['bird'], message: "tiny-coca does not know 'bird': showing name and text matches only" });
    assert.deepEqual(
      response.results.map((r) => r.name),
      [],
      'no shape is a bird',
    );
    assert.equal(response.hidden, 0, 'and none is a weaker match either');
  });

  it('answers other scripts, emoji, punctuation and an injection with nothing rather than the same photos', async () => {
    for (const query of ['кошка', '猫', '🐶', '*', '" OR 1=1 --', 'a red bird']) {
      const response = await search(engine, query);
      assert.equal(response.total + response.hidden, 0, `${query}: ${response.results.map((r) => r.name).join(', ')}`);
      if (query !== '*') assert.ok(response.unknownWords, `${query} says what is unknown`);
    }
    assert.deepEqual((await search(engine, '" OR 1=1 --')).unknownWords?.words, ['1=1'], 'grammar ("or") and punctuation are not named');
    assert.equal((await search(engine, '*')).unknownWords, undefined, 'punctuation alone is not a word');
  });

  it('points to a pack of the catalogue that reads the words, by the language their letters say', async () => {
    const catalogue = await catalogueOfPacks();
    for (const [query, language] of [
      ['кошка', 'ru'],
      ['猫', 'zh'],
      ['ねこ', 'ja'],
      ['고양이', 'ko'],
      ['قطة', 'ar'],
    ] as const) {
      const readers = catalogue.filter((m) => m.text.languages.includes(language));
      const expected = readers.find((m) => m.id === recommendedPack(readers, language)?.id);
      const notice = (await search(engine, query)).unknownWords!;
      if (!expected) {
        assert.equal(notice.reader, undefined, `${query}: no pack of the catalogue reads ${language}`);
        continue;
      }
      assert.deepEqual(notice.reader, { id: expected.id, name: expected.name, language }, query);
      assert.ok(notice.message.endsWith(`. ${expected.name} reads ${languageName(language)}`), notice.message);
    }
    assert.equal((await search(engine, 'a bird')).unknownWords?.reader, undefined, 'a Latin word says no language');
  });

  it('still finds a photo by its name, with no visual reason', async () => {
    const response = await search(engine, 'eagle');
    assert.deepEqual(
      response.results.map((r) => r.name),
      ['eagle.jpg'],
    );
    assert.ok(response.unknownWords);
    assert.ok(!response.results[0]!.why.some((w) => w.kind === 'visual'));
  });

  it('leaves queries the pack reads as they were: grammar words it does not know are dropped silently', async () => {
    for (const query of ['a red circle', 'circles that are red', 'a photo of a red circle', 'three yellow stars']) {
      const response = await search(engine, query);
      assert.equal(response.unknownWords, undefined, query);
      assert.ok(
        response.results.some((r) => r.why.some((w) => w.kind === 'visual')),
        query,
      );
    }
    assert.equal((await search(engine, '"eagle"')).unknownWords, undefined, 'quoted words are asked of the text, not the model');
  });

  it('shows no photo for any query of the benchmark set', async () => {
    let shown = 0;
    for (const query of OUT_OF_VOCABULARY) shown += (await search(engine, query)).total;
    assert.equal(shown, 0);
  });
});

describe("a pack's declared scripts", () => {
  const tmp = tempDir();
  after(() => tmp.remove());

  it('make a word in another script unknown even where the tokenizer reads every string (a BPE pack)', async () => {
    const dir = join(tmp.path, 'pack');
    await cp(join(bundledPacksDir(), 'tiny-coca'), dir, { recursive: true, filter: (src) => !src.includes('training') });
    const manifest = JSON.parse(await readFile(join(dir, 'glimpse-pack.json'), 'utf8')) as { text: { scripts?: string[] } };
    const bundled = await ModelPack.open(dir);
    assert.deepEqual(await bundled.unknownWords('red кошка 猫 🐶 bird'), ['кошка', '猫', '🐶', 'bird'], 'the tokenizer has no token for these');
    await bundled.close();
    // Declared Cyrillic only: "red", which the tokenizer knows, is now in a script the pack does not read.
    manifest.text.scripts = ['Cyrillic'];
    await writeFile(join(dir, 'glimpse-pack.json'), JSON.stringify(manifest));
    const cyrillic = await ModelPack.open(dir);
    assert.deepEqual(await cyrillic.unknownWords('red'), ['red']);
    await cyrillic.close();
    manifest.text.scripts = ['Klingon'];
    await writeFile(join(dir, 'glimpse-pack.json'), JSON.stringify(manifest));
    await assert.rejects(ModelPack.open(dir), /Unicode script name/);
  });
});
