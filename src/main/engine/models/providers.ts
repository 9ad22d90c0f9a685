import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ort from 'onnxruntime-node';
import type { SessionInfo } from '../../../shared/api.js';
import { type DevicePreference, gpuProvidersFor, webgpuBackendFor } from '../core/device-preference.js';
import { PROBE_SCRIPT, type ProbeRun } from './webgpu-probe-script.js';
import { errorText } from '../../../shared/error-text.js';

// onnxruntime logs a failed GPU probe to stderr in red; we report it ourselves, once and in plain words.
ort.env.logLevel = 'fatal';

/** The GPU a WebGPU session runs on, as Dawn describes it. */
export interface GpuAdapter {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  backend: string;
  /** A CPU implementation of the graphics API (SwiftShader, llvmpipe, lavapipe, WARP): slower than our CPU provider. */
  software: boolean;
}

/** Which provider a session ended up on, on which adapter, and why it is not the GPU when it is not. */
export interface SessionReport {
  session: string;
  file: string;
  provider: string;
  adapter?: GpuAdapter;
  fallbackReason?: string;
}

export interface OpenSessionOptions {
  device: DevicePreference;
  /** Overrides the platform's GPU providers in `auto` and `gpu` (tests). */
  gpuProviders?: string[];
  intraOpThreads?: number;
}

function describe(error: unknown): string {
  const message = errorText(error);
  return message.split('\n')[0]!.slice(0, 300);
}

const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|\bwarp\b|basic render/i;

/** The folder onnxruntime-node loads its native libraries from (its CUDA provider goes there too). */
export function onnxruntimeBinDir(): string {
  const require = createRequire(import.meta.url);
  const root = dirname(dirname(require.resolve('onnxruntime-node')));
  return join(root, 'bin', 'napi-v6', process.platform, process.arch);
}

/** Whether onnxruntime's CUDA provider library is installed (npm ships it only through a postinstall download). */
export function cudaProviderInstalled(): boolean {
  return existsSync(join(onnxruntimeBinDir(), 'libonnxruntime_providers_cuda.so'));
}

let adapterProbe: Promise<GpuAdapter | string> | undefined;

// Runs in a child process: Dawn writes its driver warnings ("vkCreateInstance: Found no drivers!") straight
// to the process's stderr, which would land in every CLI answer, and a broken driver can crash the process
// that asks. The child prints one JSON line.

/**
 * The adapter Dawn offers for the platform's backend at high performance, the same request
 * onnxruntime's WebGPU provider makes; a string says why there is none. Asked once per process,
 * through dawn.node (the `webgpu` package), because onnxruntime does not report its adapter.
 */
export function probeWebgpuAdapter(): Promise<GpuAdapter | string> {
  return (adapterProbe ??= (async () => {
    const backend = webgpuBackendFor(process.platform);
    let moduleUrl: string;
    try {
      moduleUrl = pathToFileURL(createRequire(import.meta.url).resolve('webgpu')).href;
    } catch (error) {
      return `the webgpu package is missing (${describe(error)})`;
    }
    const { failure, stdout, stderr } = await runProbe(moduleUrl, backend);
    const driverSaid = stderr
      .split('\n')
      .find((l) => /warning|error/i.test(l))
      ?.replace(/^\s*warning:\s*/i, '')
      .trim();
    if (failure !== null) return `the WebGPU adapter could not be queried (${driverSaid ?? failure})`;
    try {
      const info = JSON.parse(stdout) as { vendor: string; architecture: string; device: string; description: string; fallback: boolean } | null;
      if (!info) return `no ${backend} adapter (${driverSaid ?? 'no GPU driver, or none WebGPU can use'})`;
      const names = [info.vendor, info.architecture, info.device, info.description];
      return {
        vendor: info.vendor,
        architecture: info.architecture,
        device: info.device,
        description: info.description,
        backend,
        software: info.fallback || names.some((n) => SOFTWARE_ADAPTER.test(n)),
      };
    } catch {
      return `the WebGPU adapter could not be queried (unreadable answer: ${stdout.slice(0, 100)})`;
    }
  })());
}

/** Runs the probe as Node in a child process: `process.execPath` is Node itself, or Electron told to run as Node. */
function probeAsNode(moduleUrl: string, backend: string): Promise<ProbeRun> {
  return new Promise((resolve) => {
    const env = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
    execFile(process.execPath, ['--input-type=module', '-e', PROBE_SCRIPT, moduleUrl, backend], { env, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ failure: error ? describe(error) : null, stdout, stderr }),
    );
  });
}

let runProbe: (moduleUrl: string, backend: string) => Promise<ProbeRun> = probeAsNode;

/**
 * Where this process cannot start itself as Node to run the probe (Electron's engine process in a
 * packaged app: its RunAsNode fuse is off), its host gives another way: the engine process asks the
 * main process, which forks a utility process for it (`src/main/electron/webgpu-probe.ts`).
 */
export function useAdapterProbe(run: (moduleUrl: string, backend: string) => Promise<ProbeRun>): void {
  runProbe = run;
  adapterProbe = undefined;
}

export function adapterName(adapter: GpuAdapter): string {
  const name = adapter.description || [adapter.vendor, adapter.architecture, adapter.device].filter(Boolean).join(' ');
  return `${name} via ${adapter.backend}${adapter.software ? ', software' : ''}`;
}

/** A session's report as the API shows it. */
export function sessionInfo(s: SessionReport): SessionInfo {
  return { session: s.session, provider: s.provider, adapter: s.adapter ? adapterName(s.adapter) : null, fallbackReason: s.fallbackReason ?? null };
}

/** Providers that already failed in this process, so later sessions skip them without a second error. */
const unavailable = new Map<string, string>();

/** Why a GPU provider should not be tried here, before paying for a session that would fail. */
async function reasonToSkip(provider: string, allowSoftware: boolean): Promise<string | null> {
  if (provider === 'cuda' && process.platform === 'linux' && !cudaProviderInstalled())
    return "cuda: onnxruntime's CUDA provider is not installed (glimpse gpu install cuda)";
  if (provider === 'webgpu') {
    const adapter = await probeWebgpuAdapter();
    if (typeof adapter === 'string') return `webgpu: ${adapter}`;
    if (adapter.software && !allowSoftware) return `webgpu: the only adapter is ${adapterName(adapter)}, which is slower than the CPU provider`;
  }
  return null;
}

/**
 * Opens an ONNX session on the first GPU provider that loads, else on the CPU with the reason recorded.
 * Each GPU provider is tried on its own, because a list with the CPU in it would fall back silently.
 */
export async function openSession(
  file: string,
  label: string,
  options: OpenSessionOptions,
): Promise<{ session: ort.InferenceSession; report: SessionReport }> {
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    ...(options.intraOpThreads ? { intraOpNumThreads: options.intraOpThreads } : {}),
  };
  const reasons: string[] = [];
  const forced = options.device !== 'auto' && options.device !== 'gpu' && options.device !== 'cpu';
  if (options.device !== 'cpu') {
    const gpus = forced ? [options.device] : (options.gpuProviders ?? gpuProvidersFor(process.platform));
    if (gpus.length === 0) reasons.push(`no GPU execution provider for ${process.platform}`);
    for (const provider of gpus) {
      const known = unavailable.get(provider) ?? (await reasonToSkip(provider, forced));
      if (known) {
        reasons.push(known);
        continue;
      }
      try {
        // Severity 4 (fatal only): a missing GPU library is expected, and reported below in one line.
        const session = await ort.InferenceSession.create(file, { ...base, logSeverityLevel: 4, executionProviders: [provider] });
        const adapter = provider === 'webgpu' ? await probeWebgpuAdapter() : undefined;
        return { session, report: { session: label, file, provider, ...(adapter && typeof adapter !== 'string' ? { adapter } : {}) } };
      } catch (error) {
        const reason = `${provider}: ${describe(error)}`;
        unavailable.set(provider, reason);
        reasons.push(reason);
      }
    }
    if (forced) throw new Error(`the ${options.device} provider could not open ${label} (${reasons.join('; ')})`);
    if (options.device === 'gpu') throw new Error(`no GPU provider could open ${label} (${reasons.join('; ')})`);
  } else {
    reasons.push('CPU requested');
  }
  const session = await ort.InferenceSession.create(file, { ...base, executionProviders: ['cpu'] });
  return { session, report: { session: label, file, provider: 'cpu', fallbackReason: reasons.join('; ') } };
}
