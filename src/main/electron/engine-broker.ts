/**
 * The main process's side of the engine's utility process: requests with call ids, replies routed back
 * by id, engine events passed on, a timeout on every request, and restarts after a crash within a
 * bounded policy.
 *
 * Plain Node on purpose (no `electron` import, not even for types): main.ts hands in a spawner built on
 * `utilityProcess.fork`, the tests one built on `child_process.fork` of a small script that speaks the
 * same messages (test/main/electron/fake-engine.ts).
 */
import { isAbsolute } from 'node:path';
import type { EventName, Events, MethodName, Reply } from '../../shared/api.js';
import type { ProbeRun } from '../engine/models/webgpu-probe-script.js';
import type { MainToEngine, MediaFile } from './messages.js';
import { errorText } from '../../shared/error-text.js';

/** The part of a child process the broker uses (Electron's UtilityProcess has this shape). */
export interface ChildLike {
  postMessage(message: MainToEngine): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  /** `code` is null where the process was ended by a signal. */
  on(event: 'exit', listener: (code: number | null) => void): unknown;
  kill(): unknown;
}

/** What a media look-up comes to: a file, none (not an indexed photo), or an error (no answer). */
export type MediaAnswer = { ok: true; file: MediaFile | null } | { ok: false; error: string };

export type BrokerState =
  /** start() was not called yet; requests are held. */
  | 'idle'
  /** A child is running but has not reported ready; requests are held. */
  | 'starting'
  | 'ready'
  /** The engine reported that it could not open the library: requests get that error. */
  | 'failed'
  /** The engine stopped too often and is not restarted: requests get that error. */
  | 'stopped'
  | 'closing'
  | 'closed';

/**
 * At most `maxRestarts` restarts within any `windowMs`: an engine that crashes on every start (a
 * damaged file it trips on while opening, say) is not started for ever.
 */
export class RestartPolicy {
  readonly #times: number[] = [];

  constructor(
    readonly maxRestarts = 3,
    readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a crash; true when the engine may be started again. */
  allow(): boolean {
    const now = this.now();
    while (this.#times.length && now - this.#times[0]! >= this.windowMs) this.#times.shift();
    if (this.#times.length >= this.maxRestarts) return false;
    this.#times.push(now);
    return true;
  }
}

export interface EngineBrokerOptions {
  /** Starts a new engine process; may throw (counted as a crash). */
  spawn: () => ChildLike;
  onEvent?: (event: EventName, data: Events[EventName]) => void;
  /** The engine could not open the library, or stopped too often to be restarted: tell the user. */
  onFatal?: (message: string) => void;
  /** The engine stopped and is being started again (for the log). */
  onRestart?: (reason: string) => void;
  /** Default time a call may take, from the moment it is made (waiting for `ready` included). */
  callTimeoutMs?: number;
  mediaTimeoutMs?: number;
  /** How long close() waits for the engine to close its database before killing it. */
  closeTimeoutMs?: number;
  restartPolicy?: RestartPolicy;
  /** Runs the WebGPU adapter probe the engine asks for (main forks a utility process for it). */
  probeWebgpu?: (moduleUrl: string, backend: string) => Promise<ProbeRun>;
}

export const DEFAULT_CALL_TIMEOUT_MS = 30_000;
export const DEFAULT_MEDIA_TIMEOUT_MS = 30_000;

/** "30 s", "0.25 s". */
export const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(2))} s`;

type Outcome = { reply: unknown } | { error: string };

interface Request {
  message: Extract<MainToEngine, { callId: number }>;
  /** Posted to the current child (false while held for `ready`). */
  sent: boolean;
  timer: ReturnType<typeof setTimeout>;
  finish: (outcome: Outcome) => void;
}

function isReply(value: unknown): value is Reply<MethodName> {
  if (typeof value !== 'object' || value === null) return false;
  const reply = value as { ok?: unknown; result?: unknown; error?: unknown };
  return (reply.ok === true && 'result' in reply) || (reply.ok === false && typeof reply.error === 'string');
}

function isMediaFile(value: unknown): value is MediaFile {
  if (typeof value !== 'object' || value === null) return false;
  const { path, mime, identity } = value as { path?: unknown; mime?: unknown; identity?: unknown };
  if (typeof identity !== 'object' || identity === null) return false;
  const { dev, ino, size, mtimeNs } = identity as Record<string, unknown>;
  const decimal = (n: unknown) => typeof n === 'string' && /^-?\d{1,40}$/.test(n);
  return (
    typeof path === 'string' &&
    isAbsolute(path) &&
    !path.includes('\0') &&
    typeof mime === 'string' &&
    /^(image|video)\/[a-z0-9.+-]+$/.test(mime) &&
    decimal(dev) &&
    decimal(ino) &&
    decimal(mtimeNs) &&
    Number.isSafeInteger(size) &&
    (size as number) >= 0
  );
}

/** An engine in a child process: see the module comment. Every request resolves; none rejects. */
export class EngineBroker {
  readonly #options: EngineBrokerOptions;
  readonly #policy: RestartPolicy;
  readonly #callTimeoutMs: number;
  readonly #mediaTimeoutMs: number;
  #child: ChildLike | undefined;
  #state: BrokerState = 'idle';
  /** Why requests are refused in the 'failed' and 'stopped' states. */
  #fatal: string | undefined;
  #nextId = 1;
  /** Held and sent requests by call id, in the order they were made. */
  readonly #pending = new Map<number, Request>();
  #closing: Promise<void> | undefined;
  #onChildExit: (() => void) | undefined;

  constructor(options: EngineBrokerOptions) {
    this.#options = options;
    this.#policy = options.restartPolicy ?? new RestartPolicy();
    this.#callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    this.#mediaTimeoutMs = options.mediaTimeoutMs ?? DEFAULT_MEDIA_TIMEOUT_MS;
  }

  get state(): BrokerState {
    return this.#state;
  }

  /** Held and unanswered requests. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  start(): void {
    if (this.#state !== 'idle') return;
    this.#spawn();
  }

  #spawn(): void {
    this.#state = 'starting';
    let child: ChildLike;
    try {
      child = this.#options.spawn();
    } catch (error) {
      this.#child = undefined;
      this.#crashed(`The library engine could not be started (${errorText(error)}).`);
      return;
    }
    this.#child = child;
    child.on('message', (message) => {
      if (child === this.#child) this.#receive(message);
    });
    child.on('exit', (code) => {
      if (child !== this.#child) return;
      this.#child = undefined;
      this.#exited(code);
    });
  }

  #receive(message: unknown): void {
    if (typeof message !== 'object' || message === null) return;
    const msg = message as { kind?: unknown; callId?: unknown; reply?: unknown; event?: unknown; data?: unknown; error?: unknown };
    if (msg.kind === 'reply' && typeof msg.callId === 'number') {
      const request = this.#pending.get(msg.callId);
      // A reply to a request that timed out, or to one this child was never sent, is dropped.
      if (request?.sent) request.finish({ reply: msg.reply });
    } else if (msg.kind === 'event' && typeof msg.event === 'string') {
      this.#options.onEvent?.(msg.event as EventName, msg.data as Events[EventName]);
    } else if (msg.kind === 'probeWebgpu') {
      this.#probe(message as { probeId?: unknown; moduleUrl?: unknown; backend?: unknown });
    } else if (msg.kind === 'ready') {
      if (this.#state !== 'starting') return;
      this.#state = 'ready';
      for (const request of this.#pending.values()) this.#send(request);
    } else if (msg.kind === 'fatal') {
      if (this.#state !== 'starting') return;
      this.#state = 'failed';
      this.#fatal = `Glimpse could not open its library: ${typeof msg.error === 'string' ? msg.error : 'no reason given'}`;
      this.#failAll(this.#fatal);
      this.#options.onFatal?.(this.#fatal);
    }
  }

  /**
   * Runs the probe for the child that asked, and answers it (a child that has since been replaced gets
   * nothing). Only a file: URL and a known backend are run.
   */
  #probe(request: { probeId?: unknown; moduleUrl?: unknown; backend?: unknown }): void {
    const child = this.#child;
    const { probeId, moduleUrl, backend } = request;
    if (typeof probeId !== 'number' || !child) return;
    const answer = (run: ProbeRun) => {
      if (child === this.#child) child.postMessage({ kind: 'probeWebgpuResult', probeId, run });
    };
    const valid = typeof moduleUrl === 'string' && moduleUrl.startsWith('file://') && typeof backend === 'string' && ['vulkan', 'd3d12', 'metal'].includes(backend);
    if (!valid || !this.#options.probeWebgpu) {
      answer({ failure: valid ? 'this host cannot run the probe' : 'a malformed probe request', stdout: '', stderr: '' });
      return;
    }
    this.#options.probeWebgpu(moduleUrl, backend).then(answer, (error: unknown) => answer({ failure: errorText(error), stdout: '', stderr: '' }));
  }

  #exited(code: number | null): void {
    this.#onChildExit?.();
    const how = code === null ? 'The library engine was stopped' : `The library engine stopped (exit code ${code})`;
    if (this.#state === 'closing' || this.#state === 'closed') {
      this.#failAll('Glimpse is quitting.');
      this.#state = 'closed';
      return;
    }
    if (this.#state === 'failed') {
      // It had already said it cannot open the library; requests keep getting that answer.
      return;
    }
    this.#crashed(`${how}.`);
  }

  /** The child is gone (or never started): fail what it was sent, then restart or give up. */
  #crashed(reason: string): void {
    // Requests it was sent may or may not have been acted on: they fail. Held ones were never sent
    // and wait for the next engine (within their own timeouts).
    for (const request of [...this.#pending.values()]) {
      if (request.sent) request.finish({ error: `${reason.replace(/\.$/, '')} before it answered.` });
    }
    if (this.#policy.allow()) {
      this.#options.onRestart?.(reason);
      this.#spawn();
      return;
    }
    this.#state = 'stopped';
    const window = seconds(this.#policy.windowMs);
    this.#fatal = `${reason} It stopped ${this.#policy.maxRestarts + 1} times within ${window}, so Glimpse will not start it again. Quit and open Glimpse again.`;
    this.#failAll(this.#fatal);
    this.#options.onFatal?.(this.#fatal);
  }

  #failAll(error: string): void {
    for (const request of [...this.#pending.values()]) request.finish({ error });
  }

  #send(request: Request): void {
    const child = this.#child;
    if (!child || request.sent) return;
    request.sent = true;
    try {
      child.postMessage(request.message);
    } catch (error) {
      request.finish({ error: `The library engine could not be reached (${errorText(error)}).` });
    }
  }

  #request(message: Request['message'], timeoutMs: number): Promise<Outcome> {
    if (this.#state === 'failed' || this.#state === 'stopped') return Promise.resolve({ error: this.#fatal! });
    if (this.#state === 'closing' || this.#state === 'closed') return Promise.resolve({ error: 'Glimpse is quitting.' });
    return new Promise<Outcome>((resolve) => {
      const request: Request = {
        message,
        sent: false,
        timer: setTimeout(() => {
          request.finish({
            error: request.sent ? `The library engine did not answer within ${seconds(timeoutMs)}.` : `The library engine did not start within ${seconds(timeoutMs)}.`,
          });
        }, timeoutMs),
        finish: (outcome) => {
          if (this.#pending.get(message.callId) !== request) return;
          this.#pending.delete(message.callId);
          clearTimeout(request.timer);
          resolve(outcome);
        },
      };
      this.#pending.set(message.callId, request);
      if (this.#state === 'ready') this.#send(request);
    });
  }

  /** A contract call (the method is not checked here: see ipc.ts). Always resolves to a Reply. */
  async call(method: string, params: unknown, options: { timeoutMs?: number } = {}): Promise<Reply<MethodName>> {
    const outcome = await this.#request({ kind: 'call', callId: this.#nextId++, method, params }, options.timeoutMs ?? this.#callTimeoutMs);
    if ('error' in outcome) return { ok: false, error: outcome.error };
    return isReply(outcome.reply) ? outcome.reply : { ok: false, error: 'The library engine sent a malformed reply.' };
  }

  /** The file behind a media URL: null unless the id is an indexed photo. */
  async media(mediaKind: 'thumb' | 'full', id: number, options: { timeoutMs?: number; frame?: number | undefined } = {}): Promise<MediaAnswer> {
    const frame = options.frame === undefined ? {} : { frame: options.frame };
    const outcome = await this.#request({ kind: 'media', callId: this.#nextId++, mediaKind, id, ...frame }, options.timeoutMs ?? this.#mediaTimeoutMs);
    if ('error' in outcome) return { ok: false, error: outcome.error };
    if (outcome.reply === null) return { ok: true, file: null };
    if (!isMediaFile(outcome.reply)) return { ok: false, error: 'The library engine sent a malformed reply.' };
    const { path, mime, identity } = outcome.reply;
    return { ok: true, file: { path, mime, identity: { dev: identity.dev, ino: identity.ino, size: identity.size, mtimeNs: identity.mtimeNs } } };
  }

  /**
   * Asks the engine to close its database cleanly and waits for it to exit; kills it after
   * `closeTimeoutMs`. Requests still held fail at once; ones already sent may still be answered.
   */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      const child = this.#child;
      this.#state = 'closing';
      for (const request of [...this.#pending.values()]) if (!request.sent) request.finish({ error: 'Glimpse is quitting.' });
      if (!child) {
        this.#state = 'closed';
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        this.#onChildExit = undefined;
        try {
          child.kill();
        } catch {
          // already gone
        }
        this.#failAll('Glimpse is quitting.');
        this.#state = 'closed';
        resolve();
      }, this.#options.closeTimeoutMs ?? 5_000);
      this.#onChildExit = () => {
        this.#onChildExit = undefined;
        clearTimeout(timer);
        resolve();
      };
      try {
        // The engine closes the library once it has opened it (or fails to), then exits.
        child.postMessage({ kind: 'close' });
      } catch {
        // it is exiting already: its exit event ends the wait
      }
    });
    return this.#closing;
  }
}
