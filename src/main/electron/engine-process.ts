/**
 * The engine's own process (an Electron utility process): indexing, inference and SQLite never run on
 * the window's main thread, so a long import cannot stall the UI. Talks to the main process over
 * `process.parentPort`.
 */
import { ApiHost } from '../host/api-host.js';
import type { EngineToMain, MainToEngine } from './messages.js';

const parentPort = (process as NodeJS.Process & { parentPort: Electron.ParentPort }).parentPort;
const post = (message: EngineToMain) => parentPort.postMessage(message);

const dataDir = process.env.GLIMPSE_DATA_DIR;
if (!dataDir) throw new Error('the engine process needs GLIMPSE_DATA_DIR');

const ready = ApiHost.open({ dataDir, onEvent: (event, data) => post({ kind: 'event', event, data }) });
ready.catch((error: Error) => post({ kind: 'fatal', error: error.message }));

parentPort.on('message', async ({ data }: { data: MainToEngine }) => {
  const host = await ready;
  if (data.kind === 'call') post({ kind: 'reply', callId: data.callId, reply: await host.handle(data.method, data.params) });
  else if (data.kind === 'media') post({ kind: 'media', callId: data.callId, file: await host.mediaFile(data.mediaKind, data.id) });
  else if (data.kind === 'path') post({ kind: 'path', callId: data.callId, path: await host.photoPath(data.id) });
  else if (data.kind === 'close') {
    await host.close();
    process.exit(0);
  }
});
