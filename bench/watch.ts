// Watching folders (issue 27.1): what keeping a library folder watched costs, in time to start and in
// memory, with the watcher's one OS watch per folder, against chokidar 5 as the watcher used it before
// (recursive, following links, a watch per file as well as per folder).
//
//   node --expose-gc --import tsx bench/watch.ts                       # 2,000 folders x 10 photos, then 20,000 empty folders
//   node --expose-gc --import tsx bench/watch.ts --folders 5000 --files 4
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { watch } from 'chokidar';
import { GlimpseEngine } from '../src/main/engine/engine.js';
import { LibraryWatcher } from '../src/main/engine/library/watcher.js';

const { values } = parseArgs({ options: { folders: { type: 'string' }, files: { type: 'string' }, 'no-chokidar': { type: 'boolean' } } });
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc --import tsx bench/watch.ts');

function tree(root: string, folders: number, files: number): void {
  rmSync(root, { recursive: true, force: true });
  for (let i = 0; i < folders; i++) {
    const dir = join(root, `year${Math.floor(i / 100)}`, `day${i}`);
    mkdirSync(dir, { recursive: true });
    for (let j = 0; j < files; j++) writeFileSync(join(dir, `IMG_${j}.jpg`), 'x');
  }
}

async function measure(start: () => Promise<() => Promise<void>>): Promise<{ startS: number; rssMB: number; heapMB: number; closeS: number }> {
  gc!();
  const before = process.memoryUsage();
  const t0 = performance.now();
  const stop = await start();
  const startS = (performance.now() - t0) / 1000;
  gc!();
  const after = process.memoryUsage();
  const t1 = performance.now();
  await stop();
  return { startS, rssMB: (after.rss - before.rss) / 1e6, heapMB: (after.heapUsed - before.heapUsed) / 1e6, closeS: (performance.now() - t1) / 1000 };
}

const work = join(tmpdir(), `glimpse-bench-watch-${process.pid}`);
const cases: Array<[number, number]> = values.folders
  ? [[Number(values.folders), Number(values.files ?? 0)]]
  : [
      [2000, 10],
      [20000, 0],
    ];
const engine = await GlimpseEngine.open({ dataDir: join(work, 'data'), device: 'cpu', captions: false, ocr: false });
try {
  for (const [folders, files] of cases) {
    const root = join(work, `tree-${folders}-${files}`);
    tree(root, folders, files);
    const folder = engine.addFolder(root);
    const ours = await measure(async () => {
      const watcher = new LibraryWatcher(engine, { maxFolders: Number.MAX_SAFE_INTEGER, startMs: 600_000 });
      await watcher.watchFolder(folder);
      return () => watcher.close();
    });
    console.log(JSON.stringify({ watcher: 'glimpse (fs.watch per folder)', folders: folders + Math.ceil(folders / 100) + 1, files: folders * files, ...ours }));
    if (!values['no-chokidar'] && folders * (files + 1) <= 50_000) {
      const theirs = await measure(async () => {
        const w = watch(root, { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 1000, pollInterval: 100 }, followSymlinks: true });
        await new Promise<void>((r) => w.once('ready', () => r()));
        return () => w.close();
      });
      console.log(JSON.stringify({ watcher: 'chokidar 5 (before)', folders: folders + Math.ceil(folders / 100) + 1, files: folders * files, ...theirs }));
    }
    engine.removeFolder(folder.id);
    rmSync(root, { recursive: true, force: true });
  }
} finally {
  await engine.close();
  rmSync(work, { recursive: true, force: true });
}
