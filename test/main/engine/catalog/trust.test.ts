/**
 * A data folder that has held a library never opens as a new one. Its catalogue emptied to 0 bytes,
 * deleted, or left with a header and no tables is restored from the newest backup by the next writer
 * (with a notice, the remains set aside in damaged/), refused by a reader (which says how to recover and
 * touches nothing), and refused by both when there is no backup (saying what was found). A new data
 * folder still opens as a new library; a catalogue of another library is refused.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { listBackups } from '../../../../src/main/engine/catalog/backup.js';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { libraryFolders, scene, writeScene } from '../../../fixtures.js';

const CLI = fileURLToPath(new URL('../../../../src/cli/glimpse.ts', import.meta.url));

function glimpse(dataDir: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['--import', 'tsx', CLI, '--data-dir', dataDir, '--no-ocr', ...args], { encoding: 'utf8', timeout: 120_000 });
}

const open = (dataDir: string, access: 'read' | 'write' = 'write') => GlimpseEngine.open({ dataDir, device: 'cpu', ocr: false, access });

describe('a data folder that held a library never opens as a new one', () => {
  const folders = libraryFolders();
  after(() => folders.removeAll());
  /** A library of 4 photos, the first captioned, with a backup that holds the caption. */
  let library: { dataDir: string; photos: string; captioned: string };

  before(async () => {
    const { photos, dataDir } = folders.fresh();
    const paths: string[] = [];
    for (let i = 0; i < 4; i++)
      paths.push(await writeScene(join(photos, `p${i}.jpg`), scene([[(['red', 'blue', 'green', 'white'] as const)[i]!, 'circle']], 'grass'), { width: 160, height: 120 }));
    const engine = await open(dataDir);
    engine.addFolder(photos);
    await engine.update();
    engine.setCaption(engine.stores.photos.photoByPath(paths[0]!)!.id, 'the red one, in the backup');
    await engine.backupIfDue(new Date(Date.now() + 2 * 24 * 3600_000));
    await engine.close();
    library = { dataDir, photos, captioned: paths[0]! };
  });

  /** A copy of the library's data folder to damage. */
  const copy = () => {
    const dataDir = join(folders.fresh().root, 'data');
    cpSync(library.dataDir, dataDir, { recursive: true });
    return dataDir;
  };

  /** Opens the writer on a data folder whose catalogue `problem` says, and checks it came back from the backup. */
  async function restores(dataDir: string, problem: RegExp): Promise<void> {
    const engine = await open(dataDir);
    try {
      const notice = engine.notices.find((n) => problem.test(n));
      assert.ok(notice && /Glimpse restored the backup of .* \(4 photos\)/.test(notice), engine.notices.join(' | '));
      assert.equal(engine.stores.photos.photoTotal(), 4);
      assert.equal(engine.photoDetail(engine.stores.photos.photoByPath(library.captioned)!.id).caption?.text, 'the red one, in the backup');
      assert.deepEqual(
        engine.status().folders.map((f) => f.path),
        [library.photos],
      );
    } finally {
      await engine.close();
    }
  }

  it('a catalogue emptied to 0 bytes: glimpse search refuses and touches nothing, the next writer restores the backup', async () => {
    const dataDir = copy();
    const file = join(dataDir, 'catalog.sqlite');
    truncateSync(file, 0);
    const search = glimpse(dataDir, 'search', 'a red circle');
    assert.equal(search.status, 1, search.stdout);
    assert.match(
      search.stderr,
      /catalog\.sqlite is empty \(0 bytes\), but this data folder held a library \(found: library\.json .*backups\/ \(2 copies of the catalogue\), index\/ .*thumbs\/ \(4 thumbnails\)\)/,
    );
    assert.match(search.stderr, /Run glimpse index \(or open Glimpse\) to restore it from its backup of /);
    assert.doesNotMatch(search.stdout, /No matches/);
    assert.equal(statSync(file).size, 0, 'the reader left the file as it was');
    assert.ok(!existsSync(join(dataDir, 'damaged')));

    await restores(dataDir, /^The library's catalogue \(catalog\.sqlite\) is empty \(0 bytes\)\. /);
    const aside = readdirSync(join(dataDir, 'damaged'));
    assert.equal(aside.length, 1);
    assert.equal(statSync(join(dataDir, 'damaged', aside[0]!, 'catalog.sqlite')).size, 0, 'the empty file is kept aside');
    const status = glimpse(dataDir, 'status');
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, /4 indexed|4 in all/);
  });

  it('a deleted catalogue is restored by the next writer', async () => {
    const dataDir = copy();
    rmSync(join(dataDir, 'catalog.sqlite'));
    await assert.rejects(open(dataDir, 'read'), /catalog\.sqlite is missing, but this data folder held a library/);
    assert.ok(!existsSync(join(dataDir, 'catalog.sqlite')), 'the reader created nothing');
    await restores(dataDir, /^The library's catalogue \(catalog\.sqlite\) is missing\. /);
  });

  it('a catalogue with a valid header and no tables is restored like an empty one', async () => {
    const dataDir = copy();
    const file = join(dataDir, 'catalog.sqlite');
    rmSync(file);
    const blank = new Database(file);
    blank.exec('CREATE TABLE t (a); DROP TABLE t;');
    blank.close();
    assert.ok(statSync(file).size > 0);
    await restores(dataDir, /^The library's catalogue \(catalog\.sqlite\) holds no tables\. /);
  });

  it('with no backup to restore, the writer refuses too and says what it found and what to do', async () => {
    const dataDir = copy();
    rmSync(join(dataDir, 'backups'), { recursive: true });
    truncateSync(join(dataDir, 'catalog.sqlite'), 0);
    const index = glimpse(dataDir, 'index');
    assert.equal(index.status, 1, index.stdout);
    assert.match(
      index.stderr,
      /catalog\.sqlite is empty \(0 bytes\), but this data folder held a library \(found: library\.json .*index\/ .*thumbs\/ \(4 thumbnails\)\), and there is no backup of it to restore\./,
    );
    assert.match(
      index.stderr,
      /If the file was moved or deleted by mistake, put it back and try again\. To start a new, empty library instead, move .* aside or choose another data folder\./,
    );
    assert.equal(statSync(join(dataDir, 'catalog.sqlite')).size, 0, 'nothing was written');
    assert.ok(!existsSync(join(dataDir, 'damaged')));
  });

  it('a data folder from before library.json: its backups, index and thumbnails are the evidence', async () => {
    const dataDir = copy();
    rmSync(join(dataDir, 'library.json'), { force: true });
    rmSync(join(dataDir, 'catalog.sqlite'));
    await assert.rejects(open(dataDir, 'read'), /held a library \(found: backups\/ \(2 copies of the catalogue\), index\/ \(\d+ files\), thumbs\/ \(4 thumbnails\)\)/);
    await restores(dataDir, /is missing\. /);
    assert.ok(existsSync(join(dataDir, 'library.json')), 'the restored library is marked');
  });

  it('a new data folder opens as a new library, marked with one id in library.json and in the catalogue', async () => {
    const { dataDir } = folders.fresh();
    const reader = await open(dataDir, 'read');
    await reader.close();
    const identity = JSON.parse(readFileSync(join(dataDir, 'library.json'), 'utf8')) as { id: string; createdAt: string };
    const db = new Database(join(dataDir, 'catalog.sqlite'), { readonly: true });
    assert.equal(db.prepare(`SELECT value FROM meta WHERE key = 'library_id'`).pluck().get(), identity.id);
    db.close();
    const writer = await open(dataDir);
    assert.deepEqual(writer.notices, []);
    await writer.close();
    assert.equal((JSON.parse(readFileSync(join(dataDir, 'library.json'), 'utf8')) as { id: string }).id, identity.id);
  });

  it('a library from before library.json is marked by its next writer', async () => {
    const dataDir = copy();
    rmSync(join(dataDir, 'library.json'), { force: true });
    const db = new Database(join(dataDir, 'catalog.sqlite'));
    db.exec(`DELETE FROM meta WHERE key IN ('library_id', 'library_created')`);
    db.close();
    const engine = await open(dataDir);
    await engine.close();
    const identity = JSON.parse(readFileSync(join(dataDir, 'library.json'), 'utf8')) as { id: string };
    const check = new Database(join(dataDir, 'catalog.sqlite'), { readonly: true });
    assert.equal(check.prepare(`SELECT value FROM meta WHERE key = 'library_id'`).pluck().get(), identity.id);
    check.close();
  });

  it('a catalogue copied in from another library is refused, by readers and writers alike', async () => {
    const dataDir = copy();
    const other = folders.fresh().dataDir;
    await (await open(other)).close();
    cpSync(join(other, 'catalog.sqlite'), join(dataDir, 'catalog.sqlite'));
    for (const access of ['read', 'write'] as const)
      await assert.rejects(
        open(dataDir, access),
        /catalog\.sqlite belongs to another library \(created .*\) than this data folder's library\.json .* delete .*library\.json and Glimpse adopts it/,
      );
    assert.equal(listBackups(join(dataDir, 'backups')).length, 2, 'no backup of the other library pushed this one out');
  });
});
