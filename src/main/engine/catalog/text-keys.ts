import { basename, dirname, extname, relative } from 'node:path';
import { isUnder } from '../core/paths.js';

/**
 * The words the catalogue's keyword tables are made of, computed by SQL functions their triggers call
 * (registered by the connection): a photo's names, and read text compacted for the trigram table.
 */

/**
 * Words of a file's name and folders, for keyword search ("IMG_2041 beach-trip.jpg" -> "IMG 2041 beach
 * trip"): up to three folders, counted from the library folder `root` (its own name included) when it
 * is given, so the folders above the library ("home", the user's name, "tmp") never become words every
 * photo matches.
 */
export function nameWords(path: string, root?: string): string {
  const stem = basename(path, extname(path));
  const dir = dirname(path);
  const inside = root !== undefined && isUnder(dir, root);
  const folders = (inside ? [basename(root), ...relative(root, dir).split(/[\\/]/)] : dir.split(/[\\/]/)).slice(-3);
  return [...folders, stem]
    .join(' ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * Read text as the OCR keyword table holds it: per line, lower case, letters and digits only, so a
 * query word matches whether or not the recogniser kept the spaces ("MUSEUM SHOP" and "MUSEUMSHOP").
 */
export function compactText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .split('\n')
    .map((line) => line.replace(/[^\p{L}\p{N}]+/gu, ''))
    .join('\n');
}

/**
 * Characters of scripts written without spaces between words (Chinese, Japanese kana). The keyword
 * table's tokenizer keeps a run of them as one token ("東京タワー", "猫と犬"), so a word of such text is
 * looked up inside the tokens rather than as one of them (KeywordStore.termMatch).
 */
export const UNSPACED_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Bopomofo}]/u;
