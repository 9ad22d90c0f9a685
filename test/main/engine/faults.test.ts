/**
 * Real faults, injected where this machine allows: a full disk (a small tmpfs), a vector index file
 * damaged at the same size, a damaged catalogue page, a held write lock, a model that fails on every
 * photo, and a library written by the first Glimpse (schema v1).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { mkdir, open as openFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { listBackups } from '../../../src/main/engine/catalog/backup.js';
import { nameWords } from '../../../src/main/engine/catalog/text-keys.js';
import { MIGRATIONS } from '../../../src/main/engine/catalog/schema.js';
import { GlimpseEngine } from '../../../src/main/engine/engine.js';
import { IndexingError } from '../../../src/main/engine/indexing/pipeline.js';
import { searchParams } from '../../../src/shared/api.js';
import { installPackCopy, libraryFolders, scene, writeScene } from '../../fixtures.js';

const CLI = fileURLToPath(new URL('../../../src/cli/glimpse.ts', import.meta.url));
const everything = searchParams.parse({ query: 'a photo', all: true, limit: 1000 });
const COLOURS = ['red', 'blue', 'yellow', 'purple', 'green', 'orange', 'white', 'black'] as const;
const SHAPES = ['circle', 'square', 'star', 'triangle', 'diamond'] as const;

async function library(dir: string, count: number, size = { width: 320, height: 240 }): Promise<string[]> {
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const s = scene([[COLOURS[i % COLOURS.length]!, SHAPES[Math.floor(i / COLOURS.length) % SHAPES.length]!]], 'grass', 'left', i + 1);
    paths.push(await writeScene(join(dir, `p${String(i).padStart(3, '0')}.jpg`), s, size));
  }
  return paths;
}

function sh(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

describe('faults', () => {
  const folders = libraryFolders();
  after(() => folders.removeAll());
  const fresh = folders.fresh;

  it('a full disk stops indexing with a clear error; after space is freed the next run finishes exactly the rest', { timeout: 300_000 }, async (t) => {
    const { photos, dataDir } = fresh();
    await mkdir(dataDir, { recursive: true });
    if (!sh('mount', ['-t', 'tmpfs', '-o', 'size=1200k', 'tmpfs', dataDir])) return t.skip('cannot mount a tmpfs here (needs root)');
    try {
      const paths = await library(photos, 120, { width: 640, height: 480 });
      const engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
      try {
        engine.addFolder(photos);
        const error = await engine.update().then(
          () => null,
          (e: unknown) => e,
        );
        assert.ok(error instanceof IndexingError, `indexing stopped with an IndexingError, not ${String(error)}`);
        assert.match(error.message, /full|ENOSPC|SQLITE_FULL/i);
        assert.match(error.message, /still waiting and will be indexed on the next run/);
        const counts = engine.stores.photos.counts(engine.pack.id);
        assert.equal(counts.errors, 0, 'no photo is blamed for the full disk');
        assert.equal(counts.indexed + counts.pending, paths.length);
        assert.ok(counts.pending > 0);
        assert.equal(engine.status().progress.failure, error.message, 'the failure is in the status for the UI');
        // Searching what was indexed still works on a full disk.
        assert.equal((await engine.search(everything)).results.length, counts.indexed);
      } finally {
        await engine.close();
      }
      assert.ok(sh('mount', ['-o', 'remount,size=64m', dataDir]), 'grow the tmpfs');
      const again = await GlimpseEngine.open({ dataDir, device: 'cpu' });
      try {
        const summary = await again.update();
        assert.equal(summary.indexing.errors, 0);
        const counts = again.stores.photos.counts(again.pack.id);
        assert.deepEqual([counts.indexed, counts.pending, counts.errors], [paths.length, 0, 0]);
        assert.equal(again.index.size, paths.length);
        assert.equal((await again.search(everything)).results.length, paths.length);
      } finally {
        await again.close();
      }
    } finally {
      sh('umount', [dataDir]);
    }
  });

  it('a disk that fills up late in a job: the error names the stage that stopped and what to do, and the next run finishes', { timeout: 300_000 }, async (t) => {
    const { photos, dataDir } = fresh();
    await mkdir(dataDir, { recursive: true });
    if (!sh('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', dataDir])) return t.skip('cannot mount a tmpfs here (needs root)');
    const filler = join(dataDir, 'filler');
    try {
      const paths = await library(photos, 24);
      const engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
      try {
        engine.addFolder(photos);
        // The disk fills up the moment the last photo is indexed: what fails is a later stage.
        let filled = false;
        const error = await engine
          .update({
            onProgress: (p) => {
              if (filled || p.phase !== 'indexing' || p.done < p.total) return;
              filled = true;
              const block = Buffer.alloc(64 * 1024, 1);
              const fd = openSync(filler, 'w');
              try {
                for (;;) writeSync(fd, block);
              } catch {
                // ENOSPC: the disk is full now
              } finally {
                closeSync(fd);
              }
            },
          })
          .then(
            () => null,
            (e: unknown) => e,
          );
        assert.ok(filled, 'the disk was filled after indexing');
        assert.ok(error instanceof Error, 'the job stopped with an error');
        // The stage that stopped is named (saving the search index right after the last batch, or a later
        // stage), and what to do follows SQLite's or Node's own words.
        assert.match(
          error.message,
          /^(Glimpse could not save its work while (titling albums|reading text in photos|measuring photos for duplicates|grouping near-duplicates)|Every photo was indexed, but the search index could not be saved): the disk holding the library is full \((ENOSPC|database or disk is full)/,
        );
        assert.match(error.message, /Free some space on the disk that holds .*, then update again/);
        assert.equal(engine.status().progress.failure, error.message, 'the UI shows the same words');
        assert.equal(engine.stores.photos.counts(engine.pack.id).indexed, paths.length, 'every photo indexed before the disk filled is kept');
      } finally {
        await engine.close().catch(() => undefined);
      }
      rmSync(filler);
      const again = await GlimpseEngine.open({ dataDir, device: 'cpu' });
      try {
        await again.update();
        assert.equal((await again.search(everything)).results.length, paths.length);
        assert.ok(again.albums().length > 0, 'the albums are titled once there is room');
      } finally {
        await again.close();
      }
    } finally {
      sh('umount', [dataDir]);
    }
  });

  it('a vector index damaged at the same size is caught by its checksum and rebuilt, answering the same', async () => {
    const { photos, dataDir } = fresh();
    await library(photos, 12);
    let engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    engine.addFolder(photos);
    await engine.update();
    const before = (await engine.search(searchParams.parse({ query: 'a red circle', limit: 5 }))).results.map((r) => r.id);
    const data = engine.index.dataFile!;
    await engine.close();
    const handle = await openFile(data, 'r+');
    const { size } = await handle.stat();
    await handle.write(Buffer.alloc(512, 0xff), 0, 512, Math.floor(size / 2));
    await handle.close();
    // A reader (a `glimpse search`) sees the file changed since it was written, and checks it too.
    const reader = await GlimpseEngine.open({ dataDir, device: 'cpu', access: 'read' });
    try {
      assert.equal(reader.index.origin, 'rebuilt');
      assert.match(reader.index.rebuildReason ?? '', /checksum/);
    } finally {
      await reader.close();
    }
    engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    try {
      assert.equal(engine.index.origin, 'rebuilt');
      assert.match(engine.index.rebuildReason ?? '', /checksum/);
      assert.deepEqual(
        (await engine.search(searchParams.parse({ query: 'a red circle', limit: 5 }))).results.map((r) => r.id),
        before,
      );
    } finally {
      await engine.close();
    }
  });

  it('a damaged catalogue is set aside, restored from its backup, and the captions written since are recovered', async () => {
    const { photos, dataDir } = fresh();
    const paths = await library(photos, 30);
    let engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    engine.addFolder(photos);
    await engine.update(); // the first job takes the first backup
    assert.equal(listBackups(join(dataDir, 'backups')).length, 1);
    engine.setCaption(engine.stores.photos.photoByPath(paths[0]!)!.id, 'written after the backup');
    const vectorPages = engine.catalog.db.prepare(`SELECT pageno FROM dbstat WHERE name = 'vectors' AND pagetype = 'leaf'`).pluck().all() as number[];
    const pageSize = engine.catalog.db.pragma('page_size', { simple: true }) as number;
    engine.catalog.db.pragma('wal_checkpoint(TRUNCATE)');
    await engine.close();
    // Damage one page of the vectors table: the rest of the file (the captions among it) stays readable.
    const handle = await openFile(join(dataDir, 'catalog.sqlite'), 'r+');
    await handle.write(Buffer.alloc(pageSize, 0xa5), 0, pageSize, (vectorPages[Math.floor(vectorPages.length / 2)]! - 1) * pageSize);
    await handle.close();

    const reader = spawnSync(process.execPath, ['--import', 'tsx', CLI, '--data-dir', dataDir, 'search', 'a red circle'], { encoding: 'utf8', timeout: 120_000 });
    engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    try {
      assert.ok(
        engine.notices.some((n) => /damaged/.test(n) && /restored the backup/.test(n) && /recovered 1 of your captions/.test(n)),
        engine.notices.join('\n'),
      );
      assert.equal(engine.photoDetail(engine.stores.photos.photoByPath(paths[0]!)!.id).caption?.text, 'written after the backup');
      assert.ok(existsSync(join(dataDir, 'damaged')) && readdirSync(join(dataDir, 'damaged')).length === 1, 'the damaged file is kept');
      await engine.update();
      assert.equal((await engine.search(everything)).results.length, paths.length);
      assert.equal(engine.catalog.db.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      await engine.close();
    }
    // A reader that met the damage first did not touch the file, and said how to recover.
    if (reader.status !== 0) assert.match(reader.stderr, /damaged|malformed/);
  });

  it('a second writer waits for the holder of the lock and proceeds when it is released', { timeout: 120_000 }, async () => {
    const { photos, dataDir } = fresh();
    await library(photos, 3);
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    engine.addFolder(photos);
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--data-dir', dataDir, 'index', '--wait', '60', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const deadline = Date.now() + 60_000;
    while (!/waiting up to 60 s/.test(stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.match(stderr, new RegExp(`waiting up to 60 s for the Glimpse process that is updating this library \\(pid ${process.pid}`));
    await engine.close();
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, stderr);
    assert.equal((JSON.parse(stdout) as { indexing: { indexed: number } }).indexing.indexed, 3);
  });

  it('a model that fails on every photo stops the job without blaming the photos', async () => {
    const { photos, dataDir } = fresh();
    await library(photos, 5);
    const pack = await installPackCopy(dataDir, 'broken-size');
    // The pack's preprocessing file says 72 x 72; its ONNX model takes 64 x 64: every inference fails.
    const configFile = join(pack, 'preprocessor_config.json');
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    await writeFile(configFile, JSON.stringify({ ...config, size: { height: 72, width: 72 } }));
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu', model: 'broken-size' });
    try {
      engine.addFolder(photos);
      await assert.rejects(engine.update(), (e: unknown) => e instanceof IndexingError && /5 photos are still waiting/.test(e.message));
      const counts = engine.stores.photos.counts(engine.pack.id);
      assert.deepEqual([counts.pending, counts.errors], [5, 0]);
    } finally {
      await engine.close();
    }
  });

  it('a library written by the first Glimpse (schema v1) is upgraded with its ids, vectors and captions, after a copy is kept', async () => {
    const { photos, dataDir } = fresh();
    const paths = await library(photos, 6);
    // Index with today's engine, then rewrite the catalogue as v1 would have stored it.
    let engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    engine.addFolder(photos);
    await engine.update();
    engine.setCaption(engine.stores.photos.photoByPath(paths[2]!)!.id, 'kept through the upgrade');
    const rows = engine.catalog.db
      .prepare('SELECT id, folder_id, path, dir, name, size, mtime_ms, hash, width, height, taken_at, camera, status, indexed_at FROM photos')
      .all() as Array<Record<string, unknown>>;
    const vectors = engine.catalog.db.prepare('SELECT photo_id, model, vector FROM vectors').all() as Array<{ photo_id: number; model: string; vector: Buffer }>;
    const texts = engine.catalog.db.prepare('SELECT photo_id, source, model, text, updated_at FROM texts').all() as Array<Record<string, unknown>>;
    const folder = engine.stores.folders.folders()[0]!;
    const ids = new Map(rows.map((r) => [r.path as string, r.id as number]));
    await engine.close();
    const { rmSync } = await import('node:fs');
    rmSync(join(dataDir, 'catalog.sqlite'));
    rmSync(join(dataDir, 'catalog.sqlite-wal'), { force: true });
    rmSync(join(dataDir, 'catalog.sqlite-shm'), { force: true });
    rmSync(join(dataDir, 'index'), { recursive: true });
    rmSync(join(dataDir, 'backups'), { recursive: true, force: true });
    const v1 = new Database(join(dataDir, 'catalog.sqlite'));
    v1.exec(MIGRATIONS[0]!);
    v1.pragma('user_version = 1');
    v1.prepare('INSERT INTO folders (id, path, added_at) VALUES (?, ?, 0)').run(folder.id, folder.path);
    for (const r of rows)
      v1.prepare(
        `INSERT INTO photos (id, folder_id, path, dir, name, size, mtime_ms, hash, width, height, taken_at, camera, status, indexed_at) VALUES (@id, @folder_id, @path, @dir, @name, @size, @mtime_ms, @hash, @width, @height, @taken_at, @camera, @status, @indexed_at)`,
      ).run(r);
    vectors.forEach((v, i) => v1.prepare('INSERT INTO vectors (photo_id, model, vector, added_seq) VALUES (?, ?, ?, ?)').run(v.photo_id, v.model, v.vector, i + 1));
    for (const t of texts) v1.prepare('INSERT INTO texts (photo_id, source, model, text, updated_at) VALUES (@photo_id, @source, @model, @text, @updated_at)').run(t);
    v1.close();

    engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    try {
      assert.equal(engine.catalog.schemaVersion, MIGRATIONS.length);
      assert.ok(existsSync(join(dataDir, 'backups', `catalog-before-v${MIGRATIONS.length}.sqlite`)), 'a copy of the v1 catalogue is kept');
      for (const p of paths) assert.equal(engine.stores.photos.photoByPath(p)?.id, ids.get(p), 'ids survive the upgrade');
      const names = engine.catalog.db.prepare('SELECT rowid AS id, names FROM photo_text').all() as Array<{ id: number; names: string }>;
      assert.deepEqual(names.map((n) => n.names).sort(), paths.map((p) => nameWords(p, folder.path)).sort(), 'name words are counted from the library folder after the upgrade');
      assert.equal(engine.photoDetail(ids.get(paths[2]!)!).caption?.text, 'kept through the upgrade');
      const summary = await engine.update();
      assert.equal(summary.indexing.indexed, 0, 'no photo is embedded again');
      assert.equal((await engine.search(everything)).results.length, paths.length);
      const newest = Math.max(...ids.values());
      await writeScene(join(photos, 'new.jpg'), scene([['black', 'star']], 'sand', 'top', 99), { width: 320, height: 240 });
      await engine.update();
      assert.ok(engine.stores.photos.photoByPath(join(photos, 'new.jpg'))!.id > newest);
    } finally {
      await engine.close();
    }
  });
});
