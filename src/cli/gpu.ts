import type { Command } from 'commander';

/** `glimpse gpu`: what the GPU path finds on this machine, and the CUDA provider for NVIDIA users on Linux. */
export function registerGpuCommands(program: Command): void {
  const gpu = program.command('gpu').description("this machine's GPU: the adapter WebGPU finds, and onnxruntime's CUDA provider");

  gpu
    .command('status', { isDefault: true })
    .description('the WebGPU adapter and whether the CUDA provider is installed')
    .action(async () => {
      const { adapterName, cudaProviderInstalled, probeWebgpuAdapter } = await import('../main/engine/models/providers.js');
      const { gpuProvidersFor } = await import('../main/engine/core/device-preference.js');
      const adapter = await probeWebgpuAdapter();
      console.log(`Providers tried in auto: ${[...gpuProvidersFor(process.platform), 'cpu'].join(', ')}`);
      console.log(`WebGPU adapter: ${typeof adapter === 'string' ? `none (${adapter})` : adapterName(adapter)}`);
      if (typeof adapter !== 'string' && adapter.software) console.log('  A software adapter is slower than the CPU provider, so auto does not use it.');
      if (process.platform === 'linux')
        console.log(`CUDA provider: ${cudaProviderInstalled() ? 'installed' : 'not installed; NVIDIA users: glimpse gpu install cuda (a download of a few hundred MB, once)'}`);
    });

  gpu
    .command('install')
    .description("install onnxruntime's CUDA provider from NuGet, as onnxruntime-node's own installer does (Linux x64)")
    .argument('<provider>', 'cuda')
    .option('--feed <url>', 'a NuGet v3 service index (a mirror); also GLIMPSE_NUGET_INDEX')
    .action(async (provider: string, o: { feed?: string }) => {
      if (provider !== 'cuda') throw new Error(`only cuda can be installed (${provider} is built in, or not offered for Node)`);
      const { installCudaProvider } = await import('../main/engine/models/cuda-install.js');
      let lastLine = 0;
      const clearLine = () => process.stderr.isTTY && process.stderr.write('\r\x1b[2K');
      const result = await installCudaProvider({
        ...(o.feed ? { feedIndex: o.feed } : {}),
        onProgress: (p) => {
          if (p.phase === 'downloading' && Date.now() - lastLine < 500 && p.bytes !== p.total) return;
          lastLine = Date.now();
          if (!process.stderr.isTTY) return;
          const amount = p.phase === 'downloading' ? ` ${(p.bytes / 1e6).toFixed(0)}${p.total ? ` of ${(p.total / 1e6).toFixed(0)}` : ''} MB` : '';
          process.stderr.write(`\r\x1b[2K${p.phase}${amount}`);
        },
      }).finally(clearLine);
      console.log(`Installed onnxruntime ${result.version}'s CUDA provider in ${result.binDir}. Glimpse uses it from the next start (glimpse doctor shows it).`);
      console.log('It needs the NVIDIA driver, CUDA 12 and cuDNN 9 libraries on this machine; without them Glimpse says so and uses WebGPU or the CPU.');
    });
}
