/**
 * People end to end on real photographs (test/fixtures/faces: Debian's KPhotoAlbum demo album and
 * others, SOURCES.md) with the real face models: faces are found as a phase after indexing, grouped, named
 * and searched by name; the user's word (a name, "not this person", a merge, hidden) survives a regroup,
 * turning people off and on, a changed file and a damaged catalogue; a deleted photo leaves no face.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { toolPath } from '../../../../src/main/engine/media/ffmpeg.js';
import { tempDir } from '../../../fixtures.js';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'faces');
interface FixtureFile {
  path: string;
  identities: string[];
  set: string;
}
const MANIFEST = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as { files: FixtureFile[] };
const JESPER = MANIFEST.files.filter((f) => f.path.startsWith('labelled/jesper/'));
const NO_FACES = MANIFEST.files.filter((f) => f.path.startsWith('no-faces/'));
const GROUPS = MANIFEST.files.filter((f) => f.path.startsWith('groups/'));

/** A library of real photos: Jesper alone (8), group photos (5) and photos without a face (26), with flat names. */
function library(root: string): Map<string, FixtureFile> {
  const byPath = new Map<string, FixtureFile>();
  mkdirSync(root, { recursive: true });
  for (const f of [...JESPER, ...GROUPS, ...NO_FACES]) {
    const to = join(root, f.path.replace(/\//g, '-'));
    copyFileSync(join(FIXTURES, f.path), to);
    byPath.set(to, f);
  }
  return byPath;
}

describe('people, on real faces', () => {
  let dataDir: string;
  let root: string;
  let files: Map<string, FixtureFile>;
  let engine: GlimpseEngine;
  const idOf = (path: string) => engine.stores.photos.photoByPath(path)!.id;
  const pathsOf = (person: number) => engine.stores.people.photosOf(person).map((id) => engine.stores.photos.photo(id)!.path);
  /** The person holding most of Jesper's solo photos. */
  const jesper = () => {
    const counts = new Map<number, number>();
    for (const [path, f] of files)
      if (f.path.startsWith('labelled/jesper/'))
        for (const face of engine.stores.faces.facesOf(idOf(path))) if (face.person_id) counts.set(face.person_id, (counts.get(face.person_id) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  };

  before(async () => {
    dataDir = tempDir('people-data').path;
    root = tempDir('people-library').path;
    files = library(root);
    // A video of Jesper: four seconds of one of his photos.
    const video = join(root, 'jesper-talking.mp4');
    const ffmpeg = spawnSync(toolPath('ffmpeg').path, [
      '-v',
      'error',
      '-loop',
      '1',
      '-i',
      join(FIXTURES, JESPER[1]!.path),
      '-t',
      '4',
      '-r',
      '5',
      '-vf',
      'scale=640:-2',
      '-pix_fmt',
      'yuv420p',
      video,
    ]);
    assert.equal(ffmpeg.status, 0, String(ffmpeg.stderr));
    files.set(video, { path: 'video', identities: ['jesper'], set: 'test' });
    engine = await GlimpseEngine.open({ dataDir, device: 'cpu', ocr: false });
    engine.addFolder(root);
    const summary = await engine.update();
    assert.ok(summary.faces, 'faces were looked for as a phase of the update');
    assert.equal(summary.faces.failed, 0);
  });
  after(async () => engine?.close());

  it('finds faces where there are people and none on nearly every photo without one', () => {
    const withoutFaces = NO_FACES.filter((f) => engine.stores.faces.facesOf(idOf(join(root, f.path.replace(/\//g, '-')))).length === 0);
    assert.ok(withoutFaces.length / NO_FACES.length >= 0.95, `no face found on ${withoutFaces.length} of ${NO_FACES.length} photos without people`);
    const found = JESPER.filter((f) => engine.stores.faces.facesOf(idOf(join(root, f.path.replace(/\//g, '-')))).length > 0);
    assert.ok(found.length >= 7, `a face found on ${found.length} of Jesper's 8 photos`);
    const status = engine.people().status;
    assert.equal(status.unscanned, 0);
    assert.equal(status.scanned, files.size);
  });

  it("groups Jesper's photos into one person, and nobody else's with them", () => {
    const person = jesper();
    assert.ok(person, 'Jesper is a person');
    const paths = pathsOf(person);
    const his = paths.filter((p) => files.get(p)!.identities.includes('jesper'));
    assert.ok(his.length / paths.length >= 0.95, `purity: ${his.length} of the person's ${paths.length} photos are Jesper`);
    const solo = paths.filter((p) => files.get(p)!.path.startsWith('labelled/jesper/'));
    assert.ok(solo.length >= 6, `coverage: ${solo.length} of Jesper's 8 solo photos are in his group`);
    assert.ok(
      paths.some((p) => p.endsWith('jesper-talking.mp4')),
      'his video is among his photos, found in its frames',
    );
  });

  it('finds a named person by their name, alone, with a description, in any case', async () => {
    const person = jesper()!;
    engine.renamePerson(person, 'Jesper');
    const alone = await engine.search({ query: 'jesper', limit: 100, sort: 'relevance', all: false });
    assert.deepEqual(alone.people, [{ id: person, name: 'Jesper', without: '' }]);
    assert.deepEqual(alone.results.map((r) => r.path).sort(), pathsOf(person).sort(), 'every photo of Jesper, and only those');
    assert.ok(alone.results.every((r) => r.why.some((w) => w.kind === 'person' && w.detail === 'Jesper')));
    const described = await engine.search({ query: 'Jesper at the beach', limit: 100, sort: 'relevance', all: true });
    assert.ok(
      described.results.every((r) => pathsOf(person).includes(r.path)),
      'the rest of the query ranks his photos only',
    );
  });

  it('keeps "not this person" through every regroup', async () => {
    const person = jesper()!;
    const photo = idOf(pathsOf(person)[0]!);
    const face = engine.stores.faces.facesOf(photo).find((f) => f.person_id === person)!;
    const faces = engine.rejectFace(face.id, person);
    assert.notEqual(faces.find((f) => f.id === face.id)!.person?.id, person);
    engine.regroupFaces();
    assert.notEqual(engine.stores.faces.face(face.id)!.person_id, person, 'a rejected face never comes back to the person');
    assert.equal(engine.person(person).name, 'Jesper', 'the name survives the regroup');
  });

  it('keeps names and corrections when people are turned off and on, and forgets them only when asked', async () => {
    const named = engine.people().people.filter((p) => p.name !== null).length;
    engine.setPeople(false);
    assert.equal(engine.people().status.faces, 0, 'turning people off deletes every face');
    engine.setPeople(true);
    await engine.idle();
    const again = engine.people().people.find((p) => p.name === 'Jesper');
    assert.ok(again && again.photos > 0, 'Jesper is back with his photos after faces were found again');
    assert.equal(engine.people().people.filter((p) => p.name !== null).length, named);
    engine.setPeople(false, true);
    assert.equal(engine.people().people.length, 0, 'with forgetNames, the names go too');
    engine.setPeople(true);
    await engine.idle();
    engine.renamePerson(jesper()!, 'Jesper');
  });

  it('forgets the faces of a deleted photo and finds them again in a changed file', async () => {
    const person = jesper()!;
    const [first, second] = pathsOf(person);
    const firstId = idOf(first!);
    const { unlinkSync } = await import('node:fs');
    unlinkSync(first!);
    // The second file now holds a photo without a face.
    writeFileSync(second!, readFileSync(join(FIXTURES, NO_FACES[0]!.path)));
    await engine.update();
    assert.equal(engine.stores.faces.facesOf(firstId).length, 0, 'a deleted photo leaves no face behind');
    assert.equal(engine.stores.faces.facesOf(idOf(second!)).length, 0, "a changed file's old faces are gone");
    assert.ok(!pathsOf(person).includes(second!));
  });

  it('recovers names and corrections from a damaged catalogue', async () => {
    const person = jesper()!;
    await engine.backupIfDue(new Date(Date.now() + 3 * 86_400_000));
    engine.renamePerson(person, 'Jesper K.');
    const photos = pathsOf(person).length;
    await engine.close();
    // Damage: the header zeroed.
    const file = join(dataDir, 'catalog.sqlite');
    const bytes = readFileSync(file);
    bytes.fill(0, 0, 100);
    writeFileSync(file, bytes);
    engine = await GlimpseEngine.open({ dataDir, device: 'cpu', ocr: false });
    assert.ok(
      engine.notices.some((n) => /1 person you named/.test(n)),
      engine.notices.join('\n'),
    );
    await engine.update();
    const back = engine.people().people.find((p) => p.name === 'Jesper K.');
    assert.ok(back, 'the name given after the backup is recovered');
    assert.ok(back.photos >= photos - 1, `${back.photos} of ${photos} photos`);
  });
});
