import ort from 'onnxruntime-node';

// onnxruntime logs a failed GPU probe to stderr in red; we report it ourselves, once and in plain words.
ort.env.logLevel = 'fatal';

/** What the user asked for: the platform's GPU when it works (auto), only the GPU, or only the CPU. */
export type DevicePreference = 'auto' | 'gpu' | 'cpu';

/** The GPU execution provider onnxruntime-node offers on each platform, in order of preference. */
export function gpuProvidersFor(platform: NodeJS.Platform): string[] {
  switch (platform) {
    case 'linux':
      return ['cuda'];
    case 'win32':
      return ['dml'];
    case 'darwin':
      return ['coreml'];
    default:
      return [];
  }
}

/** Which provider a session ended up on, and why it is not the GPU when it is not. */
export interface SessionReport {
  session: string;
  file: string;
  provider: string;
  fallbackReason?: string;
}

export interface OpenSessionOptions {
  device: DevicePreference;
  /** Overrides the platform's GPU providers (tests, and users who know better). */
  gpuProviders?: string[];
  intraOpThreads?: number;
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 300);
}

/** Providers that already failed in this process, so later sessions skip them without a second error. */
const unavailable = new Map<string, string>();

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
  if (options.device !== 'cpu') {
    const gpus = options.gpuProviders ?? gpuProvidersFor(process.platform);
    if (gpus.length === 0) reasons.push(`no GPU execution provider for ${process.platform}`);
    for (const provider of gpus) {
      const known = unavailable.get(provider);
      if (known) {
        reasons.push(known);
        continue;
      }
      try {
        // Severity 4 (fatal only): a missing GPU library is expected, and reported below in one line.
        const session = await ort.InferenceSession.create(file, { ...base, logSeverityLevel: 4, executionProviders: [provider] });
        return { session, report: { session: label, file, provider } };
      } catch (error) {
        const reason = `${provider}: ${describe(error)}`;
        unavailable.set(provider, reason);
        reasons.push(reason);
      }
    }
    if (options.device === 'gpu') throw new Error(`no GPU provider could open ${label} (${reasons.join('; ')})`);
  } else {
    reasons.push('CPU requested');
  }
  const session = await ort.InferenceSession.create(file, { ...base, executionProviders: ['cpu'] });
  return { session, report: { session: label, file, provider: 'cpu', fallbackReason: reasons.join('; ') } };
}
