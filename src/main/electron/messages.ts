import type { EventName, Events, MethodName, Reply } from '../../shared/api.js';
import type { MediaFile } from '../host/indexed-file.js';
import type { ProbeRun } from '../engine/models/webgpu-probe-script.js';

/**
 * A photo file the engine vouches for (an indexed photo's thumbnail or full image), with the identity
 * of the file it checked: the main process serves the path only while it still holds that file.
 */
export type { MediaFile };

/**
 * Messages between the Electron main process and the engine's utility process (over
 * `process.parentPort`). Every request carries a `callId`; its answer is a `reply` with the same id.
 */
export type MainToEngine =
  | { kind: 'call'; callId: number; method: string; params: unknown }
  | { kind: 'media'; callId: number; mediaKind: 'thumb' | 'full'; id: number; frame?: number }
  /** What the WebGPU probe the engine asked for found (`probeWebgpu`). */
  | { kind: 'probeWebgpuResult'; probeId: number; run: ProbeRun }
  | { kind: 'close' };

export type EngineToMain =
  | { kind: 'reply'; callId: number; reply: Reply<MethodName> | MediaFile | null }
  | { kind: 'event'; event: EventName; data: Events[EventName] }
  | { kind: 'ready' }
  | { kind: 'fatal'; error: string }
  /**
   * The engine asks main to run the WebGPU adapter probe in a utility process of its own: a packaged
   * app cannot start itself as Node (its RunAsNode fuse is off), and a utility process cannot fork one.
   */
  | { kind: 'probeWebgpu'; probeId: number; moduleUrl: string; backend: string }
  | { kind: 'closed' };
