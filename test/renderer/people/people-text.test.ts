/**
 * What the People views compute: the order people are listed in, a search without a person's name (the
 * chip's ✕), and the crop that shows one face in a round frame.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Person } from '../../../src/shared/api.js';
import { faceCrop, peopleGroups } from '../../../src/renderer/people/people-text.js';

const person = (id: number, name: string | null, photos: number, hidden = false): Person => ({ id, name, hidden, faces: photos, photos, cover: null });

describe('people, as the app shows them', () => {
  it('lists named people by name, then unnamed ones by photos, and the hidden apart', () => {
    const { named, unnamed, hidden } = peopleGroups([person(1, null, 3), person(2, 'ben', 2), person(3, 'Anna', 1), person(4, null, 9), person(5, 'Zoë', 4, true)]);
    assert.deepEqual(
      named.map((p) => p.id),
      [3, 2],
    );
    assert.deepEqual(
      unnamed.map((p) => p.id),
      [4, 1],
    );
    assert.deepEqual(
      hidden.map((p) => p.id),
      [5],
    );
  });

  it('crops a square around a face, inside the photo', () => {
    // A face a tenth of a square photo wide, in its middle: the frame shows 17% of the photo around it.
    const middle = faceCrop({ x: 0.45, y: 0.45, width: 0.1, height: 0.1 }, 1);
    assert.equal(Math.round(middle.width), 588);
    assert.equal(middle.width, middle.height);
    assert.ok(Math.abs(middle.left - -(0.415 / 0.17) * 100) < 0.5);
    // A face in the top-left corner of a wide photo: the crop stops at the photo's edges.
    const corner = faceCrop({ x: 0, y: 0, width: 0.05, height: 0.2 }, 2);
    assert.equal(corner.left, 0);
    assert.equal(corner.top, 0);
    assert.ok(corner.width / corner.height > 1.99 && corner.width / corner.height < 2.01, 'the photo keeps its aspect');
    // A face as large as the photo: the whole photo's shorter side.
    const huge = faceCrop({ x: 0, y: 0, width: 1, height: 1 }, 0.5);
    assert.equal(huge.width, 100);
    assert.ok(huge.top <= 0 && huge.top >= -100);
  });
});
