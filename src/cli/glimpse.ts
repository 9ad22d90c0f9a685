#!/usr/bin/env node
/**
 * `glimpse`: the command line over the same engine the desktop app hosts.
 * Exit status: 0 when the command did its job (even if some photos could not be read: those are
 * reported), 1 on a real failure, 2 on a usage error.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { defaultDataDir } from '../main/engine/data-dir.js';
import { GlimpseEngine, type EngineOptions } from '../main/engine/engine.js';
import type { PackPart } from '../main/engine/models/pack.js';
import { DEVICE_PREFERENCES, type DevicePreference } from '../main/engine/core/device-preference.js';
import type { SearchRequest } from '../main/engine/search/search.js';
import { searchParams } from '../shared/api.js';
import { plural } from '../shared/counting.js';
import { ocrLine, printDuplicates, printResults, printStatus, printUpdate, shown } from './format.js';
import { describeHolder } from '../main/engine/core/library-lock.js';
import { isDamage } from '../main/engine/catalog/backup.js';
import { registerGpuCommands } from './gpu.js';
import { registerModelCommands } from './models.js';
import { registerPeopleCommands } from './people.js';
import { registerPlacesCommands } from './places.js';
import { indexThroughApp, registerFolderCommands } from './folders.js';
import { errorText } from '../shared/error-text.js';
import { expandHome } from '../main/engine/core/paths.js';
// Commands that need more than the engine (the watcher, the web server, image rendering, a progress bar)
// load it when they run: a `glimpse search` pays only for what a search uses.

interface GlobalOptions {
  dataDir: string;
  model?: string;
  device?: DevicePreference;
  captions?: boolean;
  ocr?: boolean;
}

function engineOptions(program: Command): EngineOptions {
  const o = program.opts<GlobalOptions>();
  return { dataDir: o.dataDir, model: o.model, device: o.device, ...(o.captions === false ? { captions: false } : {}), ...(o.ocr === false ? { ocr: false } : {}) };
}

/**
 * Opens the engine for one command. Commands that scan or index take the library's write lock
 * ('write', waiting up to `waitSeconds` for another writer); the others read, so they work while the
 * app or `glimpse watch` is indexing. Notices (a recovered catalogue, a settings file set aside) go to
 * stderr first.
 */
async function withEngine<T>(
  program: Command,
  work: (engine: GlimpseEngine) => Promise<T>,
  access: { write: boolean; waitSeconds?: number; warm?: PackPart[] } = { write: false },
): Promise<T> {
  const engine = await GlimpseEngine.open({
    ...engineOptions(program),
    warm: access.warm,
    access: access.write ? 'write' : 'read',
    lockWaitMs: (access.waitSeconds ?? 0) * 1000,
    onLockWait: (holder) =>
      console.error(`glimpse: waiting up to ${access.waitSeconds} s for the Glimpse process that is updating this library (${shown(describeHolder(holder))}) to finish…`),
  });
  for (const notice of engine.notices) console.error(`glimpse: ${shown(notice)}`);
  try {
    return await work(engine);
  } finally {
    await engine.close();
  }
}

/** A path the user typed: `~` is their home (a quoted path or an option's value reaches us without a shell to expand it). */
function typedPath(path: string): string {
  return resolve(expandHome(path));
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number of seconds, 0 or more');
  return n;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number above 0');
  return n;
}

function dateArg(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) throw new InvalidArgumentError('must be a date like 2024-06-30');
  return value;
}

interface SearchOptions {
  limit: number;
  offset: number;
  folder?: string;
  after?: string;
  before?: string;
  camera?: string;
  media?: 'photo' | 'video';
  favourites?: boolean;
  sort: 'relevance' | 'date';
  all?: boolean;
  stacks?: boolean;
  literal?: string[];
  json?: boolean;
}

/** A command line the user can fix (exit status 2), said in plain words. */
class UsageError extends Error {}

function searchRequest(query: string, o: SearchOptions, extra: Partial<SearchRequest> = {}): SearchRequest {
  const parsed = searchParams.safeParse({
    query,
    limit: o.limit,
    offset: o.offset,
    sort: o.sort,
    all: o.all ?? false,
    stacks: o.stacks ?? false,
    favourites: o.favourites ?? false,
    ...(o.folder ? { folder: typedPath(o.folder) } : {}),
    ...(o.after ? { after: o.after } : {}),
    ...(o.before ? { before: o.before } : {}),
    ...(o.camera ? { camera: o.camera } : {}),
    ...(o.media ? { media: o.media } : {}),
    ...(o.literal?.length ? { literal: o.literal } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
  }
  return { ...parsed.data, ...extra };
}

function addSearchOptions(command: Command): Command {
  return command
    .option('-n, --limit <n>', 'most results to show', positiveInt, 20)
    .option('--offset <n>', 'skip this many results (the next page)', (v: string) => (v === '0' ? 0 : positiveInt(v)), 0)
    .option('--folder <dir>', 'only photos in this folder (and below)')
    .option('--after <date>', 'only photos taken on or after this date (YYYY-MM-DD)', dateArg)
    .option('--before <date>', 'only photos taken before this date (YYYY-MM-DD)', dateArg)
    .option('--camera <name>', 'only photos from a camera whose name contains this')
    .addOption(new Option('--media <kind>', 'only photos, or only videos').choices(['photo', 'video']))
    .option('--favourites', 'only the photos marked as favourites (the heart in the app)')
    .addOption(new Option('--sort <order>', 'order of results').choices(['relevance', 'date']).default('relevance'))
    .option('--all', 'show every ranked result, not only those above the relevance cutoff')
    .option('--stacks', 'one result per stack of near-duplicates (the best-ranked photo, with the stack size), as the app shows them')
    .option('--literal <words>', 'read these words of the query as words, not as a place, time or name (repeatable)', (v: string, all: string[] = []) => [...all, v])
    .option('--json', 'print JSON: each result with its path, score and why it matched');
}

export function buildProgram(): Command {
  const program = new Command('glimpse')
    .description('Search your photos by describing them. Everything runs on this computer.')
    .option('--data-dir <dir>', 'where the catalogue, index, thumbnails and models live', defaultDataDir())
    .option('--model <id>', 'model pack to use (default: the one in settings, tiny-coca at first)')
    .addOption(
      new Option('--device <device>', 'run models on the GPU when available (auto), only GPU, only CPU, or one named provider (also: GLIMPSE_DEVICE)').choices(DEVICE_PREFERENCES),
    )
    .option('--no-captions', 'do not generate captions while indexing')
    .option('--no-ocr', 'do not read the text in photos this time (glimpse ocr off: never)')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('index')
    .description('add folders to the library and index new or changed photos')
    .argument('[folders...]', 'folders to add (none: update the folders already in the library)')
    .option('--json', 'print the summary as JSON')
    .option('--wait <seconds>', 'how long to wait when another Glimpse process is updating the library', seconds, 30)
    .action(async (folders: string[], o: { json?: boolean; wait: number }) => {
      // The app open on this library is its writer: it is asked to index, and shows its progress here.
      if (await indexThroughApp(program.opts<GlobalOptions>().dataDir, folders, o.json === true, (work) => withEngine(program, work, { write: false }))) return;
      await withEngine(
        program,
        async (engine) => {
          const rows = folders.map((f) => engine.addFolder(f));
          const progress = o.json ? undefined : (await import('./progress.js')).createProgressReporter();
          try {
            const summary = await engine.update({ ...(rows.length ? { folders: rows } : {}), ...(progress ? { onProgress: progress.update } : {}) });
            progress?.stop();
            if (o.json)
              console.log(
                JSON.stringify({ ...summary, offline: engine.offlineFolders(), errors: engine.stores.photos.errors(1000), warnings: engine.stores.photos.warnings(1000) }, null, 2),
              );
            else printUpdate(summary, engine.stores.photos.errors(20), engine.stores.photos.counts(engine.pack.id), engine.offlineFolders(), engine.stores.photos.warnings(20));
          } finally {
            progress?.stop();
          }
        },
        { write: true, waitSeconds: o.wait },
      );
    });

  addSearchOptions(program.command('search').description('find photos by describing them; "quoted words" must appear in a caption, album or name').argument('<query>')).action(
    async (query: string, o: SearchOptions) => {
      const request = searchRequest(query, o); // a request the user must fix is refused before the library opens
      await withEngine(program, async (engine) => printResults(await engine.search(request), o.json, o.offset), { write: false, warm: ['text'] });
    },
  );

  addSearchOptions(
    program
      .command('similar')
      .description('find photos that look like a photo (in the library or any image file), optionally steered by text')
      .argument('<photo>', 'path of a photo (or its id in the library)')
      .option('--text <words>', 'what to change or add, e.g. "at night"', ''),
  ).action(async (photo: string, o: SearchOptions & { text: string }) => {
    searchRequest(o.text, o);
    await withEngine(program, async (engine) => {
      const byId = /^\d+$/.test(photo) ? engine.stores.photos.photo(Number(photo)) : engine.stores.photos.photoByPath(typedPath(photo));
      if (byId && engine.stores.vectors.vector(byId.id, engine.pack.id)) return printResults(await engine.search(searchRequest(o.text, o, { similarTo: byId.id })), o.json);
      if (!existsSync(typedPath(photo)) || !statSync(typedPath(photo)).isFile()) throw new Error(`${photo} is neither an indexed photo nor an image file`);
      printResults(await engine.searchByFile(typedPath(photo), searchRequest(o.text, o)), o.json);
    });
  });

  program
    .command('status')
    .description('what is in the library and how far indexing got')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      await withEngine(program, async (engine) =>
        printStatus(engine.status(), engine.stores.photos.errors(20), o.json, engine.stores.photos.skippedFiles(o.json ? 1000 : 5), engine.stores.photos.warnings(20)),
      );
    });

  program
    .command('caption')
    .description('show, regenerate or edit the caption of a photo')
    .argument('<photo>', 'path of an indexed photo (or its id)')
    .option('--set <text>', 'replace the caption with your own (an empty text restores the generated one)')
    .option('--regenerate', 'generate the caption again with the model')
    .action(async (photo: string, o: { set?: string; regenerate?: boolean }) => {
      await withEngine(program, async (engine) => {
        const row = /^\d+$/.test(photo) ? engine.stores.photos.photo(Number(photo)) : engine.stores.photos.photoByPath(typedPath(photo));
        if (!row) throw new Error(`${photo} is not in the library; index its folder first`);
        if (o.set !== undefined) engine.setCaption(row.id, o.set);
        else if (o.regenerate) await engine.captionPhoto(row.id);
        const detail = engine.photoDetail(row.id);
        console.log(
          detail.caption
            ? `${shown(detail.caption.text)}${detail.caption.edited ? '   (edited)' : ''}`
            : detail.captionWithheld
              ? `(no caption: ${shown(detail.captionWithheld)})`
              : '(no caption yet)',
        );
        if (detail.offline) console.log(`(its folder is offline since ${new Date(detail.offline.since).toLocaleString()}: ${shown(detail.offline.reason)})`);
      });
    });

  program
    .command('ocr')
    .description('read the text in photos (signs, receipts, screenshots) so it can be searched: on, off, or show how far it got')
    .argument('[state]', 'on or off (none: show the state); download: fetch the OCR models from a model mirror (when npm did not install them)')
    .option('--wait <seconds>', 'how long to wait when another Glimpse process is updating the library', seconds, 30)
    .option('--base-url <url>', 'the model mirror for download (also GLIMPSE_MODEL_BASE_URL)')
    .action(async (state: string | undefined, o: { wait: number; baseUrl?: string }) => {
      if (state !== undefined && state !== 'on' && state !== 'off' && state !== 'download') throw new Error(`glimpse ocr takes "on", "off" or "download", not "${state}"`);
      if (state === 'download') {
        const { downloadOcrPack, readOcrManifest } = await import('../main/engine/ocr/ocr-pack.js');
        const dir = await downloadOcrPack(await readOcrManifest(), { modelsDir: join(program.opts<GlobalOptions>().dataDir, 'models'), baseUrl: o.baseUrl });
        return console.log(`Installed the OCR models in ${shown(dir)} (every file checked against its SHA-256).`);
      }
      if (state === undefined) return withEngine(program, async (engine) => console.log(ocrLine(engine.ocrStatus())));
      await withEngine(
        program,
        async (engine) => {
          const progress = (await import('./progress.js')).createProgressReporter();
          engine.on('progress', progress.update);
          try {
            engine.setOcr(state === 'on');
            await engine.idle(); // turned on: the photos indexed without it are read now
          } finally {
            progress.stop();
          }
          console.log(ocrLine(engine.ocrStatus()));
        },
        { write: true, waitSeconds: o.wait },
      );
    });

  program
    .command('concepts')
    .description('concepts you taught Glimpse ("my cat Miso"): list, teach from example photos, correct ("not"), forget; search for one by its name')
    .argument('[action]', 'list (the default), teach, not or forget')
    .argument('[name]', "the concept's name")
    .argument('[photos...]', 'photos (paths or ids): examples for teach, one counter-example for not')
    .option('--json', 'print JSON')
    .action(async (action: string | undefined, name: string | undefined, photos: string[], o: { json?: boolean }) => {
      const verb = action ?? 'list';
      if (!['list', 'teach', 'not', 'forget'].includes(verb)) throw new Error(`glimpse concepts takes list, teach, not or forget, not "${verb}"`);
      if (verb !== 'list' && !name) throw new Error(`glimpse concepts ${verb} needs the concept's name`);
      if ((verb === 'teach' || verb === 'not') && photos.length === 0)
        throw new Error(`glimpse concepts ${verb} needs ${verb === 'teach' ? 'example photos' : 'the photo that is not it'}`);
      await withEngine(program, async (engine) => {
        const ids = photos.map((photo) => {
          const row = /^\d+$/.test(photo) ? engine.stores.photos.photo(Number(photo)) : engine.stores.photos.photoByPath(typedPath(photo));
          if (!row) throw new Error(`${photo} is not in the library; index its folder first`);
          return row.id;
        });
        const existing = name ? engine.conceptNamed(name) : undefined;
        if (verb === 'list') {
          const list = engine.concepts();
          if (o.json) return console.log(JSON.stringify(list, null, 2));
          if (list.length === 0) return console.log('No concepts yet. Teach one: glimpse concepts teach "my cat Miso" photo1.jpg photo2.jpg photo3.jpg');
          for (const c of list)
            console.log(
              `${shown(c.name)}: ${plural(c.examples.length, 'example')}${c.counterExamples.length ? `, ${plural(c.counterExamples.length, 'counter-example')}` : ''}; matches ${plural(c.matches, 'photo')}`,
            );
          return;
        }
        if (verb !== 'teach' && !existing) throw new Error(`there is no concept called "${name}"`);
        let concept;
        if (verb === 'forget') {
          engine.forgetConcept(existing!.id);
          return console.log(`Forgot ${shown(existing!.name)}.`);
        } else if (verb === 'teach') concept = existing ? engine.updateConcept(existing.id, { addExamples: ids }) : engine.teachConcept(name!, ids);
        else concept = engine.updateConcept(existing!.id, { addCounterExamples: ids });
        if (o.json) return console.log(JSON.stringify(concept, null, 2));
        console.log(
          `${shown(concept.name)}: ${plural(concept.examples.length, 'example')}${concept.counterExamples.length ? `, ${plural(concept.counterExamples.length, 'counter-example')}` : ''}; matches ${plural(concept.matches, 'photo')}.`,
        );
        if (concept.examples.length < 3) console.log('Add a few more examples (3 or more) for a reliable concept.');
        console.log(`Search for it: glimpse search "${shown(concept.name)}"`);
      });
    });

  program
    .command('duplicates')
    .description('list exact copies and near-duplicates (bursts, edits, resized or re-saved copies) in groups, best shot first; Glimpse never deletes a file')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      await withEngine(program, async (engine) => printDuplicates(engine.duplicates(), o.json));
    });

  const albums = program
    .command('albums')
    .description('list albums (library folders) with their generated titles and summaries')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      await withEngine(program, async (engine) => {
        const list = engine.albums();
        if (o.json) return console.log(JSON.stringify(list, null, 2));
        if (list.length === 0) return console.log('No albums yet: index a folder first.');
        for (const a of list) console.log(`${String(a.id).padStart(4)}  ${shown(a.title)}${a.edited ? ' (edited)' : ''}\n      ${shown(a.summary)}\n      ${shown(a.path)}`);
      });
    });
  albums
    .command('title')
    .description('give an album your own title')
    .argument('<id>', 'album id', positiveInt)
    .argument('<title>')
    .action(async (id: number, title: string) => {
      await withEngine(program, async (engine) => console.log(shown(engine.setAlbumTitle(id, title).title)));
    });

  program
    .command('doctor')
    .description('check this machine: runtime, data folder, model pack, which device each model session uses')
    .action(async () => (await import('./doctor.js')).runDoctor(engineOptions(program)));

  program
    .command('watch')
    .description('keep folders indexed: watch them and index what changes, with a live progress line')
    .argument('[folders...]', 'folders to add and watch (none: all library folders)')
    .action(async (folders: string[]) => (await import('./watch.js')).runWatch(engineOptions(program), folders));

  program
    .command('web')
    .description('serve the Glimpse app to a browser on this machine (loopback only, with a per-run token)')
    .option('--port <port>', 'port (0: any free port)', (v) => Number(v), 0)
    .option('--no-open', 'accepted for compatibility; the URL is printed, never opened')
    .action(async (o: { port: number }) => (await import('./web.js')).runWeb(engineOptions(program), o.port));

  program
    .command('sample')
    .description('write a sample library of generated scenes (the bundled model understands them) into a folder')
    .argument('<dir>')
    .option('--count <n>', 'how many photos', positiveInt, 60)
    .action(async (dir: string, o: { count: number }) => {
      const { writeSampleLibrary } = await import('../scenes/sample-library.js');
      const written = await writeSampleLibrary(typedPath(dir), { count: o.count });
      console.log(`Wrote ${plural(written.length, 'photo')} to ${shown(typedPath(dir))}. Index them with: glimpse index ${shown(typedPath(dir))}`);
    });

  registerModelCommands(
    program,
    () => program.opts<GlobalOptions>().dataDir,
    (work) => withEngine(program, work, { write: true, waitSeconds: 30 }),
  );
  registerFolderCommands(
    program,
    () => program.opts<GlobalOptions>().dataDir,
    (work) => withEngine(program, work, { write: false }),
    (work) => withEngine(program, work, { write: true, waitSeconds: 30 }),
    (message) => new UsageError(message),
  );
  registerPeopleCommands(
    program,
    (work) => withEngine(program, work, { write: false }),
    (work) => withEngine(program, work, { write: true, waitSeconds: 30 }),
    (message) => new UsageError(message),
    typedPath,
  );
  registerPlacesCommands(program, (work) => withEngine(program, work, { write: false }));
  registerGpuCommands(program);
  return program;
}

function peakRssMb(): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Math.round(Number(kb) / 1024);
  } catch {
    // not Linux
  }
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

async function main(): Promise<void> {
  // For the benchmark's cold-start measurement: the process's peak memory, reported at exit. Linux's
  // VmHWM, because getrusage's maxRSS keeps the parent's peak across fork+exec.
  if (process.env.GLIMPSE_REPORT_RSS) process.on('exit', () => process.stderr.write(`max-rss-mb=${peakRssMb()}\n`));
  const program = buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') process.exit(0);
    if (code?.startsWith('commander.')) process.exit(2);
    if (error instanceof UsageError) {
      console.error(`glimpse: ${shown(error.message)}`);
      process.exit(2);
    }
    if (isDamage(error))
      console.error(`glimpse: the library's catalogue is damaged (${shown((error as Error).message)}). Run glimpse index (or open Glimpse) to recover it from its backup.`);
    else console.error(`glimpse: ${shown(errorText(error))}`);
    process.exit(1);
  }
}

await main();
