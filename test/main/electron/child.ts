/** Test helpers: the fake engine as a real child process behind the broker's ChildLike. */
import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildLike } from '../../../src/main/electron/engine-broker.js';
import type { MethodName, Reply } from '../../../src/shared/api.js';

const FAKE_ENGINE = fileURLToPath(new URL('./fake-engine.ts', import.meta.url));

export interface ForkedEngine extends ChildLike {
  readonly process: ChildProcess;
}

/** Forks fake-engine.ts (see its comment for `env`). */
export function forkFakeEngine(env: Record<string, string> = {}): ForkedEngine {
  const child = fork(FAKE_ENGINE, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // A message sent after the child went reports an error event; the broker learns of it through 'exit'.
  child.on('error', () => undefined);
  return {
    process: child,
    postMessage(message) {
      child.send(message);
    },
    on(event: 'message' | 'exit', listener: (value: never) => void) {
      if (event === 'message') child.on('message', (message) => (listener as (value: unknown) => void)(message));
      else child.on('exit', (code) => (listener as (code: number | null) => void)(code));
      return this;
    },
    kill() {
      return child.kill('SIGKILL');
    },
  };
}

/** Polls until `check` holds, or fails after `ms`. */
export async function waitFor(check: () => boolean, ms = 20_000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The fake engine's answer inside an ok reply (its results are not the contract's types); fails on an error reply. */
export function resultOf<T = { method: string; params: unknown; pid: number; ready: boolean }>(reply: Reply<MethodName>): T {
  assert.equal(reply.ok, true, JSON.stringify(reply));
  return (reply as { result: unknown }).result as T;
}
