/**
 * `glimpse people` as a child process on real photos of people (test/fixtures/faces): the list and its
 * JSON (ids, names, absolute paths, face counts), naming, searching by the name, "not" on a photo, merge,
 * hide, people off and on, and the usage errors said in words.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../fixtures.js';

const CLI = fileURLToPath(new URL('../../src/cli/glimpse.ts', import.meta.url));
const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'faces');

interface Listed {
  id: number;
  name: string | null;
  hidden: boolean;
  faces: number;
  photos: string[];
}

describe('glimpse people', () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Photos');
  const dataDir = join(tmp.path, 'data');
  const glimpse = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', CLI, '--data-dir', dataDir, ...args], { encoding: 'utf8', timeout: 300_000 });
  const list = (): Listed[] => JSON.parse(glimpse('people', '--json', '--hidden').stdout) as Listed[];
  const manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as { files: Array<{ path: string; identities: string[] }> };

  before(() => {
    mkdirSync(library, { recursive: true });
    for (const f of manifest.files.filter((f) => f.path.startsWith('labelled/jesper/') || f.path.startsWith('no-faces/kpa')))
      copyFileSync(join(FIXTURES, f.path), join(library, f.path.replace(/\//g, '-')));
    const indexed = glimpse('index', library);
    assert.equal(indexed.status, 0, indexed.stderr);
    assert.match(indexed.stdout, /Looked for faces in \d+ photos/);
  });
  after(() => tmp.remove());

  it('lists the people found, with their photos as absolute paths', () => {
    const people = list();
    assert.ok(people.length >= 1, 'Jesper is found as a person');
    const jesper = people.sort((a, b) => b.photos.length - a.photos.length)[0]!;
    assert.equal(jesper.name, null);
    assert.ok(jesper.photos.length >= 5, `${jesper.photos.length} photos`);
    assert.ok(
      jesper.photos.every((p) => p.startsWith(library) && p.includes('labelled-jesper')),
      'only photos of Jesper, by absolute path',
    );
    const text = glimpse('people');
    assert.equal(text.status, 0);
    assert.match(text.stdout, /\(unnamed\)/);
    assert.match(text.stdout, /glimpse people name/);
  });

  it('names a person, finds them by the name, and takes a photo away from them', () => {
    const jesper = list().sort((a, b) => b.photos.length - a.photos.length)[0]!;
    const named = glimpse('people', 'name', String(jesper.id), '  Jesper   K ');
    assert.equal(named.status, 0, named.stderr);
    assert.match(named.stdout, /^Jesper K: \d+ photos/);
    const found = JSON.parse(glimpse('search', 'jesper k', '--json', '-n', '100').stdout) as { results: Array<{ path: string; why: Array<{ kind: string }> }> };
    assert.deepEqual(found.results.map((r) => r.path).sort(), [...jesper.photos].sort());
    assert.ok(found.results.every((r) => r.why.some((w) => w.kind === 'person')));
    const text = glimpse('search', 'Jesper K');
    assert.match(text.stdout, /^Read from the query: with Jesper K\./m);
    const photo = jesper.photos[0]!;
    const not = glimpse('people', 'not', String(jesper.id), photo);
    assert.equal(not.status, 0, not.stderr);
    const after = list().find((p) => p.id === jesper.id)!;
    assert.ok(!after.photos.includes(photo), 'the photo left the person');
    assert.equal(after.name, 'Jesper K');
  });

  it('hides and shows a person', () => {
    const jesper = list().find((p) => p.name === 'Jesper K')!;
    assert.equal(glimpse('people', 'hide', String(jesper.id)).status, 0);
    assert.ok(!(JSON.parse(glimpse('people', '--json').stdout) as Listed[]).some((p) => p.id === jesper.id), 'hidden from the list');
    assert.equal(list().find((p) => p.id === jesper.id)!.hidden, true);
    assert.equal(glimpse('people', 'hide', String(jesper.id), '--show').status, 0);
    assert.equal(list().find((p) => p.id === jesper.id)!.hidden, false);
  });

  it('says what is wrong with a command line in words', () => {
    const badId = glimpse('people', 'name', 'anna', 'Anna');
    assert.equal(badId.status, 2);
    assert.match(badId.stderr, /a person is named by their id/);
    const noName = glimpse('people', 'name', '1', '***');
    assert.equal(noName.status, 2);
    assert.match(noName.stderr, /has no letters/);
    const self = glimpse('people', 'merge', '3', '3');
    assert.equal(self.status, 2);
    const missing = glimpse('people', 'name', '99999', 'Nobody');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /there is no person 99999/);
  });

  it('turns people off (faces deleted, names kept) and on again', () => {
    const off = glimpse('people', 'off');
    assert.equal(off.status, 0, off.stderr);
    assert.ok(list().every((p) => p.faces === 0));
    const on = glimpse('people', 'on');
    assert.equal(on.status, 0, on.stderr);
    const jesper = list().find((p) => p.name === 'Jesper K');
    assert.ok(jesper && jesper.photos.length >= 4, 'named again from the faces the user vouched for');
  });
});
