/**
 * A person's name: what the user calls someone ("Anna", "Grandpa Joe"). The one home of its rules, read
 * by the API's schema, the engine (names in a query) and the app's form alike.
 */
import { NAME_WORD } from './concept-name.js';

export const PERSON_NAME_MAX = 60;
export const PERSON_NAME_INPUT_MAX = 200;

const LETTER = /\p{L}/u;

/**
 * How names are compared and found in a query: their words, lower case, without accents ("José" =
 * "jose", "ANNA  maria" = "anna maria").
 */
export function personKey(name: string): string {
  return [...name.normalize('NFKC').matchAll(NAME_WORD)].map((m) => m[0].normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/’/g, "'")).join(' ');
}

/** A name as it is stored: Unicode-normalised, inner runs of spaces made one, trimmed. */
export function cleanPersonName(name: string): string {
  return name.normalize('NFKC').replace(/\s+/g, ' ').trim();
}

/** Why a cleaned name cannot be a person's (null: it can). */
export function personNameProblem(clean: string): string | null {
  if (clean === '') return 'a person needs a name';
  if (clean.length > PERSON_NAME_MAX) return `a name is at most ${PERSON_NAME_MAX} characters (this one has ${clean.length})`;
  if (!LETTER.test(clean)) return `"${clean}" has no letters: a name must be something you can search for`;
  return null;
}
