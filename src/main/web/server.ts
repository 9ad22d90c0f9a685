import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventName, Events } from '../../shared/api.js';
import { parseRange, rangeResponse } from '../host/byte-range.js';
import { type MediaFile, openSameFile } from '../host/indexed-file.js';

/** What the web server needs from the engine host (ApiHost implements it). */
export interface WebHost {
  handle(method: unknown, params: unknown): Promise<unknown>;
  /** The file to serve and the identity it was checked with (see host/indexed-file.ts). */
  mediaFile(kind: 'thumb' | 'full', id: number, frame?: number): Promise<MediaFile | null>;
}

export interface WebServerOptions {
  host: WebHost;
  /** The built renderer (vite's output). */
  rendererDir: string;
  port?: number;
  token?: string;
}

export interface WebServer {
  url: string;
  /** The URL with the token, to open once; it sets the session cookie. */
  loginUrl: string;
  port: number;
  token: string;
  broadcast<E extends EventName>(event: E, data: Events[E]): void;
  close(): Promise<void>;
}

/**
 * The session cookie's name carries the port: cookies ignore ports, so a second Glimpse on another port
 * (or any other service on 127.0.0.1) would otherwise overwrite ours, and be sent it.
 */
const cookieName = (port: number): string => `glimpse_token_${port}`;
/** Media may be loaded by the app's own pages only (CORP: a page of another origin cannot embed them). */
const MEDIA_POLICY = { 'cross-origin-resource-policy': 'same-origin' };
const MAX_BODY = 1024 * 1024;
const STATIC_MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(req: IncomingMessage, cookie: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === cookie) return value.join('=');
  }
  return undefined;
}

/**
 * A request a browser made for a page of another origin (`Sec-Fetch-Site` cross-site or same-site: the
 * site ignores the port, so another service on 127.0.0.1 is same-site). The app's own page sends
 * `same-origin`, a typed address or bookmark `none`; a client that sends no such header is no browser page.
 */
function foreignFetch(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  return site !== undefined && site !== 'same-origin' && site !== 'none';
}

function send(res: ServerResponse, status: number, body: string | Buffer, type = 'text/plain; charset=utf-8', extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', ...extra });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Web mode: the renderer and the API over HTTP and a WebSocket, on the loopback interface only.
 * A random per-run token guards everything: the printed login URL carries it once and trades it for
 * an HttpOnly, SameSite=Strict cookie; requests with a foreign Host or Origin are refused, which
 * also stops DNS-rebinding pages from reaching the API.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const rendererDir = resolve(options.rendererDir);
  let origin = '';
  let allowedHosts = new Set<string>();
  /** The page's own origin, under either loopback name the server answers to. */
  let allowedOrigins = new Set<string>();
  const foreignOrigin = (req: IncomingMessage) => req.headers.origin !== undefined && !allowedOrigins.has(req.headers.origin);

  let cookie = '';
  const authorised = (req: IncomingMessage) => sameToken(cookieToken(req, cookie) ?? (req.headers['x-glimpse-token'] as string | undefined), token);

  const serveStatic = async (res: ServerResponse, pathname: string) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return send(res, 400, 'malformed percent-encoding in the path');
    }
    const relative = normalize(decoded).replace(/^([/\\])+/, '');
    const file = resolve(rendererDir, relative || 'index.html');
    if (file !== rendererDir && !file.startsWith(rendererDir + sep)) return send(res, 404, 'not found');
    const target = existsSync(file) && (await stat(file)).isFile() ? file : join(rendererDir, 'index.html');
    if (!existsSync(target)) return send(res, 503, 'The renderer is not built yet: run `npm run build:renderer`, then reload.');
    res.writeHead(200, {
      'content-type': STATIC_MIME[extname(target)] ?? 'application/octet-stream',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
    });
    // pipeline: a file that cannot be read ends the response instead of throwing out of the server.
    pipeline(createReadStream(target), res, () => undefined);
  };

  const respond = async (req: IncomingMessage, res: ServerResponse): Promise<unknown> => {
    try {
      if (!allowedHosts.has(req.headers.host ?? '')) return send(res, 421, 'wrong host');
      let url: URL;
      try {
        url = new URL(req.url ?? '/', origin);
      } catch {
        return send(res, 400, 'malformed URL');
      }
      if (req.method === 'GET' && url.searchParams.has('token')) {
        if (!sameToken(url.searchParams.get('token') ?? undefined, token)) return send(res, 403, 'wrong token: use the URL Glimpse printed');
        return send(res, 303, '', 'text/plain', { location: '/', 'set-cookie': `${cookie}=${token}; HttpOnly; SameSite=Strict; Path=/` });
      }
      if (!authorised(req)) return send(res, 401, "Open the URL Glimpse printed (it carries this session's token).");
      if (url.pathname === '/api/call') {
        const refuse = (status: number, error: string) => send(res, status, JSON.stringify({ ok: false, error }), 'application/json');
        if (req.method !== 'POST') return refuse(405, 'use POST');
        if (foreignOrigin(req)) return refuse(403, 'cross-origin call refused');
        let call: { method?: unknown; params?: unknown };
        try {
          call = JSON.parse(await readBody(req)) as { method?: unknown; params?: unknown };
        } catch (error) {
          return refuse(400, `malformed request: ${(error as Error).message}`);
        }
        if (typeof call !== 'object' || call === null) return refuse(400, 'malformed request: expected {method, params}');
        return send(res, 200, JSON.stringify(await options.host.handle(call.method, call.params)), 'application/json');
      }
      // `/media/thumb/<id>`, `/media/full/<id>`, and a video frame's thumbnail `/media/thumb/<id>/<frame>`.
      const media = /^\/media\/(thumb|full)\/(\d{1,15})(?:\/(\d{1,4}))?$/.exec(url.pathname);
      if (media) {
        // Photos are the user's: never to be embedded by a page of another origin, such as another
        // service on 127.0.0.1 (cookies ignore ports, so its requests would carry ours).
        if (foreignFetch(req)) return send(res, 403, 'cross-site media request refused', undefined, MEDIA_POLICY);
        const file = await options.host.mediaFile(media[1] as 'thumb' | 'full', Number(media[2]), media[3] === undefined ? undefined : Number(media[3]));
        // Streamed from a descriptor that holds the very file the host checked (or nothing at all).
        const opened = file ? await openSameFile(file.path, file.identity) : null;
        if (!file || !opened?.ok) return send(res, 404, 'no such photo', undefined, MEDIA_POLICY);
        // Byte ranges, so a video plays from any moment without sending what comes before it.
        const size = opened.identity.size;
        const answer = rangeResponse(parseRange(req.headers.range, size), size);
        res.writeHead(answer.status, {
          'content-type': file.mime,
          'cache-control': 'private, max-age=300',
          'x-content-type-options': 'nosniff',
          ...MEDIA_POLICY,
          ...answer.headers,
        });
        if (answer.status === 416 || req.method === 'HEAD') {
          await opened.handle.close();
          return res.end();
        }
        // pipeline: a reader that goes away mid-video closes the file too.
        pipeline(opened.handle.createReadStream({ start: answer.start, end: answer.end }), res, () => undefined);
        return;
      }
      if (url.pathname.startsWith('/media/') || url.pathname.startsWith('/api/')) return send(res, 404, 'not found');
      if (req.method !== 'GET') return send(res, 405, 'method not allowed');
      return await serveStatic(res, url.pathname);
    } catch (error) {
      // The detail (which may name files and folders) goes to the log, never to the page.
      // (The path only: a query may carry the token.)
      console.error(`glimpse: web request ${req.method ?? ''} ${(req.url ?? '').split('?')[0]!.slice(0, 200)} failed: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent) send(res, 500, 'internal error');
      else res.destroy();
    }
  };
  // `respond` catches everything it can meet; the void says no one awaits it.
  const server = createServer((req, res) => void respond(req, res));

  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = URL.canParse(req.url ?? '/', origin) ? new URL(req.url ?? '/', origin) : null;
    if (url?.pathname !== '/api/events' || !allowedHosts.has(req.headers.host ?? '') || !authorised(req) || foreignOrigin(req)) {
      socket.write('HTTP/1.1 403 Forbidden\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', () => undefined); // the event channel is one-way; anything sent to it is ignored
    });
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolvePromise());
  });
  const port = (server.address() as AddressInfo).port;
  cookie = cookieName(port);
  origin = `http://127.0.0.1:${port}`;
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  allowedOrigins = new Set([...allowedHosts].map((h) => `http://${h}`));

  return {
    url: `${origin}/`,
    loginUrl: `${origin}/?token=${token}`,
    port,
    token,
    broadcast(event, data) {
      const message = JSON.stringify({ event, data });
      for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(message);
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
