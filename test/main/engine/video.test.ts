import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GlimpseEngine } from '../../../src/main/engine/engine.js';
import { forgetToolPaths } from '../../../src/main/engine/media/ffmpeg.js';
import { writeSceneVideo } from '../../../src/scenes/scene-video.js';
import { searchParams } from '../../../src/shared/api.js';
import { formatTimestamp } from '../../../src/shared/timestamp.js';
import { scene, tempDir, writeScene } from '../../fixtures.js';

const request = (query: string, extra: Record<string, unknown> = {}) => searchParams.parse({ query, limit: 20, ...extra });

describe('videos are searchable by what happens in them', () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Library');
  const dataDir = join(tmp.path, 'data');
  let engine: GlimpseEngine;
  let summary: Awaited<ReturnType<GlimpseEngine['update']>>;

  before(async () => {
    // The red star at night is on screen from 00:12 to 00:18 only, and in no other file.
    await writeSceneVideo(join(library, 'walk.mp4'), [
      { scene: scene([['blue', 'square']], 'sand', 'middle', 1), seconds: 12 },
      { scene: scene([['red', 'star']], 'night', 'middle', 2), seconds: 6 },
      { scene: scene([['yellow', 'circle']], 'grass', 'middle', 3), seconds: 12 },
    ]);
    await writeSceneVideo(join(library, 'kites.webm'), [
      { scene: scene([['green', 'triangle']], 'sky', 'left', 4), seconds: 8 },
      { scene: scene([['white', 'diamond', 2]], 'plain', null, 5), seconds: 8 },
    ]);
    await writeSceneVideo(join(library, 'garden.mp4'), [{ scene: scene([['red', 'circle']], 'grass', 'left', 8), seconds: 10 }]);
    await writeScene(join(library, 'photo-blue.jpg'), scene([['blue', 'square']], 'sand', 'middle', 6), { width: 800, height: 600 });
    await writeScene(join(library, 'photo-purple.jpg'), scene([['purple', 'circle']], 'grass', 'right', 7), { width: 800, height: 600 });
    // A file that is not a video at all, and a video cut off half-way (its index at the end is lost).
    await writeFile(join(library, 'corrupt.mov'), Buffer.from('this is not a video, only some text pretending to be one'.repeat(50)));
    const whole = await readFile(join(library, 'walk.mp4'));
    await writeFile(join(library, 'truncated.mp4'), whole.subarray(0, Math.floor(whole.length / 2)));
    engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    engine.addFolder(library);
    summary = await engine.update();
  });
  after(async () => {
    await engine.close();
    tmp.remove();
  });

  it('indexes the videos beside the photos, and marks broken videos with a clear error while the run goes on', () => {
    assert.equal(summary.indexing.indexed, 5, JSON.stringify(engine.stores.photos.errors()));
    assert.equal(summary.indexing.errors, 2);
    const errors = new Map(engine.stores.photos.errors().map((e) => [e.path.split('/').pop(), e.error]));
    assert.match(errors.get('corrupt.mov') ?? '', /damaged|not a video/);
    assert.match(errors.get('truncated.mp4') ?? '', /damaged or truncated video/);
    // The status counts the indexed videos among the indexed photos (the broken ones are errors).
    const indexedVideos = engine.catalog.db.prepare(`SELECT count(*) FROM photos WHERE status = 'indexed' AND media = 'video'`).pluck().get() as number;
    assert.ok(indexedVideos > 0);
    assert.equal(engine.status().photos.videos, indexedVideos);
  });

  it('finds the video and a moment inside the span for a scene that appears only from 00:12 to 00:18', async () => {
    const response = await engine.search(request('a red star at night'));
    const { results } = response;
    const top = results[0]!;
    assert.equal(top.name, 'walk.mp4');
    // The count of videos among everything shown, over every page.
    const everyPage = await engine.search({ ...request('a red star at night'), limit: 1000 });
    assert.equal(response.videos, everyPage.results.filter((r) => r.media === 'video').length);
    assert.equal(everyPage.total, everyPage.results.length);
    assert.equal(top.media, 'video');
    assert.ok(top.moment, 'a video hit carries its moment');
    assert.ok(top.moment.at >= 12 && top.moment.at <= 18, `moment ${top.moment.at} s is outside 12-18 s`);
    assert.ok(Math.abs(top.duration! - 30) < 0.5);
    assert.ok(top.why.some((w) => w.kind === 'visual' && w.detail.startsWith(`at ${formatTimestamp(top.moment!.at)}`)));
    // A video is one result, whatever number of its frames match.
    assert.equal(results.filter((r) => r.name === 'walk.mp4').length, 1);
  });

  it('shows only videos, or only photos, when asked', async () => {
    const everything = await engine.search({ ...request('a yellow circle on grass'), all: true, limit: 1000 });
    const kinds = new Set(everything.results.map((r) => r.media));
    assert.deepEqual([...kinds].sort(), ['photo', 'video'], 'this query ranks both');
    const videos = await engine.search({ ...request('a yellow circle on grass'), all: true, limit: 1000, media: 'video' });
    assert.deepEqual(
      videos.results.map((r) => r.id).sort(),
      everything.results
        .filter((r) => r.media === 'video')
        .map((r) => r.id)
        .sort(),
      'every video, and only videos',
    );
    assert.ok(
      videos.results.every((r) => r.moment),
      'each with its moment',
    );
    const photos = await engine.search({ ...request('a yellow circle on grass'), all: true, limit: 1000, media: 'photo' });
    assert.deepEqual(
      photos.results.map((r) => r.id).sort(),
      everything.results
        .filter((r) => r.media === 'photo')
        .map((r) => r.id)
        .sort(),
    );
    assert.equal(photos.videos, 0);
  });

  it('finds the other scenes of the same video at their own moments', async () => {
    const { results } = await engine.search(request('a yellow circle on grass'));
    const walk = results.find((r) => r.name === 'walk.mp4');
    assert.ok(walk?.moment && walk.moment.at >= 18, JSON.stringify(walk?.moment));
    const kites = (await engine.search(request('a green triangle in the sky'))).results[0]!;
    assert.equal(kites.name, 'kites.webm');
    assert.ok(kites.moment && kites.moment.at < 8, JSON.stringify(kites.moment));
  });

  it('keeps one pooled vector per video (what "similar" and captions use) and every sampled frame with its time', () => {
    const id = engine.stores.photos.photoByPath(join(library, 'walk.mp4'))!.id;
    assert.ok(engine.stores.vectors.vector(id, engine.pack.id));
    const frames = engine.stores.vectors.frames(engine.pack.id, [id]);
    assert.ok(frames.length >= 15 && frames.length <= 64, `${frames.length} frames`);
    assert.ok(frames.some((f) => f.t >= 12 && f.t < 18));
    const detail = engine.photoDetail(id);
    assert.equal(detail.media, 'video');
    assert.equal(detail.width, 640);
    // Three scenes pooled make a caption the pack is not confident of: kept aside, with why.
    assert.ok(detail.caption ?? detail.captionWithheld);
  });

  it('captions a video from its pooled frame features with a CoCa pack (the bundled one)', () => {
    const detail = engine.photoDetail(engine.stores.photos.photoByPath(join(library, 'garden.mp4'))!.id);
    assert.match(detail.caption?.text ?? '', /red circle/);
    assert.match(detail.caption?.text ?? '', /grass/);
  });

  it('gives a video as an example for "similar": the videos and photos like its pooled vector', async () => {
    const id = engine.stores.photos.photoByPath(join(library, 'walk.mp4'))!.id;
    const { results } = await engine.search(request('', { similarTo: id, all: true }));
    assert.ok(results.length > 0);
    assert.ok(!results.some((r) => r.id === id));
  });

  it('holds exactly the catalogue frames in the index, and a reopened library finds the same moment', async () => {
    const id = engine.stores.photos.photoByPath(join(library, 'walk.mp4'))!.id;
    const held = engine.index.moments.snapshot().get(id)!;
    const truth = engine.stores.vectors.frames(engine.pack.id, [id]);
    assert.deepEqual(
      held.map((f) => f.t),
      truth.map((f) => f.t),
    );
    const before = (await engine.search(request('a red star at night'))).results[0]!;
    await engine.close();
    engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    const again = (await engine.search(request('a red star at night'))).results[0]!;
    assert.deepEqual(again.moment, before.moment);
  });
});

describe('videos without ffmpeg', () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Library');
  let engine: GlimpseEngine;

  before(async () => {
    await writeSceneVideo(join(library, 'clip.mp4'), [{ scene: scene([['red', 'circle']], 'grass', 'left', 8), seconds: 4 }]);
    await writeScene(join(library, 'photo.jpg'), scene([['blue', 'square']], 'sand', 'middle', 6), { width: 800, height: 600 });
    engine = await GlimpseEngine.open({ dataDir: join(tmp.path, 'data'), device: 'cpu' });
    engine.addFolder(library);
  });
  after(async () => {
    delete process.env.GLIMPSE_FFPROBE;
    forgetToolPaths();
    await engine.close();
    tmp.remove();
  });

  it('lists a video with "ffprobe was not found" and indexes the photos; once ffmpeg is there, the video is indexed', async () => {
    process.env.GLIMPSE_FFPROBE = join(tmp.path, 'no-such-ffprobe');
    forgetToolPaths();
    const first = await engine.update();
    assert.equal(first.indexing.indexed, 1);
    assert.match(engine.stores.photos.errors()[0]?.error ?? '', /ffprobe was not found \(install ffmpeg, or set GLIMPSE_FFPROBE/);
    delete process.env.GLIMPSE_FFPROBE;
    forgetToolPaths();
    const second = await engine.update();
    assert.equal(second.indexing.indexed, 1, JSON.stringify(engine.stores.photos.errors()));
    assert.deepEqual(engine.stores.photos.errors(), []);
    assert.equal((await engine.search(request('a red circle on grass'))).results[0]?.name, 'clip.mp4');
  });
});
