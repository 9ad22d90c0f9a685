/**
 * How well a photo's text was read, scored as search will use it: a written word counts as found when
 * it occurs in what was read, spaces or not (a query word matches the same way). Also the character
 * error rate of the whole reading against what was written (both compacted), and false text on photos
 * that have none.
 */
import { compactText } from '../catalog/text-keys.js';

export interface ReadingScore {
  photos: number;
  /** Written words found, over written words. */
  wordRecall: number;
  /** Edit distance between what was written and what was read (compacted), over the written length. */
  characterErrorRate: number;
  /** Photos without text in which something was read. */
  falseTextPhotos: number;
  noTextPhotos: number;
}

export function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[y.length]!;
}

/** The words of `written` found in `read` (a photo's lines). */
export function wordsFound(written: readonly string[], read: readonly string[]): string[] {
  const text = read.map((l) => compactText(l)).join('\n');
  return written.filter((w) => text.includes(compactText(w)));
}

export function scoreReadings(photos: ReadonlyArray<{ written: string[]; writtenLines: string[]; read: string[] }>): ReadingScore {
  let words = 0;
  let found = 0;
  let errors = 0;
  let characters = 0;
  let falseText = 0;
  let noText = 0;
  for (const p of photos) {
    if (p.written.length === 0) {
      noText++;
      if (p.read.length > 0) falseText++;
      continue;
    }
    words += p.written.length;
    found += wordsFound(p.written, p.read).length;
    const truth = p.writtenLines.map((l) => compactText(l).replace(/\n/g, '')).join('');
    const read = p.read.map((l) => compactText(l).replace(/\n/g, '')).join('');
    errors += editDistance(truth, read);
    characters += [...truth].length;
  }
  return {
    photos: photos.length,
    wordRecall: words === 0 ? 1 : found / words,
    characterErrorRate: characters === 0 ? 0 : errors / characters,
    falseTextPhotos: falseText,
    noTextPhotos: noText,
  };
}
