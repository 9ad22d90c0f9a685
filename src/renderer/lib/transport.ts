import type { EventName, Events, GlimpseApi, MethodName, Params, Reply, Results } from '../../shared/api';

/** What the Electron preload exposes as `window.glimpse`. */
interface DesktopBridge {
  call(method: string, params: unknown): Promise<Reply<MethodName>>;
  on(event: string, listener: (data: unknown) => void): () => void;
  shell: 'desktop';
}

declare global {
  interface Window {
    glimpse?: DesktopBridge;
  }
}

function unwrap<M extends MethodName>(reply: Reply<M>): Results[M] {
  if (!reply.ok) throw new Error(reply.error);
  return reply.result;
}

function desktopApi(bridge: DesktopBridge): GlimpseApi {
  return {
    shell: 'desktop',
    async call(method, params) {
      return unwrap(await bridge.call(method, params)) as never;
    },
    on(event, listener) {
      return bridge.on(event, listener as (data: unknown) => void);
    },
    mediaUrl: (kind, id) => `glimpse-media://${kind}/${id}`,
  };
}

/** Web mode: same-origin HTTP for calls (the session cookie authenticates), a WebSocket for events. */
function webApi(): GlimpseApi {
  const listeners = new Map<EventName, Set<(data: unknown) => void>>();
  let retry = 500;
  const connect = () => {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/events`);
    ws.onopen = () => (retry = 500);
    ws.onmessage = (message) => {
      try {
        const { event, data } = JSON.parse(String(message.data)) as { event: EventName; data: unknown };
        for (const listener of listeners.get(event) ?? []) listener(data);
      } catch {
        // not one of ours: ignore
      }
    };
    ws.onclose = () => {
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10_000);
    };
  };
  connect();
  return {
    shell: 'web',
    async call<M extends MethodName>(method: M, params: Params<M>): Promise<Results[M]> {
      const response = await fetch('/api/call', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ method, params }) });
      if (response.status === 401) throw new Error('This page lost its session: open the address Glimpse printed again.');
      return unwrap((await response.json()) as Reply<M>);
    },
    on<E extends EventName>(event: E, listener: (data: Events[E]) => void) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (data: unknown) => void);
      listeners.set(event, set);
      return () => set.delete(listener as (data: unknown) => void);
    },
    mediaUrl: (kind, id) => `/media/${kind}/${id}`,
  };
}

export const api: GlimpseApi = window.glimpse ? desktopApi(window.glimpse) : webApi();
