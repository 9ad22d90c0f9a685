/**
 * The command line beside the open app (issue 27.8): `glimpse index` waited 30 s and gave up with
 * "Another Glimpse process is updating this library … Let it finish" while the app sat idle. The app is
 * the library's writer for as long as it is open, so the command now asks it to index and shows its
 * progress. And `glimpse folders` lists and removes folders, through the app too while it is open.
 * The app runs in this process (ApiHost, as web mode and Electron host it); the CLI runs as a child.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ApiHost } from '../../src/main/host/api-host.js';
import type { Reply } from '../../src/shared/api.js';
import { scene, tempDir, writeScene } from '../fixtures.js';

const CLI = fileURLToPath(new URL('../../src/cli/glimpse.ts', import.meta.url));

/** Runs the CLI as a child without blocking this process (the app in it must go on answering). */
function cli(args: string[], timeoutMs = 120_000): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

describe('glimpse index and glimpse folders while the app has the library open', () => {
  const tmp = tempDir();
  const dataDir = join(tmp.path, 'data');
  const first = join(tmp.path, 'First');
  const second = join(tmp.path, 'Second');
  let host: ApiHost | undefined;

  const indexed = async () => {
    const status = (await host!.handle('status', {})) as Reply<'status'>;
    assert.ok(status.ok);
    return status.result;
  };

  before(async () => {
    await writeScene(join(first, 'red.jpg'), scene([['red', 'circle']], 'grass', 'left', 1), { width: 320, height: 240 });
    await writeScene(join(first, 'blue.jpg'), scene([['blue', 'square']], 'sand', 'right', 2), { width: 320, height: 240 });
    await writeScene(join(second, 'green.jpg'), scene([['green', 'triangle']], 'sky', 'middle', 3), { width: 320, height: 240 });
    await writeScene(join(second, 'white.jpg'), scene([['white', 'star']], 'night', 'middle', 4), { width: 320, height: 240 });
    host = await ApiHost.open({ dataDir, device: 'cpu', captions: false, ocr: false });
    assert.ok((await host.handle('addFolder', { path: first })).ok);
    const deadline = Date.now() + 60_000;
    while ((await indexed()).photos.indexed < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal((await indexed()).photos.indexed, 2, 'the app indexed its folder and is idle');
  });
  after(async () => {
    await host?.close();
    tmp.remove();
  });

  it('glimpse index asks the app, which indexes the folder, instead of waiting for it to close', { timeout: 180_000 }, async () => {
    const run = await cli(['--data-dir', dataDir, 'index', second, '--wait', '2']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Indexed 2 photos/);
    assert.match(run.stderr, /the Glimpse app.* has this library open; it did the indexing/);
    const status = await indexed();
    assert.equal(status.photos.indexed, 4, 'the app indexed it');
    assert.deepEqual(status.folders.map((f) => f.path).sort(), [first, second].sort());
    assert.equal(status.readOnly, null, 'the app is still the writer');
  });

  it('glimpse folders lists the folders with their ids', { timeout: 120_000 }, async () => {
    const run = await cli(['--data-dir', dataDir, 'folders']);
    assert.equal(run.code, 0, run.stderr);
    for (const f of (await indexed()).folders) assert.match(run.stdout, new RegExp(`^\\s*${f.id}  ${f.path}: 2 photos$`, 'm'));
  });

  it('glimpse folders remove takes a folder out through the app, and the files stay', { timeout: 120_000 }, async () => {
    const run = await cli(['--data-dir', dataDir, 'folders', 'remove', second]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), `Removed ${second} from the library (2 photos); no file was touched.`);
    const status = await indexed();
    assert.deepEqual(
      status.folders.map((f) => f.path),
      [first],
    );
    assert.equal(status.photos.indexed, 2);
    assert.ok(existsSync(join(second, 'green.jpg')), 'Glimpse never deletes a file');
  });

  it('with the app closed, glimpse folders remove writes itself, and an unknown folder is a usage error', { timeout: 120_000 }, async () => {
    const id = (await indexed()).folders[0]!.id;
    await host!.close();
    host = undefined;
    const unknown = await cli(['--data-dir', dataDir, 'folders', 'remove', join(tmp.path, 'Nowhere')]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /is not a folder of the library \(glimpse folders lists them\)/);
    const run = await cli(['--data-dir', dataDir, 'folders', 'remove', String(id)]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), `Removed ${first} from the library (2 photos); no file was touched.`);
    const list = await cli(['--data-dir', dataDir, 'folders']);
    assert.match(list.stdout, /No folders yet/);
  });
});
