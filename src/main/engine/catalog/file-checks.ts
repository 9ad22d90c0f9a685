import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { integrityOf } from './backup.js';

/**
 * The checks that read a whole file (a SHA-256 of a vector graph, SQLite's quick check of the
 * catalogue): gigabytes at a million photos, so they run on a thread of their own while this one
 * answers. Each falls back to running here when a thread cannot be started.
 */

/** SHA-256 of a file, read in chunks (hashing runs at about 1 GB/s). */
export function fileSha256(path: string): string {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(8 << 20);
  const fd = openSync(path, 'r');
  try {
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0;) hash.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** The same two checks in plain JavaScript, evaluated in the thread (it runs the same from tsx, the bundle and Electron). */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { task, file } = workerData;
if (task === 'sha256') {
  const { createHash } = require('node:crypto');
  const { openSync, readSync, closeSync } = require('node:fs');
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(8 << 20);
  const fd = openSync(file, 'r');
  try {
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0;) hash.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  parentPort.postMessage({ value: hash.digest('hex') });
} else {
  const Database = require(workerData.sqlite);
  let db;
  let value;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    value = db.pragma('quick_check(5)', { simple: false }).map((r) => Object.values(r)[0]).join('; ');
  } catch (error) {
    value = error && error.message ? error.message : String(error);
  } finally {
    if (db) db.close();
  }
  parentPort.postMessage({ value });
}
`;

function onThread(task: 'sha256' | 'quick-check', file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let worker: Worker;
    try {
      worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { task, file, sqlite: createRequire(import.meta.url).resolve('better-sqlite3') } });
    } catch {
      // No threads here: the same check on this one.
      resolve(task === 'sha256' ? fileSha256(file) : integrityOf(file, true));
      return;
    }
    let answered = false;
    worker.once('message', (message: { value: string }) => {
      answered = true;
      resolve(message.value);
    });
    worker.once('error', reject);
    worker.once('exit', () => {
      if (!answered) reject(new Error(`the thread checking ${file} stopped without an answer`));
    });
  });
}

/** `fileSha256` on a thread of its own (a missing or unreadable file rejects, as it throws here). */
export function fileSha256OnThread(file: string): Promise<string> {
  return onThread('sha256', file);
}

/** SQLite's quick check of a database file (`integrityOf(file, true)`: 'ok', what it found, or why it could not be opened) on a thread of its own. */
export function quickCheckOnThread(file: string): Promise<string> {
  return onThread('quick-check', file);
}
