/**
 * The README's "A real run" is true (issue 27.11): the commands it shows, run now through the CLI on a
 * fresh sample library, print what it shows, but for the figures that vary from run to run (times,
 * rates, scores), which `npm run bench -- --readme` measured when it wrote the block.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { COMMANDS, readmeBlock, realRun, shape } from '../../bench/readme-run.js';
import { tempDir } from '../fixtures.js';

describe("the README's real run", () => {
  const tmp = tempDir();
  after(() => tmp.remove());
  const block = readmeBlock(readFileSync('README.md', 'utf8'));

  it('is written by the script, between its markers, with the commands the script runs', () => {
    assert.ok(block, 'README.md has the block');
    const commands = block.split('\n').filter((line) => line.startsWith('$ npx glimpse '));
    assert.equal(commands.length, COMMANDS.length);
    assert.match(block, /Indexed 60 photos in [\d.]+ s \([\d.]+ photos\/s\)\./, 'it shows how fast the sample was indexed');
  });

  it('is what the commands print now, times, rates and scores aside', () => {
    assert.equal(shape(block!), shape(realRun(tmp.path)));
  });
});
