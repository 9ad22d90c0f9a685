import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, it } from 'node:test';
import { PROBE_SCRIPT, type ProbeRun } from '../../../src/main/engine/models/webgpu-probe-script.js';
import { EngineBroker, type EngineBrokerOptions, RestartPolicy } from '../../../src/main/electron/engine-broker.js';
import { type ForkedEngine, forkFakeEngine, resultOf, waitFor } from './child.js';

// Every broker here drives real child processes (test/main/electron/fake-engine.ts).
const brokers: EngineBroker[] = [];
const children: ForkedEngine[] = [];
afterEach(async () => {
  await Promise.all(brokers.splice(0).map((broker) => broker.close()));
  for (const child of children.splice(0)) child.kill();
});

/** A broker whose n-th spawn (0-based) gets `envFor(n)`; records children, restarts and fatal messages. */
function makeBroker(envFor: (n: number) => Record<string, string> = () => ({}), options: Partial<EngineBrokerOptions> = {}) {
  const spawned: ForkedEngine[] = [];
  const restarts: string[] = [];
  const fatal: string[] = [];
  const events: Array<{ event: string; data: unknown }> = [];
  const broker = new EngineBroker({
    spawn: () => {
      const child = forkFakeEngine(envFor(spawned.length));
      spawned.push(child);
      children.push(child);
      return child;
    },
    onRestart: (reason) => restarts.push(reason),
    onFatal: (message) => fatal.push(message),
    onEvent: (event, data) => events.push({ event, data }),
    closeTimeoutMs: 5_000,
    ...options,
  });
  brokers.push(broker);
  return { broker, spawned, restarts, fatal, events };
}

/** A broken broker must fail a test, not hang it. */
const test = (name: string, fn: () => Promise<void>): void => {
  it(name, { timeout: 20_000 }, fn);
};

async function started(envFor?: (n: number) => Record<string, string>, options?: Partial<EngineBrokerOptions>) {
  const made = makeBroker(envFor, options);
  made.broker.start();
  await waitFor(() => made.broker.state === 'ready', 20_000, 'the engine to report ready');
  return made;
}

describe('the engine broker', () => {
  test('routes each reply to its own call by id, whatever order they come back in', async () => {
    const { broker } = await started();
    const order: number[] = [];
    const calls = [300, 20, 120].map((ms) =>
      broker.call('slow', { ms }).then((reply) => {
        order.push(ms);
        return reply;
      }),
    );
    const replies = await Promise.all(calls);
    assert.deepEqual(
      replies,
      [300, 20, 120].map((ms) => ({ ok: true, result: { waited: ms } })),
    );
    assert.deepEqual(order, [20, 120, 300]);
    assert.equal(broker.pendingCount, 0);
  });

  test('holds calls made before the engine is ready and sends them once it is', async () => {
    const { broker, spawned } = makeBroker(() => ({ FAKE_ENGINE_READY_MS: '400' }));
    const early = broker.call('echo', { n: 1 });
    broker.start();
    const alsoEarly = broker.call('echo', { n: 2 });
    assert.equal(broker.state, 'starting');
    assert.equal(broker.pendingCount, 2);
    const replies = await Promise.all([early, alsoEarly]);
    const pid = spawned[0]!.process.pid;
    assert.deepEqual(replies, [
      { ok: true, result: { method: 'echo', params: { n: 1 }, pid, ready: true } },
      { ok: true, result: { method: 'echo', params: { n: 2 }, pid, ready: true } },
    ]);
  });

  test('gives a held call a clear error when the engine never gets ready in time', async () => {
    const { broker } = makeBroker(() => ({ FAKE_ENGINE_START: 'silent' }));
    broker.start();
    const reply = await broker.call('echo', {}, { timeoutMs: 300 });
    assert.deepEqual(reply, { ok: false, error: 'The library engine did not start within 0.3 s.' });
    assert.equal(broker.pendingCount, 0);
  });

  test('times out a call the engine does not answer, and keeps working afterwards', async () => {
    const { broker } = await started();
    const startedAt = Date.now();
    assert.deepEqual(await broker.call('hang', {}, { timeoutMs: 250 }), { ok: false, error: 'The library engine did not answer within 0.25 s.' });
    assert.ok(Date.now() - startedAt >= 240, 'the timeout fired early');
    assert.equal(broker.pendingCount, 0);
    assert.equal((await broker.call('echo', { after: 'timeout' })).ok, true);
  });

  test('uses the default call timeout from its options', async () => {
    const { broker } = await started(undefined, { callTimeoutMs: 200 });
    assert.deepEqual(await broker.call('hang', {}), { ok: false, error: 'The library engine did not answer within 0.2 s.' });
  });

  test('drops a reply under an id nobody waits for, and one that came after its timeout', async () => {
    const { broker } = await started();
    assert.deepEqual(await broker.call('misrouted', {}, { timeoutMs: 200 }), { ok: false, error: 'The library engine did not answer within 0.2 s.' });
    // The engine answers after 300 ms, the call gave up at 100 ms: the late reply must not resurface.
    assert.deepEqual(await broker.call('slow', { ms: 300 }, { timeoutMs: 100 }), { ok: false, error: 'The library engine did not answer within 0.1 s.' });
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(broker.pendingCount, 0);
    assert.deepEqual(resultOf(await broker.call('echo', { n: 3 })).params, { n: 3 });
  });

  test('turns a malformed reply into an error, and passes an error reply on', async () => {
    const { broker } = await started();
    assert.deepEqual(await broker.call('malformed', {}), { ok: false, error: 'The library engine sent a malformed reply.' });
    assert.deepEqual(await broker.call('fail', {}), { ok: false, error: 'the engine says no' });
  });

  test('answers media look-ups: a file, none, a malformed answer, and a timeout', async () => {
    const { broker } = await started();
    // The file's identity comes along (the main process checks its own descriptor against it).
    const identity = { dev: '2049', ino: '18446744073709551557', size: 1234, mtimeNs: '1700000000123456789' };
    assert.deepEqual(await broker.media('thumb', 1), { ok: true, file: { path: '/photos/1.jpg', mime: 'image/jpeg', identity } });
    assert.deepEqual(await broker.media('full', 7), { ok: true, file: { path: '/videos/7.webm', mime: 'video/webm', identity } });
    assert.deepEqual(await broker.media('full', 2), { ok: true, file: null });
    // A relative path, a type that is neither image nor video, and a missing or malformed identity are refused, not served.
    for (const id of [4, 5, 6]) assert.deepEqual(await broker.media('full', id), { ok: false, error: 'The library engine sent a malformed reply.' }, String(id));
    assert.deepEqual(await broker.media('thumb', 3, { timeoutMs: 200 }), { ok: false, error: 'The library engine did not answer within 0.2 s.' });
  });

  test('media look-ups have their own default timeout', async () => {
    const { broker } = await started(undefined, { mediaTimeoutMs: 150, callTimeoutMs: 60_000 });
    assert.deepEqual(await broker.media('thumb', 3), { ok: false, error: 'The library engine did not answer within 0.15 s.' });
  });

  test('passes engine events on', async () => {
    const { broker, events } = await started();
    await broker.call('emit', { event: 'libraryChanged', data: { reason: 'a test' } });
    assert.deepEqual(events, [{ event: 'libraryChanged', data: { reason: 'a test' } }]);
  });

  test('fails the calls a crashed engine was sent, restarts it, and the new one answers', async () => {
    const { broker, spawned, restarts } = await started();
    const hanging = broker.call('hang', {});
    const crashing = broker.call('crash', { code: 3 });
    const expected = { ok: false, error: 'The library engine stopped (exit code 3) before it answered.' };
    assert.deepEqual(await hanging, expected);
    assert.deepEqual(await crashing, expected);
    assert.deepEqual(restarts, ['The library engine stopped (exit code 3).']);
    assert.equal(broker.pendingCount, 0);
    const { pid } = resultOf(await broker.call('echo', {}));
    assert.equal(spawned.length, 2);
    assert.equal(pid, spawned[1]!.process.pid);
    assert.notEqual(pid, spawned[0]!.process.pid);
  });

  test('reports an engine killed by a signal', async () => {
    const { broker, spawned, restarts } = await started();
    const hanging = broker.call('hang', {});
    await waitFor(() => broker.pendingCount === 1);
    spawned[0]!.process.kill('SIGKILL');
    assert.deepEqual(await hanging, { ok: false, error: 'The library engine was stopped before it answered.' });
    assert.deepEqual(restarts, ['The library engine was stopped.']);
  });

  test('keeps calls it had not sent yet for the restarted engine', async () => {
    // The first engine dies before it is ready; the call was never sent to it, so the next one gets it.
    const { broker, spawned, restarts } = makeBroker((n): Record<string, string> => (n === 0 ? { FAKE_ENGINE_START: 'crash' } : {}));
    broker.start();
    const { params, pid } = resultOf(await broker.call('echo', { held: true }));
    assert.deepEqual(params, { held: true });
    assert.equal(pid, spawned[1]!.process.pid);
    assert.deepEqual(restarts, ['The library engine stopped (exit code 7).']);
  });

  test('stops restarting after too many crashes, fails what waits, and says why', async () => {
    const { broker, spawned, fatal } = makeBroker(() => ({ FAKE_ENGINE_START: 'crash' }), { restartPolicy: new RestartPolicy(2, 60_000) });
    broker.start();
    const held = broker.call('echo', {});
    const reply = await held;
    const message = 'The library engine stopped (exit code 7). It stopped 3 times within 60 s, so Glimpse will not start it again. Quit and open Glimpse again.';
    assert.deepEqual(reply, { ok: false, error: message });
    assert.equal(broker.state, 'stopped');
    assert.equal(spawned.length, 3);
    assert.deepEqual(fatal, [message]);
    // Later calls and media look-ups get the same answer at once, and nothing is started again.
    assert.deepEqual(await broker.call('echo', {}), { ok: false, error: message });
    assert.deepEqual(await broker.media('thumb', 1), { ok: false, error: message });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(spawned.length, 3);
  });

  test('counts a spawn that throws as a crash', async () => {
    const fatal: string[] = [];
    let tries = 0;
    const broker = new EngineBroker({
      spawn: () => {
        tries++;
        throw new Error('no such file');
      },
      onFatal: (message) => fatal.push(message),
      restartPolicy: new RestartPolicy(1, 60_000),
    });
    brokers.push(broker);
    const held = broker.call('echo', {});
    broker.start();
    assert.equal(tries, 2);
    assert.equal(broker.state, 'stopped');
    assert.equal(fatal.length, 1);
    assert.match(fatal[0]!, /^The library engine could not be started \(no such file\)\. It stopped 2 times within 60 s, so Glimpse will not start it again/);
    assert.deepEqual(await held, { ok: false, error: fatal[0] });
  });

  test('answers every call with the reason when the engine cannot open the library, without restarting it', async () => {
    const { broker, spawned, fatal } = makeBroker(() => ({ FAKE_ENGINE_START: 'fatal', FAKE_ENGINE_READY_MS: '100' }));
    broker.start();
    const held = broker.call('echo', {});
    const message = 'Glimpse could not open its library: the catalogue is damaged';
    assert.deepEqual(await held, { ok: false, error: message });
    assert.equal(broker.state, 'failed');
    assert.deepEqual(fatal, [message]);
    assert.deepEqual(await broker.media('full', 1), { ok: false, error: message });
    assert.equal(spawned.length, 1);
  });

  test('closes the engine cleanly and does not restart it', async () => {
    const { broker, spawned, restarts } = await started();
    const child = spawned[0]!.process;
    await broker.close();
    assert.equal(broker.state, 'closed');
    await waitFor(() => child.exitCode !== null || child.signalCode !== null, 5_000, 'the engine to exit');
    assert.equal(child.exitCode, 0, 'the engine closed itself rather than being killed');
    assert.deepEqual(restarts, []);
    assert.equal(spawned.length, 1);
    assert.deepEqual(await broker.call('echo', {}), { ok: false, error: 'Glimpse is quitting.' });
  });

  test('kills an engine that does not close in time', async () => {
    const { broker, spawned } = await started(() => ({ FAKE_ENGINE_CLOSE: 'ignore' }), { closeTimeoutMs: 300 });
    const child = spawned[0]!.process;
    const hanging = broker.call('hang', {});
    await waitFor(() => broker.pendingCount === 1);
    const startedAt = Date.now();
    await broker.close();
    assert.ok(Date.now() - startedAt >= 290, 'close gave up early');
    assert.deepEqual(await hanging, { ok: false, error: 'Glimpse is quitting.' });
    await waitFor(() => child.signalCode !== null, 5_000, 'the engine to be killed');
    assert.equal(child.signalCode, 'SIGKILL');
    assert.equal(spawned.length, 1);
  });
});

describe('the restart policy', () => {
  it('allows at most N restarts within the window, and more once old ones leave it', () => {
    let now = 0;
    const policy = new RestartPolicy(3, 60_000, () => now);
    assert.equal(policy.allow(), true);
    now = 10_000;
    assert.equal(policy.allow(), true);
    now = 20_000;
    assert.equal(policy.allow(), true);
    now = 30_000;
    assert.equal(policy.allow(), false);
    now = 59_999;
    assert.equal(policy.allow(), false);
    // The first crash (at 0) is out of the window at 60 000.
    now = 60_000;
    assert.equal(policy.allow(), true);
    assert.equal(policy.allow(), false);
  });

  it('never allows a restart when the limit is zero', () => {
    assert.equal(new RestartPolicy(0, 1000, () => 0).allow(), false);
  });

  test("runs the engine's WebGPU probe for it, in a process of main's, and answers only a well-formed request", async () => {
    const asked: string[] = [];
    // What main does with utilityProcess.fork, done here with Node: the probe script in a process of its own.
    const probeWebgpu = (moduleUrl: string, backend: string) =>
      new Promise<ProbeRun>((resolve) => {
        asked.push(backend);
        execFile(process.execPath, ['--input-type=module', '-e', PROBE_SCRIPT, moduleUrl, backend], { timeout: 30_000 }, (error, stdout, stderr) =>
          resolve({ failure: error ? error.message : null, stdout, stderr }),
        );
      });
    const { broker } = await started(undefined, { probeWebgpu });
    const moduleUrl = pathToFileURL(createRequire(import.meta.url).resolve('webgpu')).href;
    const run = resultOf(await broker.call('probe', { moduleUrl, backend: 'vulkan' })) as ProbeRun;
    assert.equal(run.failure, null, run.stderr);
    const adapter = JSON.parse(run.stdout) as { description: string } | null;
    assert.ok(adapter === null || typeof adapter.description === 'string', `the probe's answer: ${run.stdout}`);
    for (const bad of [
      { moduleUrl: 'https://example.com/webgpu.js', backend: 'vulkan' },
      { moduleUrl, backend: 'vulkan; rm -rf /' },
    ]) {
      const refused = resultOf(await broker.call('probe', bad)) as ProbeRun;
      assert.equal(refused.failure, 'a malformed probe request');
    }
    assert.deepEqual(asked, ['vulkan'], 'only the well-formed request was run');
  });
});
