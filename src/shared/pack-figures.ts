import type { ModelInfo } from './api.js';

const LANGUAGE_NAMES = new Intl.DisplayNames(['en'], { type: 'language' });

/** "English", "Chinese"... (the code itself when Intl does not know it). */
export function languageName(code: string): string {
  try {
    return LANGUAGE_NAMES.of(code) ?? code;
  } catch {
    return code;
  }
}

/** "about 20 min", "about 1.5 h": how long `photos` photos take at `msPerPhoto` (the image encoder alone). */
export function indexingTime(msPerPhoto: number, photos: number): string {
  const minutes = (msPerPhoto * photos) / 60_000;
  if (minutes < 1) return 'under a minute';
  if (minutes < 90) return `about ${Math.round(minutes)} min`;
  return `about ${(minutes / 60).toFixed(1)} h`;
}

/**
 * A pack's measured cost and published quality in one line, for the model manager and `glimpse models`:
 * "about 120 ms per photo on 2 CPU cores (10,000 photos: about 20 min) · 73% recall in English (Crossmodal-3600 …)".
 */
export function packFigures(model: Pick<ModelInfo, 'cost' | 'quality' | 'captions' | 'measuredHere'>, language: string): string | null {
  const parts: string[] = [];
  if (model.measuredHere)
    parts.push(
      `Looks at a photo in about ${Math.round(model.measuredHere.msPerPhoto)} ms on this computer (measured over its last ${model.measuredHere.photos.toLocaleString('en')} photos; 10,000 photos: ${indexingTime(model.measuredHere.msPerPhoto, 10_000)})`,
    );
  else if (model.cost)
    parts.push(
      `Looks at a photo in about ${Math.round(model.cost.msPerPhoto)} ms on 2 CPU cores (10,000 photos: ${indexingTime(model.cost.msPerPhoto, 10_000)}${model.captions ? ', captions take longer' : ''})`,
    );
  const recall = model.quality?.recall[language] ?? model.quality?.recall.en;
  if (model.quality && recall !== undefined) {
    const lang = model.quality.recall[language] !== undefined ? language : 'en';
    parts.push(`${Math.round(recall)}% recall in ${languageName(lang)} (${model.quality.benchmark})`);
  }
  return parts.length > 0 ? parts.join(' · ') : null;
}

/** The languages a pack searches in, and those whose times in a query Glimpse does not read: "English, Spanish, Hebrew (times not read in Hebrew)". */
export function languagesText(model: Pick<ModelInfo, 'languages' | 'timesReadIn'>): string {
  const unread = model.languages.filter((l) => !model.timesReadIn.includes(l));
  const names = model.languages.map(languageName).join(', ');
  return unread.length === 0 ? names : `${names} (times such as “June 2021” are not read in ${unread.map(languageName).join(', ')})`;
}
