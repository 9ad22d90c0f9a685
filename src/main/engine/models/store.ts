import { readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MANIFEST_FILE, type PackManifest, PackError, readManifest } from './manifest.js';

/** The repository's models/ folder, where the bundled pack lives. */
export function bundledPacksDir(): string {
  return fileURLToPath(new URL('../../../../models', import.meta.url));
}

export type ListedPack = { id: string; dir: string; bundled: boolean; name: string; manifest: PackManifest } | { id: string; dir: string; bundled: boolean; error: string };

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

export async function listPacks(packsDir: string): Promise<ListedPack[]> {
  return [...(await packsIn(packsDir, false)), ...(await packsIn(bundledPacksDir(), true))];
}

export async function resolvePack(packsDir: string, id: string): Promise<string> {
  const found = (await listPacks(packsDir)).find((p) => p.id === id && 'manifest' in p);
  if (!found) throw new PackError(`model pack ${id} is not installed; run \`glimpse models download ${id}\` or import a folder with \`glimpse models import <dir>\``);
  return found.dir;
}
