import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ApiHost } from '../main/host/api-host.js';
import type { EngineOptions } from '../main/engine/engine.js';
import { type WebServer, startWebServer } from '../main/web/server.js';

/** The built renderer: out/renderer, seen from src/cli (run through tsx) or from out/node/cli (compiled). */
export const RENDERER_DIR =
  ['../../out/renderer', '../../renderer'].map((up) => fileURLToPath(new URL(up, import.meta.url))).find((dir) => existsSync(dir)) ??
  fileURLToPath(new URL('../../out/renderer', import.meta.url));

/** Runs web mode until interrupted: the engine host, the watcher and the loopback server. */
export async function runWeb(options: EngineOptions, port: number): Promise<void> {
  // Events can arrive before the server exists (the start-up scan): they go to whoever is connected by then.
  const listeners: { server?: WebServer } = {};
  const host = await ApiHost.open({ ...options, onEvent: (event, data) => listeners.server?.broadcast(event, data) });
  const server = await startWebServer({ host, rendererDir: RENDERER_DIR, port });
  listeners.server = server;
  console.log(`Glimpse is running at ${server.loginUrl}`);
  console.log("Open that address in a browser on this computer (it carries this session's key). Ctrl+C stops.");
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await host.close();
}
