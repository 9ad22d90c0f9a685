import { type StdioOptions, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';

/**
 * Where ffmpeg and ffprobe come from, in order: `GLIMPSE_FFMPEG` / `GLIMPSE_FFPROBE` (a path), the
 * system's (`ffmpeg` and `ffprobe` on PATH: Debian's package, Homebrew's...), and last the binaries the
 * npm packages `@ffmpeg-installer/ffmpeg` and `@ffprobe-installer/ffprobe` carry inside their
 * per-platform tarballs (optional dependencies of Glimpse). The system's comes first because it gets
 * security updates: the npm binaries are static builds from 2018 (ffmpeg 4.1), there so that videos
 * work on a computer that has no ffmpeg of its own.
 */
export type Tool = 'ffmpeg' | 'ffprobe';

const PACKAGES: Record<Tool, string> = { ffmpeg: '@ffmpeg-installer/ffmpeg', ffprobe: '@ffprobe-installer/ffprobe' };
const ENV: Record<Tool, string> = { ffmpeg: 'GLIMPSE_FFMPEG', ffprobe: 'GLIMPSE_FFPROBE' };

const resolved = new Map<Tool, { path: string; from: 'environment' | 'npm' | 'system' }>();

/** The tool's executable in a folder of PATH, if there is one. */
function onPath(tool: Tool): string | null {
  const names = process.platform === 'win32' ? [`${tool}.exe`, `${tool}.cmd`] : [tool];
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean))
    for (const name of names) {
      const path = join(dir, name);
      try {
        if (statSync(path).isFile()) return path;
      } catch {
        // not here
      }
    }
  return null;
}

export function toolPath(tool: Tool): { path: string; from: 'environment' | 'npm' | 'system' } {
  const known = resolved.get(tool);
  if (known) return known;
  // Nowhere: the bare name, so that running it fails with the "not found" error the user is shown.
  let found: { path: string; from: 'environment' | 'npm' | 'system' } = { path: tool, from: 'system' };
  const fromEnv = process.env[ENV[tool]];
  const system = fromEnv ? null : onPath(tool);
  if (fromEnv) found = { path: fromEnv, from: 'environment' };
  else if (system) found = { path: system, from: 'system' };
  else {
    try {
      const pkg = createRequire(import.meta.url)(PACKAGES[tool]) as { path?: unknown };
      if (typeof pkg.path === 'string' && existsSync(pkg.path)) found = { path: pkg.path, from: 'npm' };
    } catch {
      // not installed either
    }
  }
  resolved.set(tool, found);
  return found;
}

/** Forgets where the tools were found (a test changed GLIMPSE_FFMPEG; ffmpeg was installed meanwhile). */
export function forgetToolPaths(): void {
  resolved.clear();
}

/** The start of the error a video gets when ffmpeg or ffprobe is missing (such videos are retried once it is there). */
export const MISSING_TOOL = 'was not found (install ffmpeg';

/** True when both tools answer `-version` (asked only when videos wait for them). */
export async function toolsAvailable(): Promise<boolean> {
  forgetToolPaths();
  for (const tool of ['ffprobe', 'ffmpeg'] as const) {
    const ok = await runTool(tool, ['-version'], { timeoutMs: 10_000 }).then(
      (r) => r.code === 0,
      () => false,
    );
    if (!ok) return false;
  }
  return true;
}

export class ToolError extends Error {
  override name = 'ToolError';
}

export interface RunOptions {
  /** The child is killed (SIGKILL) after this long, and the run fails with `timedOut`. */
  timeoutMs: number;
  /** Called with each chunk of standard output as it arrives (raw frames); otherwise it is collected. */
  onStdout?: (chunk: Buffer) => void;
  /** Called with each piece of standard error as it arrives (filter logs). */
  onStderr?: (text: string) => void;
  /** Standard error kept (the last bytes), for the reason of a failure. */
  maxStderrBytes?: number;
  /** Stop early: the child is killed and the run resolves as it is. */
  signal?: AbortSignal;
  /** A file open here that the child gets as its descriptor 3 (it reads it as /dev/fd/3). */
  inputFd?: number;
}

export interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
}

/** Runs ffmpeg or ffprobe with a hard time limit; never throws for the tool's own failure (the caller reads `code`). */
export function runTool(tool: Tool, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const { path } = toolPath(tool);
  const maxStderr = options.maxStderrBytes ?? 256 * 1024;
  return new Promise((resolve, reject) => {
    const stdio: StdioOptions = options.inputFd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe', options.inputFd];
    const child = spawn(path, args, { stdio, windowsHide: true });
    const out: Buffer[] = [];
    let err = '';
    let timedOut = false;
    let aborted = false;
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs);
    const onAbort = () => {
      aborted = true;
      kill();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout!.on('data', (chunk: Buffer) => (options.onStdout ? options.onStdout(chunk) : out.push(chunk)));
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      options.onStderr?.(text);
      err += text;
      if (err.length > maxStderr) err = err.slice(err.length - maxStderr);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      reject(
        error.code === 'ENOENT'
          ? new ToolError(`${tool} ${MISSING_TOOL}, or set ${ENV[tool]} to its path; npm: ${PACKAGES[tool]})`)
          : new ToolError(`${tool} could not be started: ${error.message}`),
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ code, stdout: Buffer.concat(out), stderr: err, timedOut, aborted });
    });
  });
}
