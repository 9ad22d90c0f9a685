import { GlimpseEngine, type EngineOptions } from '../main/engine/engine.js';
import { LibraryWatcher } from '../main/engine/library/watcher.js';
import { formatEta } from './progress.js';
import { plural } from '../shared/counting.js';
import { shown } from './format.js';

/** `glimpse watch`: reconcile once, then index changes as they happen, with one live status line. */
export async function runWatch(options: EngineOptions, folders: string[]): Promise<void> {
  const engine = await GlimpseEngine.open({ ...options, access: 'write' });
  for (const notice of engine.notices) console.error(`glimpse: ${shown(notice)}`);
  for (const f of folders) engine.addFolder(f);
  if (engine.stores.folders.folders().length === 0) {
    await engine.close();
    console.error('glimpse: there are no folders to watch yet: glimpse watch <folder> adds one and watches it.');
    process.exitCode = 2;
    return;
  }
  const tty = process.stdout.isTTY;
  const line = (text: string) => (tty ? process.stdout.write(`\r\x1b[2K${text}`) : console.log(text));
  engine.on('progress', (p) => {
    if (p.phase === 'indexing' && p.total > 0 && tty) line(`indexing ${p.done}/${p.total} | ${p.rate.toFixed(1)}/s | ETA ${formatEta(p.etaSeconds)} | ${p.errors} errors`);
  });
  const watcher = new LibraryWatcher(engine);
  watcher.on('job', (job) => {
    const s = job.summary;
    line(
      `${new Date().toLocaleTimeString()} ${shown(job.under)}: ${s.scan.added} new, ${s.scan.changed} changed, ${s.scan.moved} moved, ${s.scan.removed} removed` +
        `${s.scan.offline ? `, ${s.scan.offline} kept in offline folders` : ''}; indexed ${s.indexing.indexed}${s.indexing.errors ? `, ${s.indexing.errors} problems` : ''}`,
    );
    if (tty) process.stdout.write('\n');
  });
  watcher.on('fallback', ({ folder, reason }) => console.log(`\n${shown(folder)}: ${shown(reason)}`));
  watcher.on('error', (error) => console.error(`\nglimpse: ${shown(error.message)}`));
  await watcher.watchAll();
  const first = await engine.update();
  console.log(
    `Watching ${engine.stores.folders
      .folders()
      .map((f) => shown(f.path))
      .join(', ')}: ${plural(engine.stores.photos.counts(engine.pack.id).indexed, 'photo')} indexed (${first.indexing.indexed} just now). Ctrl+C stops.`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await watcher.close();
  await engine.close();
}
