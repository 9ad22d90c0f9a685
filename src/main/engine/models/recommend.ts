import type { PackManifest } from './manifest.js';
import { languageName } from '../../../shared/pack-figures.js';

/**
 * How much more computing per photo than the cheapest comparable pack a recommendation may ask for.
 * Indexing is the cost a user waits for (every photo, once, on 2 cores); a search is one short text.
 * At twice CLIP ViT-B/32's cost, 10,000 photos still index in well under an hour here.
 */
export const COST_BUDGET = 2;

export interface PackRecommendation {
  id: string;
  /** Why, in a user's words: the quality it buys and what it costs here. */
  reason: string;
  /** The language the quality figures are for. */
  language: string;
}

type Candidate = PackManifest & { quality: NonNullable<PackManifest['quality']>; cost: NonNullable<PackManifest['cost']> };

function percent(value: number): string {
  return `${Math.round(value)}%`;
}

/**
 * The search pack to recommend for a library searched in `language`: among packs with a published
 * quality figure for that language on the same benchmark and a measured cost, the one that finds the
 * right photo most often while costing at most COST_BUDGET times the cheapest of them per photo (ties:
 * the cheaper). Null when no pack has both figures. Quality per cost, not quality alone: a pack twice
 * as good on paper that takes ten times as long to index a library is not what a new user wants first.
 */
export function recommendedPack(catalogue: readonly PackManifest[], language = 'en'): PackRecommendation | null {
  const measured = catalogue.filter((m): m is Candidate => m.quality?.recall[language] !== undefined && m.cost !== undefined);
  if (measured.length === 0) return null;
  // Only figures from one benchmark are compared: the one most packs were measured on.
  const benchmarks = new Map<string, number>();
  for (const m of measured) benchmarks.set(m.quality.benchmark, (benchmarks.get(m.quality.benchmark) ?? 0) + 1);
  const benchmark = [...benchmarks].sort((a, b) => b[1] - a[1])[0]![0];
  const comparable = measured.filter((m) => m.quality.benchmark === benchmark);
  const cheapest = comparable.reduce((a, b) => (b.cost.msPerPhoto < a.cost.msPerPhoto ? b : a));
  const affordable = comparable.filter((m) => m.cost.msPerPhoto <= COST_BUDGET * cheapest.cost.msPerPhoto);
  const recall = (m: Candidate) => m.quality.recall[language]!;
  const best = affordable.reduce((a, b) => (recall(b) > recall(a) || (recall(b) === recall(a) && b.cost.msPerPhoto < a.cost.msPerPhoto) ? b : a));
  const others = comparable.filter((m) => m !== best);
  const runnerUp = others.filter((m) => affordable.includes(m)).sort((a, b) => recall(b) - recall(a))[0];
  const better = others.filter((m) => recall(m) > recall(best)).sort((a, b) => recall(b) - recall(a))[0];
  const lang = languageName(language);
  const parts = [
    `In ${lang}, ${best.name} found ${percent(recall(best))} of the right photos in a published test${runnerUp ? `, ${runnerUp.name} ${percent(recall(runnerUp))}` : ''}`,
    `it needs about ${Math.round(best.cost.msPerPhoto)} ms per photo on 2 CPU cores${best === cheapest ? '' : ` (${(best.cost.msPerPhoto / cheapest.cost.msPerPhoto).toFixed(1)}x the time of ${cheapest.name})`}`,
  ];
  if (better)
    parts.push(
      `${better.name} finds more (${percent(recall(better))}) but needs ${(better.cost.msPerPhoto / best.cost.msPerPhoto).toFixed(1)}x the time per photo`,
    );
  return { id: best.id, language, reason: `${parts.join('; ')}.` };
}

/** The language of the person's system ("pt" of "pt-BR"), the one search quality is weighed in; GLIMPSE_LANGUAGE overrides it. */
export function systemLanguage(): string {
  return (process.env.GLIMPSE_LANGUAGE ?? Intl.DateTimeFormat().resolvedOptions().locale).split(/[-_]/)[0]!.toLowerCase();
}

/** The languages a word's letters say it may be in (the first is the likeliest); Latin says nothing. */
const SCRIPT_LANGUAGES: ReadonlyArray<[RegExp, readonly string[]]> = [
  [/\p{Script=Hiragana}|\p{Script=Katakana}/u, ['ja']],
  [/\p{Script=Han}/u, ['zh', 'ja']],
  [/\p{Script=Hangul}/u, ['ko']],
  [/\p{Script=Cyrillic}/u, ['ru', 'uk']],
  [/\p{Script=Arabic}/u, ['ar', 'fa']],
  [/\p{Script=Hebrew}/u, ['he']],
  [/\p{Script=Thai}/u, ['th']],
  [/\p{Script=Greek}/u, ['el']],
  [/\p{Script=Devanagari}/u, ['hi']],
];

/**
 * A pack that reads the words the current pack does not (the language their letters suggest, among the
 * catalogue's packs that list it), chosen as `recommendedPack` chooses; null when none does or the words
 * say no language.
 */
export function packForWords(words: readonly string[], catalogue: readonly PackManifest[], current: string): { id: string; name: string; language: string } | null {
  for (const word of words)
    for (const [script, languages] of SCRIPT_LANGUAGES) {
      if (!script.test(word)) continue;
      for (const language of languages) {
        const readers = catalogue.filter((m) => m.id !== current && m.text.languages.includes(language));
        const chosen = recommendedPack(readers, language);
        const pack = chosen && readers.find((m) => m.id === chosen.id);
        if (pack) return { id: pack.id, name: pack.name, language };
      }
    }
  return null;
}
