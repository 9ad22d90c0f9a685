// Which pack Glimpse recommends: quality per cost, on the catalogue as shipped and on seeded random
// catalogues, checked against the rule written out (the best published recall among the packs that cost
// at most COST_BUDGET times the cheapest per photo; ties to the cheaper).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PackManifest } from '../../../../src/main/engine/models/manifest.js';
import { COST_BUDGET, recommendedPack } from '../../../../src/main/engine/models/recommend.js';
import { catalogueOfPacks } from '../../../../src/main/engine/models/store.js';
import { languageName } from '../../../../src/shared/pack-figures.js';
import { seededRandom } from '../../../../src/scenes/scene.js';

type Measured = PackManifest & { quality: NonNullable<PackManifest['quality']>; cost: NonNullable<PackManifest['cost']> };

/** The rule, as plainly as it can be said: the oracle the function is checked against. */
function oracle(catalogue: PackManifest[], language: string): string | null {
  const measured = catalogue.filter((m): m is Measured => m.cost !== undefined && m.quality?.recall[language] !== undefined);
  if (measured.length === 0) return null;
  const counts = new Map<string, number>();
  for (const m of measured) counts.set(m.quality.benchmark, (counts.get(m.quality.benchmark) ?? 0) + 1);
  const benchmark = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  const comparable = measured.filter((m) => m.quality.benchmark === benchmark);
  const cheapest = Math.min(...comparable.map((m) => m.cost.msPerPhoto));
  const affordable = comparable.filter((m) => m.cost.msPerPhoto <= COST_BUDGET * cheapest);
  affordable.sort((a, b) => b.quality.recall[language]! - a.quality.recall[language]! || a.cost.msPerPhoto - b.cost.msPerPhoto);
  return affordable[0]!.id;
}

describe('the recommended pack', () => {
  it('on the catalogue as shipped: every search pack with a published figure has a measured cost, and the choice follows the rule in each language', async () => {
    const catalogue = await catalogueOfPacks();
    const published = catalogue.filter((m) => m.quality);
    assert.ok(published.length >= 4, 'CLIP ViT-B/32, two SigLIP 2 packs and the multilingual pack have published figures');
    for (const m of published) assert.ok(m.cost, `${m.id} has a measured cost (npm run bench -- --packs --write)`);
    const languages = new Set(published.flatMap((m) => Object.keys(m.quality!.recall)));
    for (const language of languages) {
      const chosen = recommendedPack(catalogue, language);
      assert.equal(chosen?.id ?? null, oracle(catalogue, language), `in ${language}`);
      const pack = catalogue.find((m) => m.id === chosen!.id)!;
      assert.match(chosen!.reason, new RegExp(`In ${languageName(language)}, ${pack.name.replace(/[()+/]/g, '\\$&')} found ${Math.round(pack.quality!.recall[language]!)}%`));
      assert.match(chosen!.reason, new RegExp(`about ${Math.round(pack.cost!.msPerPhoto)} ms per photo`));
    }
    // The English recommendation beats CLIP ViT-B/32, the pack it replaces, on the published figure.
    const english = catalogue.find((m) => m.id === recommendedPack(catalogue, 'en')!.id)!;
    const clip = catalogue.find((m) => m.id === 'clip-vit-b32')!;
    assert.ok(english.quality!.recall.en! > clip.quality!.recall.en!);
  });

  it('on seeded random catalogues: the oracle agrees, a pack without a cost or a figure is never chosen, and a better affordable pack takes the place', async () => {
    const base = (await catalogueOfPacks()).filter((m) => m.quality && m.cost);
    for (let seed = 1; seed <= 300; seed++) {
      const next = seededRandom(seed);
      const catalogue: PackManifest[] = base.map((m, i) => ({
        ...m,
        id: `pack-${i}`,
        name: `Pack ${i}`,
        cost: next() < 0.1 ? undefined : { ...m.cost!, msPerPhoto: 20 + next() * 400 },
        quality: next() < 0.1 ? undefined : { ...m.quality!, benchmark: next() < 0.15 ? 'another benchmark' : m.quality!.benchmark, recall: { en: 40 + next() * 40, zh: 30 + next() * 50 } },
      }));
      for (const language of ['en', 'zh', 'sw']) {
        const chosen = recommendedPack(catalogue, language);
        assert.equal(chosen?.id ?? null, oracle(catalogue, language), `seed ${seed}, ${language}`);
        if (!chosen) continue;
        const pack = catalogue.find((m) => m.id === chosen.id)!;
        assert.ok(pack.cost && pack.quality, 'only a measured pack with a figure');
        // A pack as cheap as the chosen one that finds more takes its place.
        const better: PackManifest = { ...pack, id: 'better', name: 'Better', quality: { ...pack.quality, recall: { ...pack.quality.recall, [language]: pack.quality.recall[language]! + 1 } } };
        assert.equal(recommendedPack([...catalogue, better], language)?.id, 'better', `seed ${seed}: the better pack is chosen`);
      }
    }
  });
});
