import { plural } from '../../shared/counting.js';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CatalogDamagedError, CatalogRefusedError, backupTime, goodBackup, integrityOf, isDamage, removeStale, stamp } from './catalog/backup.js';
import { Catalog } from './catalog/catalog.js';
import {
  CATALOG_FILE,
  DAMAGED_MARKER,
  IDENTITY_FILE,
  type LibraryIdentity,
  catalogueIdentity,
  catalogueState,
  highestCachedId,
  libraryEvidence,
  newIdentity,
  readIdentity,
  stampCatalogue,
  writeIdentity,
} from './catalog/identity.js';
import { type PhotoRef, salvage } from './catalog/salvage.js';
import { MIGRATIONS } from './catalog/schema.js';
import { CaptionStore } from './captions/caption-store.js';
import { ConceptStore } from './concepts/concept-store.js';
import { PeopleStore } from './faces/people-store.js';
import { isUnder } from './core/paths.js';
import { FolderStore } from './library/folder-store.js';
import { type PhotoRow, PhotoStore } from './library/photo-store.js';
import { errorText } from '../../shared/error-text.js';

/**
 * Opening the catalogue, and recovering it: a damaged catalogue is set aside, the newest good backup
 * restored, and what can still be read of the user's own words in the damaged file (captions, album
 * titles, concepts, folders) merged back into the features' tables; a data folder that has held a
 * library never opens as a new one (`catalog/identity.ts`).
 */

/** The photo of the restored catalogue that a photo of the damaged file is, or a row for it (see below). */
function placer(catalog: Catalog): (ref: PhotoRef) => PhotoRow | undefined {
  const photoStore = new PhotoStore(catalog);
  const folders = new FolderStore(catalog).folders();
  const byHash = catalog.db.prepare('SELECT * FROM photos WHERE hash = ? ORDER BY id');
  return (ref) => {
    // Ids are never given to another photo: the backup's row with this id is this photo, wherever it was then.
    const byId = photoStore.photo(ref.id);
    if (byId) return byId;
    if (ref.path === undefined) return undefined;
    const byPath = photoStore.photoByPath(ref.path);
    if (byPath) return byPath;
    // The same content whose file is no longer where the backup had it: moved since; the next scan sees the move.
    const moved = ref.hash ? (byHash.all(ref.hash) as PhotoRow[]).find((p) => !existsSync(p.path)) : undefined;
    if (moved) return moved;
    // A photo added after the backup comes back as a changed file, so what the user said of it has a home and the next scan indexes it.
    const folder = folders.find((f) => isUnder(ref.path!, f.path));
    if (!folder) return undefined;
    photoStore.insertPhoto({ folderId: folder.id, path: ref.path, size: -1, mtimeMs: -1, hash: null });
    return photoStore.photoByPath(ref.path);
  };
}

/**
 * Sets the catalogue aside (a damaged one, or what is left of a missing or emptied one: an empty file,
 * its WAL), restores the newest backup that passes its check (or, for a damaged one, starts an empty
 * catalogue), merges back the user's captions, album titles, concepts and library folders that can still
 * be read from what was set aside, and says what it did. The vector index is dropped: it describes the
 * old file and is rebuilt from the restored one. `problem` completes "The library's catalogue ...".
 */
export function recoverCatalog(dataDir: string, problem: string): { catalog: Catalog; notice: string } {
  const file = join(dataDir, CATALOG_FILE);
  const aside = join(dataDir, 'damaged', stamp(new Date()));
  const present = ['', '-wal', '-shm'].filter((suffix) => existsSync(file + suffix));
  if (present.length > 0) mkdirSync(aside, { recursive: true });
  for (const suffix of present) renameSync(file + suffix, join(aside, `${CATALOG_FILE}${suffix}`));
  const rescued = salvage(join(aside, CATALOG_FILE));

  const backup = goodBackup(dataDir);
  if (backup) copyFileSync(backup, file);
  // Backups from before they were rollback-journal files leave a -wal and -shm when checked, even read-only.
  if (existsSync(join(dataDir, 'backups'))) removeStale(join(dataDir, 'backups'));
  const catalog = new Catalog(file);
  let captions = 0;
  let titles = 0;
  let concepts = 0;
  let people = 0;
  catalog.transaction(() => {
    // Ids handed out after the backup (the damaged file's, the caches') are never handed out again.
    catalog.db.prepare(`INSERT INTO sqlite_sequence (name, seq) SELECT 'photos', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'photos')`).run();
    catalog.db.prepare(`UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'photos'`).run(Math.max(rescued.maxPhotoId, highestCachedId(dataDir)));
    for (const path of rescued.folders) new FolderStore(catalog).addFolder(path);
    const place = placer(catalog);
    // Prepared once, not per row (ARCHITECTURE.md, note "Prepared statements").
    const userCaptionTime = catalog.db.prepare(`SELECT updated_at FROM texts WHERE photo_id = ? AND source = 'user'`).pluck();
    const albumTitle = catalog.db.prepare(`INSERT INTO albums (dir, user_title) VALUES (?, ?) ON CONFLICT (dir) DO UPDATE SET user_title = excluded.user_title`);
    for (const c of rescued.captions) {
      const photo = place(c.photo);
      if (!photo) continue;
      const current = userCaptionTime.get(photo.id) as number | undefined;
      if (current === undefined || current < c.updatedAt) {
        new CaptionStore(catalog).setUserCaption(photo.id, c.text);
        captions++;
      }
    }
    // Concepts: the damaged file's name and examples win over the backup's when it changed them later.
    for (const c of rescued.concepts) {
      const current = new ConceptStore(catalog).conceptByKey(c.key);
      if (current && current.updated_at >= c.updatedAt) continue;
      const examples = c.examples.flatMap((e) => {
        const photo = place(e.photo);
        return photo ? [{ photoId: photo.id, positive: e.positive }] : [];
      });
      if (current) {
        new ConceptStore(catalog).renameConcept(current.id, c.name, c.key);
        for (const e of examples) new ConceptStore(catalog).setConceptExample(current.id, e.photoId, e.positive);
      } else new ConceptStore(catalog).createConcept(c.name, c.key, examples);
      concepts++;
    }
    // People the user named or hid, and their verdicts on faces: the grouping is made again from them.
    const peopleStore = new PeopleStore(catalog);
    for (const p of rescued.people) {
      const id = peopleStore.restorePerson(p);
      for (const v of p.verdicts) {
        const photo = place(v.photo);
        if (photo) peopleStore.restoreVerdict({ ...v, photoId: photo.id, personId: id });
      }
      if (p.name !== null || p.hidden) people++;
    }
    peopleStore.applyVerdicts();
    for (const a of rescued.albumTitles) {
      albumTitle.run(a.dir, a.title);
      titles++;
    }
  });
  adoptIdentity(dataDir, catalog);
  rmSync(join(dataDir, 'index'), { recursive: true, force: true });
  rmSync(join(dataDir, DAMAGED_MARKER), { force: true });
  const recovered = [
    `${captions} of your captions`,
    `${titles} album titles`,
    `${concepts} concepts you taught`,
    ...(people > 0 ? [`${plural(people, 'person', 'people')} you named`] : []),
  ];
  const from = backup
    ? `restored the backup of ${backupTime(backup).toLocaleString()} (${new PhotoStore(catalog).photoTotal()} photos)`
    : 'found no usable backup and started an empty catalogue';
  const kept = present.length > 0 ? `from the old file, which is kept in ${aside}` : 'from what was left of it';
  const notice = `The library's catalogue ${problem}. Glimpse ${from}, and recovered ${listed(recovered)} ${kept}. ` + 'Photos added or changed since are indexed again.';
  return { catalog, notice };
}

/** "a, b and c". */
function listed(parts: readonly string[]): string {
  return parts.length < 2 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]!}`;
}

/**
 * Makes the data folder and its catalogue name the same library: a catalogue without an identity (new,
 * restored from an older backup, or from before identities) takes the folder's, or a new one; a folder
 * without `library.json` gets the catalogue's.
 */
function adoptIdentity(dataDir: string, catalog: Catalog): LibraryIdentity {
  const ours = readIdentity(dataDir);
  const identity = catalogueIdentity(catalog.db) ?? stampCatalogue(catalog, ours ?? newIdentity());
  if (!ours || ours.id !== identity.id) writeIdentity(dataDir, identity);
  return identity;
}

/** The schema version of a catalogue file without opening it for writing (0 when new or unreadable). */
function catalogVersion(file: string): number {
  if (!existsSync(file)) return 0;
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return db.pragma('user_version', { simple: true }) as number;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

/**
 * A catalogue that is missing, empty or holds no tables. In a data folder that never held a library it
 * is a new library (whoever opens it first creates it). In one that did, a writer restores the newest
 * backup (and what is left of the old file), and a reader, which must not replace files another process
 * may use, says what to do; with no backup to restore, both refuse and say what is missing.
 */
function missingCatalog(dataDir: string, state: 'missing' | 'empty' | 'blank', writer: boolean, notices: string[]): Catalog {
  const file = join(dataDir, CATALOG_FILE);
  const evidence = libraryEvidence(dataDir);
  if (evidence.length === 0) {
    const catalog = new Catalog(file);
    adoptIdentity(dataDir, catalog);
    return catalog;
  }
  const problem = state === 'missing' ? 'is missing' : state === 'empty' ? 'is empty (0 bytes)' : 'holds no tables';
  const found = `${file} ${problem}, but this data folder held a library (found: ${evidence.join(', ')})`;
  const backup = goodBackup(dataDir);
  if (!backup)
    throw new CatalogRefusedError(
      `${found}, and there is no backup of it to restore. If the file was moved or deleted by mistake, put it back and try again. ` +
        `To start a new, empty library instead, move ${dataDir} aside or choose another data folder.`,
    );
  if (!writer)
    throw new CatalogRefusedError(
      `${found}. Run glimpse index (or open Glimpse) to restore it from its backup of ${backupTime(backup).toLocaleString()} (${backup}); if the file was moved by mistake, put it back first.`,
    );
  const { catalog, notice } = recoverCatalog(dataDir, `(${CATALOG_FILE}) ${problem}`);
  notices.push(notice);
  return catalog;
}

/**
 * Opens the catalogue. A writer checks it first (SQLite's quick check; `quickCheck: false` leaves it to
 * the caller, the app's engine, which runs it after answering) and recovers a damaged one from its
 * backup; it also keeps a copy of a catalogue it is about to upgrade. A reader that finds damage says
 * how to recover instead of touching the file. A catalogue gone missing or empty is never taken for a
 * new library where one was (`missingCatalog`), and one of another library is refused.
 */
export async function openCatalog(dataDir: string, writer: boolean, notices: string[], options: { quickCheck?: boolean } = {}): Promise<Catalog> {
  const file = join(dataDir, CATALOG_FILE);
  const state = catalogueState(file);
  if (state !== 'present') return missingCatalog(dataDir, state, writer, notices);
  const marker = join(dataDir, DAMAGED_MARKER);
  let reason: string;
  try {
    if (existsSync(marker)) throw new CatalogDamagedError(readFileSync(marker, 'utf8') || 'a check found damage');
    const version = catalogVersion(file);
    if (writer && version > 0 && version < MIGRATIONS.length) {
      const before = new Database(file, { fileMustExist: true });
      try {
        mkdirSync(join(dataDir, 'backups'), { recursive: true });
        await before.backup(join(dataDir, 'backups', `catalog-before-v${MIGRATIONS.length}.sqlite`));
      } finally {
        before.close();
      }
    }
    // It must exist now: one that went away since it was looked at is not made anew here.
    const catalog = new Catalog(file, { create: false });
    try {
      if (writer && options.quickCheck !== false) {
        const check = integrityOf(file, true);
        if (check !== 'ok') throw new CatalogDamagedError(`its integrity check found: ${check}`);
      }
      checkIdentity(dataDir, catalog, writer);
    } catch (error) {
      catalog.close();
      throw error;
    }
    return catalog;
  } catch (error) {
    if (!isDamage(error)) throw error;
    reason = errorText(error);
  }
  // A reader must not move files another process may be using: it reports, the next writer recovers.
  if (!writer) throw new CatalogDamagedError(reason);
  const { catalog, notice } = recoverCatalog(dataDir, `was damaged (${reason})`);
  notices.push(notice);
  return catalog;
}

/** Refuses a catalogue of another library than the data folder's; a writer gives both the same identity where one lacks it. */
function checkIdentity(dataDir: string, catalog: Catalog, writer: boolean): void {
  const ours = readIdentity(dataDir);
  const its = catalogueIdentity(catalog.db);
  if (ours && its && ours.id !== its.id)
    throw new CatalogRefusedError(
      `${catalog.file} belongs to another library (created ${its.createdAt.slice(0, 10)}, id ${its.id}) than this data folder's ${IDENTITY_FILE} (created ${ours.createdAt.slice(0, 10)}, id ${ours.id}). ` +
        `If you copied it here on purpose, delete ${join(dataDir, IDENTITY_FILE)} and Glimpse adopts it; otherwise put this library's own catalogue back.`,
    );
  if (writer && (!ours || !its)) adoptIdentity(dataDir, catalog);
}
