// `glimpse models` and `glimpse status` as a user runs them (child processes): packs said once and in a
// user's words, with their sizes; a download that cannot reach its site says so and how to do without it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { DEVELOPER_WORDING, tempDir } from '../fixtures.js';

const CLI = fileURLToPath(new URL('../../src/cli/glimpse.ts', import.meta.url));

function glimpse(args: string[]) {
  const env = { ...process.env };
  delete env.GLIMPSE_PACK_CATALOGUE;
  delete env.GLIMPSE_MODEL_BASE_URL;
  return spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8', timeout: 120_000, env });
}

describe('glimpse models and status', () => {
  const tmp = tempDir();
  const dataDir = join(tmp.path, 'data');
  after(() => tmp.remove());

  it('lists each pack once, with its size and licence, in words for users', () => {
    const result = glimpse(['--data-dir', dataDir, 'models']);
    assert.equal(result.status, 0, result.stderr);
    assert.doesNotMatch(result.stdout, DEVELOPER_WORDING);
    assert.doesNotMatch(result.stdout, /bundled\)? ?\(bundled/);
    assert.match(result.stdout, /^\* tiny-coca +comes with Glimpse, licence MIT$/m);
    assert.match(result.stdout, /^ {2}clip-vit-b32 +.*, about \d(\.\d)? GB, licence /m);
    assert.match(result.stdout, /^ {2}mobileclip-s2 +.*, about \d+ MB, licence /m);
  });

  it('names the model in use once', () => {
    const result = glimpse(['--data-dir', dataDir, 'status']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^Model: tiny-coca, with captions$/m);
  });

  it('says a download site it cannot reach is unreachable, and the ways to install without it', () => {
    const result = glimpse(['--data-dir', dataDir, 'models', 'download', 'mobileclip-s2', '--base-url', 'http://huggingface.invalid']);
    assert.equal(result.status, 1);
    const lines = result.stderr.trimEnd().split('\n');
    assert.equal(lines[0], 'glimpse: Glimpse could not reach huggingface.invalid: this computer seems to be offline, or huggingface.invalid cannot be found from this network.');
    assert.equal(lines[1], 'To install mobileclip-s2 without reaching huggingface.invalid:');
    assert.match(lines[2]!, /^ {2}- From a folder: .*`glimpse models download mobileclip-s2`.*`glimpse models import <folder>`/);
    assert.match(lines[3]!, /^ {2}- From a mirror: .*GLIMPSE_MODEL_BASE_URL/);
    assert.doesNotMatch(result.stderr, /getaddrinfo|ENOTFOUND|fetch failed/);
  });
});
