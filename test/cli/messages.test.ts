// What the CLI prints about a real user's folder (child processes): names that could fake lines of
// output (a newline in a file name), results listed by rank rather than a score that does not order
// them, and "~" in a typed path meaning the user's home.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { writeSampleLibrary } from '../../src/scenes/sample-library.js';
import { tempDir } from '../fixtures.js';

const CLI = fileURLToPath(new URL('../../src/cli/glimpse.ts', import.meta.url));

function glimpse(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, ...env } });
}

describe('names that could fake lines of the CLI output', () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Photos');
  const dataDir = join(tmp.path, 'data');
  // A damaged file and a good photo, each named to look like lines Glimpse prints.
  const damaged = 'evil\nLibrary: 0 photos indexed, 0 with problems.jpg';
  const faking = 'circle\n  1. fake result.jpg';
  let index: ReturnType<typeof glimpse>;

  before(async () => {
    const photos = await writeSampleLibrary(library, { count: 6, width: 320, height: 240 });
    writeFileSync(join(library, damaged), 'not a photo at all');
    copyFileSync(photos[0]!.path, join(library, faking)); // the sample's first photo: a red circle on grass
    index = glimpse(['--data-dir', dataDir, '--no-ocr', 'index', library]);
  });
  after(() => tmp.remove());

  it('glimpse index lists the damaged file on one line, its newline shown as \\n', () => {
    assert.equal(index.status, 0, index.stderr);
    const lines = index.stdout.split('\n');
    assert.equal(lines.filter((l) => l.startsWith('Library:')).length, 1, index.stdout);
    const listed = lines.find((l) => l.includes('evil'));
    assert.equal(listed, `  ${join(library, 'evil\\nLibrary: 0 photos indexed, 0 with problems.jpg')}: not an image, or a format Glimpse cannot read`);
  });

  it('glimpse status and search print each name on its own line, and results by rank without a score', () => {
    const status = glimpse(['--data-dir', dataDir, 'status']);
    assert.equal(status.status, 0, status.stderr);
    assert.ok(status.stdout.includes(join(library, 'evil\\nLibrary')), status.stdout);
    assert.equal(status.stdout.split('\n').filter((l) => l.startsWith('Library:')).length, 0);

    const search = glimpse(['--data-dir', dataDir, 'search', 'a red circle on grass', '--all']);
    assert.equal(search.status, 0, search.stderr);
    const ranked = search.stdout.split('\n').filter((l) => /^\s*\d+\. /.test(l));
    assert.ok(ranked.length >= 2, search.stdout);
    ranked.forEach((line, i) => assert.ok(line.startsWith(`${String(i + 1).padStart(3)}. ${library}`), `rank ${i + 1} then its path: ${line}`));
    assert.ok(
      ranked.some((l) => l.includes('circle\\n  1. fake result.jpg')),
      search.stdout,
    );
    assert.ok(!search.stdout.split('\n').some((l) => l.startsWith('  1. fake')));
  });
});

describe('a typed path starting with ~', () => {
  const tmp = tempDir();
  after(() => tmp.remove());

  it('is the home folder, for glimpse index as for the app', async () => {
    const home = join(tmp.path, 'home');
    mkdirSync(home);
    await writeSampleLibrary(join(home, 'Pictures'), { count: 2, width: 320, height: 240 });
    const dataDir = join(tmp.path, 'data');
    const result = glimpse(['--data-dir', dataDir, '--no-ocr', 'index', '~/Pictures'], { HOME: home, USERPROFILE: home });
    assert.equal(result.status, 0, result.stderr);
    const status = glimpse(['--data-dir', dataDir, 'status'], { HOME: home, USERPROFILE: home });
    assert.match(status.stdout, new RegExp(`^ {2}${join(home, 'Pictures').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: 2 photos$`, 'm'));
  });
});

describe('glimpse watch with no folders', () => {
  const tmp = tempDir();
  after(() => tmp.remove());

  it('says there is nothing to watch and how to add a folder', () => {
    const result = glimpse(['--data-dir', join(tmp.path, 'data'), 'watch']);
    assert.equal(result.status, 2);
    assert.equal(result.stderr.trim(), 'glimpse: there are no folders to watch yet: glimpse watch <folder> adds one and watches it.');
  });
});
