/**
 * A stand-in for engine-process.ts, run as a real child process (child_process.fork): it speaks the
 * same messages (src/main/electron/messages.ts) over Node's IPC channel, so the broker's tests drive a
 * process that can really be slow, hang, crash or be killed. Its behaviour comes from the environment
 * and from the method names it is called with.
 *
 *   FAKE_ENGINE_START      ready (default) | fatal (cannot open the library) | crash (exits at once) | silent (never ready)
 *   FAKE_ENGINE_READY_MS   delay before `ready` (default 0)
 *   FAKE_ENGINE_CLOSE      exit (default: answers `close` by exiting) | ignore
 *   FAKE_ENGINE_PHOTOS     the folder `photo` calls put their photo's path in
 *   FAKE_ENGINE_HANG       methods (comma-separated) it never answers
 *
 * Calls: `slow` {ms}, `hang`, `crash` {code}, `emit` {event, data}, `malformed`, `misrouted`, `fail`,
 * `photo` {id}, `probe` {moduleUrl, backend} (asks main to run the WebGPU probe, answers with what it
 * found); any other method is echoed back ({method, params, pid, ready}).
 */
import { join } from 'node:path';
import type { EngineToMain, MainToEngine } from '../../../src/main/electron/messages.js';

const send = process.send?.bind(process);
if (!send) throw new Error('fake-engine.ts runs only as a forked child process');
const post = (message: EngineToMain | Record<string, unknown>): void => {
  send(message);
};

const start = process.env.FAKE_ENGINE_START ?? 'ready';
let ready = false;
if (start === 'crash') process.exit(7);
setTimeout(
  () => {
    if (start === 'ready') {
      ready = true;
      post({ kind: 'ready' });
    } else if (start === 'fatal') post({ kind: 'fatal', error: 'the catalogue is damaged' });
  },
  Number(process.env.FAKE_ENGINE_READY_MS ?? 0),
);

function reply(callId: number, value: unknown): void {
  post({ kind: 'reply', callId, reply: value as never });
}

const probes = new Map<number, (run: unknown) => void>();
const hang = new Set((process.env.FAKE_ENGINE_HANG ?? '').split(','));

function call(callId: number, method: string, params: Record<string, unknown>): void {
  if (hang.has(method)) return;
  switch (method) {
    case 'slow':
      setTimeout(() => reply(callId, { ok: true, result: { waited: params.ms } }), Number(params.ms));
      return;
    case 'hang':
      return;
    case 'crash':
      process.exit(Number(params.code ?? 3));
      return;
    case 'emit':
      post({ kind: 'event', event: params.event as never, data: params.data as never });
      return reply(callId, { ok: true, result: {} });
    case 'malformed':
      return reply(callId, { nonsense: true });
    case 'misrouted':
      // A reply under another id: nobody waits for it; this call itself is never answered.
      return reply(callId + 1_000_000, { ok: true, result: 'not yours' });
    case 'photo':
      return reply(callId, { ok: true, result: { id: params.id, path: join(process.env.FAKE_ENGINE_PHOTOS ?? '/nonexistent', `${String(params.id)}.jpg`) } });
    case 'fail':
      return reply(callId, { ok: false, error: 'the engine says no' });
    case 'probe':
      probes.set(callId, (run) => reply(callId, { ok: true, result: run }));
      post({ kind: 'probeWebgpu', probeId: callId, moduleUrl: params.moduleUrl as string, backend: params.backend as string });
      return;
    default:
      // `ready` says whether this process had reported ready when the call reached it.
      return reply(callId, { ok: true, result: { method, params, pid: process.pid, ready } });
  }
}

function media(callId: number, id: number): void {
  const identity = { dev: '2049', ino: '18446744073709551557', size: 1234, mtimeNs: '1700000000123456789' };
  if (id === 1) return reply(callId, { path: '/photos/1.jpg', mime: 'image/jpeg', identity });
  if (id === 2) return reply(callId, null);
  if (id === 3) return; // hangs
  if (id === 4) return reply(callId, { path: 'relative/4.jpg', mime: 'text/html', identity });
  if (id === 5) return reply(callId, { path: '/photos/5.jpg', mime: 'image/jpeg' }); // no identity: nothing to check the file against
  if (id === 6) return reply(callId, { path: '/photos/6.jpg', mime: 'image/jpeg', identity: { ...identity, ino: 18 } });
  if (id === 7) return reply(callId, { path: '/videos/7.webm', mime: 'video/webm', identity });
  return reply(callId, null);
}

process.on('message', (data: unknown) => {
  const message = data as MainToEngine;
  if (message.kind === 'close') {
    if (process.env.FAKE_ENGINE_CLOSE === 'ignore') return;
    post({ kind: 'closed' });
    process.exit(0);
  }
  if (message.kind === 'probeWebgpuResult') probes.get(message.probeId)?.(message.run);
  else if (message.kind === 'call') call(message.callId, message.method, (message.params ?? {}) as Record<string, unknown>);
  else if (message.kind === 'media') media(message.callId, message.id);
});
