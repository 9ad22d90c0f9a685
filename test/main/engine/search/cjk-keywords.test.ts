/**
 * Keyword search in Chinese and Japanese (issue 30): names, captions and read text written without
 * spaces between words, so a query of one or two characters ("猫", "東京") must find them inside a
 * longer run ("猫と犬", "東京タワー"), and Latin words keep matching as words. A real library (real
 * SQLite, real JPEGs), the bundled pack, which reads no CJK: what is found is found by its words.
 */
import assert from 'node:assert/strict';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { openIndexed } from '../indexed-library.js';
import { searchParams } from '../../../../src/shared/api.js';
import { scene, tempDir, writeScene } from '../../../fixtures.js';

const FILES = ['東京/猫.jpg', '東京タワー.jpg', '京都/寺.jpg', '猫と犬.jpg', '北京/天安门.jpg', '大阪/たこ焼き.jpg', 'beach/dog-walk.jpg', 'misc/seabird.jpg'];

describe('keyword search in Chinese and Japanese', () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Photos');
  let engine: GlimpseEngine;
  const photoId = (file: string) => engine.stores.photos.photoByPath(join(library, file))!.id;
  /** The files a query finds, and why each (as "kind"), sorted by file. */
  const found = async (query: string) => {
    const { results } = await engine.search(searchParams.parse({ query, limit: 100 }));
    return results.map((r) => ({ file: relative(library, r.path).split('\\').join('/'), why: r.why.map((w) => w.kind) })).sort((a, b) => a.file.localeCompare(b.file));
  };
  const files = async (query: string) => (await found(query)).map((r) => r.file);

  before(async () => {
    const shapes = ['circle', 'square', 'star', 'triangle', 'diamond'] as const;
    for (const [i, file] of FILES.entries())
      await writeScene(join(library, file), scene([['red', shapes[i % shapes.length]!]], 'plain', 'middle', 40 + i), { width: 320, height: 240 });
    engine = await openIndexed(join(tmp.path, 'data'), library);
  });
  after(async () => {
    await engine.close();
    tmp.remove();
  });

  it('the pack reads none of these queries, so only words answer them', async () => {
    for (const query of ['猫', '東京', '天安门']) {
      const response = await engine.search(searchParams.parse({ query, limit: 100 }));
      assert.ok(
        response.results.every((r) => r.why.every((w) => w.kind !== 'visual')),
        `${query}: ${JSON.stringify(response.results.map((r) => [r.name, r.why]))}`,
      );
    }
  });

  it('one character, shorter than a trigram, finds every name that holds it, alone or inside a longer run', async () => {
    assert.deepEqual(await files('猫'), ['東京/猫.jpg', '猫と犬.jpg'].sort());
    assert.deepEqual(await files('犬'), ['猫と犬.jpg']);
    assert.deepEqual(await files('寺'), ['京都/寺.jpg']);
    // 京 is in 東京, 京都 and 北京: each of them, by folder or file name.
    assert.deepEqual(await files('京'), ['京都/寺.jpg', '北京/天安门.jpg', '東京/猫.jpg', '東京タワー.jpg'].sort());
    for (const r of await found('猫')) assert.ok(r.why.includes('name'), `${r.file} is found by its name: ${r.why.join(', ')}`);
  });

  it('two characters find the names that hold them in that order, not those that hold one of them', async () => {
    assert.deepEqual(await files('東京'), ['東京/猫.jpg', '東京タワー.jpg'].sort());
    assert.deepEqual(await files('京都'), ['京都/寺.jpg']);
    assert.deepEqual(await files('北京'), ['北京/天安门.jpg']);
    assert.deepEqual(await files('京東'), [], 'the characters in the other order are another word');
  });

  it('three characters and more, at the start, in the middle or at the end of a run', async () => {
    assert.deepEqual(await files('天安门'), ['北京/天安门.jpg']);
    assert.deepEqual(await files('タワー'), ['東京タワー.jpg']);
    assert.deepEqual(await files('京タワ'), ['東京タワー.jpg']);
    assert.deepEqual(await files('たこ焼き'), ['大阪/たこ焼き.jpg']);
    assert.deepEqual(await files('東京タワー'), ['東京タワー.jpg']);
  });

  it('several words narrow: every one must be there', async () => {
    assert.deepEqual(await files('東京 猫'), ['東京/猫.jpg']);
    assert.deepEqual(await files('猫 犬'), ['猫と犬.jpg']);
    assert.deepEqual(await files('東京 寺'), []);
  });

  it('a caption the user writes is found by one or two of its characters', async () => {
    engine.setCaption(photoId('京都/寺.jpg'), '金閣寺の庭と池');
    try {
      assert.deepEqual(await files('庭'), ['京都/寺.jpg']);
      assert.deepEqual(await files('金閣'), ['京都/寺.jpg']);
      assert.deepEqual(await files('金閣寺'), ['京都/寺.jpg']);
      assert.deepEqual(await files('池 京都'), ['京都/寺.jpg']);
      const why = (await found('庭'))[0]!.why;
      assert.ok(why.includes('caption'), `found by its caption: ${why.join(', ')}`);
    } finally {
      engine.setCaption(photoId('京都/寺.jpg'), '');
    }
    assert.deepEqual(await files('庭'), [], 'the caption cleared, its words are gone');
  });

  it('text read in a photo (OCR) is found by one, two or more of its characters', async () => {
    const id = photoId('北京/天安门.jpg');
    const hash = engine.stores.photos.photo(id)!.hash!;
    assert.ok(
      engine.stores.readings.recordReading(id, 'test-ocr', hash, [
        {
          text: '故宫博物院',
          confidence: 0.97,
          box: [
            { x: 0.1, y: 0.1 },
            { x: 0.9, y: 0.1 },
            { x: 0.9, y: 0.2 },
            { x: 0.1, y: 0.2 },
          ],
        },
      ]),
    );
    for (const query of ['故宫博物院', '博物院', '博物', '宫']) {
      const hits = await found(query);
      assert.deepEqual(
        hits.map((h) => h.file),
        ['北京/天安门.jpg'],
        query,
      );
      assert.ok(hits[0]!.why.includes('text'), `${query} is found in the read text: ${hits[0]!.why.join(', ')}`);
    }
  });

  it("Latin words still match as words (and a word's start), not inside other words", async () => {
    assert.deepEqual(await files('dog'), ['beach/dog-walk.jpg']);
    assert.deepEqual(await files('walk'), ['beach/dog-walk.jpg']);
    assert.deepEqual(await files('sea'), ['misc/seabird.jpg'], 'a prefix of a word');
    assert.deepEqual(await files('bird'), [], 'not the end of a word');
  });
});
