import type { EventName, Events, MethodName, Reply } from '../../shared/api.js';
import type { MediaFile } from '../host/indexed-file.js';

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
  | { kind: 'close' };

export type EngineToMain =
  | { kind: 'reply'; callId: number; reply: Reply<MethodName> | MediaFile | null }
  | { kind: 'event'; event: EventName; data: Events[EventName] }
  | { kind: 'ready' }
  | { kind: 'fatal'; error: string }
  | { kind: 'closed' };
