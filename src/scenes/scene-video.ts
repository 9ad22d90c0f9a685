import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runTool } from '../main/engine/media/ffmpeg.js';
import { renderScene } from './render.js';
import type { Scene } from './scene.js';

export interface SceneSpan {
  scene: Scene;
  seconds: number;
}

export interface SceneVideoOptions {
  width?: number;
  height?: number;
  fps?: number;
  /** mp4 (H.264), webm (VP8) or mkv (H.264); by the file's extension when absent. */
  codec?: 'h264' | 'vp8';
  /** Written into the container as its creation time. */
  creationTime?: Date;
}

/**
 * Writes a video made of scene-world frames with ffmpeg: each span shows one scene for its seconds, so
 * which scene is on screen at any time is known (the tests' and the benchmark's ground truth).
 */
export async function writeSceneVideo(path: string, spans: readonly SceneSpan[], options: SceneVideoOptions = {}): Promise<void> {
  const width = options.width ?? 640;
  const height = options.height ?? 360;
  await mkdir(dirname(path), { recursive: true });
  const dir = await mkdtemp(join(tmpdir(), 'glimpse-scene-video-'));
  try {
    const list: string[] = [];
    for (const [i, span] of spans.entries()) {
      const file = join(dir, `${i}.png`);
      await writeFile(file, await renderScene(span.scene, { width, height, format: 'png' }));
      list.push(`file '${file}'`, `duration ${span.seconds}`);
    }
    list.push(list[list.length - 2]!); // the concat demuxer's last duration applies only when the file is listed again
    await writeFile(join(dir, 'list.txt'), list.join('\n') + '\n');
    const codec = options.codec ?? (path.endsWith('.webm') ? 'vp8' : 'h264');
    const encoder =
      codec === 'vp8' ? ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '400k'] : ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'stillimage'];
    const total = spans.reduce((s, x) => s + x.seconds, 0);
    const run = await runTool(
      'ffmpeg',
      [
        '-hide_banner',
        '-nostdin',
        '-loglevel',
        'error',
        '-y',
        '-f',
        'concat',
        '-safe',
        '0',
        '-i',
        join(dir, 'list.txt'),
        '-vf',
        `fps=${options.fps ?? 10},format=yuv420p`,
        '-t',
        String(total),
        ...encoder,
        ...(options.creationTime ? ['-metadata', `creation_time=${options.creationTime.toISOString()}`] : []),
        path,
      ],
      // Encoding runs at several times real time even at 1080p; a generous limit for slow machines.
      { timeoutMs: Math.max(120_000, total * 2_000) },
    );
    if (run.code !== 0) throw new Error(`ffmpeg could not write ${path}: ${run.timedOut ? 'it took too long' : (run.stderr.trim().split('\n').pop() ?? '')}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
