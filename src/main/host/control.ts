import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, realpathSync, rmSync } from 'node:fs';
import { type Server, type Socket, createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import type { Progress } from '../../shared/api.js';
import { errorText } from '../../shared/error-text.js';

/**
 * How a `glimpse` command reaches the app that holds a library's write lock, to ask it to write for it
 * (issue 27.8). The app stays the one writer for as long as it is open: its watcher needs the lock to
 * react to changes, only the writer saves the index, and handing the lock to a command and back would
 * run the writer's whole-file checks at every hand-over (docs/ARCHITECTURE.md, "Who may write"). So a
 * command that finds the app holding the lock asks it, over a local socket only the user can open: a
 * Unix socket in a folder of the data folder made 0700 (or a named pipe on Windows), and shows the app's
 * progress while it works. One request and one answer per line, JSON; progress events go to every
 * connection meanwhile.
 */

const MAX_LINE = 1 << 20;

const requests = z.discriminatedUnion('method', [
  z.object({ id: z.number().int(), method: z.literal('hello'), params: z.object({}).strict() }).strict(),
  z
    .object({
      id: z.number().int(),
      method: z.literal('index'),
      params: z.object({ folders: z.array(z.string().min(1).max(4096)).max(1000) }).strict(),
    })
    .strict(),
  z
    .object({
      id: z.number().int(),
      method: z.literal('removeFolder'),
      params: z.object({ id: z.number().int().positive() }).strict(),
    })
    .strict(),
]);
type Request = z.infer<typeof requests>;

/** What the app does for a command: the summaries are plain data, sent as they are. */
export interface ControlHandlers {
  index(folders: string[]): Promise<unknown>;
  removeFolder(id: number): Promise<{ removed: boolean }>;
}

/** Where the app listens for a data folder: the same for the app and the command that looks for it. */
export function controlPath(dataDir: string): string {
  let dir: string;
  try {
    dir = realpathSync(dataDir);
  } catch {
    dir = resolve(dataDir);
  }
  const key = createHash('sha256').update(dir).digest('hex').slice(0, 16);
  if (process.platform === 'win32') return `\\\\.\\pipe\\glimpse-${key}`;
  const inData = join(dir, 'control', 'glimpse.sock');
  // A Unix socket's path is at most 104-108 bytes: a deep data folder listens in a private temporary folder.
  return Buffer.byteLength(inData) <= 100 ? inData : join(tmpdir(), `glimpse-${process.getuid?.() ?? 'user'}-${key}`, 'glimpse.sock');
}

/** Splits a stream into lines of JSON; a line past MAX_LINE ends the connection. */
function onLines(socket: Socket, each: (value: unknown) => void): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    if (buffered.length > MAX_LINE) {
      socket.destroy();
      return;
    }
    let at: number;
    while ((at = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, at);
      buffered = buffered.slice(at + 1);
      try {
        each(JSON.parse(line));
      } catch {
        socket.destroy();
        return;
      }
    }
  });
}

/** The app's end: answers `glimpse` commands for the library it writes. */
export class ControlServer {
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly path: string,
  ) {}

  /**
   * Listens at `controlPath(dataDir)`. Only the holder of the write lock calls this, so a socket file
   * left there (by an app that crashed) is nobody's and is replaced.
   */
  static async listen(dataDir: string, handlers: ControlHandlers, who: { pid: number; command: string }): Promise<ControlServer> {
    const path = controlPath(dataDir);
    if (process.platform !== 'win32') {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      chmodSync(dirname(path), 0o700);
      rmSync(path, { force: true });
    }
    const server = createServer();
    const control = new ControlServer(server, path);
    server.on('connection', (socket) => control.serve(socket, handlers, who));
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(path, () => done());
    });
    if (process.platform !== 'win32') chmodSync(path, 0o600);
    return control;
  }

  private serve(socket: Socket, handlers: ControlHandlers, who: { pid: number; command: string }): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const send = (message: unknown) => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
    };
    onLines(socket, (value) => {
      const parsed = requests.safeParse(value);
      if (!parsed.success) {
        const id = (value as { id?: unknown } | null)?.id;
        send({ id: typeof id === 'number' ? id : null, ok: false, error: `bad request: ${parsed.error.issues[0]?.message ?? 'unknown'}` });
        return;
      }
      void this.answer(parsed.data, handlers, who).then(
        (result) => send({ id: parsed.data.id, ok: true, result }),
        (error: unknown) => send({ id: parsed.data.id, ok: false, error: errorText(error) }),
      );
    });
  }

  private answer(request: Request, handlers: ControlHandlers, who: { pid: number; command: string }): Promise<unknown> {
    if (request.method === 'hello') return Promise.resolve(who);
    if (request.method === 'index') return handlers.index(request.params.folders);
    return handlers.removeFolder(request.params.id);
  }

  /** Progress of the app's jobs, to every command that is waiting on it. */
  progress(p: Progress): void {
    const line = `${JSON.stringify({ event: 'progress', data: p })}\n`;
    for (const socket of this.sockets) if (!socket.destroyed) socket.write(line);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((done) => this.server.close(() => done()));
    if (process.platform !== 'win32') rmSync(this.path, { force: true });
  }
}

/** The app answered (with its result), or no app listens for this library. */
export type AppAnswer<T> = { answered: true; result: T } | { answered: false };

/**
 * A command's end: asks the app that has the library open to do `method`, passing its progress events
 * to `onProgress` meanwhile. `{ answered: false }` when no app listens (the lock's holder is another
 * command, or an app from before this channel); an error when the app refused or stopped half-way.
 */
export async function askTheApp<T>(dataDir: string, method: 'index' | 'removeFolder' | 'hello', params: object, onProgress?: (p: Progress) => void): Promise<AppAnswer<T>> {
  const socket = createConnection(controlPath(dataDir));
  const connected = await new Promise<boolean>((done) => {
    const timer = setTimeout(() => done(false), 2000);
    socket.once('connect', () => {
      clearTimeout(timer);
      done(true);
    });
    socket.once('error', () => {
      clearTimeout(timer);
      done(false);
    });
  });
  if (!connected) {
    socket.destroy();
    return { answered: false };
  }
  try {
    return await new Promise<AppAnswer<T>>((done, fail) => {
      onLines(socket, (value) => {
        const message = value as { event?: string; data?: unknown; id?: number; ok?: boolean; result?: unknown; error?: string };
        if (message.event === 'progress') onProgress?.(message.data as Progress);
        else if (message.id === 1) {
          if (message.ok) done({ answered: true, result: message.result as T });
          else fail(new Error(message.error ?? 'the Glimpse app refused'));
        }
      });
      socket.once('close', () => fail(new Error('the Glimpse app stopped before it answered; run the command again')));
      socket.write(`${JSON.stringify({ id: 1, method, params })}\n`);
    });
  } finally {
    socket.destroy();
  }
}
