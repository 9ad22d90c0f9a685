/**
 * The engine's own process (an Electron utility process): indexing, inference and SQLite never run on
 * the UI's main thread, so a long import cannot stall the window. It talks to the main process over
 * `process.parentPort`: calls and media look-ups come in, replies and engine events go out.
 */
import { ApiHost } from '../host/api-host.js';
import { useAdapterProbe } from '../engine/models/providers.js';
import type { ProbeRun } from '../engine/models/webgpu-probe-script.js';
import type { EngineToMain, MainToEngine } from './messages.js';
import { errorText } from '../../shared/error-text.js';

const parentPort = (process as NodeJS.Process & { parentPort?: Electron.ParentPort }).parentPort;
if (!parentPort) throw new Error('engine-process.js runs only as an Electron utility process');
const port = parentPort;
const post = (message: EngineToMain): void => port.postMessage(message);

// This process cannot start Electron as Node for the WebGPU probe (a packaged app's RunAsNode fuse is
// off): main runs it in a utility process of its own and sends back what it found.
const probes = new Map<number, (run: ProbeRun) => void>();
let nextProbe = 1;
useAdapterProbe(
  (moduleUrl, backend) =>
    new Promise((resolve) => {
      const probeId = nextProbe++;
      probes.set(probeId, resolve);
      post({ kind: 'probeWebgpu', probeId, moduleUrl, backend });
    }),
);

const dataDir = process.env.GLIMPSE_DATA_DIR;
const ready: Promise<ApiHost> = dataDir
  ? ApiHost.open({ dataDir, onEvent: (event, data) => post({ kind: 'event', event, data }) })
  : Promise.reject(new Error('the engine process was started without GLIMPSE_DATA_DIR'));

ready.then(
  () => post({ kind: 'ready' }),
  (error: unknown) => post({ kind: 'fatal', error: errorText(error) }),
);

async function answer(message: Exclude<MainToEngine, { kind: 'probeWebgpuResult' }>): Promise<void> {
  if (message.kind === 'close') {
    try {
      await (await ready).close();
    } catch {
      // nothing open, or closing failed: exit either way
    }
    post({ kind: 'closed' });
    process.exit(0);
  }
  let host: ApiHost;
  try {
    host = await ready;
  } catch (error) {
    const reason = `Glimpse could not open its library: ${errorText(error)}`;
    post({ kind: 'reply', callId: message.callId, reply: message.kind === 'call' ? { ok: false, error: reason } : null });
    return;
  }
  if (message.kind === 'call') {
    // ApiHost.handle validates with the shared contract and never throws.
    post({ kind: 'reply', callId: message.callId, reply: await host.handle(message.method, message.params) });
  } else {
    const file = await host.mediaFile(message.mediaKind, message.id, message.frame).catch(() => null);
    post({ kind: 'reply', callId: message.callId, reply: file });
  }
}

port.on('message', ({ data }: { data: unknown }) => {
  if (typeof data !== 'object' || data === null || !('kind' in data)) return;
  const message = data as MainToEngine;
  if (message.kind === 'probeWebgpuResult') {
    probes.get(message.probeId)?.(message.run);
    probes.delete(message.probeId);
    return;
  }
  answer(message).catch((error: unknown) => {
    // Never leave the main process waiting.
    if ('callId' in message) {
      const text = errorText(error);
      post({ kind: 'reply', callId: message.callId, reply: message.kind === 'call' ? { ok: false, error: text } : null });
    }
  });
});
