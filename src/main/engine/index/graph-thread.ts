import { createRequire } from 'node:module';
import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';

/** What the vector index asks of one HNSW graph: hnswlib-node's own graph, or one held by a thread. */
export interface Graph {
  getNumDimensions(): number;
  getCurrentCount(): number;
  getMaxElements(): number;
  getIdsList(): number[];
  getPoint(label: number): number[];
  addPoint(point: number[], label: number, replaceDeleted?: boolean): void;
  markDelete(label: number): void;
  unmarkDelete(label: number): void;
  resizeIndex(newMaxElements: number): void;
  setEf(ef: number): void;
  searchKnn(point: number[], k: number, filter?: (label: number) => boolean): { neighbors: number[]; distances: number[] };
  writeIndexSync(filename: string): void;
}

/** Photos allowed by a filter, as one bit per id in shared memory, so a graph thread reads it without a copy. */
export class AllowedBits {
  readonly bits: Uint8Array;

  constructor(allowed: ReadonlySet<number>) {
    let max = 0;
    for (const id of allowed) if (id > max) max = id;
    this.bits = new Uint8Array(new SharedArrayBuffer((max >> 3) + 1));
    for (const id of allowed) this.bits[id >> 3]! |= 1 << (id & 7);
  }
}

/** A search begun: `result` gives its answer (waiting for the graph's thread when it has one). */
export interface PendingSearch {
  result(): { neighbors: number[]; distances: number[] };
}

/** Begins a search of `graph` at `ef`: on its own thread when it has one, here (when `result` is asked) otherwise. */
export function beginSearch(graph: Graph, point: number[], k: number, ef: number, allowed?: { set: ReadonlySet<number>; bits: () => AllowedBits }): PendingSearch {
  if (graph instanceof GraphThread) return graph.beginSearch(point, k, ef, allowed?.bits());
  return {
    result: () => {
      graph.setEf(ef);
      return graph.searchKnn(point, k, allowed ? (label: number) => allowed.set.has(label) : undefined);
    },
  };
}

/** The vectors of these labels of one graph (one round trip for a graph on a thread). */
export function pointsOf(graph: Graph, labels: readonly number[]): number[][] {
  return graph instanceof GraphThread ? graph.getPoints(labels) : labels.map((label) => graph.getPoint(label));
}

/** The labels a graph holds (from a graph's thread as one typed array, not a cloned array of numbers). */
export function labelsOf(graph: Graph): ArrayLike<number> {
  return graph instanceof GraphThread ? graph.labels() : graph.getIdsList();
}

/** Frees a graph's thread, if it has one (its memory goes with it). */
export function closeGraph(graph: Graph): void {
  if (graph instanceof GraphThread) graph.close();
}

/**
 * The thread, as plain JavaScript evaluated in it (like the graph builders: it works the same from tsx,
 * the esbuild bundle and Electron). It holds one graph and answers calls in order on its port; after
 * each reply it raises the shared flag the caller waits on.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const hnswlib = require(workerData.hnswlib);
const { port, dim } = workerData;
const flag = new Int32Array(workerData.flag);
const graph = new hnswlib.HierarchicalNSW('ip', dim);
const calls = {
  async readIndex([file]) { await graph.readIndex(file, true); return true; },
  getPoints([labels]) { return labels.map((label) => graph.getPoint(label)); },
  labels() { return Float64Array.from(graph.getIdsList()); },
  search([point, k, ef, bits]) {
    if (ef !== undefined) graph.setEf(ef);
    const filter = bits ? (label) => (bits[label >> 3] & (1 << (label & 7))) !== 0 : undefined;
    return graph.searchKnn(point, k, filter);
  },
};
port.on('message', async ({ method, args }) => {
  let reply;
  try {
    const value = calls[method] ? await calls[method](args) : graph[method](...args);
    reply = { value };
  } catch (error) {
    reply = { error: error && error.message ? error.message : String(error) };
  }
  port.postMessage(reply);
  Atomics.add(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;

/** How long a call waits for the graph's thread before it is taken as lost (writing a 1 GB graph takes seconds). */
const CALL_TIMEOUT_MS = 5 * 60_000;

/**
 * An HNSW graph held by a worker thread, so that several graphs are searched at the same time (hnswlib's
 * search is synchronous: on one thread, graphs can only be searched one after another). Every other call
 * is synchronous, as on hnswlib's own graph: the call is posted and this thread waits on a shared flag
 * until the reply is on its port (`receiveMessageOnPort`), so the index keeps its synchronous API.
 */
export class GraphThread implements Graph {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  /** Replies received so far (the flag counts replies sent). */
  private received = 0;
  private sent = 0;
  private closed = false;
  private stopped = false;
  private static live = 0;

  /** Graph threads started and not yet closed, in this process (for tests: none may leak). */
  static get running(): number {
    return GraphThread.live;
  }

  private constructor(readonly dim: number) {
    GraphThread.live++;
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { hnswlib: createRequire(import.meta.url).resolve('hnswlib-node'), port: port2, dim, flag: this.flag.buffer },
      transferList: [port2],
    });
    // A thread that stops (it could not load hnswlib, say) wakes whoever waits for its reply.
    this.worker.once('exit', () => {
      this.stopped = true;
      Atomics.add(this.flag, 0, 1);
      Atomics.notify(this.flag, 0);
    });
    this.port.unref();
  }

  /** A graph read from a file on its own thread. */
  static async read(file: string, dim: number): Promise<GraphThread> {
    const graph = new GraphThread(dim);
    try {
      graph.post('readIndex', [file]);
      // Waits without blocking this thread, so other graphs load meanwhile.
      const deadline = Date.now() + CALL_TIMEOUT_MS;
      while (Atomics.load(graph.flag, 0) === graph.received) {
        const wait = Atomics.waitAsync(graph.flag, 0, graph.received, Math.max(1, deadline - Date.now()));
        if ((wait.async ? await wait.value : wait.value) === 'timed-out' && Date.now() >= deadline) throw new Error('the graph thread did not answer');
      }
      graph.take();
      // From now on the thread never keeps the process alive: it only ever answers this one, which waits
      // for it synchronously. (While it loads, it does: nothing else may be keeping the process up.)
      graph.worker.unref();
      return graph;
    } catch (error) {
      graph.close();
      throw error;
    }
  }

  private post(method: string, args: unknown[]): void {
    if (this.closed || this.stopped) throw new Error('the graph thread was closed');
    if (this.sent !== this.received) throw new Error('a graph thread call is still in flight');
    this.port.postMessage({ method, args });
    this.sent++;
  }

  /** Waits for the reply to the call in flight and returns its value. */
  private take<T>(): T {
    const deadline = Date.now() + CALL_TIMEOUT_MS;
    while (Atomics.load(this.flag, 0) === this.received) {
      if (Atomics.wait(this.flag, 0, this.received, Math.max(1, deadline - Date.now())) === 'timed-out' && Date.now() >= deadline) {
        this.close();
        throw new Error('the graph thread did not answer');
      }
    }
    const message = receiveMessageOnPort(this.port)?.message as { value?: T; error?: string } | undefined;
    this.received++;
    if (!message) throw new Error('the graph thread stopped');
    if (message.error !== undefined) throw new Error(message.error);
    return message.value as T;
  }

  private call<T>(method: string, ...args: unknown[]): T {
    this.post(method, args);
    return this.take<T>();
  }

  beginSearch(point: number[], k: number, ef: number | undefined, allowed?: AllowedBits): PendingSearch {
    this.post('search', [point, k, ef, allowed?.bits]);
    return { result: () => this.take() };
  }

  getPoints(labels: readonly number[]): number[][] {
    return this.call('getPoints', labels);
  }

  labels(): Float64Array {
    return this.call('labels');
  }

  getNumDimensions(): number {
    return this.call('getNumDimensions');
  }
  getCurrentCount(): number {
    return this.call('getCurrentCount');
  }
  getMaxElements(): number {
    return this.call('getMaxElements');
  }
  getIdsList(): number[] {
    return this.call('getIdsList');
  }
  getPoint(label: number): number[] {
    return this.call('getPoint', label);
  }
  addPoint(point: number[], label: number, replaceDeleted = false): void {
    this.call('addPoint', point, label, replaceDeleted);
  }
  markDelete(label: number): void {
    this.call('markDelete', label);
  }
  unmarkDelete(label: number): void {
    this.call('unmarkDelete', label);
  }
  resizeIndex(newMaxElements: number): void {
    this.call('resizeIndex', newMaxElements);
  }
  setEf(ef: number): void {
    this.call('setEf', ef);
  }
  searchKnn(point: number[], k: number, filter?: (label: number) => boolean): { neighbors: number[]; distances: number[] } {
    if (filter) throw new Error('a graph thread filters by AllowedBits (beginSearch), not by a function');
    return this.beginSearch(point, k, undefined).result();
  }
  writeIndexSync(filename: string): void {
    this.call('writeIndexSync', filename);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    GraphThread.live--;
    this.port.close();
    void this.worker.terminate();
  }
}
