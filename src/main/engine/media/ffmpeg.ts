import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Where ffmpeg and ffprobe come from, in order: `GLIMPSE_FFMPEG` / `GLIMPSE_FFPROBE` (a path), the
 * binaries the npm packages `@ffmpeg-installer/ffmpeg` and `@ffprobe-installer/ffprobe` carry inside
 * their per-platform tarballs (when installed), and last the system's (`ffmpeg` and `ffprobe` on PATH:
 * Debian's ffmpeg package, Homebrew's...).
 */
export type Tool = 'ffmpeg' | 'ffprobe';

const PACKAGES: Record<Tool, string> = { ffmpeg: '@ffmpeg-installer/ffmpeg', ffprobe: '@ffprobe-installer/ffprobe' };
const ENV: Record<Tool, string> = { ffmpeg: 'GLIMPSE_FFMPEG', ffprobe: 'GLIMPSE_FFPROBE' };

const resolved = new Map<Tool, { path: string; from: 'environment' | 'npm' | 'system' }>();

export function toolPath(tool: Tool): { path: string; from: 'environment' | 'npm' | 'system' } {
  const known = resolved.get(tool);
  if (known) return known;
  let found: { path: string; from: 'environment' | 'npm' | 'system' } = { path: tool, from: 'system' };
  const fromEnv = process.env[ENV[tool]];
  if (fromEnv) found = { path: fromEnv, from: 'environment' };
  else {
    try {
      const pkg = createRequire(import.meta.url)(PACKAGES[tool]) as { path?: unknown };
      if (typeof pkg.path === 'string' && existsSync(pkg.path)) found = { path: pkg.path, from: 'npm' };
    } catch {
      // not installed: the system's
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
    const child = spawn(path, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
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
    child.stdout.on('data', (chunk: Buffer) => (options.onStdout ? options.onStdout(chunk) : out.push(chunk)));
    child.stderr.on('data', (chunk: Buffer) => {
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
