import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FolderGrants, GRANT_TTL_MS, folderKey } from '../../../src/main/electron/folder-grants.js';

const PICKED = '/home/me/Pictures';

/** Grants on a clock the test moves. */
function grantsAt(start = 1_000_000): { grants: FolderGrants; advance: (ms: number) => void } {
  let now = start;
  return { grants: new FolderGrants({ now: () => now }), advance: (ms) => (now += ms) };
}

describe('folder grants', () => {
  it('let the picked folder be added once, as the picker spelled it', () => {
    const { grants } = grantsAt();
    const token = grants.issue(PICKED);
    assert.equal(grants.redeem(token, PICKED), PICKED);
    assert.equal(grants.redeem(token, PICKED), null, 'a grant is good for one use');
    assert.equal(grants.size, 0);
  });

  it('are unguessable: 256 random bits, URL-safe, never the same twice', () => {
    const { grants } = grantsAt();
    const tokens = new Set(Array.from({ length: 200 }, () => grants.issue(PICKED)));
    assert.equal(tokens.size, 200);
    for (const token of tokens) assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  });

  it('refuse a missing, made-up or non-string grant', () => {
    const { grants } = grantsAt();
    const token = grants.issue(PICKED);
    for (const given of [undefined, null, '', 'x'.repeat(43), token.slice(1), `${token}x`, token.toUpperCase(), 42, { token }, [token]])
      assert.equal(grants.redeem(given, PICKED), null, JSON.stringify(given));
    // None of those used up the real grant.
    assert.equal(grants.redeem(token, PICKED), PICKED);
  });

  it('refuse a grant presented with another folder, and burn it', () => {
    const { grants } = grantsAt();
    const token = grants.issue(PICKED);
    assert.equal(grants.redeem(token, '/'), null);
    assert.equal(grants.redeem(token, PICKED), null, 'a grant presented with the wrong path is gone');
  });

  it('bind each grant to its own folder', () => {
    const { grants } = grantsAt();
    const pictures = grants.issue(PICKED);
    const music = grants.issue('/home/me/Music');
    assert.equal(grants.redeem(music, PICKED), null);
    assert.equal(grants.redeem(pictures, '/home/me/Music'), null);
    assert.equal(grants.size, 0, 'both were burned');
  });

  it('lapse after their time', () => {
    const { grants, advance } = grantsAt();
    const early = grants.issue(PICKED);
    const late = grants.issue(PICKED);
    advance(GRANT_TTL_MS - 1);
    assert.equal(grants.redeem(early, PICKED), PICKED, 'still good just before it lapses');
    advance(1);
    assert.equal(grants.redeem(late, PICKED), null, 'lapsed');
  });

  it('hold only the newest few: issuing more drops the oldest', () => {
    const grants = new FolderGrants({ max: 3 });
    const tokens = [1, 2, 3, 4].map((n) => grants.issue(`/photos/${n}`));
    assert.equal(grants.size, 3);
    assert.equal(grants.redeem(tokens[0], '/photos/1'), null);
    assert.equal(grants.redeem(tokens[3], '/photos/4'), '/photos/4');
  });

  it('see through spellings of the same folder, and through none that name another', () => {
    const same = [`${PICKED}/`, `${PICKED}//`, `${PICKED}/.`, `${PICKED}/./`, '/home/me/./Pictures', '/home/me/Music/../Pictures', '//home/me/Pictures'];
    const other = [
      '/',
      '/home/me',
      `${PICKED}/..`,
      `${PICKED}/../..`,
      `${PICKED}/sub`,
      `${PICKED}2`,
      `${PICKED} `,
      '/HOME/ME/PICTURES',
      'home/me/Pictures',
      './Pictures',
      '../Pictures',
      'Pictures',
      `${PICKED}\0`,
      `${PICKED}/\0/..`,
      '%2Fhome%2Fme%2FPictures',
      '~/Pictures',
      '',
    ];
    for (const path of same) {
      const { grants } = grantsAt();
      assert.equal(grants.redeem(grants.issue(PICKED), path), PICKED, JSON.stringify(path));
    }
    for (const path of other) {
      const { grants } = grantsAt();
      assert.equal(grants.redeem(grants.issue(PICKED), path), null, JSON.stringify(path));
    }
  });

  it('are issued only for a full path', () => {
    const { grants } = grantsAt();
    for (const path of ['', 'Pictures', './Pictures', `${PICKED}\0`]) assert.throws(() => grants.issue(path), /other than a full path/, JSON.stringify(path));
  });

  it('name folders by full path only', () => {
    assert.equal(folderKey('/a/b/../c/'), '/a/c');
    assert.equal(folderKey('a/b'), null);
    assert.equal(folderKey(''), null);
    assert.equal(folderKey('/a\0'), null);
  });
});
