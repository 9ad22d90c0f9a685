import type { EventName, Events, MethodName, Reply } from '../../shared/api.js';

/** Messages between the Electron main process and the engine utility process. */
export type MainToEngine =
  | { kind: 'call'; callId: number; method: string; params: unknown }
  | { kind: 'media'; callId: number; mediaKind: 'thumb' | 'full'; id: number }
  | { kind: 'path'; callId: number; id: number }
  | { kind: 'close' };

export type EngineToMain =
  | { kind: 'reply'; callId: number; reply: Reply<MethodName> }
  | { kind: 'media'; callId: number; file: { path: string; mime: string } | null }
  | { kind: 'path'; callId: number; path: string | null }
  | { kind: 'event'; event: EventName; data: Events[EventName] }
  | { kind: 'fatal'; error: string };
