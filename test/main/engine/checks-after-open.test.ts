/**
 * The app's writer answers before its whole-file checks (the catalogue's quick check, the graphs'
 * checksums) and runs them on threads after open. What that must not cost: damage the checks find is
 * handled as at open (a damaged graph rebuilt before any job writes to it; a damaged catalogue marked,
 * writing stopped, and recovered with the user's captions at the next start), and after a writer that
 * died (kill -9) the checks run before the first answer again. Real SQLite, HNSW files and processes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { DAMAGED_MARKER } from '../../../src/main/engine/catalog/backup.js';
import { GlimpseEngine } from '../../../src/main/engine/engine.js';
import { spotChecked } from '../../../src/main/engine/index/vector-index.js';
import { searchParams } from '../../../src/shared/api.js';
import { libraryFolders, scene, writeScene } from '../../fixtures.js';

const CLI = fileURLToPath(new URL('../../../src/cli/glimpse.ts', import.meta.url));
const everything = searchParams.parse({ query: 'a photo', all: true, limit: 1000 });
const COLOURS = ['red', 'blue', 'yellow', 'purple', 'green', 'orange'] as const;

async function photos(dir: string, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i++) {
    await writeScene(join(dir, `p${String(i).padStart(3, '0')}.jpg`), scene([[COLOURS[i % COLOURS.length]!, i % 2 ? 'circle' : 'square']], 'grass', 'left', i + 1), {
      width: 320,
      height: 240,
    });
  }
}

/** An indexed library, closed cleanly; returns its graph file. */
async function indexedLibrary(dataDir: string, dir: string, count: number): Promise<string> {
  await photos(dir, 0, count);
  const engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
  try {
    engine.addFolder(dir);
    await engine.update();
    return engine.index.dataFile!;
  } finally {
    await engine.close();
  }
}

/**
 * Damages one stored vector inside a graph file (its bytes negated: still finite floats, so a search
 * cannot crash on it) and records the file's new identity as the one the writer wrote: the damage a
 * disk does silently, which only the checksum can see.
 */
async function damageGraphSilently(graphFile: string): Promise<void> {
  const handle = await openFile(graphFile, 'r+');
  const header = Buffer.alloc(96);
  await handle.read(header, 0, 96, 0);
  const count = Number(header.readBigUInt64LE(16));
  const perElement = Number(header.readBigUInt64LE(24));
  const labelOffset = Number(header.readBigUInt64LE(32));
  const dataOffset = Number(header.readBigUInt64LE(40));
  // A photo whose vector the load does not compare with the catalogue's (that comparison would catch it).
  const liveFile = graphFile.replace(/\.hnsw$/, '.live');
  const live = [...new Float64Array(new Uint8Array(readFileSync(liveFile)).buffer)];
  const compared = new Set(spotChecked(live));
  const labels = Buffer.alloc(8);
  let element = -1;
  for (let e = 0; e < count && element < 0; e++) {
    await handle.read(labels, 0, 8, 96 + e * perElement + labelOffset);
    if (!compared.has(Number(labels.readBigUInt64LE(0)))) element = e;
  }
  assert.ok(element >= 0, 'some photo is not spot-checked');
  const at = 96 + element * perElement + dataOffset;
  const floats = Buffer.alloc(64);
  await handle.read(floats, 0, 64, at);
  for (let i = 0; i < 64; i += 4) floats.writeFloatLE(-floats.readFloatLE(i) || 0.5, i);
  await handle.write(floats, 0, 64, at);
  await handle.close();
  const sidecarFile = join(graphFile, '..', `${/^(.*)@/.exec(graphFile.split('/').pop()!)![1]}.json`);
  const sidecar = JSON.parse(readFileSync(sidecarFile, 'utf8')) as { graphIno: number; graphMtimeMs: number };
  const stat = statSync(graphFile);
  writeFileSync(sidecarFile, JSON.stringify({ ...sidecar, graphIno: stat.ino, graphMtimeMs: stat.mtimeMs }));
}

describe("the app's writer checks after it has answered", () => {
  const folders = libraryFolders();
  after(() => folders.removeAll());

  it('answers at once, then finds a silently damaged graph and rebuilds it before a job writes; nothing is lost', async () => {
    const { photos: dir, dataDir } = folders.fresh();
    const graphFile = await indexedLibrary(dataDir, dir, 10);
    await damageGraphSilently(graphFile);
    await photos(dir, 10, 3); // arrived while the app was closed

    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu', checks: 'after-open' });
    try {
      assert.equal(engine.index.origin, 'loaded', `the graph was loaded on trust (${engine.index.rebuildReason}), unchanged since written as far as its identity shows`);
      assert.equal((await engine.search(everything)).results.length, 10, 'the first search answers before the checks');
      const updating = engine.update(); // queued now: it must run after the checks, on the rebuilt graph
      await engine.whenChecked();
      assert.equal(engine.index.origin, 'rebuilt');
      assert.match(engine.index.rebuildReason ?? '', /checksum/);
      const summary = await updating;
      assert.equal(summary.indexing.indexed, 3);
      assert.equal(engine.index.size, 13);
      assert.deepEqual(
        [...engine.stores.vectors.vectorIds(engine.pack.id)].sort((a, b) => a - b),
        (await engine.search(everything)).results.map((r) => r.id).sort((a, b) => a - b),
      );
    } finally {
      await engine.close();
    }
    // What it saved is sound: the next writer checks it at open and loads it.
    const again = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    try {
      assert.equal(again.index.origin, 'loaded');
      assert.equal(again.index.size, 13);
    } finally {
      await again.close();
    }
  });

  it('an intact library passes the checks and the writer goes on as one that checked at open', async () => {
    const { photos: dir, dataDir } = folders.fresh();
    await indexedLibrary(dataDir, dir, 6);
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu', checks: 'after-open' });
    try {
      assert.equal(engine.index.checksumsPending, true);
      await engine.whenChecked();
      assert.equal(engine.damageFound, null);
      assert.equal(engine.index.checksumsPending, false);
      assert.equal(engine.index.origin, 'loaded');
      await photos(dir, 6, 2);
      const summary = await engine.update();
      assert.equal(summary.indexing.indexed, 2);
      assert.equal(engine.stores.keywords.keywordModel(), engine.pack.id, 'keyword search follows the pack once the checks pass');
    } finally {
      await engine.close();
    }
  });

  it('damage in the catalogue found after open stops all writing, and the next start recovers it with the captions written meanwhile', async () => {
    const { photos: dir, dataDir } = folders.fresh();
    await indexedLibrary(dataDir, dir, 12);
    // Damage a page that opening and searching do not read (how photos look, for stacks).
    let engine = await GlimpseEngine.open({ dataDir, device: 'cpu' });
    const pages = engine.catalog.db.prepare(`SELECT pageno FROM dbstat WHERE name = 'photo_looks'`).pluck().all() as number[];
    const pageSize = engine.catalog.db.pragma('page_size', { simple: true }) as number;
    engine.catalog.db.pragma('wal_checkpoint(TRUNCATE)');
    await engine.close();
    assert.ok(pages.length > 0);
    const handle = await openFile(join(dataDir, 'catalog.sqlite'), 'r+');
    await handle.write(Buffer.alloc(pageSize, 0xa5), 0, pageSize, (pages[0]! - 1) * pageSize);
    await handle.close();

    engine = await GlimpseEngine.open({ dataDir, device: 'cpu', checks: 'after-open' });
    const someone = engine.stores.photos.photoByPath(join(dir, 'p003.jpg'))!.id;
    try {
      assert.ok((await engine.search(everything)).results.length > 0, 'it answers before the checks');
      engine.setCaption(someone, 'written before the damage was found');
      await assert.rejects(engine.whenChecked(), /integrity check/);
      assert.match(engine.damageFound ?? '', /integrity check/);
      assert.ok(
        engine.notices.some((n) => /damaged/.test(n) && /restore it from its backup/.test(n)),
        engine.notices.join('\n'),
      );
      await assert.rejects(async () => engine.update(), /catalogue is damaged.*restores it from its backup/);
      assert.throws(() => engine.addFolder(dir), /catalogue is damaged/);
    } finally {
      await engine.close();
    }
    assert.ok(existsSync(join(dataDir, DAMAGED_MARKER)), 'the damage is marked for the next start');
    const next = await GlimpseEngine.open({ dataDir, device: 'cpu', checks: 'after-open' });
    try {
      assert.ok(
        next.notices.some((n) => /restored the backup/.test(n)),
        next.notices.join('\n'),
      );
      assert.equal(next.photoDetail(someone).caption?.text, 'written before the damage was found');
      await next.whenChecked();
      await next.update();
      assert.equal((await next.search(everything)).results.length, 12);
    } finally {
      await next.close();
    }
  });

  it('after a writer that was killed, the checks run before the first answer again', { timeout: 180_000 }, async () => {
    const { photos: dir, dataDir } = folders.fresh();
    const graphFile = await indexedLibrary(dataDir, dir, 12);
    // A real writer, killed with the lock held: `glimpse watch` waits for changes until it is stopped.
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--data-dir', dataDir, 'watch'], { stdio: 'ignore' });
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        if (!existsSync(join(dataDir, 'library.lock.json'))) return;
        clearInterval(poll);
        child.kill('SIGKILL');
      }, 50);
      child.on('exit', (_code, signal) => {
        clearInterval(poll);
        if (signal === 'SIGKILL') resolve();
        else reject(new Error('the writer stopped before it could be killed'));
      });
    });
    await damageGraphSilently(graphFile);
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu', checks: 'after-open' });
    try {
      assert.equal(engine.index.origin, 'rebuilt', 'the damaged graph was caught before the first answer');
      assert.match(engine.index.rebuildReason ?? '', /checksum/);
      assert.equal(engine.index.checksumsPending, false);
      assert.equal((await engine.search(everything)).results.length, 12);
    } finally {
      await engine.close();
    }
    // A clean close leaves no note: the next app start answers first again.
    const clean = await GlimpseEngine.open({ dataDir, device: 'cpu', checks: 'after-open' });
    try {
      assert.equal(clean.index.checksumsPending, true);
      await clean.whenChecked();
    } finally {
      await clean.close();
    }
  });
});
