/**
 * The renderer's one way to reach the engine: a `GlimpseApi` over the Electron preload bridge when
 * `window.glimpse` exists, otherwise over web mode's same-origin HTTP + WebSocket protocol.
 */
import type { EventName, Events, GlimpseApi, MethodName, Params, Reply, Results } from '../../shared/api';

/** What the Electron preload exposes as `window.glimpse`. */
export interface DesktopBridge {
  call(method: string, params: unknown): Promise<Reply<MethodName>>;
  on(event: string, listener: (data: unknown) => void): () => void;
  readonly shell: 'desktop';
}

declare global {
  interface Window {
    glimpse?: DesktopBridge;
  }
}

type Listener = (data: unknown) => void;

function unwrap<M extends MethodName>(reply: Reply<M> | null | undefined): Results[M] {
  if (!reply || typeof reply !== 'object' || typeof reply.ok !== 'boolean') throw new Error('Glimpse sent an answer it could not read.');
  if (!reply.ok) throw new Error(reply.error);
  return reply.result;
}

/** Listeners by event name; one listener throwing never stops the others. */
class Fanout {
  readonly #listeners = new Map<EventName, Set<Listener>>();

  add(event: EventName, listener: Listener): () => void {
    const set = this.#listeners.get(event) ?? new Set<Listener>();
    this.#listeners.set(event, set);
    set.add(listener);
    return () => void set.delete(listener);
  }

  emit(event: EventName, data: unknown): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      try {
        listener(data);
      } catch (error) {
        console.error(`glimpse: a ${event} listener failed`, error);
      }
    }
  }
}

const EVENT_NAMES: ReadonlySet<string> = new Set<EventName>(['progress', 'libraryChanged', 'modelDownload']);

export function desktopApi(bridge: DesktopBridge): GlimpseApi {
  return {
    shell: 'desktop',
    async call<M extends MethodName>(method: M, params: Params<M>): Promise<Results[M]> {
      return unwrap((await bridge.call(method, params)) as Reply<M>);
    },
    on<E extends EventName>(event: E, listener: (data: Events[E]) => void): () => void {
      return bridge.on(event, listener as Listener);
    },
    mediaUrl: (kind, id, frame) => `glimpse-media://${kind}/${id}${frame === undefined ? '' : `/${frame}`}`,
  };
}

export interface WebApiOptions {
  /** Where the page came from; the API and events live on the same origin. */
  location?: Pick<Location, 'protocol' | 'host'>;
  fetch?: typeof fetch;
  WebSocket?: typeof WebSocket;
}

/**
 * Web mode: `POST /api/call` for calls (the HttpOnly session cookie authenticates them) and a
 * WebSocket at `/api/events` for events, reconnecting with backoff. After a reconnect, listeners of
 * `libraryChanged` hear about it, since events may have been missed while the socket was down.
 */
export function webApi(options: WebApiOptions = {}): GlimpseApi {
  const where = options.location ?? window.location;
  const doFetch = options.fetch ?? window.fetch.bind(window);
  const Socket = options.WebSocket ?? window.WebSocket;
  const fanout = new Fanout();
  let delay = 500;
  let everOpen = false;

  const connect = (): void => {
    let socket: WebSocket;
    try {
      socket = new Socket(`${where.protocol === 'https:' ? 'wss' : 'ws'}://${where.host}/api/events`);
    } catch {
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 15_000);
      return;
    }
    socket.onopen = () => {
      delay = 500;
      if (everOpen) fanout.emit('libraryChanged', { reason: 'reconnected' } satisfies Events['libraryChanged']);
      everOpen = true;
    };
    socket.onmessage = (message: MessageEvent) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(message.data));
      } catch {
        return;
      }
      if (typeof parsed !== 'object' || parsed === null) return;
      const { event, data } = parsed as { event?: unknown; data?: unknown };
      if (typeof event === 'string' && EVENT_NAMES.has(event)) fanout.emit(event as EventName, data);
    };
    socket.onclose = () => {
      setTimeout(connect, delay + Math.random() * 250);
      delay = Math.min(delay * 2, 15_000);
    };
  };
  connect();

  return {
    shell: 'web',
    async call<M extends MethodName>(method: M, params: Params<M>): Promise<Results[M]> {
      let response: Response;
      try {
        response = await doFetch('/api/call', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          credentials: 'same-origin',
          body: JSON.stringify({ method, params }),
        });
      } catch {
        throw new Error('Glimpse is not answering. Is it still running?');
      }
      if (response.status === 401) throw new Error('This page lost its session: open the address Glimpse printed again.');
      let reply: Reply<M>;
      try {
        reply = (await response.json()) as Reply<M>;
      } catch {
        throw new Error(`Glimpse answered ${method} with HTTP ${response.status} and no readable reply.`);
      }
      return unwrap(reply);
    },
    on<E extends EventName>(event: E, listener: (data: Events[E]) => void): () => void {
      return fanout.add(event, listener as Listener);
    },
    mediaUrl: (kind, id, frame) => `/media/${kind}/${id}${frame === undefined ? '' : `/${frame}`}`,
  };
}

/** The API for this window: the desktop bridge inside Electron, web mode anywhere else. */
export function createApi(): GlimpseApi {
  const bridge = window.glimpse;
  return bridge && bridge.shell === 'desktop' ? desktopApi(bridge) : webApi();
}
