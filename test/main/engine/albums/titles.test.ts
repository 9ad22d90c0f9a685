/**
 * Album titles a user can tell apart (issue 27.6): an album of photos the pack does not recognise is
 * titled by its folder and dates, not by a guessed scene ("Plain backgrounds" for a dog, horses and an
 * eagle), and no two albums of a library share a title. A real library, the bundled pack; Debian's
 * darknet photos too when they are here (`bash .ci/run` fetches them).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { openIndexed } from '../indexed-library.js';
import { seededRandom } from '../../../../src/scenes/scene.js';
import { scene, tempDir, writeScene } from '../../../fixtures.js';

const DARKNET = join(process.cwd(), '.cache', 'debian-photos', 'usr', 'share', 'darknet', 'data');
const darknet = existsSync(DARKNET) ? readdirSync(DARKNET).filter((f) => f.endsWith('.jpg')) : [];

/** A photo of nothing the scene world has (coloured noise), taken at `takenAt`. */
async function writeNoise(path: string, seed: number, takenAt: Date): Promise<void> {
  const random = seededRandom(seed);
  const [width, height] = [320, 240];
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.floor(random() * 256);
  const stamp = takenAt.toISOString().slice(0, 19).replace('T', ' ').replace(/-/g, ':');
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(
    path,
    await sharp(pixels, { raw: { width, height, channels: 3 } })
      .blur(3)
      .withExif({ IFD2: { DateTimeOriginal: stamp } })
      .jpeg()
      .toBuffer(),
  );
}

describe('album titles', () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Photos');
  let engine: GlimpseEngine;
  const album = (folder: string) => engine.albums().find((a) => a.path === join(library, folder))!;

  before(async () => {
    const shapes = [
      ['red', 'circle'],
      ['blue', 'square'],
      ['green', 'star'],
      ['yellow', 'triangle'],
    ] as const;
    for (const [i, [colour, shape]] of shapes.entries())
      await writeScene(join(library, 'Studio', `s${i}.jpg`), scene([[colour, shape]], 'plain', 'middle', i + 1), { width: 480, height: 360 });
    for (const [i, [colour, shape]] of shapes.slice(0, 3).entries())
      await writeScene(join(library, 'Archive', 'Studio', `t${i}.jpg`), scene([[colour, shape, 2]], 'plain', null, i + 10), { width: 480, height: 360 });
    for (let i = 0; i < 4; i++) await writeNoise(join(library, 'Trip to Rome', `r${i}.jpg`), i + 1, new Date(Date.UTC(2019, 5 + (i % 3), 3 + i, 12)));
    for (let i = 0; i < 3; i++) await writeNoise(join(library, 'Holiday 2019', `h${i}.jpg`), i + 20, new Date(Date.UTC(2019, 7, 10 + i, 12)));
    for (const p of darknet) await cp(join(DARKNET, p), join(library, 'darknet', 'data', p));
    engine = await openIndexed(join(tmp.path, 'data'), library);
  });
  after(async () => {
    await engine.close();
    tmp.remove();
  });

  it('titles an album the pack recognises by its scene', () => {
    assert.match(album('Studio').title, /^Plain backgrounds/);
    assert.match(album(join('Archive', 'Studio')).title, /^Plain backgrounds/);
  });

  it('titles an album of photos the pack does not recognise by its folder and dates, and says so', () => {
    assert.equal(album('Trip to Rome').title, 'Trip to Rome, June–August 2019');
    assert.equal(album('Trip to Rome').summary, '4 photos, taken June–August 2019; tiny-coca does not recognise what they show.');
    assert.equal(album('Holiday 2019').title, 'Holiday 2019', 'a year the folder name says is not said twice');
  });

  it("titles Debian's darknet photos (dog, horses, eagle) by their folder", { skip: darknet.length === 0 && 'no darknet photos here' }, () => {
    const data = album(join('darknet', 'data'));
    assert.match(data.title, /^data, \d{4}–\d{4}$/);
    assert.doesNotMatch(data.summary, /plain background/);
    const eagle = engine.stores.photos.photoByPath(join(library, 'darknet', 'data', 'eagle.jpg'))!;
    assert.equal(engine.photoDetail(eagle.id).album?.title, data.title, 'the viewer shows the same title');
  });

  it('never gives two albums the same title', () => {
    const titles = engine.albums().map((a) => a.title.toLowerCase());
    assert.equal(new Set(titles).size, titles.length, titles.join(' | '));
    assert.deepEqual(
      [album(join('Archive', 'Studio')).title, album('Studio').title],
      ['Plain backgrounds', 'Plain backgrounds (Studio)'],
      'the second of a kind says which folder it is',
    );
  });

  it("a user's title takes precedence: a generated title steps aside, another user's title is refused", () => {
    engine.setAlbumTitle(album('Trip to Rome').id, 'Plain backgrounds');
    assert.equal(album('Trip to Rome').title, 'Plain backgrounds');
    assert.equal(album(join('Archive', 'Studio')).title, 'Plain backgrounds (Archive/Studio)', 'neither "Plain backgrounds" nor "(Studio)" is free');
    assert.throws(() => engine.setAlbumTitle(album('Holiday 2019').id, 'plain backgrounds'), /Another album is already called “Plain backgrounds”/);
    const titles = engine.albums().map((a) => a.title.toLowerCase());
    assert.equal(new Set(titles).size, titles.length, titles.join(' | '));
  });

  it('titles a library titled by an older Glimpse again, once, without anything else changing', async () => {
    // As an older Glimpse left them: the same guessed title on every album, signed by the old rules.
    engine.catalog.db.exec(`UPDATE albums SET title = 'Plain backgrounds', user_title = NULL, signature = 'tiny-coca:' || id`);
    const summary = await engine.update();
    assert.equal(summary.scan.added + summary.scan.changed, 0);
    const titles = engine.albums().map((a) => a.title.toLowerCase());
    assert.equal(new Set(titles).size, titles.length, titles.join(' | '));
    assert.equal(album('Trip to Rome').title, 'Trip to Rome, June–August 2019');
    assert.equal((await engine.update()).albums, 0, 'and not again');
  });
});
