// The words of a refused API call, as the app shows them in its banner: what a person calls the field,
// what is wrong with it, and the rule, not the schema's internals ("bad search call at query: …").
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type MethodName, methods, parseCall } from '../../src/shared/api.js';
import { CALL_TOPICS } from '../../src/shared/refusal.js';

function refusal(method: MethodName, params: unknown): string {
  try {
    parseCall(method, params);
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail(`${method} ${JSON.stringify(params)} was accepted`);
}

describe('a refused call, in words', () => {
  it('says what is wrong with what the user typed, as a person would', () => {
    assert.equal(refusal('search', { query: 'x'.repeat(1001) }), 'The search is too long: a query is at most 1,000 characters');
    assert.equal(refusal('search', { query: 'dogs', after: 'yesterday' }), 'The first day to search is not in the form Glimpse reads: a date like 2024-06-30');
    assert.equal(refusal('setCaption', { id: 1, text: 'x'.repeat(2001) }), 'The caption is too long: a caption is at most 2,000 characters');
    assert.equal(refusal('setAlbumTitle', { id: 1, title: '' }), "The album's title is empty: an album needs a title");
    assert.equal(refusal('setAlbumTitle', { id: 1, title: 'x'.repeat(201) }), "The album's title is too long: a title is at most 200 characters");
    assert.equal(refusal('addFolder', { path: '' }), "The folder's path is empty: type the folder's path");
    assert.equal(refusal('createConcept', { name: 'Miso', examples: [] }), 'The example photos cannot be used: a concept needs at least one example photo');
    assert.match(refusal('createConcept', { name: '!!', examples: [1] }), /^The concept's name cannot be used: /);
  });

  it("never shows the schema's own words for what a user fills in", () => {
    const typed: Array<[MethodName, unknown]> = [
      ['search', { query: 'x'.repeat(5000) }],
      ['search', { query: 'x', folder: 'f'.repeat(5000) }],
      ['search', { query: 'x', camera: 'c'.repeat(300) }],
      ['search', { query: 'x', before: '30/06/2024' }],
      ['setCaption', { id: 1, text: 'x'.repeat(2001) }],
      ['setAlbumTitle', { id: 1, title: '' }],
      ['addFolder', { path: 'p'.repeat(5000) }],
      ['createConcept', { name: '', examples: [1] }],
      ['updateConcept', { id: 1, rename: '' }],
    ];
    for (const [method, params] of typed) {
      const words = refusal(method, params);
      assert.match(words, /^The [^:]+ (is|has|cannot)[^:]*: /, words);
      assert.doesNotMatch(words, /^bad |call at|Too (big|small)|expected (string|number)|Invalid input/, words);
    }
  });

  it('says a malformed request from a broken client is one Glimpse cannot read, with what was wrong', () => {
    assert.equal(refusal('photo', { id: -1 }), 'The app sent a request about a photo that Glimpse cannot read (id: Too small: expected number to be >0).');
    assert.match(refusal('status', { extra: true }), /^The app sent a request about the library's status that Glimpse cannot read \(/);
  });

  it('has words for what every call is about', () => {
    assert.deepEqual(
      Object.keys(methods).filter((m) => !CALL_TOPICS[m]),
      [],
    );
  });
});
