// What indexing a video costs, per minute of video, on this machine: `npm run bench` runs it, or alone:
//
//   npx tsx bench/video.ts [--quick]
//
// Videos are made from scene-world frames with ffmpeg (a new scene every 6 s, H.264 at 30 fps, cached in
// .cache/bench/videos): one minute at 1080p and at 720p (one decoding pass: a frame every 2 s and at
// each scene change), and ten minutes at 1080p (past the 5-minute pass limit: 64 frames reached by
// seeking). Each is indexed by the real engine with the bundled pack, alone in a fresh library; the
// floor is ffmpeg decoding every frame of the same file with no output (what one pass cannot beat).
// Prints a line per row, then one JSON object.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GlimpseEngine } from '../src/main/engine/engine.js';
import { runTool } from '../src/main/engine/media/ffmpeg.js';
import { probeVideo } from '../src/main/engine/media/video.js';
import { writeSceneVideo } from '../src/scenes/scene-video.js';
import { randomScene } from '../src/scenes/scene.js';

const QUICK = process.argv.includes('--quick');
const ROOT = resolve('.cache/bench/videos');

interface Case {
  name: string;
  minutes: number;
  width: number;
  height: number;
}

const CASES: Case[] = QUICK
  ? [{ name: '1080p-1min', minutes: 1, width: 1920, height: 1080 }]
  : [
      { name: '1080p-1min', minutes: 1, width: 1920, height: 1080 },
      { name: '720p-1min', minutes: 1, width: 1280, height: 720 },
      { name: '1080p-10min', minutes: 10, width: 1920, height: 1080 },
    ];

async function videoFor(c: Case): Promise<string> {
  const file = join(ROOT, `${c.name}.mp4`);
  if (existsSync(file)) return file;
  mkdirSync(ROOT, { recursive: true });
  const spans = Array.from({ length: c.minutes * 10 }, (_, i) => ({ scene: randomScene(5000 + i), seconds: 6 }));
  await writeSceneVideo(file + '.tmp.mp4', spans, { width: c.width, height: c.height, fps: 30 });
  const { rename } = await import('node:fs/promises');
  await rename(file + '.tmp.mp4', file);
  return file;
}

async function fullDecodeSeconds(file: string): Promise<number> {
  const started = performance.now();
  const run = await runTool('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', file, '-map', '0:v:0', '-f', 'null', '-'], { timeoutMs: 1_800_000 });
  if (run.code !== 0) throw new Error(run.stderr);
  return (performance.now() - started) / 1000;
}

const rows: Array<Record<string, unknown>> = [];
for (const c of CASES) {
  const file = await videoFor(c);
  const probe = await probeVideo(file);
  const library = join(ROOT, `library-${c.name}`);
  const dataDir = join(ROOT, `data-${c.name}`);
  rmSync(library, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(library, { recursive: true });
  const { symlink } = await import('node:fs/promises');
  await symlink(file, join(library, `${c.name}.mp4`));
  const engine = await GlimpseEngine.open({ dataDir, device: 'cpu', ocr: false });
  engine.addFolder(library);
  const started = performance.now();
  const summary = await engine.update();
  const seconds = (performance.now() - started) / 1000;
  const id = engine.stores.photos.photos([1]).get(1)?.id ?? 1;
  const frames = engine.stores.vectors.frames(engine.pack.id, [id]).length;
  const error = engine.stores.photos.errors()[0]?.error ?? null;
  await engine.close();
  const floor = await fullDecodeSeconds(file);
  const minutes = probe.duration / 60;
  const row = {
    video: c.name,
    minutes: Math.round(minutes * 100) / 100,
    frames,
    indexSeconds: Math.round(seconds * 100) / 100,
    secondsPerMinute: Math.round((seconds / minutes) * 100) / 100,
    decodeSeconds: Math.round((summary.indexing.timings.decodeMs / 1000) * 100) / 100,
    inferenceSeconds: Math.round((summary.indexing.timings.inferenceMs / 1000) * 100) / 100,
    captionSeconds: Math.round((summary.indexing.timings.captionMs / 1000) * 100) / 100,
    fullDecodeSeconds: Math.round(floor * 100) / 100,
    error,
  };
  rows.push(row);
  console.log(
    `${c.name.padEnd(12)} ${frames} frames, indexed in ${row.indexSeconds} s = ${row.secondsPerMinute} s per minute of video ` +
      `(sampling ${row.decodeSeconds} s, model ${row.inferenceSeconds} s, caption ${row.captionSeconds} s); ffmpeg decoding every frame: ${row.fullDecodeSeconds} s${error ? `; ERROR ${error}` : ''}`,
  );
}
console.log(JSON.stringify({ videos: rows }));
