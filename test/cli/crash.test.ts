import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { GlimpseEngine } from '../../src/main/engine/engine.js';
import { writeSampleLibrary } from '../../src/scenes/sample-library.js';
import { tempDir } from '../fixtures.js';

const CLI = fileURLToPath(new URL('../../src/cli/glimpse.ts', import.meta.url));

function cli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8', timeout: 300_000 });
}

function indexedCount(dataDir: string): number {
  try {
    const db = new Database(join(dataDir, 'catalog.sqlite'), { readonly: true, fileMustExist: true });
    try {
      return db.prepare(`SELECT count(*) FROM photos WHERE status = 'indexed'`).pluck().get() as number;
    } finally {
      db.close();
    }
  } catch {
    return 0; // not created yet, or mid-migration
  }
}

describe('glimpse index killed part-way', () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Photos');
  const dataDir = join(tmp.path, 'data');
  const COUNT = 200;

  before(async () => {
    await writeSampleLibrary(library, { count: COUNT, width: 640, height: 480 });
  });
  after(() => tmp.remove());

  it('finishes only the remaining photos on the next run, with catalogue and index agreeing', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--data-dir', dataDir, 'index', library, '--json'], { stdio: 'ignore' });
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        const n = indexedCount(dataDir);
        if (n > 0) {
          child.kill('SIGKILL');
          clearInterval(poll);
        }
      }, 20);
      child.on('exit', (code, signal) => {
        clearInterval(poll);
        if (signal === 'SIGKILL') resolve();
        else reject(new Error(`indexing finished (code ${code}) before it could be killed`));
      });
    });
    const killedAt = indexedCount(dataDir);
    assert.ok(killedAt > 0 && killedAt < COUNT, `killed with ${killedAt} of ${COUNT} indexed`);

    const rerun = cli(['--data-dir', dataDir, 'index', '--json']);
    assert.equal(rerun.status, 0, rerun.stderr);
    const summary = JSON.parse(rerun.stdout) as { indexing: { indexed: number; errors: number } };
    assert.equal(summary.indexing.indexed, COUNT - killedAt, 'only the photos not finished before the kill are indexed');
    assert.equal(summary.indexing.errors, 0);

    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    try {
      assert.equal(engine.stores.photos.counts(engine.pack.id).indexed, COUNT);
      assert.equal(engine.stores.vectors.vectorIds(engine.pack.id).length, COUNT);
      assert.equal(engine.index.size, COUNT);
    } finally {
      await engine.close();
    }
  });

  it('answers a search from the command line with JSON that says why each photo matched', () => {
    const run = cli(['--data-dir', dataDir, 'search', 'a red circle', '--json', '--limit', '5']);
    assert.equal(run.status, 0, run.stderr);
    const response = JSON.parse(run.stdout) as { results: Array<{ path: string; score: number; caption: string; why: Array<{ kind: string }> }> };
    assert.ok(response.results.length > 0);
    for (const r of response.results) {
      assert.ok(r.path.startsWith(library));
      assert.equal(typeof r.score, 'number');
      assert.ok(r.why.length > 0);
    }
    assert.match(response.results[0]!.caption, /red circle/);
    // As a person reads it: one result is "1 result", counted words agree with their numbers.
    const one = cli(['--data-dir', dataDir, 'search', 'a red circle', '--limit', '1']);
    assert.equal(one.status, 0, one.stderr);
    const last = one.stdout.trim().split('\n').at(-1)!;
    assert.match(last, /^1 result \(1-1 of \d+; --offset pages on\) in [\d.]+ ms/);
    const status = cli(['--data-dir', dataDir, 'status']);
    assert.doesNotMatch(`${one.stdout}${status.stdout}`, /\b1 (results|photos|groups|weaker matches)\b/);
  });

  it('exits with status 2 on a usage error and 1 on a real failure', () => {
    assert.equal(cli(['--data-dir', dataDir, 'search']).status, 2);
    const long = cli(['--data-dir', dataDir, 'search', 'x'.repeat(1001)]);
    assert.equal(long.status, 2);
    assert.equal(long.stderr.trim(), 'glimpse: query: a query is at most 1,000 characters');
    assert.match(cli(['--data-dir', dataDir, 'search', 'red', '--limit', '5000']).stderr, /^glimpse: limit: at most 1,000 results are shown at once\n$/);
    const missing = cli(['--data-dir', dataDir, 'index', join(tmp.path, 'does-not-exist')]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /does not exist/);
  });
});
