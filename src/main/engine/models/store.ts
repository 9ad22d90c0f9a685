import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MANIFEST_FILE, type PackManifest, PackError, parseManifest, readManifest } from './manifest.js';
import { sha256File } from '../core/file-hash.js';

/**
 * The folder of bundled packs: `models/` at the repository root, or GLIMPSE_BUNDLED_MODELS (the
 * packaged app points it at its resources).
 */
export function bundledPacksDir(): string {
  if (process.env.GLIMPSE_BUNDLED_MODELS) return process.env.GLIMPSE_BUNDLED_MODELS;
  // The repository root is a few folders up from wherever this code runs: src/main/engine/models (tsx),
  // out/electron/main/engine/models (tsc), out/node/cli (the bundled CLI).
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++, dir = dirname(dir)) if (existsSync(join(dir, 'models', 'tiny-coca', MANIFEST_FILE))) return join(dir, 'models');
  return fileURLToPath(new URL('../../../../models', import.meta.url));
}

export type ListedPack =
  | { id: string; dir: string; bundled: boolean; name: string; manifest: PackManifest }
  | { id: string; dir: string; bundled: boolean; error: string };

async function packsIn(dir: string, bundled: boolean): Promise<ListedPack[]> {
  if (!existsSync(dir)) return [];
  const out: ListedPack[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const packDir = join(dir, entry.name);
    if (!existsSync(join(packDir, MANIFEST_FILE))) continue;
    try {
      const manifest = await readManifest(packDir);
      out.push({ id: manifest.id, dir: packDir, bundled, name: manifest.name, manifest });
    } catch (error) {
      out.push({ id: entry.name, dir: packDir, bundled, error: (error as Error).message });
    }
  }
  return out;
}

/** Installed packs (in the data folder) first, then the bundled ones. */
export async function listPacks(packsDir: string): Promise<ListedPack[]> {
  return [...(await packsIn(packsDir, false)), ...(await packsIn(bundledPacksDir(), true))];
}

export async function resolvePack(packsDir: string, id: string): Promise<string> {
  const found = (await listPacks(packsDir)).find((p) => p.id === id && 'manifest' in p);
  if (!found) throw new PackError(`model pack ${id} is not installed; run \`glimpse models download ${id}\` or import a folder with \`glimpse models import <dir>\``);
  return found.dir;
}


/** Problems with a pack folder's files, measured against its manifest (empty when it is whole). */
export async function verifyPack(dir: string): Promise<string[]> {
  const manifest = await readManifest(dir);
  const problems: string[] = [];
  for (const file of manifest.files) {
    const path = join(dir, file.path);
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch {
      problems.push(`${file.path} is missing`);
      continue;
    }
    if (file.size !== undefined && size !== file.size) problems.push(`${file.path} has ${size} bytes, the manifest says ${file.size}`);
    else if (file.sha256 && (await sha256File(path)) !== file.sha256) problems.push(`${file.path} does not match its SHA-256 in the manifest`);
  }
  return problems;
}

/** Installs a pack from a folder (offline machines): checked against its manifest, then moved in atomically. */
export async function importPack(sourceDir: string, packsDir: string): Promise<string> {
  const manifest = await readManifest(sourceDir);
  const problems = await verifyPack(sourceDir);
  if (problems.length > 0) throw new PackError(`cannot import ${sourceDir}: ${problems.join('; ')}`);
  const staging = join(packsDir, '.staging', manifest.id);
  const target = join(packsDir, manifest.id);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  for (const file of [MANIFEST_FILE, ...manifest.files.map((f) => f.path)]) {
    await mkdir(join(staging, file, '..'), { recursive: true });
    await cp(join(sourceDir, file), join(staging, file));
  }
  const aside = join(packsDir, `.old-${manifest.id}-${process.pid}`);
  if (existsSync(target)) await rename(target, aside);
  await rename(staging, target);
  await rm(aside, { recursive: true, force: true });
  return target;
}

/** The packs Glimpse can download: models/packs/*.json, or GLIMPSE_PACK_CATALOGUE (a mirror's own folder of manifests). */
export async function catalogueOfPacks(): Promise<PackManifest[]> {
  const dir = process.env.GLIMPSE_PACK_CATALOGUE ?? join(bundledPacksDir(), 'packs');
  if (!existsSync(dir)) return [];
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  return Promise.all(names.map(async (n) => parseManifest(JSON.parse(await readFile(join(dir, n), 'utf8')), join(dir, n))));
}
