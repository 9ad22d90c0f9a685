/**
 * One reader of a query's parts (src/main/engine/search/query-parser.ts): a table of phrasings with the
 * parts each names (kind, label, range or value) and the words left to search, the traps included (a
 * place that is also a word, "may", a weekday, numbers that are not years), the old readers' tables
 * (query-dates, people-in-query), and a seeded property: composed queries are read back.
 * The clock is fixed: Monday 7 December 2026, noon UTC.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PlaceCandidate } from '../../../../src/main/engine/places/place-names.js';
import { type ParsedPart, type QueryContext, parseQueryParts } from '../../../../src/main/engine/search/query-parser.js';
import { seededRandom } from '../../../../src/scenes/scene.js';
import { easterSunday } from '../../../../src/shared/query-dates.js';

const NOW = new Date('2026-12-07T12:00:00Z');

/** A small gazetteer of a library: the places it has photos of (Paris and Split: none). */
const PLACES: Array<[PlaceCandidate['kind'], string, string, number]> = [
  ['city', 'lisbon', 'Lisbon', 120],
  ['city', 'porto', 'Porto', 30],
  ['country', 'portugal', 'Portugal', 300],
  ['city', 'kyoto', 'Kyoto', 80],
  ['country', 'japan', 'Japan', 95],
  ['city', 'nice', 'Nice', 40],
  ['country', 'turkey', 'Turkey', 25],
  ['country', 'china', 'China', 10],
  ['city', 'reading', 'Reading', 5],
  ['region', 'jersey', 'Jersey', 7],
  ['city', 'new york', 'New York', 60],
  ['region', 'new york', 'New York State', 70],
  ['city', 'sao paulo', 'São Paulo', 9],
  ['city', 'rio de janeiro', 'Rio de Janeiro', 12],
  ['region', 'lake district', 'Lake District', 14],
  ['city', 'zurich', 'Zürich', 6],
  ['city', 'paris', 'Paris', 0],
  ['city', 'split', 'Split', 0],
];
const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
/** The lookup as the places engine answers it: any case, accents forgiven. */
const places = (phrase: string): PlaceCandidate[] =>
  PLACES.filter(([, key]) => key === fold(phrase)).map(([kind, , name, photos]) => ({
    kind,
    name,
    label: name,
    place: kind === 'country' ? { country: name } : { country: 'XX', [kind]: name },
    photos,
  }));

const CONTEXT: QueryContext = {
  now: NOW,
  people: [
    { id: 1, name: 'Anna' },
    { id: 2, name: 'Ben Okafor' },
    { id: 3, name: 'May Lin' },
    { id: 4, name: 'José' },
  ],
  concepts: [
    { id: 10, name: 'Miso' },
    { id: 11, name: "Grandpa's boat" },
    { id: 12, name: 'our old kitchen' },
  ],
  places,
  hasFaces: true,
};

/** A part as the table writes it: kind, label, value; " ?" when ambiguous. */
function show(p: ParsedPart): string {
  const a = p.ambiguous ? ' ?' : '';
  switch (p.kind) {
    case 'date':
      return `date ${p.label} ${p.after}..${p.before}${a}`;
    case 'place':
      return `place ${p.label}${a}`;
    case 'person':
      return `person ${p.label}#${p.person}${a}`;
    case 'concept':
      return `concept ${p.label}#${p.concept}${a}`;
    case 'media':
      return `media ${p.media}${a}`;
    case 'exclude':
      return `exclude ${p.label}${a}`;
  }
}
function read(query: string, context: QueryContext = CONTEXT): [string[], string] {
  const { parts, rest } = parseQueryParts(query, context);
  return [parts.map(show), rest];
}

describe('the parts of a query', () => {
  // [query, parts, rest]
  const table: Array<[string, string[], string]> = [
    ['dog on the beach 2023', ['date 2023 2023-01-01..2024-01-01'], 'dog on the beach'],
    ['snow in January 2021', ['date January 2021 2021-01-01..2021-02-01'], 'snow'],
    ['party in dec 1999', ['date December 1999 1999-12-01..2000-01-01'], 'party'],
    ['kids 2019-2021', ['date 2019 to 2021 2019-01-01..2022-01-01'], 'kids'],
    ['from 2019 to 2021 kids', ['date 2019 to 2021 2019-01-01..2022-01-01'], 'kids'],
    ['receipts 2022-06', ['date June 2022 2022-06-01..2022-07-01'], 'receipts'],
    ['2023', ['date 2023 2023-01-01..2024-01-01'], ''],
    ['IMG_2023', [], 'IMG_2023'],
    ['scan-2023.jpg', [], 'scan-2023.jpg'],
    ['receipt "2023"', [], 'receipt "2023"'],
    ['room 1984b', [], 'room 1984b'],
    ['3000 stars', [], '3000 stars'],
    ['2021-2019', [], '2021-2019'],
    ['red circle', [], 'red circle'],
    ['2019 to 2021', ['date 2019 to 2021 2019-01-01..2022-01-01'], ''],
    ['between 2019 and 2021', ['date 2019 to 2021 2019-01-01..2022-01-01'], ''],
    ['cats and dogs 2019 and 2021', ['date 2019 2019-01-01..2020-01-01'], 'cats and dogs and 2021'],
    ['in 2023', ['date 2023 2023-01-01..2024-01-01'], ''],
    ['during 2020 lockdown', ['date 2020 2020-01-01..2021-01-01'], 'lockdown'],
    ['June 2022', ['date June 2022 2022-06-01..2022-07-01'], ''],
    ['Jun. 2022', ['date June 2022 2022-06-01..2022-07-01'], ''],
    ['march of 2021', ['date March 2021 2021-03-01..2021-04-01'], ''],
    ['sept 2020 wedding', ['date September 2020 2020-09-01..2020-10-01'], 'wedding'],
    ['2022-06-15', ['date 15 June 2022 2022-06-15..2022-06-16'], ''],
    ['concert 2022-06-15', ['date 15 June 2022 2022-06-15..2022-06-16'], 'concert'],
    ['yesterday', ['date 6 December 2026 2026-12-06..2026-12-07'], ''],
    ['today', ['date 7 December 2026 2026-12-07..2026-12-08'], ''],
    ["today's top photos", [], "today's top photos"],
    ['cake yesterday', ['date 6 December 2026 2026-12-06..2026-12-07'], 'cake'],
    ['this week', ['date week of 7 December 2026 2026-12-07..2026-12-14'], ''],
    ['last week', ['date week of 30 November 2026 2026-11-30..2026-12-07'], ''],
    ['this month', ['date December 2026 2026-12-01..2027-01-01'], ''],
    ['last month', ['date November 2026 2026-11-01..2026-12-01'], ''],
    ['this year', ['date 2026 2026-01-01..2027-01-01'], ''],
    ['last year', ['date 2025 2025-01-01..2026-01-01'], ''],
    ['last weekend', ['date weekend of 5 December 2026 2026-12-05..2026-12-07'], ''],
    ['3 days ago', ['date 4 December 2026 2026-12-04..2026-12-05'], ''],
    ['a week ago', ['date week of 30 November 2026 2026-11-30..2026-12-07'], ''],
    ['two months ago', ['date October 2026 2026-10-01..2026-11-01'], ''],
    ['2 years ago', ['date 2024 2024-01-01..2025-01-01'], ''],
    ['a year ago', ['date 2025 2025-01-01..2026-01-01'], ''],
    ['in March', ['date March 2026 2026-03-01..2026-04-01'], ''],
    ['receipts from March', ['date March 2026 2026-03-01..2026-04-01'], 'receipts'],
    ['last March', ['date March 2026 2026-03-01..2026-04-01'], ''],
    ['this March', ['date March 2026 2026-03-01..2026-04-01'], ''],
    ['in may', ['date May 2026 2026-05-01..2026-06-01'], ''],
    ['beach May', ['person May Lin#3'], 'beach'],
    ['may the force be with you', [], 'may the force be with you'],
    ['you may need a coat', [], 'you may need a coat'],
    ['March of the penguins', [], 'March of the penguins'],
    ['march in the streets', [], 'march in the streets'],
    ['since March', ['date since March 2026 2026-03-01..2026-12-08'], ''],
    ['March 5', ['date 5 March 2026 2026-03-05..2026-03-06'], ''],
    ['5 March 2021', ['date 5 March 2021 2021-03-05..2021-03-06'], ''],
    ['on 12/25/2022', ['date 25 December 2022 2022-12-25..2022-12-26'], ''],
    ['the 4th of July 2021', ['date Fourth of July 2021 2021-07-04..2021-07-05'], ''],
    ['4th of july fireworks', ['date 4 July 2026 2026-07-04..2026-07-05'], 'fireworks'],
    ['last summer', ['date summer 2026 2026-06-01..2026-09-01'], ''],
    ['this summer', ['date summer 2026 2026-06-01..2026-09-01'], ''],
    ['this winter', ['date winter 2026 2026-12-01..2027-03-01'], ''],
    ['last winter', ['date winter 2025 2025-12-01..2026-03-01'], ''],
    ['summer 2023', ['date summer 2023 2023-06-01..2023-09-01'], ''],
    ['the summer of 2019', ['date summer 2019 2019-06-01..2019-09-01'], ''],
    ['winter 2021', ['date winter 2021 2021-12-01..2022-03-01'], ''],
    ['autumn 2020', ['date autumn 2020 2020-09-01..2020-12-01'], ''],
    ['fall 2020', ['date autumn 2020 2020-09-01..2020-12-01'], ''],
    ['spring 2025', ['date spring 2025 2025-03-01..2025-06-01'], ''],
    ['beach in summer', [], 'beach in summer'],
    ['summer dress', [], 'summer dress'],
    ['Christmas 2022', ['date Christmas 2022 2022-12-24..2022-12-27'], ''],
    ['christmas 2022 dinner', ['date Christmas 2022 2022-12-24..2022-12-27'], 'dinner'],
    ['Christmas', ['date Christmas 2025 2025-12-24..2025-12-27 ?'], ''],
    ['christmas tree', [], 'christmas tree'],
    ["christmas at grandma's", ['date Christmas 2025 2025-12-24..2025-12-27 ?'], "at grandma's"],
    ['last Christmas', ['date Christmas 2025 2025-12-24..2025-12-27'], ''],
    ['Christmas Eve 2023', ['date Christmas Eve 2023 2023-12-24..2023-12-25'], ''],
    ["New Year's Eve", ["date New Year's Eve 2025 2025-12-31..2026-01-02 ?"], ''],
    ['new years eve 2019', ["date New Year's Eve 2019 2019-12-31..2020-01-02"], ''],
    ["New Year's Day 2020", ["date New Year's Day 2020 2020-01-01..2020-01-02"], ''],
    ['Easter 2024', ['date Easter 2024 2024-03-29..2024-04-02'], ''],
    ['Easter 2025', ['date Easter 2025 2025-04-18..2025-04-22'], ''],
    ['easter eggs', [], 'easter eggs'],
    ['Easter', ['date Easter 2026 2026-04-03..2026-04-07 ?'], ''],
    ['Halloween', ['date Halloween 2026 2026-10-31..2026-11-01 ?'], ''],
    ['halloween costumes', [], 'halloween costumes'],
    ['halloween 2021', ['date Halloween 2021 2021-10-31..2021-11-01'], ''],
    ["Valentine's Day 2023", ["date Valentine's Day 2023 2023-02-14..2023-02-15"], ''],
    ['the 90s', ['date the 1990s 1990-01-01..2000-01-01'], ''],
    ["the '90s", ['date the 1990s 1990-01-01..2000-01-01'], ''],
    ['the 1990s', ['date the 1990s 1990-01-01..2000-01-01'], ''],
    ['1990s', ['date the 1990s 1990-01-01..2000-01-01'], ''],
    ['in the 80s', ['date the 1980s 1980-01-01..1990-01-01'], ''],
    ['the 2010s', ['date the 2010s 2010-01-01..2020-01-01'], ''],
    ['the 00s', ['date the 2000s 2000-01-01..2010-01-01'], ''],
    ['woman in her 90s', [], 'woman in her 90s'],
    ['sat on a bench', [], 'sat on a bench'],
    ['second place', [], 'second place'],
    ['now', [], 'now'],
    ['now and then', [], 'now and then'],
    ['morning coffee', [], 'morning coffee'],
    ['10 am meeting', [], '10 am meeting'],
    ['5', [], '5'],
    ['100', [], '100'],
    ['a 1000 piece puzzle', [], 'a 1000 piece puzzle'],
    ['2 dogs', [], '2 dogs'],
    ['1 dog 3 cats', [], '1 dog 3 cats'],
    ['year 3000', [], 'year 3000'],
    ['Lisbon', ['place Lisbon'], ''],
    ['lisbon', ['place Lisbon'], ''],
    ['in Lisbon', ['place Lisbon'], ''],
    ['Anna in Lisbon last summer', ['person Anna#1', 'place Lisbon', 'date summer 2026 2026-06-01..2026-09-01'], ''],
    ['beach Portugal 2023', ['place Portugal', 'date 2023 2023-01-01..2024-01-01'], 'beach'],
    ['trip to Porto', ['place Porto'], 'trip'],
    ['Lisbon and Porto', ['place Lisbon', 'place Porto'], ''],
    ['new york', ['place New York State'], ''],
    ['New York in the 90s', ['place New York State', 'date the 1990s 1990-01-01..2000-01-01'], ''],
    ['sao paulo', ['place São Paulo'], ''],
    ['São Paulo', ['place São Paulo'], ''],
    ['Rio de Janeiro carnival', ['place Rio de Janeiro'], 'carnival'],
    ['zurich', ['place Zürich'], ''],
    ['Paris', [], 'Paris'],
    ['split screen', [], 'split screen'],
    ['Split', [], 'Split'],
    ['Nice', ['place Nice ?'], ''],
    ['a nice day', [], 'a nice day'],
    ['dinner in Nice', ['place Nice ?'], 'dinner'],
    ['beach Nice', ['place Nice ?'], 'beach'],
    ['Nice beach', [], 'Nice beach'],
    ['Turkey', ['place Turkey ?'], ''],
    ['roast turkey dinner', [], 'roast turkey dinner'],
    ['holiday in Turkey', ['place Turkey ?'], 'holiday'],
    ['turkey', ['place Turkey ?'], ''],
    ['China', ['place China ?'], ''],
    ['china plates', [], 'china plates'],
    ['made in China', ['place China ?'], 'made'],
    ['Reading', ['place Reading ?'], ''],
    ['reading a book', [], 'reading a book'],
    ['from Reading', ['place Reading ?'], ''],
    ['Jersey', ['place Jersey ?'], ''],
    ['football jersey', [], 'football jersey'],
    ['sunset in Jersey', ['place Jersey ?'], 'sunset'],
    ['Kyoto without people', ['place Kyoto', 'exclude without people'], ''],
    ['temples near Kyoto', ['place Kyoto'], 'temples'],
    ['Kyoto 2019 with Anna', ['place Kyoto', 'date 2019 2019-01-01..2020-01-01', 'person Anna#1'], ''],
    ['Anna', ['person Anna#1'], ''],
    ['anna at the beach', ['person Anna#1'], 'at the beach'],
    ['Anna and Ben at the beach 2019', ['person Anna#1', 'person Ben Okafor#2', 'date 2019 2019-01-01..2020-01-01'], 'at the beach'],
    ['Ben Okafor skiing', ['person Ben Okafor#2'], 'skiing'],
    ['ben on a boat', ['person Ben Okafor#2'], 'on a boat'],
    ['jose in the kitchen', ['person José#4'], 'in the kitchen'],
    ['José', ['person José#4'], ''],
    ['beach with Anna', ['person Anna#1'], 'beach'],
    ['portrait of Anna', ['person Anna#1'], 'portrait'],
    ['May at the beach', ['person May Lin#3'], 'at the beach'],
    ['may', [], 'may'],
    ['May 2022', ['date May 2022 2022-05-01..2022-06-01'], ''],
    ['May Lin', ['person May Lin#3'], ''],
    ['Car on the road', [], 'Car on the road'],
    ['Miso', ['concept Miso#10'], ''],
    ['Miso on the sofa', ['concept Miso#10'], 'on the sofa'],
    ['photos of Miso', ['concept Miso#10'], ''],
    ["boat Grandpa's", ["concept Grandpa's boat#11"], ''],
    ['our old kitchen', ['concept our old kitchen#12'], ''],
    ['not Miso', ['exclude without Miso'], ''],
    ['Miso without Anna', ['concept Miso#10', 'exclude without Anna'], ''],
    ['videos of kites', ['media video'], 'kites'],
    ['video', ['media video'], ''],
    ['videos', ['media video'], ''],
    ['clips from the wedding', ['media video'], 'the wedding'],
    ['movies of Anna', ['media video', 'person Anna#1'], ''],
    ['video game', [], 'video game'],
    ['video call with mum', [], 'video call with mum'],
    ['paper clips', [], 'paper clips'],
    ['photos of kites', [], 'photos of kites'],
    ['pictures of the sea', [], 'pictures of the sea'],
    ['only photos', ['media photo'], ''],
    ['photos only', ['media photo'], ''],
    ['just pictures of Anna', ['media photo', 'person Anna#1'], ''],
    ['no videos', ['exclude no videos'], ''],
    ['without people', ['exclude without people'], ''],
    ['no people', ['exclude without people'], ''],
    ['with nobody', ['exclude without people'], ''],
    ['beach with no one', ['exclude without people'], 'beach'],
    ['Kyoto no people', ['place Kyoto', 'exclude without people'], ''],
    ['without Anna', ['exclude without Anna'], ''],
    ['the beach without Ben', ['exclude without Ben Okafor'], 'the beach'],
    ['not at night', [], 'not at night'],
    ['city not at night', [], 'city not at night'],
    ['"Lisbon 2023" poster', [], '"Lisbon 2023" poster'],
    ['"Anna" written on a sign', [], '"Anna" written on a sign'],
    ['"videos" in a shop window', [], '"videos" in a shop window'],
    // Nothing read: the query is left as typed, for the search to make of it what it can.
    ['the of and', [], 'the of and'],
    ['the', [], 'the'],
    ['in at from', [], 'in at from'],
    ['a', [], 'a'],
    ['photos from 2019', ['date 2019 2019-01-01..2020-01-01'], ''],
    ['the Lake District', ['place Lake District'], ''],
    ['hiking in the Lake District', ['place Lake District'], 'hiking'],
  ];
  assert.ok(table.length >= 150, `a table of at least 150 phrasings (${table.length})`);
  for (const [query, parts, rest] of table)
    it(`reads ${JSON.stringify(query)}`, () => {
      assert.deepEqual(read(query), [parts, rest]);
    });
});

describe('what each part took', () => {
  it('gives the words it took, its lead included, and the query without them', () => {
    const { parts, rest } = parseQueryParts('Anna in Lisbon last summer', CONTEXT);
    assert.equal(rest, '');
    assert.deepEqual(
      parts.map((p) => [p.kind, p.text, p.label, p.without]),
      [
        ['person', 'Anna', 'Anna', 'in Lisbon last summer'],
        ['place', 'in Lisbon', 'Lisbon', 'Anna last summer'],
        ['date', 'last summer', 'summer 2026', 'Anna in Lisbon'],
      ],
    );
    const place = parts[1]!;
    assert.equal(place.kind === 'place' && place.place.name, 'Lisbon');
    assert.deepEqual([place.start, place.end], [5, 14]);
  });

  it('prefers the candidate with most photos', () => {
    const { parts } = parseQueryParts('new york', CONTEXT);
    assert.deepEqual(
      parts.map((p) => p.kind === 'place' && [p.place.kind, p.place.name, p.place.photos]),
      [['region', 'New York State', 70]],
    );
  });

  it('keeps as words the spans the user asked to keep (the undo of an ambiguous reading)', () => {
    assert.deepEqual(read('dinner in Nice'), [['place Nice ?'], 'dinner']);
    assert.deepEqual(read('dinner in Nice', { ...CONTEXT, literal: ['Nice'] }), [[], 'dinner in Nice']);
    assert.deepEqual(read('Christmas with Anna', { ...CONTEXT, literal: ['christmas'] }), [['person Anna#1'], 'Christmas']);
  });

  it('leaves "without people" as words when the library has no faces to tell', () => {
    assert.deepEqual(read('Kyoto without people', { ...CONTEXT, hasFaces: false }), [['place Kyoto'], 'without people']);
  });

  it('reads a person named like a month as her, and the month with a year as the month', () => {
    const may = { ...CONTEXT, people: [{ id: 9, name: 'May' }] };
    assert.deepEqual(read('May at the beach', may), [['person May#9'], 'at the beach']);
    assert.deepEqual(read('in May', may), [['date May 2026 2026-05-01..2026-06-01'], '']);
    assert.deepEqual(read('May 2022', may), [['date May 2022 2022-05-01..2022-06-01'], '']);
    assert.deepEqual(read('may the force', may), [[], 'may the force']);
    // Nobody called May: a capital inside the query is the month; a first word is not.
    assert.deepEqual(read('beach May', { ...CONTEXT, people: [] }), [['date May 2026 2026-05-01..2026-06-01'], 'beach']);
  });

  it('reads each time relative to the clock', () => {
    const at = (iso: string, query: string) => read(query, { ...CONTEXT, now: new Date(iso) })[0];
    assert.deepEqual(at('2026-02-10T12:00:00Z', 'in March'), ['date March 2025 2025-03-01..2025-04-01']);
    assert.deepEqual(at('2026-03-10T12:00:00Z', 'in March'), ['date March 2026 2026-03-01..2026-04-01']);
    assert.deepEqual(at('2026-03-10T12:00:00Z', 'last March'), ['date March 2025 2025-03-01..2025-04-01']);
    assert.deepEqual(at('2026-07-15T12:00:00Z', 'last summer'), ['date summer 2025 2025-06-01..2025-09-01']);
    assert.deepEqual(at('2026-07-15T12:00:00Z', 'this summer'), ['date summer 2026 2026-06-01..2026-09-01']);
    assert.deepEqual(at('2026-01-15T12:00:00Z', 'this winter'), ['date winter 2025 2025-12-01..2026-03-01']);
    assert.deepEqual(at('2026-01-15T12:00:00Z', 'last winter'), ['date winter 2024 2024-12-01..2025-03-01']);
    assert.deepEqual(at('2026-12-25T12:00:00Z', 'Christmas'), ['date Christmas 2026 2026-12-24..2026-12-27 ?']);
    assert.deepEqual(at('2026-01-01T12:00:00Z', 'yesterday'), ['date 31 December 2025 2025-12-31..2026-01-01']);
  });

  it('computes Easter', () => {
    const known: Array<[number, string]> = [
      [2019, '4-21'],
      [2024, '3-31'],
      [2025, '4-20'],
      [2026, '4-5'],
      [2038, '4-25'],
      [2285, '3-22'],
    ];
    for (const [year, date] of known) {
      const { m, d } = easterSunday(year);
      assert.equal(`${m + 1}-${d}`, date, String(year));
    }
  });
});

describe('the old readers, read by the parser', () => {
  it("reads people-in-query's table (its rests without the lead words the parser takes)", () => {
    const people = [
      { id: 1, name: 'Anna' },
      { id: 2, name: 'Ben Okafor' },
      { id: 3, name: 'José' },
      { id: 4, name: 'Carla' },
      { id: 5, name: 'Christine' },
      { id: 6, name: 'Chris' },
      { id: 7, name: 'Anna Maria' },
    ];
    const context = { ...CONTEXT, people, concepts: [], places: () => [] };
    const ids = (query: string) => {
      const { parts, rest } = parseQueryParts(query, context);
      return { ids: parts.flatMap((p) => (p.kind === 'person' ? [p.person] : [])), rest };
    };
    const table: Array<[string, number[], string]> = [
      ['Anna', [1], ''],
      ['anna at the beach', [1], 'at the beach'],
      ['ANNA', [1], ''],
      ['Anna and Ben', [1, 2], ''],
      ['Ben Okafor skiing', [2], 'skiing'],
      ['Okafor', [], 'Okafor'],
      ['ben on a boat', [2], 'on a boat'],
      ['jose in the kitchen', [3], 'in the kitchen'],
      ['José', [3], ''],
      ['Anna Maria at the lake', [7], 'at the lake'],
      ['car on the road', [], 'car on the road'],
      ['Car on the road', [], 'Car on the road'],
      ['Chris', [6], ''],
      ['party with Christ', [5], 'party'],
      ['Christ', [], 'Christ'],
      ['party with Chri', [], 'party with Chri'],
      ['"Anna" written on a sign', [], '"Anna" written on a sign'],
      ['dog on a beach', [], 'dog on a beach'],
      ['', [], ''],
    ];
    for (const [query, expected, rest] of table) assert.deepEqual(ids(query), { ids: expected, rest }, query);
  });
});

describe('composed queries', () => {
  // Descriptions with no time, place or name in them, traps included ("roast turkey dinner", "reading a book").
  const descriptions = [
    'dog on the beach',
    'red kite',
    'birthday cake with candles',
    'snow covered mountains',
    'kids playing football',
    'sunset over the water',
    'a cat asleep on a chair',
    'roast turkey dinner',
    'reading a book',
    'a nice day out',
    'china plates on a table',
    'sat on a bench',
    'a 1000 piece puzzle',
    '2 dogs',
    'football jersey',
    'christmas tree',
  ];
  const placeForms: Array<[string, string]> = [
    ['Lisbon', 'place Lisbon'],
    ['in Lisbon', 'place Lisbon'],
    ['Kyoto', 'place Kyoto'],
    ['at Kyoto', 'place Kyoto'],
    ['in New York', 'place New York State'],
    ['in Turkey', 'place Turkey ?'],
    ['from Nice', 'place Nice ?'],
    ['in the Lake District', 'place Lake District'],
    ['São Paulo', 'place São Paulo'],
  ];
  const dateForms: Array<[string, string]> = [
    ['2019', 'date 2019 2019-01-01..2020-01-01'],
    ['in June 2022', 'date June 2022 2022-06-01..2022-07-01'],
    ['last summer', 'date summer 2026 2026-06-01..2026-09-01'],
    ['summer 2023', 'date summer 2023 2023-06-01..2023-09-01'],
    ['Christmas 2022', 'date Christmas 2022 2022-12-24..2022-12-27'],
    ['in the 90s', 'date the 1990s 1990-01-01..2000-01-01'],
    ['yesterday', 'date 6 December 2026 2026-12-06..2026-12-07'],
    ['last year', 'date 2025 2025-01-01..2026-01-01'],
    ['2 years ago', 'date 2024 2024-01-01..2025-01-01'],
    ['from 2019 to 2021', 'date 2019 to 2021 2019-01-01..2022-01-01'],
  ];
  const personForms: Array<[string, string]> = [
    ['Anna', 'person Anna#1'],
    ['with Anna', 'person Anna#1'],
    ['Ben Okafor', 'person Ben Okafor#2'],
    ['with José', 'person José#4'],
  ];

  it('reads back the parts a query was made of, and the description as the rest', () => {
    const next = seededRandom(29);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    for (let n = 0; n < 500; n++) {
      const description = pick(descriptions);
      const pieces: Array<[string, string | null]> = [[description, null]];
      if (next() < 0.7) pieces.push(pick(placeForms));
      if (next() < 0.7) pieces.push(pick(dateForms));
      if (next() < 0.5) pieces.push(pick(personForms));
      // The description first or last; the parts in any order.
      const [head, ...parts] = pieces;
      for (let i = parts.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [parts[i], parts[j]] = [parts[j]!, parts[i]!];
      }
      const ordered = next() < 0.5 ? [head!, ...parts] : [...parts, head!];
      const query = ordered.map(([text]) => text).join(' ');
      const [got, rest] = read(query);
      assert.deepEqual(
        got,
        ordered.flatMap(([, part]) => (part ? [part] : [])),
        query,
      );
      assert.equal(rest, description, query);
    }
  });
});

describe('times in the languages of the search pack', () => {
  /** Query, the pack's languages, the time read (label, or null) and the words left. */
  const CASES: Array<[string, string[], string | null, string]> = [
    ['perro en junio de 2021', ['en', 'es'], 'June 2021', 'perro'],
    ['playa el 5 de junio de 2021', ['en', 'es'], '5 June 2021', 'playa'],
    ['gatos ayer', ['es'], '6 December 2026', 'gatos'],
    ['chat le 14 juillet 2022', ['fr'], '14 July 2022', 'chat'],
    ['Strand am 3. Juni 2021', ['de'], '3 June 2021', 'Strand'],
    ['Hund gestern', ['de'], '6 December 2026', 'Hund'],
    ['praia em 3 de junho de 2021', ['pt'], '3 June 2021', 'praia'],
    ['кошка в июне 2021', ['ru'], 'June 2021', 'кошка'],
    ['пляж 3 июня 2021', ['ru', 'uk'], '3 June 2021', 'пляж'],
    ['2021年6月3日的海滩', ['zh'], '3 June 2021', '的海滩'],
    ['2021年6月の猫', ['ja'], 'June 2021', 'の猫'],
    ['2021年の海', ['zh'], '2021', 'の海'],
    // English is read whatever the pack, and other languages only when the pack reads them.
    ['dog in June 2021', ['en', 'de', 'fr'], 'June 2021', 'dog'],
    ['perro en junio de 2021', ['en'], '2021', 'perro en junio de'],
    ['2021年6月の猫', ['en'], null, '2021年6月の猫'],
    // Not a time: a planet, a weekday, a word.
    ['mars rover', ['fr'], null, 'mars rover'],
    ['party am Montag', ['de'], null, 'party am Montag'],
    ['el gato', ['es'], null, 'el gato'],
  ];
  for (const [query, languages, label, rest] of CASES)
    it(`${JSON.stringify(query)} (${languages.join(', ')})`, () => {
      const read = parseQueryParts(query, { ...CONTEXT, languages });
      assert.deepEqual(
        read.parts.filter((p) => p.kind === 'date').map((p) => p.label),
        label ? [label] : [],
      );
      assert.equal(read.rest, rest);
    });
});
