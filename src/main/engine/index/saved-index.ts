import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileSha256, fileSha256OnThread } from '../catalog/file-checks.js';
import type { Graph } from './graph-thread.js';

/**
 * The vector index's files: generations of graph and live-set files, and the sidecar that names the one
 * generation in use, with the checksums and identities a load checks them against. Nothing here knows
 * HNSW beyond writing a graph out; `VectorIndex` decides what a loaded generation is worth.
 *
 * Files in `dir`: `<model>.json` (the sidecar) names a generation `<model>@<gen>.hnsw` (the graph; with
 * several, `<model>@<gen>.<i>.hnsw`) and `<model>@<gen>.live` (the live labels, float64). Data files are
 * written first and the sidecar renamed over the old one last, so a crash at any point leaves a complete
 * old or new generation.
 */

/** One graph file of a saved generation. */
interface GraphFile {
  elements: number;
  bytes: number;
  /** SHA-256 of the graph file: a file damaged at the same size is caught before hnswlib reads it. */
  sha256: string;
  /** The file's identity when it was written (inode, mtime): a reader trusts a file that has not changed since. */
  ino: number;
  mtimeMs: number;
}

/**
 * Written last, atomically: it names the one generation of data files that belong together. Format 3
 * describes a generation of several graphs (`<model>@<gen>.<i>.hnsw`); an index of one graph is still
 * written as format 2 (`<model>@<gen>.hnsw`), so libraries saved before sharding open unchanged.
 */
interface SidecarV3 {
  format: 3;
  model: string;
  dim: number;
  seq: number;
  generation: string;
  count: number;
  liveSha256: string;
  graphs: GraphFile[];
}

interface Sidecar {
  format: 2;
  model: string;
  dim: number;
  /** The catalogue's vector-log position the saved index covers; later log entries are applied on load. */
  seq: number;
  generation: string;
  /** Live labels (the `.live` file) and graph slots (live + deleted) the files hold. */
  count: number;
  elements: number;
  bytes: number;
  /** SHA-256 of the graph and live-set files: a file damaged at the same size is caught before hnswlib reads it. */
  graphSha256: string;
  liveSha256: string;
  /** The graph file's identity when it was written (inode, mtime): a reader trusts a file that has not changed since. */
  graphIno: number;
  graphMtimeMs: number;
}

/** Either format, as one: the graphs of a format-2 sidecar are its one graph. */
function graphsOf(sidecar: Sidecar | SidecarV3): GraphFile[] {
  if (sidecar.format === 3) return sidecar.graphs;
  return [{ elements: sidecar.elements, bytes: sidecar.bytes, sha256: sidecar.graphSha256, ino: sidecar.graphIno, mtimeMs: sidecar.graphMtimeMs }];
}

/** Flushes a file (or folder) to the disk, so a rename that points at it never survives a power cut without it. */
function flush(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } catch {
    // some filesystems cannot fsync a folder; the file flushes are what matter
  } finally {
    closeSync(fd);
  }
}

/** A graph file whose checksum was not read at load (trusted: unchanged since written), to check later. */
export interface UncheckedFile {
  file: string;
  sha256: string;
}

/** The saved generation, its files checked by size and checksum (those read on trust excepted). */
export interface SavedGeneration {
  generation: string;
  /** The catalogue's vector-log position it covers. */
  seq: number;
  /** The live labels, in their saved order. */
  live: Float64Array;
  /** Its graph files, in graph order, with the slot counts the sidecar gives them. */
  graphs: Array<{ file: string; elements: number }>;
  /** Graph files loaded on trust, whose checksums are still to be checked. */
  trusted: UncheckedFile[];
}

export class SavedIndex {
  constructor(
    readonly dir: string,
    readonly model: string,
    readonly dim: number,
  ) {}

  /** The sidecar file; its data files sit beside it. */
  get file(): string {
    return join(this.dir, `${this.model}.json`);
  }

  /** The (first) graph file of the saved generation, if any. */
  get dataFile(): string | null {
    const sidecar = this.readSidecar();
    return sidecar ? this.graphPath(sidecar, 0) : null;
  }

  /** The generation the sidecar names now (undefined: none, or unreadable). */
  generation(): string | undefined {
    return this.readSidecar()?.generation;
  }

  private dataPath(generation: string, kind: 'hnsw' | 'live', graph?: number): string {
    return join(this.dir, `${this.model}@${generation}${graph === undefined ? '' : `.${graph}`}.${kind}`);
  }

  private graphPath(sidecar: Sidecar | SidecarV3, i: number): string {
    return this.dataPath(sidecar.generation, 'hnsw', sidecar.format === 3 ? i : undefined);
  }

  private readSidecar(): Sidecar | SidecarV3 | null {
    try {
      const s = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<Sidecar> | Partial<SidecarV3>;
      if ((s.format !== 2 && s.format !== 3) || typeof s.generation !== 'string' || !/^[\w-]+$/.test(s.generation)) return null;
      if (s.format === 3 && (!Array.isArray(s.graphs) || s.graphs.length === 0)) return null;
      return s as Sidecar | SidecarV3;
    } catch {
      return null;
    }
  }

  /**
   * Reads the saved generation's description and checks its files: sizes, the live set's checksum, and
   * the graphs' checksums, except (`checkAll` false) for a graph file exactly as the writer wrote it
   * (inode, mtime and size), which is trusted and returned to be checked later. `tried` learns the
   * generation read, even when it is refused. A string says why the files cannot be used.
   */
  async read(checkAll: boolean, tried: (generation: string | undefined) => void): Promise<SavedGeneration | string> {
    if (!existsSync(this.file)) return 'none saved';
    const sidecar = this.readSidecar();
    tried(sidecar?.generation);
    if (!sidecar) return 'its description file is unreadable or from an older Glimpse';
    if (sidecar.model !== this.model || sidecar.dim !== this.dim) return `it was built for ${sidecar.model} (${sidecar.dim}-d)`;
    const files = graphsOf(sidecar);
    const liveBytes = readFileSync(this.dataPath(sidecar.generation, 'live'));
    if (liveBytes.byteLength !== sidecar.count * 8) return 'its live-set file has the wrong size';
    if (createHash('sha256').update(liveBytes).digest('hex') !== sidecar.liveSha256) return 'its live-set file is damaged (checksum)';
    const toCheck: UncheckedFile[] = [];
    const trusted: UncheckedFile[] = [];
    for (const [i, described] of files.entries()) {
      const graphFile = this.graphPath(sidecar, i);
      const graphStat = statSync(graphFile);
      if (graphStat.size !== described.bytes) return 'its graph file has the wrong size';
      // The writer reads the whole graph to check it (about 1 GB/s), before it loads it or (the app)
      // after it has answered; a reader (every `glimpse search`) does only when the file is not exactly
      // the one the writer wrote (inode, mtime and size).
      const untouched = graphStat.ino === described.ino && graphStat.mtimeMs === described.mtimeMs;
      const file = { file: graphFile, sha256: described.sha256 };
      if (!untouched || checkAll) toCheck.push(file);
      else trusted.push(file);
    }
    // Several graphs are checked at once, each on a thread of its own.
    const sums = await Promise.all(toCheck.map(({ file }) => (toCheck.length > 1 ? fileSha256OnThread(file) : Promise.resolve(fileSha256(file)))));
    if (sums.some((sum, i) => sum !== toCheck[i]!.sha256)) return 'its graph file is damaged (checksum)';
    return {
      generation: sidecar.generation,
      seq: sidecar.seq,
      live: new Float64Array(liveBytes.buffer, liveBytes.byteOffset, sidecar.count),
      graphs: files.map((f, i) => ({ file: this.graphPath(sidecar, i), elements: f.elements })),
      trusted,
    };
  }

  /**
   * Writes a new generation of the index files and then points the sidecar at it (an atomic rename), so
   * a crash never leaves a half-written index in use; older generations are removed after. A failed
   * write (a full disk) leaves the last complete generation in use and no half-written files behind.
   */
  write(seq: number, graphs: readonly Graph[], live: Float64Array): void {
    mkdirSync(this.dir, { recursive: true });
    const generation = `${seq}-${randomBytes(4).toString('hex')}`;
    const graphFiles = graphs.map((_, i) => this.dataPath(generation, 'hnsw', graphs.length === 1 ? undefined : i));
    const liveFile = this.dataPath(generation, 'live');
    const tmp = `${this.file}.tmp-${process.pid}`;
    try {
      graphs.forEach((graph, i) => graph.writeIndexSync(graphFiles[i]!));
      const liveBytes = new Uint8Array(live.buffer, live.byteOffset, live.byteLength);
      writeFileSync(liveFile, liveBytes);
      for (const f of graphFiles) flush(f);
      flush(liveFile);
      const described: GraphFile[] = graphs.map((graph, i) => {
        const stat = statSync(graphFiles[i]!);
        return { elements: graph.getCurrentCount(), bytes: stat.size, sha256: fileSha256(graphFiles[i]!), ino: stat.ino, mtimeMs: stat.mtimeMs };
      });
      const common = { model: this.model, dim: this.dim, seq, generation, count: live.length, liveSha256: createHash('sha256').update(liveBytes).digest('hex') };
      const one = described[0]!;
      const sidecar: Sidecar | SidecarV3 =
        described.length === 1
          ? { format: 2, ...common, elements: one.elements, bytes: one.bytes, graphSha256: one.sha256, graphIno: one.ino, graphMtimeMs: one.mtimeMs }
          : { format: 3, ...common, graphs: described };
      writeFileSync(tmp, JSON.stringify(sidecar));
      flush(tmp);
      renameSync(tmp, this.file);
      flush(this.dir);
    } catch (error) {
      for (const f of [...graphFiles, liveFile, tmp]) rmSync(f, { force: true });
      throw error;
    }
    this.removeOtherGenerations(generation);
  }

  private removeOtherGenerations(keep: string): void {
    const ours = new RegExp(`^${this.model.replace(/[.]/g, '\\.')}(@[\\w-]+(\\.\\d+)?\\.(hnsw|live)|\\.hnsw(\\.json)?|\\.json\\.tmp-\\d+)$`);
    for (const name of readdirSync(this.dir)) {
      if (ours.test(name) && !name.startsWith(`${this.model}@${keep}.`)) rmSync(join(this.dir, name), { force: true });
    }
  }
}
