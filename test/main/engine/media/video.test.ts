import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { forgetToolPaths, runTool, toolPath } from '../../../../src/main/engine/media/ffmpeg.js';
import { isMediaFile, isVideoFile } from '../../../../src/main/engine/media/formats.js';
import { DEFAULT_SAMPLING, prepareVideo, probeVideo, sampleFrames } from '../../../../src/main/engine/media/video.js';
import { PhotoError } from '../../../../src/main/engine/media/photo.js';
import { writeSceneVideo } from '../../../../src/scenes/scene-video.js';
import { randomScene } from '../../../../src/scenes/scene.js';
import { tempDir } from '../../../fixtures.js';

/** Encodes one of ffmpeg's own test patterns (lavfi), with extra output options. */
async function pattern(path: string, seconds: number, extra: string[] = [], source = 'testsrc=size=320x180:rate=10'): Promise<void> {
  const run = await runTool(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', source, '-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', ...extra, path],
    { timeoutMs: 120_000 },
  );
  assert.equal(run.code, 0, run.stderr);
}

describe('video decoding with ffmpeg', () => {
  const tmp = tempDir();
  const file = (name: string) => join(tmp.path, name);

  before(async () => {
    await pattern(file('plain.mp4'), 3, ['-metadata', 'creation_time=2024-03-04T05:06:07Z', '-metadata', 'location=+48.8584+002.2945/']);
    // A phone held upright: the stream is landscape, the display matrix turns it (written by a stream copy).
    const run = await runTool('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', file('plain.mp4'), '-c', 'copy', '-metadata:s:v:0', 'rotate=90', file('upright.mp4')], {
      timeoutMs: 30_000,
    });
    assert.equal(run.code, 0, run.stderr);
    // An hour at one frame a second, small: what matters is its length.
    await pattern(file('hour.mp4'), 3600, [], 'testsrc=size=160x90:rate=1');
  });
  after(() => tmp.remove());

  it('takes the video extensions, in any case', () => {
    for (const name of ['a.mp4', 'b.MOV', 'c.m4v', 'd.webm', 'e.mkv']) assert.ok(isVideoFile(name) && isMediaFile(name), name);
    assert.ok(!isVideoFile('a.jpg') && isMediaFile('a.jpg'));
    assert.ok(!isMediaFile('notes.txt'));
  });

  it("finds ffmpeg and ffprobe: the environment's path, else the system's, else the npm package's, which runs", async () => {
    const saved = { PATH: process.env.PATH, GLIMPSE_FFMPEG: process.env.GLIMPSE_FFMPEG };
    try {
      for (const tool of ['ffmpeg', 'ffprobe'] as const) {
        forgetToolPaths();
        assert.equal(toolPath(tool).from, 'system', `Debian's ${tool} is on PATH here`);
        process.env.PATH = '';
        forgetToolPaths();
        const npm = toolPath(tool);
        assert.equal(npm.from, 'npm', `with none on PATH, the optional dependency's ${tool}`);
        assert.match(npm.path, /@ff(mpeg|probe)-installer/);
        assert.equal((await runTool(tool, ['-version'], { timeoutMs: 20_000 })).code, 0, `the npm ${tool} runs`);
        process.env.PATH = saved.PATH;
      }
      process.env.GLIMPSE_FFMPEG = '/opt/elsewhere/ffmpeg';
      forgetToolPaths();
      assert.deepEqual(toolPath('ffmpeg'), { path: '/opt/elsewhere/ffmpeg', from: 'environment' });
    } finally {
      process.env.PATH = saved.PATH;
      if (saved.GLIMPSE_FFMPEG === undefined) delete process.env.GLIMPSE_FFMPEG;
      else process.env.GLIMPSE_FFMPEG = saved.GLIMPSE_FFMPEG;
      forgetToolPaths();
    }
  });

  it('reads duration, size, creation date and place with ffprobe', async () => {
    const probe = await probeVideo(file('plain.mp4'));
    assert.ok(Math.abs(probe.duration - 3) < 0.2, String(probe.duration));
    assert.deepEqual([probe.width, probe.height, probe.rotation], [320, 180, 0]);
    assert.equal(probe.takenAt, '2024-03-04T05:06:07Z');
    assert.deepEqual(probe.gps, { lat: 48.8584, lon: 2.2945 });
  });

  it('gives the upright size of a rotated video, and its frames upright', async () => {
    const probe = await probeVideo(file('upright.mp4'));
    assert.equal(probe.rotation % 180, 90);
    assert.deepEqual([probe.width, probe.height], [180, 320]);
    const { frames } = await sampleFrames(file('upright.mp4'), probe);
    assert.deepEqual([frames[0]!.pixels.width, frames[0]!.pixels.height], [180, 320]);
    assert.equal(frames[0]!.pixels.data.length, 180 * 320 * 3);
  });

  it('samples a frame every few seconds with its time', async () => {
    const probe = await probeVideo(file('plain.mp4'));
    const { frames } = await sampleFrames(file('plain.mp4'), probe, { ...DEFAULT_SAMPLING, everySeconds: 1 });
    assert.deepEqual(
      frames.map((f) => Math.round(f.t)),
      [0, 1, 2],
    );
  });

  it('does bounded work on an hour-long video: at most maxFrames frames, spread over the whole hour', async () => {
    const started = performance.now();
    const prepared = await prepareVideo(file('hour.mp4'), [{ size: 64, resize: 'squash' }]);
    const seconds = (performance.now() - started) / 1000;
    assert.ok(prepared.frames.length > 0 && prepared.frames.length <= DEFAULT_SAMPLING.maxFrames, String(prepared.frames.length));
    assert.ok(prepared.frames[0]!.t < 60 && prepared.frames.at(-1)!.t > 3500, `${prepared.frames[0]!.t} .. ${prepared.frames.at(-1)!.t}`);
    assert.ok(Math.abs(prepared.duration - 3600) < 1);
    console.log(`  an hour of video: ${prepared.frames.length} frames in ${seconds.toFixed(1)} s`);
  });

  it('samples a scene change between two interval frames, and a video full of cuts to its end', async () => {
    // A cut every second for two minutes: more scene changes than frames allowed.
    await writeSceneVideo(
      file('cuts.mp4'),
      Array.from({ length: 120 }, (_, i) => ({ scene: randomScene(300 + i), seconds: 1 })),
      { width: 160, height: 90 },
    );
    const probe = await probeVideo(file('cuts.mp4'));
    const { frames } = await sampleFrames(file('cuts.mp4'), probe);
    assert.ok(frames.length <= DEFAULT_SAMPLING.maxFrames);
    assert.ok(
      frames.some((f) => Math.abs(f.t - Math.round(f.t)) < 0.01 && Math.round(f.t) % 2 === 1),
      'a frame at an odd second: a scene change, not the 2 s interval',
    );
    assert.ok(frames.at(-1)!.t > 100, `the last frame is at ${frames.at(-1)!.t} s of 120`);
  });

  it('stops a decode that runs past its time limit, with a clear error', async () => {
    const probe = await probeVideo(file('hour.mp4'));
    await assert.rejects(
      sampleFrames(file('hour.mp4'), { ...probe, duration: 10 }, { ...DEFAULT_SAMPLING, timeLimitMs: 1 }),
      (error: unknown) => error instanceof PhotoError && /took longer than/.test(error.message),
    );
  });

  it('refuses a file without a video stream', async () => {
    const run = await runTool('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', file('sound.mp4')], {
      timeoutMs: 30_000,
    });
    assert.equal(run.code, 0, run.stderr);
    await assert.rejects(probeVideo(file('sound.mp4')), /has no video stream/);
  });
});
