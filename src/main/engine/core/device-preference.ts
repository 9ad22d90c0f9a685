// What the user may ask the models to run on; no onnxruntime here, so settings and the CLI's options
// can name the choices without loading the runtime.

/** onnxruntime-node's GPU execution providers. */
export const GPU_PROVIDERS = ['cuda', 'dml', 'coreml', 'webgpu'] as const;
export type GpuProvider = (typeof GPU_PROVIDERS)[number];

/**
 * What the user asked for. `auto`: the platform's GPU providers in order, skipping a software adapter,
 * then the CPU. `gpu`: the same, but failing rather than using the CPU. `cpu`: the CPU only. A provider
 * name: that provider alone, with no fallback and software adapters allowed (how the tests run WebGPU on
 * SwiftShader, and how a user who knows better pins one).
 */
export const DEVICE_PREFERENCES = ['auto', 'gpu', 'cpu', ...GPU_PROVIDERS] as const;
export type DevicePreference = (typeof DEVICE_PREFERENCES)[number];

export function isDevicePreference(value: unknown): value is DevicePreference {
  return typeof value === 'string' && (DEVICE_PREFERENCES as readonly string[]).includes(value);
}

/**
 * The GPU providers worth trying on each platform, best first: the vendor's own (CUDA, DirectML,
 * CoreML), then WebGPU (Dawn on Vulkan, D3D12 or Metal), which onnxruntime-node ships on every
 * platform and which runs on any GPU those APIs reach.
 */
export function gpuProvidersFor(platform: NodeJS.Platform): GpuProvider[] {
  switch (platform) {
    case 'linux':
      return ['cuda', 'webgpu'];
    case 'win32':
      return ['dml', 'webgpu'];
    case 'darwin':
      return ['coreml', 'webgpu'];
    default:
      return [];
  }
}

/** The graphics API Dawn (onnxruntime's WebGPU) uses on each platform. */
export function webgpuBackendFor(platform: NodeJS.Platform): 'vulkan' | 'd3d12' | 'metal' {
  return platform === 'win32' ? 'd3d12' : platform === 'darwin' ? 'metal' : 'vulkan';
}
