/** Names of people in a query, read as a person types them, and the traps: a lower-case thing that starts a name, quotes, two people, a name of two words. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { peopleInQuery } from '../../../../src/main/engine/faces/people-in-query.js';

const PEOPLE = [
  { id: 1, name: 'Anna' },
  { id: 2, name: 'Ben Okafor' },
  { id: 3, name: 'José' },
  { id: 4, name: 'Carla' },
  { id: 5, name: 'Christine' },
  { id: 6, name: 'Chris' },
  { id: 7, name: 'Anna Maria' },
];

function read(query: string): { ids: number[]; rest: string } {
  const { found, rest } = peopleInQuery(query, PEOPLE);
  return { ids: found.map((p) => p.id), rest };
}

describe('people named in a query', () => {
  const table: Array<[string, number[], string]> = [
    ['Anna', [1], ''],
    ['anna at the beach', [1], 'at the beach'],
    ['ANNA', [1], ''],
    ['Anna and Ben', [1, 2], 'and'],
    ['Ben Okafor skiing', [2], 'skiing'],
    ['Okafor', [], 'Okafor'],
    ['ben on a boat', [2], 'on a boat'],
    ['jose in the kitchen', [3], 'in the kitchen'],
    ['José', [3], ''],
    ['Anna Maria at the lake', [7], 'at the lake'],
    ['car on the road', [], 'car on the road'],
    ['Car on the road', [], 'Car on the road'],
    ['Chris', [6], ''],
    ['party with Christ', [5], 'party with'],
    ['Christ', [], 'Christ'],
    ['party with Chri', [], 'party with Chri'],
    ['"Anna" written on a sign', [], '"Anna" written on a sign'],
    ['dog on a beach', [], 'dog on a beach'],
    ['', [], ''],
  ];
  for (const [query, ids, rest] of table)
    it(`reads ${JSON.stringify(query)}`, () => {
      assert.deepEqual(read(query), { ids, rest });
    });

  it('reads nothing when nobody has a name', () => {
    assert.deepEqual(peopleInQuery('Anna', []), { found: [], rest: 'Anna' });
  });
});
