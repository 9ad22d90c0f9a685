import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Background, type Scene, randomScene, seededRandom } from './scene.js';
import { renderScene } from './render.js';

/** Album folders of the sample library, each with scenes on one background so its album has a theme. */
const ALBUMS: ReadonlyArray<{ folder: string; background: Background }> = [
  { folder: 'Garden', background: 'grass' },
  { folder: 'Beach day', background: 'sand' },
  { folder: 'Night walk', background: 'night' },
  { folder: 'Kites', background: 'sky' },
  { folder: 'Studio', background: 'plain' },
];

/** Scenes every sample library starts with, so the first searches a newcomer tries have clear answers. */
const SHOWCASE: ReadonlyArray<Omit<Scene, 'layoutSeed'>> = [
  { groups: [{ colour: 'red', shape: 'circle', count: 1 }], background: 'grass', position: 'left', word: null },
  { groups: [{ colour: 'blue', shape: 'square', count: 1 }], background: 'sand', position: 'middle', word: 'cafe' },
  { groups: [{ colour: 'yellow', shape: 'star', count: 3 }], background: 'night', position: 'top', word: null },
  {
    groups: [
      { colour: 'red', shape: 'triangle', count: 1 },
      { colour: 'orange', shape: 'diamond', count: 1 },
    ],
    background: 'sky',
    position: null,
    word: null,
  },
  { groups: [{ colour: 'purple', shape: 'circle', count: 2 }], background: 'plain', position: 'right', word: 'sale' },
];

const CAMERAS = [
  { make: 'Canon', model: 'Canon EOS R6' },
  { make: 'Apple', model: 'iPhone 15' },
  { make: 'FUJIFILM', model: 'X-T4' },
];

export interface SamplePhoto {
  path: string;
  scene: Scene;
}

/**
 * Writes a sample library of generated photos (realistic sizes, JPEG with camera EXIF) into album
 * folders, so a new user sees search and captions working with the bundled model within a minute.
 */
export async function writeSampleLibrary(dir: string, options: { count?: number; seed?: number; width?: number; height?: number } = {}): Promise<SamplePhoto[]> {
  const count = options.count ?? 60;
  const random = seededRandom(options.seed ?? 2024);
  const written: SamplePhoto[] = [];
  for (let i = 0; i < count; i++) {
    const album = ALBUMS[i % ALBUMS.length]!;
    const layoutSeed = Math.floor(random() * 2 ** 31);
    const showcase = SHOWCASE.find((sc) => sc.background === album.background && i < ALBUMS.length);
    const scene = showcase ? { ...showcase, layoutSeed } : randomScene(layoutSeed, { background: album.background });
    const camera = CAMERAS[i % CAMERAS.length]!;
    const takenAt = new Date(Date.UTC(2024, i % 12, 1 + (i % 28), 9 + (i % 10), (i * 7) % 60));
    const bytes = await renderScene(scene, { width: options.width ?? 1600, height: options.height ?? 1200, quality: 88, exif: { ...camera, takenAt } });
    const folder = join(dir, album.folder);
    await mkdir(folder, { recursive: true });
    const path = join(folder, `IMG_${String(1000 + i)}.jpg`);
    await writeFile(path, bytes);
    written.push({ path, scene });
  }
  return written;
}
