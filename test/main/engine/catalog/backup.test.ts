/**
 * Backups of a real catalogue: each is one self-contained file (checking it, at backup time or when
 * recovery looks for a good one, leaves no -wal or -shm beside it), rotation keeps the newest three,
 * and it removes what older backups left behind (unfinished copies, -wal and -shm files).
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BACKUPS_KEPT, backupCatalog, integrityOf, listBackups } from '../../../../src/main/engine/catalog/backup.js';
import { Catalog } from '../../../../src/main/engine/catalog/catalog.js';
import { tempDir } from '../../../fixtures.js';
import { FolderStore } from '../../../../src/main/engine/library/folder-store.js';

describe('catalogue backups', () => {
  const dir = tempDir();
  after(() => dir.remove());

  it('leave one file each, and rotation removes the -wal, -shm and unfinished copies older backups left', async () => {
    const catalog = new Catalog(join(dir.path, 'catalog.sqlite'));
    new FolderStore(catalog).addFolder('/photos');
    const backups = join(dir.path, 'backups');
    mkdirSync(backups);
    // What a backup of an earlier Glimpse left: the sidecars of its checked copy, and a copy it never finished.
    for (const name of [
      'catalog-20260101-000000.sqlite.tmp-wal',
      'catalog-20260101-000000.sqlite.tmp-shm',
      'catalog-20260102-000000.sqlite.tmp',
      'catalog-20251231-000000.sqlite-shm',
    ])
      writeFileSync(join(backups, name), '');
    const only = () => readdirSync(backups).sort();
    for (let day = 1; day <= 5; day++) {
      const file = await backupCatalog(catalog, backups, new Date(Date.UTC(2026, 5, day, 12)));
      assert.deepEqual(
        only(),
        listBackups(backups)
          .map((f) => basename(f))
          .sort(),
        `after backup ${day}: nothing but the backups`,
      );
      // Recovery checks a backup before it restores one: that leaves nothing either.
      assert.equal(integrityOf(file), 'ok');
      assert.deepEqual(
        only(),
        listBackups(backups)
          .map((f) => basename(f))
          .sort(),
      );
    }
    assert.equal(listBackups(backups).length, BACKUPS_KEPT);
    // A backup restores as it was.
    copyFileSync(listBackups(backups)[0]!, join(dir.path, 'restored.sqlite'));
    const restored = new Catalog(join(dir.path, 'restored.sqlite'));
    assert.deepEqual(
      new FolderStore(restored).folders().map((f) => f.path),
      ['/photos'],
    );
    restored.close();
    catalog.close();
  });
});
