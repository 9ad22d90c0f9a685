/**
 * The face job over a library with an unplugged drive: the photos of an offline folder wait until it is
 * back, and never stop the job before the photos after them (a page of 64 photos all offline once ended
 * reading text and finding faces for the whole library); and faces found by a run that stopped before
 * grouping them are grouped by the next one.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { FaceFinder } from '../../../../src/main/engine/faces/face-finder.js';
import { FaceJob } from '../../../../src/main/engine/faces/face-job.js';
import { renderScene } from '../../../../src/scenes/render.js';
import { randomScene } from '../../../../src/scenes/scene.js';
import { tempDir } from '../../../fixtures.js';

describe('finding faces with a folder offline', () => {
  const tmp = tempDir();
  after(() => tmp.remove());

  it('looks at the photos after a full page of offline ones, and at the offline ones once they are back', async () => {
    const drive = join(tmp.path, 'Drive');
    const home = join(tmp.path, 'Home');
    mkdirSync(drive, { recursive: true });
    mkdirSync(home, { recursive: true });
    for (let i = 0; i < 70; i++) writeFileSync(join(drive, `scene-${i}.jpg`), await renderScene(randomScene(i + 1), { width: 96, height: 72, format: 'jpeg' }));
    copyFileSync(join(process.cwd(), 'test', 'fixtures', 'faces', 'labelled', 'jesper', '02.jpg'), join(home, 'jesper.jpg'));
    const dataDir = join(tmp.path, 'data');
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu', ocr: false, people: false });
    try {
      // The drive first: its photos get the lower ids, the first page of the job.
      engine.addFolder(drive);
      engine.addFolder(home);
      await engine.update();
      renameSync(drive, `${drive}-unplugged`);
      await engine.update();
      assert.equal(engine.offlineFolders().length, 1, 'the drive is offline');
      engine.setPeople(true);
      await engine.idle();
      const jesper = engine.stores.photos.photoByPath(join(home, 'jesper.jpg'))!;
      assert.equal(engine.stores.faces.facesOf(jesper.id).length, 1, 'the photo after 70 offline ones was looked at');
      assert.equal(engine.people().status.unscanned, 70, "the drive's photos wait");
      renameSync(`${drive}-unplugged`, drive);
      await engine.update();
      assert.equal(engine.people().status.unscanned, 0, 'and are looked at once it is back');
    } finally {
      await engine.close();
    }
  });

  it('groups the faces a run found but stopped before grouping (killed between the two)', async () => {
    const library = join(tmp.path, 'Jesper');
    mkdirSync(library, { recursive: true });
    for (const n of ['01', '02', '03', '04', '06', '08'])
      copyFileSync(join(process.cwd(), 'test', 'fixtures', 'faces', 'labelled', 'jesper', `${n}.jpg`), join(library, `${n}.jpg`));
    const dataDir = join(tmp.path, 'data-stopped');
    let engine = await GlimpseEngine.open({ dataDir, device: 'cpu', ocr: false, people: false });
    engine.addFolder(library);
    await engine.update();
    // The job alone, as a run that was killed right after it: faces found, none grouped.
    const finder = await FaceFinder.open({ device: 'cpu' });
    await new FaceJob(engine.catalog, finder).run();
    await finder.close();
    assert.ok(engine.stores.faces.ungroupedFaceIds().length >= 5);
    await engine.close();
    engine = await GlimpseEngine.open({ dataDir, device: 'cpu', ocr: false, people: true });
    try {
      const summary = await engine.update();
      assert.equal(summary.faces?.scanned, 0, 'no photo is looked at again');
      assert.deepEqual(engine.stores.faces.ungroupedFaceIds(), []);
      assert.ok(
        engine.people().people.some((p) => p.photos >= 4),
        'the faces found before were grouped into Jesper',
      );
    } finally {
      await engine.close();
    }
  });
});
