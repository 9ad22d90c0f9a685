import type { RgbPixels } from './decode.js';
import { cutInputs, thumbnailOf } from './cut.js';
import { runTool } from './ffmpeg.js';
import { type ModelInput, type PhotoMetadata, PhotoError } from './photo.js';

/**
 * How a video is sampled. A frame every `everySeconds` plus every scene change (ffmpeg's scene score
 * above `sceneThreshold`), at most `maxFrames`; a video longer than `passSeconds` is not decoded
 * through: `maxFrames` frames are taken at evenly spaced times by seeking (no scene detection), so an
 * hour-long video costs what a short one does. Every ffmpeg run is killed past its time limit.
 */
export interface VideoSampling {
  everySeconds: number;
  sceneThreshold: number;
  maxFrames: number;
  passSeconds: number;
  /** Time limit of the one pass over a short video, and of all the seeks of a long one together. */
  timeLimitMs: number;
  /** The longer side of the decoded frames (model inputs and thumbnails are cut from them). */
  frameSide: number;
  /**
   * Frames a second that reach scaling and scene detection (the rest are dropped right after decoding):
   * scene changes are then found to 1/sceneFps s, and the filters' CPU time about halves on 1080p30
   * (docs/PERFORMANCE.md, "Videos").
   */
  sceneFps: number;
}

export const DEFAULT_SAMPLING: VideoSampling = { everySeconds: 2, sceneThreshold: 0.3, maxFrames: 64, passSeconds: 300, timeLimitMs: 120_000, frameSide: 320, sceneFps: 5 };

export interface VideoProbe {
  duration: number;
  /** Upright size (rotation applied), as players show it. */
  width: number;
  height: number;
  rotation: number;
  takenAt: string | null;
  gps: { lat: number; lon: number } | null;
  codec: string;
  /** The video stream's own length when the file says it (its audio may run longer); else `duration`. */
  videoDuration: number;
}

interface ProbeJson {
  streams?: Array<{
    codec_type?: string;
    codec_name?: string;
    width?: number;
    height?: number;
    duration?: string;
    tags?: Record<string, string>;
    side_data_list?: Array<{ rotation?: number }>;
  }>;
  format?: { duration?: string; tags?: Record<string, string> };
}

/** The first line of ffmpeg's complaint, without the file name it starts with. */
function complaint(stderr: string): string {
  const line =
    stderr
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ?? '';
  return line.replace(/^.*?:\s(?=[A-Za-z])/, '').slice(0, 160);
}

function readableVideoError(stderr: string): string {
  if (/moov atom not found|Invalid data found|End of file|EBML header parsing failed|truncat/i.test(stderr)) return `damaged or truncated video (${complaint(stderr)})`;
  return `not a video ffmpeg can read (${complaint(stderr) || 'no reason given'})`;
}

function isoDate(value: string | undefined): string | null {
  if (!value) return null;
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1971) return null; // 1904/1970: the container's zero date
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** ISO 6709 ("+48.8584+002.2945/"), as phones write it in `location`. */
function iso6709(value: string | undefined): { lat: number; lon: number } | null {
  const m = value ? /^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)/.exec(value) : null;
  if (!m) return null;
  const lat = Number(m[1]);
  const lon = Number(m[2]);
  return Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? { lat, lon } : null;
}

/**
 * The file a tool reads: a path, or a file already open here (`fd`, with the `path` it was opened at),
 * which the tool gets as its own descriptor 3 and reads as /dev/fd/3, so that it decodes exactly the file
 * that was checked (a thumbnail made on demand, see host/indexed-file.ts). Windows has no /dev/fd: there
 * the path is read.
 */
export type VideoInput = string | { path: string; fd: number };

function toolInput(input: VideoInput): { name: string; inputFd?: number } {
  if (typeof input === 'string') return { name: input };
  return process.platform === 'win32' ? { name: input.path } : { name: '/dev/fd/3', inputFd: input.fd };
}

/** Duration, upright size, rotation, creation date and place of a video, from ffprobe. */
export async function probeVideo(input: VideoInput, timeoutMs = 20_000): Promise<VideoProbe> {
  const { name, ...fd } = toolInput(input);
  const run = await runTool('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', name], { timeoutMs, ...fd });
  if (run.timedOut) throw new PhotoError(`reading the video's header took longer than ${timeoutMs / 1000} s`);
  if (run.code !== 0) throw new PhotoError(readableVideoError(run.stderr));
  let info: ProbeJson;
  try {
    info = JSON.parse(run.stdout.toString('utf8')) as ProbeJson;
  } catch {
    throw new PhotoError('ffprobe gave no readable answer');
  }
  const stream = info.streams?.find((s) => s.codec_type === 'video' && (s.width ?? 0) > 0);
  if (!stream) throw new PhotoError('has no video stream');
  const rawRotation = stream.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation ?? Number(stream.tags?.rotate ?? 0);
  const rotation = (((Math.round(rawRotation) % 360) + 360) % 360) as number;
  const swap = rotation === 90 || rotation === 270;
  const duration = Number(info.format?.duration ?? stream.duration ?? NaN);
  if (!Number.isFinite(duration) || duration <= 0) throw new PhotoError('damaged or truncated video (no duration)');
  const tags = { ...info.format?.tags, ...stream.tags };
  return {
    duration,
    width: swap ? stream.height! : stream.width!,
    height: swap ? stream.width! : stream.height!,
    rotation,
    takenAt: isoDate(tags.creation_time ?? tags['com.apple.quicktime.creationdate']),
    gps: iso6709(tags.location ?? tags['com.apple.quicktime.location.ISO6709']),
    codec: stream.codec_name ?? 'unknown',
    videoDuration: Number(stream.duration) > 0 ? Math.min(duration, Number(stream.duration)) : duration,
  };
}

export interface VideoFrame {
  /** Seconds from the start. */
  t: number;
  pixels: RgbPixels;
}

/** The decoded frame size: the upright video fitted inside `side` x `side`, even sides (what yuv scaling wants). */
function frameSize(probe: VideoProbe, side: number): { width: number; height: number } {
  const scale = Math.min(1, side / Math.max(probe.width, probe.height));
  const even = (n: number) => Math.max(2, 2 * Math.round((n * scale) / 2));
  return { width: even(probe.width), height: even(probe.height) };
}

/** Cuts a raw RGB stream into frames of a known size. */
class FrameCutter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  readonly frames: Uint8Array[] = [];
  constructor(
    private readonly frameBytes: number,
    private readonly max: number,
  ) {}
  push(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    while (this.pendingBytes >= this.frameBytes && this.frames.length < this.max) {
      const all = Buffer.concat(this.pending);
      this.frames.push(new Uint8Array(all.subarray(0, this.frameBytes)));
      const rest = all.subarray(this.frameBytes);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingBytes = rest.length;
    }
  }
}

const INPUT_ARGS = ['-hide_banner', '-nostdin', '-nostats'];
const OUTPUT_ARGS = ['-map', '0:v:0', '-an', '-sn', '-dn'];

/** The one pass ran out of time (a slow codec, a large frame, a slow computer): seeking is tried instead. */
class PassTimedOut extends PhotoError {}

/**
 * The frames a video is indexed by, and how far into it they could be decoded: `readUntil` is the time
 * decoding stopped at (seconds), null when it went through or cannot be told.
 */
export interface SampledFrames {
  frames: VideoFrame[];
  readUntil: number | null;
}

/**
 * One pass over a short video: a frame every few seconds and at every scene change, with their times
 * (the `kept` showinfo), and the time of every frame decoded (the `seen` one, at `sceneFps`): a file cut
 * short keeps its header's duration and ffmpeg ends without a complaint, so where decoding stopped is the
 * only sign (issue 27.12).
 */
async function samplePass(input: VideoInput, probe: VideoProbe, size: { width: number; height: number }, sampling: VideoSampling): Promise<SampledFrames> {
  const { name, ...fd } = toolInput(input);
  // The interval takes at most half the frames, and a scene change counts only half an interval after the
  // last kept frame, so even a video cut every second fits the cap to its end (the cap never cuts it short).
  const every = Math.max(sampling.everySeconds, probe.duration / Math.max(1, Math.floor(sampling.maxFrames / 2)));
  const select = `select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,${every.toFixed(3)})+gt(scene\\,${sampling.sceneThreshold})*gte(t-prev_selected_t\\,${(every / 2).toFixed(3)})'`;
  const filter = `fps=${sampling.sceneFps},scale=${size.width}:${size.height}:flags=bilinear,setsar=1,showinfo@seen,${select},showinfo@kept`;
  const cutter = new FrameCutter(size.width * size.height * 3, sampling.maxFrames);
  const times: number[] = [];
  let seen = -1;
  let log = '';
  const run = await runTool(
    'ffmpeg',
    [
      ...INPUT_ARGS,
      '-loglevel',
      'info',
      '-i',
      name,
      ...OUTPUT_ARGS,
      '-vf',
      filter,
      '-vsync',
      'vfr',
      '-frames:v',
      String(sampling.maxFrames),
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    {
      ...fd,
      timeoutMs: sampling.timeLimitMs,
      onStdout: (chunk) => cutter.push(chunk),
      onStderr: (text) => {
        log += text;
        const lines = log.split('\n');
        log = lines.pop() ?? '';
        for (const line of lines) {
          const m = line.includes('showinfo@') ? /pts_time:\s*(-?[\d.]+)/.exec(line) : null;
          if (!m) continue;
          if (line.includes('showinfo@kept')) times.push(Number(m[1]));
          else seen = Math.max(seen, Number(m[1]));
        }
      },
    },
  );
  const frames = cutter.frames.map((data, i) => ({ t: Math.max(0, times[i] ?? i * every), pixels: { data, width: size.width, height: size.height } }));
  if (run.timedOut)
    throw new PassTimedOut(`decoding the video took longer than ${sampling.timeLimitMs / 1000} s; it was stopped (damaged, or too slow to decode on this computer)`);
  // A truncated file decodes up to the damage: what was decoded is kept; nothing decoded is an error.
  if (frames.length === 0) throw new PhotoError(run.code === 0 ? 'no frame could be decoded' : readableVideoError(run.stderr));
  // With the cap reached, ffmpeg stopped by itself: how far the file decodes is not known.
  const stopped = frames.length < sampling.maxFrames && seen >= 0 ? seen + 1 / sampling.sceneFps : null;
  return { frames, readUntil: stopped };
}

/**
 * A long video: `maxFrames` frames at evenly spaced times, each reached by seeking (bounded work whatever
 * the length). Each seek takes the keyframe at or before its time, decoding that frame only (an exact
 * seek decodes on from the keyframe and costs up to twice as much: docs/PERFORMANCE.md, "Videos"); when
 * the keyframe is more than half a step early (keyframes far apart),
 * that one seek is done exactly instead, so the frames still spread over the whole video.
 */
async function sampleBySeeking(input: VideoInput, probe: VideoProbe, size: { width: number; height: number }, sampling: VideoSampling): Promise<SampledFrames> {
  const { name, ...fd } = toolInput(input);
  const deadline = performance.now() + sampling.timeLimitMs;
  const step = probe.duration / sampling.maxFrames;
  const bytes = size.width * size.height * 3;
  const frames: VideoFrame[] = [];
  /** Times whose seek found no frame to decode (not for want of time). */
  const unreadable: number[] = [];
  let lastError = '';
  const seek = async (t: number, keyframe: boolean): Promise<VideoFrame | null> => {
    const left = deadline - performance.now();
    if (left <= 0) return null;
    const args = [
      ...INPUT_ARGS,
      '-loglevel',
      keyframe ? 'info' : 'error',
      ...(keyframe ? ['-skip_frame', 'nokey', '-noaccurate_seek', '-copyts'] : []),
      '-ss',
      t.toFixed(3),
      '-i',
      name,
      ...OUTPUT_ARGS,
      '-vf',
      `${keyframe ? 'showinfo,' : ''}scale=${size.width}:${size.height}:flags=bilinear`,
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ];
    const run = await runTool('ffmpeg', args, { ...fd, timeoutMs: Math.min(left, 20_000) });
    if (run.stdout.length < bytes) {
      lastError = run.stderr;
      return null;
    }
    const shown = keyframe ? /pts_time:\s*(-?[\d.]+)/.exec(run.stderr) : null;
    return { t: shown ? Number(shown[1]) : t, pixels: { data: new Uint8Array(run.stdout.subarray(0, bytes)), width: size.width, height: size.height } };
  };
  for (let i = 0; i < sampling.maxFrames && performance.now() < deadline; i++) {
    const t = step * (i + 0.5);
    let frame = await seek(t, true);
    if (!frame || frame.t < t - step / 2 || frame.t <= (frames.at(-1)?.t ?? -1)) frame = await seek(t, false);
    if (frame) frames.push(frame);
    else if (performance.now() < deadline) unreadable.push(t);
  }
  if (frames.length === 0) throw new PhotoError(lastError ? readableVideoError(lastError) : `decoding the video took longer than ${sampling.timeLimitMs / 1000} s`);
  // Seeks past the last frame found that found nothing: the file ends (or breaks) before its header says.
  const last = frames.at(-1)!.t;
  return { frames, readUntil: unreadable.some((t) => t > last) ? last + step / 2 : null };
}

/** The frames a video is indexed by: sampled in one pass, or by seeking when it is long. */
export async function sampleFrames(input: VideoInput, probe: VideoProbe, sampling: VideoSampling = DEFAULT_SAMPLING): Promise<SampledFrames> {
  const size = frameSize(probe, sampling.frameSide);
  if (probe.duration > sampling.passSeconds) return sampleBySeeking(input, probe, size, sampling);
  try {
    return await samplePass(input, probe, size, sampling);
  } catch (error) {
    // Too slow to decode through here: frames by seeking instead, within a time limit of their own (so a
    // video costs at most twice the limit, and a damaged one that hangs ffmpeg ends with the error).
    if (!(error instanceof PassTimedOut)) throw error;
    const sampled = await sampleBySeeking(input, probe, size, sampling).catch(() => null);
    if (!sampled) throw error;
    return sampled;
  }
}

/** "12 s", or "1:05" past a minute (as a player shows a time). */
function spoken(seconds: number): string {
  const s = Math.round(seconds);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * What to tell the user about a video decoded only in part (null when it was read to its end, within a
 * second or 2% of its length: the last frame of a stream ends a frame's length before it, and containers
 * round).
 */
export function partlyRead(readUntil: number | null, probe: Pick<VideoProbe, 'videoDuration'>): string | null {
  const length = probe.videoDuration;
  if (readUntil === null || readUntil >= length - Math.max(1, 0.02 * length)) return null;
  return `damaged or truncated: only the first ${spoken(readUntil)} of ${spoken(length)} could be read`;
}

export interface PreparedFrame {
  t: number;
  /** The pixels for each requested model input, in the order asked. */
  inputs: RgbPixels[];
  thumbnail: Buffer;
}

export interface PreparedVideo {
  metadata: PhotoMetadata;
  duration: number;
  frames: PreparedFrame[];
  /** Set when only part of the file could be decoded: the video is indexed from that part, and says so. */
  warning: string | null;
}

/** Probes and samples a video, then cuts each frame's model inputs and thumbnail (as `preparePhoto` does for a photo). */
export async function prepareVideo(input: VideoInput, inputs: readonly ModelInput[], sampling: VideoSampling = DEFAULT_SAMPLING): Promise<PreparedVideo> {
  const probe = await probeVideo(input);
  const { frames, readUntil } = await sampleFrames(input, probe, sampling);
  const prepared = await Promise.all(
    frames.map(async ({ t, pixels }) => {
      const [cut, thumbnail] = await Promise.all([cutInputs(pixels, inputs), thumbnailOf(pixels)]);
      return { t: Math.round(t * 1000) / 1000, inputs: cut, thumbnail };
    }),
  );
  return {
    metadata: { width: probe.width, height: probe.height, takenAt: probe.takenAt, camera: null, gps: probe.gps },
    duration: probe.duration,
    frames: prepared,
    warning: partlyRead(readUntil, probe),
  };
}
