/**
 * One cold start of the app's engine, timed from process start to its first search answer:
 * `first-answer <data-dir> <query>` opens the library as the app does (ApiHost: the writer, its checks,
 * the text encoder warmed, then the watcher and the start-up rescan) and asks one search through the
 * API, as the renderer's first keystroke does (`at-open`: with the writer's checks before it). Prints one JSON line. Run compiled by bench/run.ts (the
 * app runs compiled code too).
 */
import { readFileSync } from 'node:fs';
import { ApiHost } from '../src/main/host/api-host.js';

/** The high-water mark of this process's memory (getrusage's would include the parent's at the fork). */
function peakRssMb(): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return Math.round(Number(kb) / 1024);
}

const [dataDir, query, checks] = process.argv.slice(2);
if (!dataDir || !query || (checks !== undefined && checks !== 'at-open')) throw new Error('usage: first-answer <data-dir> <query> [at-open]');
// performance.now() counts from the process's start, so module loading is included. `at-open` is the
// baseline: the writer's whole-file checks before the first answer, as every writer ran them before.
const host = await ApiHost.open({ dataDir, device: 'cpu', ...(checks ? { checks } : {}) });
const opened = performance.now();
const reply = await host.handle('search', { query, limit: 20 });
const answered = performance.now();
const resultCount = reply.ok ? (reply.result as { results: unknown[] }).results.length : -1;
process.stdout.write(
  `${JSON.stringify({ openedSeconds: opened / 1000, answeredSeconds: answered / 1000, peakRssMb: peakRssMb(), writable: host.engine.writable, resultCount, error: reply.ok ? null : reply.error })}\n`,
);
await host.close();
