/**
 * A concept's name: what the user searches for ("Miso", "our old kitchen"). The one home of its rules,
 * read by the API's schema, the engine and the app's form alike.
 */

/** The longest name, in characters, once cleaned. */
export const CONCEPT_NAME_MAX = 60;
/** The longest text taken as a name before it is cleaned (runs of spaces count until they are made one). */
export const CONCEPT_NAME_INPUT_MAX = 200;

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
/** A word of a name or a query: letters and digits, with inner apostrophes ("Rex's"). */
export const NAME_WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;

/** How names are compared: their words, lower case, single spaces ("My  cat MISO" = "my cat miso"). */
export function conceptKey(name: string): string {
  return [...name.normalize('NFKC').matchAll(NAME_WORD)].map((m) => m[0].toLowerCase().replace(/’/g, "'")).join(' ');
}

/** A name as it is stored: Unicode-normalised, inner runs of spaces made one, trimmed. */
export function cleanConceptName(name: string): string {
  return name.normalize('NFKC').replace(/\s+/g, ' ').trim();
}

/** Why a cleaned name cannot be a concept's (null: it can). */
export function conceptNameProblem(clean: string): string | null {
  if (clean === '') return 'a concept needs a name';
  if (clean.length > CONCEPT_NAME_MAX) return `a concept's name is at most ${CONCEPT_NAME_MAX} characters (this one has ${clean.length})`;
  if (!LETTER_OR_DIGIT.test(clean)) return `"${clean}" has no letters or digits: a concept's name must be something you can search for`;
  return null;
}
