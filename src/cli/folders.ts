import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { GlimpseEngine } from '../main/engine/engine.js';
import { LibraryLock, describeHolder } from '../main/engine/core/library-lock.js';
import { expandHome } from '../main/engine/core/paths.js';
import type { UpdateSummary } from '../main/engine/updating.js';
import { askTheApp } from '../main/host/control.js';
import { plural } from '../shared/counting.js';
import { printUpdate, shown } from './format.js';

type WithEngine = <T>(work: (engine: GlimpseEngine) => Promise<T>) => Promise<T>;

/**
 * `glimpse index` while the app has the library open: the app is its writer for as long as it is open
 * (its watcher needs the lock), so the command asks it to index and shows its progress, instead of
 * waiting for it to close. False when no app answers (the lock's holder is another command): the command
 * then waits for the lock as before.
 */
export async function indexThroughApp(dataDir: string, folders: string[], json: boolean, withReader: WithEngine): Promise<boolean> {
  const holder = LibraryLock.activeHolder(dataDir);
  if (!holder) return false;
  const progress = json ? undefined : (await import('./progress.js')).createProgressReporter();
  let summary: UpdateSummary;
  try {
    const answer = await askTheApp<UpdateSummary>(dataDir, 'index', { folders: folders.map((f) => resolve(f)) }, (p) => {
      if (p.phase === 'indexing') progress?.update(p);
    });
    if (!answer.answered) return false;
    summary = answer.result;
  } finally {
    progress?.stop();
  }
  if (!json) console.error(`glimpse: ${describeHolder(holder)} has this library open; it did the indexing.`);
  await withReader(async (engine) => {
    const warnings = engine.stores.photos.warnings(json ? 1000 : 20);
    if (json) console.log(JSON.stringify({ ...summary, offline: engine.offlineFolders(), errors: engine.stores.photos.errors(1000), warnings }, null, 2));
    else printUpdate(summary, engine.stores.photos.errors(20), engine.stores.photos.counts(engine.pack.id), engine.offlineFolders(), warnings);
  });
  return true;
}

/** `glimpse folders`: the library's folders, and removing one (its photos leave the library; no file is touched). */
export function registerFolderCommands(program: Command, dataDir: () => string, withReader: WithEngine, withWriter: WithEngine, usage: (message: string) => Error): void {
  const folders = program.command('folders').description("list the library's folders, or remove one");

  folders
    .command('list', { isDefault: true })
    .description('each folder with its id, photos, problems and how it is watched')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      await withReader(async (engine) => {
        const status = engine.status();
        if (o.json) return console.log(JSON.stringify(status.folders, null, 2));
        if (status.folders.length === 0) return console.log('No folders yet: glimpse index <folder>');
        for (const f of status.folders) {
          console.log(`${String(f.id).padStart(4)}  ${shown(f.path)}: ${plural(f.photoCount, 'photo')}${f.errorCount ? `, ${f.errorCount} with problems` : ''}`);
          if (f.offline) console.log(`        offline since ${new Date(f.offline.since).toLocaleString()}: ${shown(f.offline.reason)}`);
          if (f.watchNote) console.log(`        ${shown(f.watchNote)}`);
        }
      });
    });

  folders
    .command('remove')
    .description('remove a folder from the library: its photos, captions and albums leave Glimpse; the files on disk are not touched')
    .argument('<folder>', "the folder's path, or its id (glimpse folders lists them)")
    .action(async (which: string) => {
      const folder = await withReader(async (engine) => {
        const all = engine.stores.folders.folders();
        return /^\d+$/.test(which) ? all.find((f) => f.id === Number(which)) : all.find((f) => f.path === resolve(expandHome(which)));
      });
      if (!folder) throw usage(`${which} is not a folder of the library (glimpse folders lists them)`);
      const said = `Removed ${shown(folder.path)} from the library (${plural(folder.photo_count, 'photo')}); no file was touched.`;
      if (LibraryLock.activeHolder(dataDir())) {
        const answer = await askTheApp<{ removed: boolean }>(dataDir(), 'removeFolder', { id: folder.id });
        if (answer.answered) return console.log(answer.result.removed ? said : `${shown(folder.path)} was already removed.`);
      }
      await withWriter(async (engine) => {
        console.log(engine.removeFolder(folder.id) ? said : `${shown(folder.path)} was already removed.`);
      });
    });
}
