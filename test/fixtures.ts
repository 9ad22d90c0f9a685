/**
 * Real files for tests: scene JPEGs rendered by the same generator the bundled model was trained on,
 * at camera-like sizes with EXIF, plus broken files of every kind the indexer must survive.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type ObjectGroup, type Scene, type Background, type Position, makeScene } from '../src/scenes/scene.js';
import { renderScene } from '../src/scenes/render.js';

export function tempDir(prefix = 'glimpse-test-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function scene(groups: Array<[ObjectGroup['colour'], ObjectGroup['shape'], (1 | 2 | 3)?]>, background: Background, position: Position | null = null, layoutSeed = 1): Scene {
  return makeScene(
    groups.map(([colour, shape, count]) => ({ colour, shape, count: count ?? 1 })),
    background,
    { position: groups.length === 1 ? (position ?? 'middle') : null, layoutSeed },
  );
}

/** Writes a scene as a camera-like JPEG (1600x1200 unless told otherwise, with EXIF). */
export async function writeScene(
  path: string,
  s: Scene,
  options: { width?: number; height?: number; format?: 'jpeg' | 'png' | 'webp'; takenAt?: Date; gps?: { lat: number; lon: number } } = {},
): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  const bytes = await renderScene(s, {
    width: options.width ?? 1600,
    height: options.height ?? 1200,
    format: options.format ?? 'jpeg',
    exif: { make: 'Canon', model: 'Canon EOS R6', takenAt: options.takenAt ?? new Date(Date.UTC(2024, 5, 1, 12)), ...(options.gps ? { gps: options.gps } : {}) },
  });
  await writeFile(path, bytes);
  return path;
}

/**
 * Installs a copy of the bundled pack under another id in a data folder: the same weights, a second
 * model as far as the engine is concerned (per-model vectors, its own index file).
 */
export async function installPackCopy(dataDir: string, id: string): Promise<string> {
  const { cp, readFile: read } = await import('node:fs/promises');
  const { bundledPacksDir } = await import('../src/main/engine/models/store.js');
  const dir = join(dataDir, 'models', id);
  await cp(join(bundledPacksDir(), 'tiny-coca'), dir, { recursive: true, filter: (src) => !src.includes('training') });
  const manifest = JSON.parse(await read(join(dir, 'glimpse-pack.json'), 'utf8')) as { id: string; name: string };
  await writeFile(join(dir, 'glimpse-pack.json'), JSON.stringify({ ...manifest, id, name: `${manifest.name} (copy ${id})` }, null, 2));
  return dir;
}

/**
 * Fresh library folders for one test: `photos` (empty, not created) and `dataDir` in a temp folder
 * that the suite's `after` removes (`removeAll`).
 */
export function libraryFolders(): { fresh: () => { root: string; photos: string; dataDir: string }; removeAll: () => void } {
  const dirs: Array<{ remove: () => void }> = [];
  return {
    fresh: () => {
      const tmp = tempDir();
      dirs.push(tmp);
      return { root: tmp.path, photos: join(tmp.path, 'Photos'), dataDir: join(tmp.path, 'data') };
    },
    removeAll: () => dirs.forEach((d) => d.remove()),
  };
}

/**
 * Words about how Glimpse was built, which a user should never read in the app or the CLI's lists: the
 * notes for developers live in a manifest's `pinning` and `downloadSize.source`, and in docs/.
 */
export const DEVELOPER_WORDING =
  /\bpin(ned|ning)?\b|\bcommit\b|before release|workplace|build machine|transformers\.js|\bONNX\b|\bexport(ed)?\b|\bbranch\b|\brevision\b|\bmanifest\b|\btested\b|Size unknown|\(bundled\) \(bundled\)/i;
