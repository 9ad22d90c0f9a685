/**
 * A truncated video (issue 27.12): a 20-second MP4 whose index is at its start (as phones and the web
 * write them) cut to its first 20 kB still says 20 s in its header, and ffmpeg decodes what is there and
 * ends without a complaint. It was indexed as a good video. It is now indexed from the part that could
 * be read, which stays searchable, and says it is damaged and how much could be read.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { runTool } from '../../../../src/main/engine/media/ffmpeg.js';
import { writeSceneVideo } from '../../../../src/scenes/scene-video.js';
import { searchParams } from '../../../../src/shared/api.js';
import { scene, tempDir } from '../../../fixtures.js';

/** Where the video's packets that are whole in the file end (ffprobe's own reading of it): the oracle. */
function packetsEnd(path: string): number {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,duration_time', '-of', 'csv=p=0', path]).toString();
  return Math.max(
    ...out
      .trim()
      .split('\n')
      .map((line) => line.split(',').map(Number))
      .map(([pts, duration]) => pts! + (duration ?? 0)),
  );
}

describe('a video cut short', () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Videos');
  let engine: GlimpseEngine;

  before(async () => {
    const made = join(tmp.path, 'made.mp4');
    await writeSceneVideo(made, [
      { scene: scene([['red', 'circle']], 'grass', 'left', 1), seconds: 5 },
      { scene: scene([['blue', 'square']], 'sand', 'right', 2), seconds: 5 },
      { scene: scene([['green', 'triangle']], 'sky', 'middle', 3), seconds: 5 },
      { scene: scene([['white', 'star']], 'night', 'middle', 4), seconds: 5 },
    ]);
    // Its index (moov) first, as a phone's or a download's is: the header survives the cut.
    await mkdir(library, { recursive: true });
    const run = await runTool('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-i', made, '-c', 'copy', '-movflags', '+faststart', join(library, 'whole.mp4')], {
      timeoutMs: 60_000,
    });
    assert.equal(run.code, 0, run.stderr);
    const whole = await readFile(join(library, 'whole.mp4'));
    assert.ok(whole.length > 20 * 1024, `the video is larger than what is kept of it (${whole.length} bytes)`);
    await writeFile(join(library, 'cut.mp4'), whole.subarray(0, 20 * 1024));
    engine = await GlimpseEngine.open({ dataDir: join(tmp.path, 'data'), device: 'cpu', captions: false, ocr: false });
    engine.addFolder(library);
  });
  after(async () => {
    await engine.close();
    tmp.remove();
  });

  it('is indexed from what could be read, says it is damaged and how much was read, and stays searchable', async () => {
    const summary = await engine.update();
    assert.equal(summary.indexing.indexed, 2, JSON.stringify(engine.stores.photos.errors()));
    assert.equal(summary.indexing.warnings, 1);
    const cut = engine.photoDetail(engine.stores.photos.photoByPath(join(library, 'cut.mp4'))!.id);
    const whole = engine.photoDetail(engine.stores.photos.photoByPath(join(library, 'whole.mp4'))!.id);
    assert.equal(cut.status, 'indexed', 'what was read is searchable: not an error');
    assert.equal(cut.duration, 20, "its header's length");
    const m = /^damaged or truncated: only the first (\d+) s of 20 s could be read$/.exec(cut.warning ?? '');
    assert.ok(m, `warning: ${cut.warning}`);
    const end = packetsEnd(join(library, 'cut.mp4'));
    assert.ok(end < 19, `ffprobe too finds the packets end early (${end} s)`);
    assert.ok(Math.abs(Number(m[1]) - end) <= 1, `read ${m[1]} s; the packets in the file end at ${end.toFixed(2)} s`);
    assert.equal(whole.warning, null, 'the whole video has no warning');
    const status = engine.status();
    assert.equal(status.photos.warnings, 1);
    assert.equal(status.photos.errors, 0);
    // The part that was read is searchable: its first scene finds it.
    const { results } = await engine.search(searchParams.parse({ query: 'a red circle on grass', limit: 10 }));
    assert.ok(
      results.some((r) => r.name === 'cut.mp4'),
      results.map((r) => r.name).join(', '),
    );
  });
});
