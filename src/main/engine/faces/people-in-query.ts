import { NAME_WORD } from '../../../shared/concept-name.js';
import { personKey } from '../../../shared/person-name.js';

export interface NamedPerson {
  id: number;
  name: string;
}

interface Word {
  key: string;
  start: number;
  end: number;
  capitalised: boolean;
}

function wordsOf(text: string): Word[] {
  return [...text.matchAll(NAME_WORD)].map((m) => ({ key: personKey(m[0]), start: m.index, end: m.index + m[0].length, capitalised: /^\p{Lu}/u.test(m[0]) }));
}

/**
 * The people named in a query, and the query without their names: "Anna at the beach" -> Anna, "at the
 * beach"; "Anna and Ben" -> both. Forgiving as a person types a name: any case, without accents ("jose"
 * finds José), a first name alone when only one person has it ("Anna" finds Anna Lima), and the start
 * of a name written with a capital inside the query ("party with Christ" finds Christine) when only one
 * person's name starts so. A lower-case fragment is never a name ("car" does not find Carla): a query's
 * words are mostly things; nor is a capitalised first word (a sentence's capital: "Car on the road").
 * Text in quotes is never read as a name. Longer names are matched first, each word used once.
 */
export function peopleInQuery(query: string, people: readonly NamedPerson[]): { found: NamedPerson[]; rest: string } {
  if (people.length === 0) return { found: [], rest: query };
  const text = query.normalize('NFKC');
  const quoted: Array<[number, number]> = [...text.matchAll(/"[^"]*"/g)].map((m) => [m.index, m.index + m[0].length]);
  const words = wordsOf(text).filter((w) => !quoted.some(([a, b]) => w.start >= a && w.end <= b));
  const used = new Array<boolean>(words.length).fill(false);
  const found: NamedPerson[] = [];
  const spans: Array<[number, number]> = [];
  const take = (person: NamedPerson, at: number[]) => {
    for (const k of at) {
      used[k] = true;
      spans.push([words[k]!.start, words[k]!.end]);
    }
    if (!found.some((p) => p.id === person.id)) found.push(person);
  };
  const keyed = people.map((p) => ({ p, key: personKey(p.name).split(' ') })).filter((x) => x.key[0] !== '');
  // Whole names, longest first, their words together and in order.
  for (const { p, key } of [...keyed].sort((a, b) => b.key.length - a.key.length)) {
    for (let i = 0; i + key.length <= words.length; i++)
      if (key.every((w, j) => !used[i + j] && words[i + j]!.key === w)) {
        take(
          p,
          key.map((_, j) => i + j),
        );
        break;
      }
  }
  // A first name only one person has; then the capitalised start of only one person's first name.
  const firstNames = new Map<string, NamedPerson[]>();
  for (const { p, key } of keyed) firstNames.set(key[0]!, [...(firstNames.get(key[0]!) ?? []), p]);
  words.forEach((w, i) => {
    if (used[i]) return;
    const same = firstNames.get(w.key);
    if (same?.length === 1) return take(same[0]!, [i]);
    if (!w.capitalised || w.key.length < 3 || i === 0) return;
    const starting = keyed.filter(({ key }) => key[0]!.startsWith(w.key));
    if (starting.length === 1) take(starting[0]!.p, [i]);
  });
  if (found.length === 0) return { found, rest: query };
  let rest = '';
  let at = 0;
  for (const [start, end] of spans.sort((a, b) => a[0] - b[0])) {
    rest += `${text.slice(at, start)} `;
    at = end;
  }
  rest += text.slice(at);
  return { found, rest: rest.replace(/\s+/g, ' ').trim() };
}
