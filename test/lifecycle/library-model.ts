/**
 * A model-based test of the library engine: seeded random sequences of what a library lives through
 * (photos added, edited, deleted, moved; folders moved; a drive unplugged and plugged back; captions and hearts
 * written by hand; the model switched; the indexer killed with SIGKILL; the engine reopened; its index
 * files damaged; the catalogue emptied, deleted or its header zeroed; two files' names swapped; a photo
 * replaced by a link to a file outside the library; a second process reading or trying to write) run on
 * real files with the real engine,
 * and after every step the engine is compared with a simple oracle of what must be true:
 *
 * - the catalogue holds exactly the photos the oracle says it knows (present files, and the files of
 *   offline folders), at their current paths;
 * - a photo keeps its id for as long as the engine can know it is the same photo (same path, or moved
 *   with its content unchanged), and an id is never given to another photo;
 * - every caption written by hand, and every favourite, is still there, on the photo it was written for, and nowhere else;
 * - every photo with a vector for the active model is found by a broad search with `all`, and nothing
 *   else is; photos in offline folders are marked offline;
 * - the HNSW index holds exactly the catalogue's vectors, and its top 10 equal an exact search, with a
 *   filter too;
 * - a second process sees what this one sees, and a second writer is refused with a clear message;
 * - an emptied or missing catalogue is never opened as a new library: a reader refuses it, the writer
 *   restores its backup (and salvages what a damaged file still holds), and every invariant above holds;
 * - a photo id serves only the file that was indexed, never what replaced it.
 *
 * A failing sequence is shrunk to a shortest one that still fails, printed as JSON to replay with
 * `npm run soak -- --replay '<json>'`.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { mkdir, open as openFile, rename, rm, stat, symlink, truncate, unlink, utimes, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { nameWords } from '../../src/main/engine/catalog/text-keys.js';
import { backupCatalog } from '../../src/main/engine/catalog/backup.js';
import { GlimpseEngine } from '../../src/main/engine/engine.js';
import { ApiHost } from '../../src/main/host/api-host.js';
import { randomScene, seededRandom } from '../../src/scenes/scene.js';
import { isVideoFile } from '../../src/main/engine/media/formats.js';
import { writeSceneVideo } from '../../src/scenes/scene-video.js';
import { renderScene } from '../../src/scenes/render.js';
import { checkStacks } from './stacks.js';
import { checkTextLayer } from './text-layer.js';
import { FACE_EVERY, type FaceVerdict, checkPeople, facePhoto, nameFace, rejectFace } from './people.js';
import { type PlaceMemory, checkPlaces, gpsOf } from './places.js';
import { searchParams } from '../../src/shared/api.js';
import { installPackCopy, tempDir } from '../fixtures.js';

const CLI = fileURLToPath(new URL('../../src/cli/glimpse.ts', import.meta.url));
const MODELS = ['tiny-coca', 'tiny-coca-copy'] as const;
/**
 * A query the text encoder understands, with all: every photo with a vector. Was 'a photo' (stop words, so
 * no keyword matched); since c6d8c9a the query parser leaves nothing of a query of only stop words and such
 * a search finds nothing, so a word the tiny packs know ('sky'): its keyword matches (generated captions)
 * are photos with vectors anyway.
 */
const BROAD_QUERY = 'sky';
/** The concept the model teaches by hand (with the captions it writes). */
const CONCEPT = "Rex's porch";

export type Op =
  | { kind: 'add'; pick: number }
  | { kind: 'bulkAdd'; pick: number; count: number }
  | { kind: 'addBroken'; pick: number }
  | { kind: 'edit'; pick: number }
  | { kind: 'delete'; pick: number }
  | { kind: 'moveFile'; pick: number; to: number }
  | { kind: 'moveFolder'; pick: number; to: number }
  /** Two files of one kind trade names: their photos (ids, captions, concepts) follow the content. */
  | { kind: 'swapNames'; pick: number; to: number }
  | { kind: 'unplug'; pick: number }
  | { kind: 'replug'; pick: number }
  | { kind: 'caption'; pick: number }
  | { kind: 'clearCaption'; pick: number }
  | { kind: 'index' }
  | { kind: 'switchModel' }
  /** SIGKILL the indexer after `afterMs`, or (null) as soon as its first batch is in the catalogue. */
  | { kind: 'kill'; afterMs: number | null }
  | { kind: 'reopen' }
  | { kind: 'damageIndex'; how: 'truncate' | 'garbage' | 'sidecar' }
  | { kind: 'secondReader' }
  | { kind: 'secondWriter' }
  /**
   * The catalogue emptied (0 bytes), deleted, or its header zeroed, right after a backup (and, for the
   * header, a caption written after that backup): a reader refuses an emptied or missing one and
   * touches nothing; the writer restores the backup and salvages what the damaged file still holds.
   */
  | { kind: 'damageCatalog'; how: 'empty' | 'missing' | 'header'; pick: number }
  /** An indexed photo replaced by a symbolic link to a file outside the library (same size and time): its id serves nothing. */
  | { kind: 'linkOutside'; pick: number }
  | { kind: 'nameFace'; pick: number }
  | { kind: 'rejectFace'; pick: number };

export interface GenerateOptions {
  /** Include the operations that start child processes (kill -9, second reader and writer): slower. */
  processes?: boolean;
}

const WEIGHTS: ReadonlyArray<[Op['kind'], number, boolean]> = [
  ['add', 16, false],
  ['bulkAdd', 1, false],
  ['addBroken', 2, false],
  ['edit', 6, false],
  ['delete', 6, false],
  ['moveFile', 6, false],
  ['moveFolder', 3, false],
  ['swapNames', 3, false],
  ['unplug', 3, false],
  ['replug', 4, false],
  ['caption', 6, false],
  ['clearCaption', 1, false],
  ['index', 18, false],
  ['switchModel', 2, false],
  ['reopen', 3, false],
  ['damageIndex', 2, false],
  ['kill', 3, true],
  ['secondReader', 2, true],
  ['secondWriter', 1, true],
  ['damageCatalog', 2, false],
  ['linkOutside', 2, false],
  ['nameFace', 5, false],
  ['rejectFace', 3, false],
];

/** The same seed always gives the same sequence. */
export function generate(seed: number, steps: number, options: GenerateOptions = {}): Op[] {
  const random = seededRandom(seed);
  const table = WEIGHTS.filter(([, , needsProcess]) => options.processes || !needsProcess);
  const total = table.reduce((s, [, w]) => s + w, 0);
  const ops: Op[] = [];
  for (let i = 0; i < steps; i++) {
    let r = random() * total;
    const kind = table.find(([, w]) => (r -= w) < 0)?.[0] ?? 'index';
    const pick = random();
    const to = random();
    switch (kind) {
      case 'moveFile':
      case 'moveFolder':
      case 'swapNames':
        ops.push({ kind, pick, to });
        break;
      case 'kill':
        ops.push({ kind, afterMs: to < 0.5 ? null : Math.round(300 + pick * 2500) });
        break;
      case 'bulkAdd':
        ops.push({ kind, pick, count: 10 + Math.floor(to * 40) });
        break;
      case 'damageIndex':
        ops.push({ kind, how: (['truncate', 'garbage', 'sidecar'] as const)[Math.floor(pick * 3)]! });
        break;
      case 'damageCatalog':
        ops.push({ kind, how: (['empty', 'missing', 'header'] as const)[Math.floor(to * 3)]!, pick });
        break;
      case 'index':
      case 'switchModel':
      case 'reopen':
      case 'secondReader':
      case 'secondWriter':
        ops.push({ kind });
        break;
      default:
        ops.push({ kind, pick });
    }
  }
  // Always end on an index, so the last check compares a library that has caught up.
  ops.push({ kind: 'index' });
  return ops;
}

// ---------------------------------------------------------------- the oracle

interface DiskFile {
  content: number;
  broken: boolean;
}

interface Row {
  key: number;
  path: string;
  /** The content the engine last indexed (its fingerprint is what recognises a moved file). */
  indexedContent: number | null;
  /** Model -> content its vector was computed from. */
  vectors: Map<string, number>;
  caption: string | null;
  /** Marked by hand as an example (true) or counter-example (false) of the concept the model teaches; null: neither. */
  concept: boolean | null;
  /** Marked as a favourite (the heart) by hand. */
  favourite?: boolean;
  /** The engine's id, learnt when the row is first seen; it must never change. */
  id?: number;
  /** Its file failed to decode at the last index: its fingerprint no longer names it anywhere. */
  failed?: boolean;
  /** What the user said of its leftmost face ("this is Ada", "not Ada"), for the content it had then. */
  face?: FaceVerdict;
}

function under(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir + sep);
}

/** The GPS a photo of this content is written with in its EXIF (places.ts), if any. */
function gpsExif(content: number): { gps?: { lat: number; lon: number } } {
  const gps = gpsOf(content);
  return gps ? { gps: { lat: gps.lat, lon: gps.lon } } : {};
}

function pickFrom<T>(list: readonly T[], pick: number): T | undefined {
  return list.length ? list[Math.floor(pick * list.length)] : undefined;
}

class Oracle {
  /** Files by the path they have when every root is plugged in. */
  readonly disk = new Map<string, DiskFile>();
  /** Folders that exist (roots included), by the same paths. */
  readonly dirs = new Set<string>();
  readonly unplugged = new Set<string>();
  readonly rows = new Map<number, Row>();
  /** Every engine id ever seen, with the row it belonged to. */
  readonly idsSeen = new Map<number, number>();
  maxIdSeen = 0;
  model: string = MODELS[0];
  /** Roots the last index found offline while they held photos: what the engine reports as offline. */
  markedOffline: string[] = [];
  /** Whether the concept (CONCEPT) has been taught: once taught, it must survive every step. */
  conceptTaught = false;
  /** The last step was a completed update: the stacks must be current. */
  stacksCurrent = false;
  private nextKey = 1;

  constructor(readonly roots: readonly string[]) {}

  onlineRoot(path: string): boolean {
    return !this.unplugged.has(this.roots.find((r) => under(path, r))!);
  }

  onlineFiles(): string[] {
    return [...this.disk.keys()].filter((p) => this.onlineRoot(p)).sort();
  }

  onlineDirs(): string[] {
    return [...this.dirs].filter((d) => this.onlineRoot(d)).sort();
  }

  private entriesIn(dir: string): number {
    const direct = (p: string) => dirname(p) === dir;
    return [...this.disk.keys()].filter(direct).length + [...this.dirs].filter(direct).length;
  }

  /** Roots the engine must treat as offline: unplugged ones, and plugged ones that list as empty while holding photos. */
  offlineRoots(): string[] {
    return this.roots.filter((r) => this.unplugged.has(r) || (this.entriesIn(r) === 0 && [...this.rows.values()].some((row) => under(row.path, r)))).sort();
  }

  /** What a complete scan and index does, as reconcile.ts promises it. */
  index(): void {
    const offline = this.offlineRoots();
    const isOffline = (p: string) => offline.some((r) => under(p, r));
    const byPath = new Map([...this.rows.values()].map((r) => [r.path, r]));
    const gone = new Set<Row>();
    const kept = new Set<Row>();
    for (const row of this.rows.values()) if (!this.disk.has(row.path) || isOffline(row.path)) (isOffline(row.path) ? kept : gone).add(row);
    // A photo is its content: a row whose path now holds other content than it was indexed with has
    // left that path, and a file holding the indexed content of a row that left (or vanished, or is kept
    // offline) is that row, moved (names swapped, a photo moved over another).
    const known = (r: Row) => r.indexedContent !== null && !r.failed;
    const left = new Set([...this.rows.values()].filter((r) => !gone.has(r) && !kept.has(r) && known(r) && this.disk.get(r.path)!.content !== r.indexedContent));
    const destinations = [...this.disk.keys()].filter((p) => !isOffline(p) && (!byPath.has(p) || left.has(byPath.get(p)!))).sort();
    const claimed = new Set<string>();
    const moved = new Set<Row>();
    for (const path of destinations) {
      const file = this.disk.get(path)!;
      const here = byPath.get(path);
      const source = [...gone, ...kept, ...left].find((g) => g !== here && !moved.has(g) && known(g) && !file.broken && g.indexedContent === file.content);
      if (!source) continue;
      moved.add(source);
      claimed.add(path);
      gone.delete(source);
      kept.delete(source);
    }
    const displaced = [...left].filter((r) => claimed.has(r.path) && !moved.has(r));
    const fresh = destinations.filter((p) => !claimed.has(p) && (!byPath.has(p) || moved.has(byPath.get(p)!)));
    for (const row of moved) row.path = destinations.find((p) => claimed.has(p) && this.disk.get(p)!.content === row.indexedContent)!;
    for (const row of [...gone, ...displaced]) this.rows.delete(row.key);
    for (const path of fresh) {
      const key = this.nextKey++;
      this.rows.set(key, { key, path, indexedContent: null, vectors: new Map(), caption: null, concept: null });
    }
    // Reported offline: the offline roots that still hold photos not found elsewhere.
    this.markedOffline = offline.filter((r) => [...this.rows.values()].some((row) => under(row.path, r)));
    for (const row of this.rows.values()) {
      if (isOffline(row.path)) continue;
      const file = this.disk.get(row.path)!;
      row.failed = file.broken;
      if (file.broken) continue;
      row.indexedContent = file.content;
      row.vectors.set(this.model, file.content);
    }
  }

  /** Rows a caption can be written on: the engine knows them at their current path and indexed them. */
  captionable(): Row[] {
    return [...this.rows.values()].filter((r) => r.indexedContent !== null && this.disk.has(r.path) && this.onlineRoot(r.path)).sort((a, b) => a.key - b.key);
  }
}

// ---------------------------------------------------------------- running a sequence

export class SequenceFailure extends Error {
  constructor(
    readonly step: number,
    readonly op: Op | null,
    readonly cause: unknown,
  ) {
    super(`step ${step}${op ? ` (${JSON.stringify(op)})` : ' (set-up)'}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

async function withTimeout<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish in ${ms / 1000} s`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function cli(dataDir: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', CLI, '--data-dir', dataDir, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/**
 * Runs one sequence in a fresh folder and checks the invariants after every step. Resolves when all
 * hold; rejects with a SequenceFailure naming the first step where one did not.
 */
export async function runSequence(ops: readonly Op[], log: (line: string) => void = () => undefined): Promise<void> {
  const tmp = tempDir('glimpse-lifecycle-');
  const roots = [join(tmp.path, 'lib', 'A'), join(tmp.path, 'lib', 'B')];
  const away = join(tmp.path, 'away');
  const outside = join(tmp.path, 'outside');
  const dataDir = join(tmp.path, 'data');
  const oracle = new Oracle(roots);
  let engine: GlimpseEngine | undefined;
  let counter = 0;
  /** Files added one at a time: every third is a video. */
  let singleAdds = 0;
  // Every other open is the app's: its whole-file checks run after open, while the next steps go on.
  let opens = 0;
  /** Each photo's city at the last completed update (places.ts). */
  const places: PlaceMemory = new Map();
  const open = async () => (engine = await GlimpseEngine.open({ dataDir, device: 'cpu', model: oracle.model, checks: ++opens % 2 === 0 ? 'after-open' : 'at-open' }));
  const close = async () => {
    await engine?.close();
    engine = undefined;
  };
  const writePhoto = async (path: string, broken: boolean): Promise<DiskFile> => {
    const content = ++counter;
    await mkdir(dirname(path), { recursive: true });
    if (!broken && isVideoFile(path)) {
      // A video lives through the same operations as a photo: two scenes of two seconds each.
      await writeSceneVideo(
        path,
        [
          { scene: randomScene(content), seconds: 2 },
          { scene: randomScene(content + 1_000_000), seconds: 2 },
        ],
        { width: 96, height: 72 },
      );
    } else {
      const bytes = broken
        ? Buffer.from(`not a photo ${content}\n`.repeat(40))
        : content % FACE_EVERY === 0
          ? await facePhoto(content)
          : await renderScene(randomScene(content), {
              width: 96,
              height: 72,
              format: 'jpeg',
              exif: { takenAt: new Date(Date.UTC(2020, 0, 1) + content * 60_000), ...gpsExif(content) },
            });
      await writeFile(path, bytes);
    }
    const file = { content, broken };
    oracle.disk.set(path, file);
    return file;
  };

  const step = async (op: Op): Promise<void> => {
    const e = engine!;
    oracle.stacksCurrent = false;
    switch (op.kind) {
      case 'add':
      case 'addBroken': {
        const dir = pickFrom(oracle.onlineDirs(), op.pick);
        if (dir) await writePhoto(join(dir, `p${counter + 1}.${++singleAdds % 3 === 0 ? 'mp4' : 'jpg'}`), op.kind === 'addBroken');
        break;
      }
      case 'bulkAdd': {
        const dirs = oracle.onlineDirs();
        for (let i = 0; i < op.count && dirs.length; i++) await writePhoto(join(pickFrom(dirs, (op.pick + i * 0.37) % 1)!, `p${counter + 1}.jpg`), false);
        break;
      }
      case 'edit': {
        const path = pickFrom(
          oracle.onlineFiles().filter((p) => !oracle.disk.get(p)!.broken),
          op.pick,
        );
        if (path) await writePhoto(path, false);
        break;
      }
      case 'delete': {
        const path = pickFrom(oracle.onlineFiles(), op.pick);
        if (path) {
          await unlink(path);
          oracle.disk.delete(path);
        }
        break;
      }
      case 'moveFile': {
        const path = pickFrom(oracle.onlineFiles(), op.pick);
        const dir = pickFrom(oracle.onlineDirs(), op.to);
        if (path && dir) {
          const to = join(dir, `m${++counter}-${basename(path)}`);
          await rename(path, to);
          oracle.disk.set(to, oracle.disk.get(path)!);
          oracle.disk.delete(path);
        }
        break;
      }
      case 'swapNames': {
        const files = oracle.onlineFiles();
        const a = pickFrom(files, op.pick);
        const b =
          a &&
          pickFrom(
            files.filter((p) => p !== a && extname(p) === extname(a)),
            op.to,
          );
        if (a && b) {
          await rename(a, `${a}.swap`);
          await rename(b, a);
          await rename(`${a}.swap`, b);
          const fileA = oracle.disk.get(a)!;
          oracle.disk.set(a, oracle.disk.get(b)!);
          oracle.disk.set(b, fileA);
        }
        break;
      }
      case 'moveFolder': {
        const folder = pickFrom(
          oracle.onlineDirs().filter((d) => !roots.includes(d)),
          op.pick,
        );
        const root = pickFrom(
          roots.filter((r) => !oracle.unplugged.has(r)),
          op.to,
        );
        if (folder && root && !under(root, folder)) {
          const to = join(root, `f${++counter}`);
          await rename(folder, to);
          const move = (p: string) => (under(p, folder) ? to + p.slice(folder.length) : p);
          for (const [p, f] of [...oracle.disk]) {
            if (!under(p, folder)) continue;
            oracle.disk.delete(p);
            oracle.disk.set(move(p), f);
          }
          for (const d of [...oracle.dirs]) {
            if (!under(d, folder)) continue;
            oracle.dirs.delete(d);
            oracle.dirs.add(move(d));
          }
        }
        break;
      }
      case 'unplug': {
        const root = pickFrom(
          roots.filter((r) => !oracle.unplugged.has(r)),
          op.pick,
        );
        if (root) {
          await mkdir(away, { recursive: true });
          await rename(root, join(away, basename(root)));
          oracle.unplugged.add(root);
        }
        break;
      }
      case 'replug': {
        const root = pickFrom([...oracle.unplugged].sort(), op.pick);
        if (root) {
          await rename(join(away, basename(root)), root);
          oracle.unplugged.delete(root);
        }
        break;
      }
      case 'caption': {
        const row = pickFrom(oracle.captionable(), op.pick);
        if (row) {
          const text = `by hand ${++counter}: Rex at grandma's porch`;
          const id = e.stores.photos.photoByPath(row.path)!.id;
          e.setCaption(id, text);
          row.caption = text;
          // ...and marked as a favourite: the user's own mark, which must follow the photo as its caption does.
          e.setFavourite([id], true);
          row.favourite = true;
          // The photo captioned by hand is also taught as an example of a concept (every third one a
          // counter-example), from the same draw, so the generated sequences stay as they were.
          const positive = counter % 3 !== 0;
          const taught = e.conceptNamed(CONCEPT);
          if (taught) e.updateConcept(taught.id, positive ? { addExamples: [id] } : { addCounterExamples: [id] });
          else if (positive) e.teachConcept(CONCEPT, [id]);
          if (taught || positive) {
            row.concept = positive;
            oracle.conceptTaught = true;
          }
        }
        break;
      }
      case 'clearCaption': {
        const row = pickFrom(
          oracle.captionable().filter((r) => r.caption !== null),
          op.pick,
        );
        if (row) {
          const id = e.stores.photos.photoByPath(row.path)!.id;
          e.setCaption(id, '');
          row.caption = null;
          e.setFavourite([id], false);
          row.favourite = false;
        }
        break;
      }
      case 'nameFace':
      case 'rejectFace': {
        const row = pickFrom(
          oracle.captionable().filter((r) => oracle.disk.get(r.path)!.content === r.indexedContent && r.indexedContent % FACE_EVERY === 0),
          op.pick,
        );
        if (!row) break;
        const verdict = op.kind === 'nameFace' ? nameFace(e, row.path, row.indexedContent!, ++counter) : rejectFace(e, row.path, row.indexedContent!);
        if (verdict) row.face = verdict;
        break;
      }
      case 'index':
        await withTimeout('index', 120_000, e.update());
        oracle.index();
        oracle.stacksCurrent = true;
        break;
      case 'switchModel':
        await close();
        oracle.model = oracle.model === MODELS[0] ? MODELS[1] : MODELS[0];
        await withTimeout('index', 120_000, (await open()).update());
        oracle.index();
        oracle.stacksCurrent = true;
        break;
      case 'reopen':
        await close();
        await open();
        break;
      case 'damageIndex': {
        const sidecar = e.index.file;
        await close(); // saves the index: damage what is on disk after that
        const generation = existsSync(sidecar) ? (JSON.parse(readFileSync(sidecar, 'utf8')) as { generation: string }).generation : null;
        // The generation's graph file (`<model>@<gen>.hnsw`), or with several graphs the last of them
        // (`<model>@<gen>.<i>.hnsw`, held by a thread of its own).
        const graphs = generation
          ? readdirSync(dirname(sidecar))
              .filter((f) => f.startsWith(`${oracle.model}@${generation}.`) && f.endsWith('.hnsw'))
              .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
          : [];
        const data = graphs.length > 0 ? join(dirname(sidecar), graphs.at(-1)!) : null;
        if (op.how === 'sidecar') await writeFile(sidecar, '{"format": 2, "model": ');
        else if (data && op.how === 'truncate') await truncate(data, 64);
        else if (data) {
          // Garbage of the same size in the middle of the graph: only a checksum can tell.
          const handle = await openFile(data, 'r+');
          const { size } = await handle.stat();
          await handle.write(Buffer.alloc(Math.min(4096, size), 0x5a), 0, Math.min(4096, size), Math.floor(size / 2));
          await handle.close();
        }
        await open();
        break;
      }
      case 'damageCatalog': {
        await backupCatalog(e.catalog, join(dataDir, 'backups'));
        const row = op.how === 'header' ? pickFrom(oracle.captionable(), op.pick) : undefined;
        if (row) {
          // Written after the backup: only the damaged file holds it, and salvage must find it there.
          const text = `after the backup ${++counter}`;
          e.setCaption(e.stores.photos.photoByPath(row.path)!.id, text);
          row.caption = text;
        }
        await close();
        const file = join(dataDir, 'catalog.sqlite');
        if (op.how === 'empty') await truncate(file, 0);
        else if (op.how === 'missing') await unlink(file);
        else {
          const handle = await openFile(file, 'r+');
          await handle.write(Buffer.alloc(100), 0, 100, 0);
          await handle.close();
        }
        if (op.how !== 'header') {
          // A reader (a `glimpse search`) never takes an emptied library for a new one, and leaves it as it is.
          await assert.rejects(GlimpseEngine.open({ dataDir, device: 'cpu', model: oracle.model, access: 'read' }), /held a library/);
          assert.equal(existsSync(file) ? statSync(file).size : -1, op.how === 'empty' ? 0 : -1, 'the reader left the catalogue as it found it');
        }
        const reopened = await open();
        assert.ok(
          reopened.notices.some((n) => /restored the backup/.test(n)),
          `the writer says it restored the backup: ${reopened.notices.join(' | ')}`,
        );
        break;
      }
      case 'linkOutside': {
        const row = pickFrom(oracle.captionable(), op.pick);
        if (!row || oracle.disk.get(row.path)!.broken) break;
        const photo = e.stores.photos.photoByPath(row.path)!;
        // A file outside every library folder, of the photo's size and modification time.
        const secret = join(outside, `secret-${++counter}`);
        await mkdir(outside, { recursive: true });
        await writeFile(secret, Buffer.alloc(photo.size, 0x41));
        const { mtime } = await stat(row.path);
        await utimes(secret, mtime, mtime);
        await rename(row.path, `${row.path}.aside`);
        await symlink(secret, row.path);
        // The app's host, reading beside this process's writer, asked for the photo by id.
        const host = await ApiHost.open({ dataDir, device: 'cpu', model: oracle.model, watch: false });
        try {
          assert.equal(await host.mediaFile('full', photo.id), null, 'a photo id never serves a file that replaced the photo');
          const other = oracle.captionable().find((r) => r !== row && oracle.disk.get(r.path)!.content === r.indexedContent);
          if (other) assert.ok(await host.mediaFile('full', e.stores.photos.photoByPath(other.path)!.id), 'another photo is still served');
        } finally {
          await host.close();
          await unlink(row.path);
          await rename(`${row.path}.aside`, row.path);
        }
        break;
      }
      case 'kill': {
        await close();
        const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--data-dir', dataDir, '--model', oracle.model, '--device', 'cpu', 'index', '--json'], { stdio: 'ignore' });
        let done = false;
        const exited = new Promise<void>((resolve) =>
          child.on('exit', () => {
            done = true;
            resolve();
          }),
        );
        if (op.afterMs !== null) await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, op.afterMs!))]);
        else {
          // Mid-index: as soon as a batch is committed (another connection sees it through WAL).
          const watcher = new Database(join(dataDir, 'catalog.sqlite'), { readonly: true });
          const last = () => watcher.prepare('SELECT coalesce(max(seq), 0) FROM vector_log').pluck().get() as number;
          const before = last();
          const deadline = Date.now() + 60_000;
          while (!done && last() === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
          watcher.close();
        }
        child.kill('SIGKILL');
        await exited;
        await withTimeout('index after kill -9', 120_000, (await open()).update());
        oracle.index();
        break;
      }
      case 'secondReader': {
        const run = cli(dataDir, ['--model', oracle.model, '--device', 'cpu', 'search', BROAD_QUERY, '--all', '--limit', '1000', '--json']);
        assert.equal(run.status, 0, `a second process could not search: ${run.stderr}`);
        const theirs = (JSON.parse(run.stdout) as { results: Array<{ path: string; offline: boolean }> }).results.map((r) => `${r.path}${r.offline ? ' (offline)' : ''}`).sort();
        const ours = (await e.search(searchParams.parse({ query: BROAD_QUERY, all: true, limit: 1000 }))).results.map((r) => `${r.path}${r.offline ? ' (offline)' : ''}`).sort();
        assert.deepEqual(theirs, ours, 'a second process sees the library this one sees');
        break;
      }
      case 'secondWriter': {
        const run = cli(dataDir, ['--model', oracle.model, '--device', 'cpu', 'index', '--wait', '0']);
        assert.equal(run.status, 1, 'a second writer is refused');
        assert.match(run.stderr, new RegExp(`Another Glimpse process is updating this library \\(pid ${process.pid}`));
        break;
      }
    }
  };

  const check = async (): Promise<void> => {
    const e = engine!;
    const model = oracle.model;
    // The catalogue knows exactly the oracle's photos, at their current paths.
    const rows = e.catalog.db.prepare('SELECT id, path FROM photos').all() as Array<{ id: number; path: string }>;
    const idByPath = new Map(rows.map((r) => [r.path, r.id]));
    assert.deepEqual(
      [...idByPath.keys()].sort(),
      [...oracle.rows.values()].map((r) => r.path).sort(),
      'the catalogue holds the present photos and those of offline folders, nothing else',
    );
    // Ids: stable for a photo, never reused, always new for a new photo.
    const firstSeen: Array<[Row, number]> = [];
    for (const row of oracle.rows.values()) {
      const id = idByPath.get(row.path)!;
      if (row.id === undefined) firstSeen.push([row, id]);
      else assert.equal(id, row.id, `${row.path} keeps its id`);
    }
    for (const [row, id] of firstSeen) {
      assert.ok(!oracle.idsSeen.has(id), `id ${id} (${row.path}) was never used before`);
      assert.ok(id > oracle.maxIdSeen, `a new photo gets a new id (${id} after ${oracle.maxIdSeen})`);
    }
    for (const [row, id] of firstSeen) {
      row.id = id;
      oracle.idsSeen.set(id, row.key);
      oracle.maxIdSeen = Math.max(oracle.maxIdSeen, id);
    }
    // Captions written by hand: still there, on their photo, and nowhere else.
    const userCaptions = new Map(
      (e.catalog.db.prepare(`SELECT p.path, t.text FROM texts t JOIN photos p ON p.id = t.photo_id WHERE t.source = 'user'`).all() as Array<{ path: string; text: string }>).map(
        (r) => [r.path, r.text],
      ),
    );
    const expected = new Map([...oracle.rows.values()].filter((r) => r.caption !== null).map((r) => [r.path, r.caption!]));
    assert.deepEqual(new Map([...userCaptions].sort()), new Map([...expected].sort()), 'every caption written by hand survives, where it was written');
    // Favourites, the same: on their photo, wherever it moved, and nowhere else.
    const favourites = (e.catalog.db.prepare('SELECT p.path FROM favourites f JOIN photos p ON p.id = f.photo_id').pluck().all() as string[]).sort();
    assert.deepEqual(
      favourites,
      [...oracle.rows.values()]
        .filter((r) => r.favourite)
        .map((r) => r.path)
        .sort(),
      'every favourite stays on its photo',
    );
    // The keyword table has exactly one row per photo, holding its current names and captions.
    const keywordRows = e.catalog.db.prepare('SELECT p.path, t.names, t.caption FROM photos p JOIN photo_text t ON t.rowid = p.id').all() as Array<{
      path: string;
      names: string;
      caption: string;
    }>;
    assert.equal(e.catalog.db.prepare('SELECT count(*) FROM photo_text').pluck().get(), rows.length, 'one keyword row per photo');
    assert.equal(keywordRows.length, rows.length);
    for (const k of keywordRows) {
      assert.equal(
        k.names,
        nameWords(
          k.path,
          roots.find((root) => under(k.path, root)),
        ),
        `the keyword row of ${k.path} has its current names, counted from its library folder`,
      );
      const caption = userCaptions.get(k.path);
      if (caption) assert.ok(k.caption.includes(caption), `the keyword row of ${k.path} holds its caption`);
      // ...and of generated captions, the active pack's only: a photo is never found by words the app does not show.
      const shown = (
        e.catalog.db
          .prepare(`SELECT t.text FROM texts t JOIN photos p ON p.id = t.photo_id WHERE p.path = ? AND (t.source = 'user' OR (t.source = 'caption' AND t.model = ?))`)
          .pluck()
          .all(k.path, e.pack.id) as string[]
      ).sort();
      assert.deepEqual(
        k.caption
          .split(' \n ')
          .filter((line) => line !== '')
          .sort(),
        shown,
        `the keyword row of ${k.path} holds the user's caption and the active pack's, nothing else`,
      );
    }
    // Read text (OCR) follows its readings, and its keyword table follows it.
    checkTextLayer(e.catalog);
    // People: faces of photos still here and of their current content, the user's verdicts kept.
    checkPeople(
      e,
      [...oracle.rows.values()].flatMap((r) => (r.face && r.indexedContent !== null ? [{ path: r.path, content: r.indexedContent, verdict: r.face }] : [])),
      oracle.stacksCurrent,
    );
    // Places: of photos still here, of their current content's coordinates, never a file that is not a photo.
    checkPlaces(
      e,
      [...oracle.rows.values()].map((r) => ({ path: r.path, content: r.failed ? null : r.indexedContent })),
      oracle.stacksCurrent,
      places,
      log,
    );
    // Near-duplicate stacks name only photos still here, hold only near-duplicates and copies, and are
    // current after every completed update.
    checkStacks(e.catalog, model, oracle.stacksCurrent);
    // The concept taught by hand survives every step; its examples are the oracle's photos still in the
    // library (a photo that left took its mark with it: never dangling); it matches its examples and
    // never its counter-examples.
    const concept = e.conceptNamed(CONCEPT);
    assert.equal(!!concept, oracle.conceptTaught, 'the concept taught is still there');
    if (concept) {
      const paths = (list: number[]) => list.map((photoId) => e.stores.photos.photo(photoId)?.path ?? `dangling ${photoId}`).sort();
      const marked = (positive: boolean) =>
        [...oracle.rows.values()]
          .filter((r) => r.concept === positive)
          .map((r) => r.path)
          .sort();
      assert.deepEqual(paths(concept.examples), marked(true), 'the concept keeps the examples still in the library, at their paths');
      assert.deepEqual(paths(concept.counterExamples), marked(false), 'and its counter-examples');
      const matches = e.conceptMatches(concept.id);
      for (const photoId of concept.counterExamples) assert.ok(!matches.has(photoId), 'a counter-example never matches');
      for (const photoId of concept.examples) assert.ok(matches.has(photoId), 'an example always matches');
    }
    // Index = catalogue, and ANN = exact search.
    e.index.refresh(e.catalog);
    const { vectors } = e.stores.vectors.allVectors(model);
    assert.equal(e.index.size, vectors.length, 'the index holds every vector of the catalogue');
    // Videos: a video has sampled frames for a model exactly when it has a vector for it, and the
    // index's moments hold exactly the catalogue's frames (times and vectors).
    const { frames } = e.stores.vectors.allFrames(model);
    const withVector = new Set(vectors.map((v) => v.photoId));
    const videos = new Set([...withVector].filter((photoId) => e.stores.photos.photo(photoId)?.media === 'video'));
    assert.deepEqual(new Set(frames.map((f) => f.photoId)), videos, 'every video with a vector has frames, and nothing else has');
    const held = e.index.moments.snapshot();
    assert.deepEqual(
      [...held.keys()].sort((a, b) => a - b),
      [...videos].sort((a, b) => a - b),
      'the index holds the frames of exactly those videos',
    );
    for (const f of frames) {
      const mine = held.get(f.photoId)?.[f.idx];
      assert.ok(mine && mine.t === f.t && mine.vector.every((x, k) => x === f.vector[k]), `the index holds frame ${f.idx} of video ${f.photoId} as the catalogue does`);
    }
    const random = seededRandom(vectors.length + oracle.maxIdSeen);
    for (let q = 0; q < 3 && vectors.length > 0; q++) {
      const query = Float32Array.from({ length: vectors[0]!.vector.length }, () => random() * 2 - 1);
      const exact = vectors.map((v) => ({ id: v.photoId, s: v.vector.reduce((s, x, k) => s + x * query[k]!, 0) })).sort((a, b) => b.s - a.s);
      const ann = e.index.search(query, 10);
      const show = (list: Array<{ id: number; s: number }>) => list.map((x) => `${x.id}:${x.s.toFixed(4)}`).join(' ');
      const truth = new Map(exact.map((x) => [x.id, x.s]));
      const tenth = exact[Math.min(10, exact.length) - 1]!.s;
      // Recall@10 = 1: ten distinct photos, each as close as the exact tenth (equal vectors may swap places).
      assert.ok(
        ann.length === Math.min(10, exact.length) && new Set(ann.map((n) => n.id)).size === ann.length && ann.every((n) => truth.has(n.id) && truth.get(n.id)! >= tenth - 1e-5),
        `the index answers as an exact search does (recall@10 = 1)\n  index: ${show(ann.map((n) => ({ id: n.id, s: n.similarity })))}\n  exact: ${show(exact.slice(0, 12))}`,
      );
      // A filter (here every other photo, and an id with no photo) as the engine asks it: scanned from the catalogue's vectors.
      const allowed = new Set(
        exact
          .filter(() => random() < 0.5)
          .map((x) => x.id)
          .concat([oracle.maxIdSeen + 1000]),
      );
      const filtered = e.index.search(query, 10, allowed, e.catalog);
      const want = exact.filter((x) => allowed.has(x.id)).slice(0, 10);
      const last = want.at(-1)?.s ?? 0;
      assert.ok(
        filtered.length === want.length &&
          new Set(filtered.map((n) => n.id)).size === filtered.length &&
          filtered.every((n) => allowed.has(n.id) && truth.has(n.id) && truth.get(n.id)! >= last - 1e-5),
        `a filtered search is exact\n  index: ${show(filtered.map((n) => ({ id: n.id, s: n.similarity })))}\n  exact: ${show(want)}`,
      );
    }
    // Searchable: every photo with a vector for the active model, marked offline where its folder was at the last scan.
    const offline = oracle.markedOffline;
    const found = (await e.search(searchParams.parse({ query: BROAD_QUERY, all: true, limit: 1000 }))).results.map((r) => `${r.path}${r.offline ? ' (offline)' : ''}`).sort();
    const want = [...oracle.rows.values()]
      .filter((r) => r.vectors.has(model))
      .map((r) => `${r.path}${offline.some((o) => under(r.path, o)) ? ' (offline)' : ''}`)
      .sort();
    assert.deepEqual(found, want, 'a broad search finds every photo with a vector, and only those');
    // Offline folders as the status reports them (those holding photos).
    assert.deepEqual(
      e
        .status()
        .offline.map((o) => o.path)
        .sort(),
      offline,
      'offline folders are reported',
    );
  };

  let index = -1;
  try {
    for (const root of roots) mkdirSync(root, { recursive: true });
    for (const d of [join(roots[0]!, 's0'), join(roots[0]!, 's1'), join(roots[1]!, 's0')]) mkdirSync(d, { recursive: true });
    for (const d of [...roots, join(roots[0]!, 's0'), join(roots[0]!, 's1'), join(roots[1]!, 's0')]) oracle.dirs.add(d);
    await installPackCopy(dataDir, MODELS[1]);
    await open();
    for (const r of roots) engine!.addFolder(r);
    await check();
    for (index = 0; index < ops.length; index++) {
      const op = ops[index]!;
      log(`${String(index).padStart(3)} ${JSON.stringify(op)}`);
      await step(op);
      await check();
      if (engine && engine.index.graphCount > 1) log(`    index: ${engine.index.graphCount} graphs, ${engine.index.graphThreads} on threads of their own`);
    }
  } catch (error) {
    throw new SequenceFailure(index, index >= 0 ? (ops[index] ?? null) : null, error);
  } finally {
    await close().catch(() => undefined);
    // The away folder holds unplugged roots: put nothing back, just remove everything.
    if (existsSync(tmp.path)) rmSync(tmp.path, { recursive: true, force: true });
    await rm(tmp.path, { recursive: true, force: true });
  }
}

/**
 * Shrinks a failing sequence: removes chunks of operations (halves, then quarters, down to single
 * ones) as long as what is left still fails. Bounded by `budget` replays.
 */
export async function shrink(ops: readonly Op[], budget = 60, log: (line: string) => void = () => undefined): Promise<{ ops: Op[]; failure: SequenceFailure }> {
  let current = [...ops];
  let failure: SequenceFailure | undefined;
  const fails = async (candidate: Op[]): Promise<SequenceFailure | undefined> => {
    budget--;
    try {
      await runSequence(candidate);
      return undefined;
    } catch (error) {
      return error instanceof SequenceFailure ? error : new SequenceFailure(-1, null, error);
    }
  };
  failure = await fails(current);
  if (!failure) throw new Error('the sequence did not fail when run again (a flaky failure?)');
  // Nothing after the failing step matters.
  current = current.slice(0, failure.step + 1);
  for (let chunk = Math.max(1, Math.floor(current.length / 2)); chunk >= 1 && budget > 0; chunk = Math.floor(chunk / 2)) {
    for (let start = 0; start < current.length && budget > 0;) {
      const candidate = [...current.slice(0, start), ...current.slice(start + chunk)];
      const f = candidate.length ? await fails(candidate) : undefined;
      if (f) {
        current = candidate.slice(0, f.step + 1);
        failure = f;
        log(`  shrunk to ${current.length} steps`);
      } else start += chunk;
    }
    if (chunk === 1) break;
  }
  return { ops: current, failure };
}

/** Runs a seed; on failure, shrinks it and throws an error that shows the shortest sequence found. */
/**
 * Runs `work` with indexes rebuilt in graphs of `shardSize` vectors (GLIMPSE_INDEX_SHARD_SIZE, which the
 * child processes inherit), so a small library runs a large one's index: several graphs, each but the
 * first on a thread of its own.
 */
export async function withShardSize<T>(shardSize: number | undefined, work: () => Promise<T>): Promise<T> {
  const previous = process.env.GLIMPSE_INDEX_SHARD_SIZE;
  if (shardSize) process.env.GLIMPSE_INDEX_SHARD_SIZE = String(shardSize);
  try {
    return await work();
  } finally {
    if (previous === undefined) delete process.env.GLIMPSE_INDEX_SHARD_SIZE;
    else process.env.GLIMPSE_INDEX_SHARD_SIZE = previous;
  }
}

export async function checkSeed(
  seed: number,
  steps: number,
  options: GenerateOptions & { shrinkBudget?: number; shardSize?: number; log?: (line: string) => void } = {},
): Promise<void> {
  return withShardSize(options.shardSize, () => checkOps(seed, steps, options));
}

async function checkOps(seed: number, steps: number, options: GenerateOptions & { shrinkBudget?: number; shardSize?: number; log?: (line: string) => void }): Promise<void> {
  const ops = generate(seed, steps, options);
  try {
    await runSequence(ops, options.log);
  } catch (error) {
    if (!(error instanceof SequenceFailure)) throw error;
    let report = `seed ${seed}, ${steps} steps: ${error.message}`;
    try {
      const shrunk = await shrink(ops, options.shrinkBudget ?? 60, options.log);
      report +=
        `\nShortest failing sequence found (${shrunk.ops.length} steps), failing at ${shrunk.failure.message}` +
        `\nReplay: npm run soak -- ${options.shardSize ? `--shard-size ${options.shardSize} ` : ''}--replay '${JSON.stringify(shrunk.ops)}'`;
    } catch (shrinkError) {
      report += `\n(shrinking failed: ${shrinkError instanceof Error ? shrinkError.message : String(shrinkError)})`;
    }
    const failure = new Error(report);
    failure.cause = error.cause;
    throw failure;
  }
}
