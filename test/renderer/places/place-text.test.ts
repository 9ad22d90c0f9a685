/** What the Places list computes: which regions are headed, the search filter of a region or city, and the words for where a place is and where finding places stands. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PlaceCountry } from '../../../src/shared/api.js';
import { cityFilter, placesSummary, regionFilter, regionRows, whereIs } from '../../../src/renderer/places/place-text.js';

const portugal: PlaceCountry = {
  code: 'PT',
  name: 'Portugal',
  photos: 7,
  cover: 1,
  regions: [
    { name: 'Lisbon', photos: 3, cover: 1, cities: [{ name: 'Intendente', photos: 3, cover: 1 }] },
    { name: 'Porto', photos: 2, cover: 4, cities: [{ name: 'Porto', photos: 2, cover: 4 }] },
    { name: null, photos: 2, cover: 6, cities: [{ name: null, photos: 2, cover: 6 }] },
  ],
};

describe('the Places list', () => {
  it('heads a region with its name unless its one city has the same name, or it has none', () => {
    assert.deepEqual(
      regionRows(portugal).map((r) => r.heading),
      [true, false, false],
    );
  });

  it('filters a region and a city within their country, leaving out names not known', () => {
    const [lisbon, porto, away] = portugal.regions;
    assert.deepEqual(regionFilter(portugal, lisbon!), { country: 'PT', region: 'Lisbon' });
    assert.deepEqual(cityFilter(portugal, porto!, porto!.cities[0]!), { country: 'PT', region: 'Porto', city: 'Porto' });
    assert.deepEqual(cityFilter(portugal, away!, away!.cities[0]!), { country: 'PT' });
  });

  it('says where a place is, and where finding places stands', () => {
    const [lisbon, porto] = portugal.regions;
    assert.equal(whereIs(portugal, lisbon!, lisbon!.cities[0]!), 'Lisbon, Portugal');
    assert.equal(whereIs(portugal, porto!, porto!.cities[0]!), 'Portugal');
    assert.equal(whereIs(portugal, lisbon!, null), 'Portugal');
    assert.equal(whereIs(portugal, null, null), '2 places');
    assert.equal(placesSummary({ withGps: 9, placed: 7, nowhere: 1, unplaced: 1 }), '9 photos with a location · 7 placed · 1 still to place · 1 at sea or far from any country');
  });
});
