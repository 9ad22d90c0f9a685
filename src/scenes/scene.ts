/**
 * The synthetic world the bundled `tiny-coca` pack is trained on: seeded scenes of coloured shapes on
 * simple backgrounds, each with a caption from a small grammar. The same module renders the training
 * data, the test fixtures, the benchmark library and the sample library a new user is offered, so the
 * model is always evaluated on exactly the distribution it learned.
 */

export const COLOURS = ['red', 'orange', 'yellow', 'green', 'blue', 'purple', 'white', 'black'] as const;
export const SHAPES = ['circle', 'square', 'triangle', 'star', 'diamond'] as const;
export const BACKGROUNDS = ['sky', 'grass', 'sand', 'night', 'plain'] as const;
export const POSITIONS = ['left', 'right', 'top', 'bottom', 'middle'] as const;
export const WORDS = ['stop', 'sale', 'open', 'exit', 'cafe', 'hotel'] as const;

export type Colour = (typeof COLOURS)[number];
export type Shape = (typeof SHAPES)[number];
export type Background = (typeof BACKGROUNDS)[number];
export type Position = (typeof POSITIONS)[number];
export type Word = (typeof WORDS)[number];

export interface ObjectGroup {
  colour: Colour;
  shape: Shape;
  count: 1 | 2 | 3;
}

export interface Scene {
  groups: ObjectGroup[];
  background: Background;
  /** Where a single group sits; null for multi-group scenes, whose objects are scattered. */
  position: Position | null;
  word: Word | null;
  /** Seed for the layout (sizes, exact positions, textures), so a scene renders identically every time. */
  layoutSeed: number;
}

const HEX: Record<Colour, string> = {
  red: '#d7263d',
  orange: '#f46f1b',
  yellow: '#f7d002',
  green: '#2e9e44',
  blue: '#1f5fd1',
  purple: '#8a3ccf',
  white: '#f7f7f2',
  black: '#151515',
};

/** Colours that would vanish into a background are never drawn on it. */
const HIDDEN_ON: Record<Background, readonly Colour[]> = {
  sky: ['blue', 'white'],
  grass: ['green'],
  sand: ['yellow', 'orange'],
  night: ['black', 'blue', 'purple'],
  plain: ['white'],
};

const BACKGROUND_PHRASE: Record<Background, string> = {
  sky: 'in the sky',
  grass: 'on grass',
  sand: 'on sand',
  night: 'at night',
  plain: 'on a plain background',
};

const POSITION_PHRASE: Record<Position, string> = {
  left: 'on the left',
  right: 'on the right',
  top: 'at the top',
  bottom: 'at the bottom',
  middle: 'in the middle',
};

const COUNT_WORD = { 2: 'two', 3: 'three' } as const;

/** Small, fast, seedable PRNG (mulberry32). Returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

export function groupPhrase(group: ObjectGroup): string {
  const article = /^[aeiou]/.test(group.colour) ? 'an' : 'a';
  const count = group.count === 1 ? article : COUNT_WORD[group.count];
  return `${count} ${group.colour} ${group.shape}${group.count > 1 ? 's' : ''}`;
}

export function captionOf(scene: Scene): string {
  const objects = scene.groups.map(groupPhrase).join(' and ');
  const parts = [objects];
  if (scene.position) parts.push(POSITION_PHRASE[scene.position]);
  parts.push(BACKGROUND_PHRASE[scene.background]);
  if (scene.word) parts.push(`with the word ${scene.word}`);
  return parts.join(' ');
}

/** Every word a caption can contain, for building the bundled tokenizer's vocabulary. */
export function captionVocabulary(): string[] {
  const words = new Set<string>(['a', 'an', 'two', 'three', 'and', 'with', 'the', 'word']);
  for (const c of COLOURS) words.add(c);
  for (const s of SHAPES) {
    words.add(s);
    words.add(`${s}s`);
  }
  for (const phrase of [...Object.values(BACKGROUND_PHRASE), ...Object.values(POSITION_PHRASE)]) {
    for (const w of phrase.split(' ')) words.add(w);
  }
  for (const w of WORDS) words.add(w);
  return [...words].sort();
}

export interface SceneOptions {
  /** Probability that a scene has a single object group (the rest have two or three). */
  singleGroupShare?: number;
  /** Probability that a scene shows a written word. */
  wordShare?: number;
  /** A fixed background instead of a random one. */
  background?: Background;
}

/** A random scene; the same seed always gives the same scene. */
export function randomScene(seed: number, options: SceneOptions = {}): Scene {
  const random = seededRandom(seed);
  const background = options.background ?? pick(random, BACKGROUNDS);
  const visible = COLOURS.filter((c) => !HIDDEN_ON[background].includes(c));
  const groupCount = random() < (options.singleGroupShare ?? 0.5) ? 1 : random() < 0.75 ? 2 : 3;
  const groups: ObjectGroup[] = [];
  const used = new Set<string>();
  while (groups.length < groupCount) {
    const colour = pick(random, visible);
    const shape = pick(random, SHAPES);
    if (used.has(`${colour} ${shape}`)) continue;
    used.add(`${colour} ${shape}`);
    const maxCount = groupCount === 1 ? 3 : groupCount === 2 ? 2 : 1;
    groups.push({ colour, shape, count: (1 + Math.floor(random() * maxCount)) as 1 | 2 | 3 });
  }
  const position = groupCount === 1 ? pick(random, POSITIONS) : null;
  const word = random() < (options.wordShare ?? 0.15) ? pick(random, WORDS) : null;
  return { groups, background, position, word, layoutSeed: Math.floor(random() * 2 ** 31) };
}

/** A scene built from a description, for fixtures that need one exact picture. */
export function makeScene(groups: ObjectGroup[], background: Background, options: { position?: Position | null; word?: Word | null; layoutSeed?: number } = {}): Scene {
  return {
    groups,
    background,
    position: options.position ?? (groups.length === 1 ? 'middle' : null),
    word: options.word ?? null,
    layoutSeed: options.layoutSeed ?? 1,
  };
}

function shade(hex: string, amount: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  const channel = (shift: number) => Math.max(0, Math.min(255, ((n >> shift) & 255) + Math.round(amount)));
  return `rgb(${channel(16)},${channel(8)},${channel(0)})`;
}

function backgroundSvg(background: Background, w: number, h: number, random: () => number): string {
  const jitter = () => (random() - 0.5) * 30;
  const gradient = (top: string, bottom: string) =>
    `<defs><linearGradient id="bg" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${shade(top, jitter())}"/>` +
    `<stop offset="1" stop-color="${shade(bottom, jitter())}"/></linearGradient></defs><rect width="${w}" height="${h}" fill="url(#bg)"/>`;
  const specks = (count: number, colour: string, size: number, opacity: number) => {
    let out = '';
    for (let i = 0; i < count; i++) {
      const x = random() * w;
      const y = random() * h;
      out += `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(size * (0.5 + random())).toFixed(1)}" height="${(size * (1 + 2 * random())).toFixed(1)}" fill="${colour}" opacity="${opacity}"/>`;
    }
    return out;
  };
  const unit = Math.min(w, h) / 100;
  switch (background) {
    case 'sky':
      return gradient('#6fb3f2', '#b9defa');
    case 'grass':
      return gradient('#4f9a3a', '#2f6e22') + specks(60, '#1d4d14', unit * 0.8, 0.5) + specks(40, '#86c85a', unit * 0.6, 0.5);
    case 'sand':
      return gradient('#e8d3a2', '#cfb27a') + specks(80, '#a88a55', unit * 0.5, 0.45);
    case 'night':
      return gradient('#0b1330', '#1d2550') + specks(30, '#fffbe0', unit * 0.4, 0.9);
    case 'plain':
      return gradient('#c9c9c9', '#b5b5b5');
  }
}

function shapeSvg(shape: Shape, cx: number, cy: number, r: number, fill: string, stroke: string): string {
  const attrs = `fill="${fill}" stroke="${stroke}" stroke-width="${(r * 0.06).toFixed(2)}"`;
  const points = (pts: Array<[number, number]>) => `<polygon points="${pts.map(([x, y]) => `${(cx + x * r).toFixed(1)},${(cy + y * r).toFixed(1)}`).join(' ')}" ${attrs}/>`;
  switch (shape) {
    case 'circle':
      return `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="${r.toFixed(1)}" ${attrs}/>`;
    case 'square':
      return points([
        [-0.85, -0.85],
        [0.85, -0.85],
        [0.85, 0.85],
        [-0.85, 0.85],
      ]);
    case 'triangle':
      return points([
        [0, -1],
        [0.95, 0.8],
        [-0.95, 0.8],
      ]);
    case 'diamond':
      return points([
        [0, -1.1],
        [0.75, 0],
        [0, 1.1],
        [-0.75, 0],
      ]);
    case 'star': {
      const pts: Array<[number, number]> = [];
      for (let i = 0; i < 10; i++) {
        const angle = -Math.PI / 2 + (i * Math.PI) / 5;
        const radius = i % 2 === 0 ? 1.05 : 0.45;
        pts.push([Math.cos(angle) * radius, Math.sin(angle) * radius]);
      }
      return points(pts);
    }
  }
}

/** The rectangle (fractions of width/height) that a positioned single group is laid out in. */
const POSITION_BOX: Record<Position, [number, number, number, number]> = {
  left: [0.04, 0.15, 0.36, 0.85],
  right: [0.64, 0.15, 0.96, 0.85],
  top: [0.15, 0.04, 0.85, 0.36],
  bottom: [0.15, 0.64, 0.85, 0.96],
  middle: [0.3, 0.28, 0.7, 0.72],
};

/** The scene as an SVG document of the given pixel size. */
export function sceneSvg(scene: Scene, width: number, height: number): string {
  const random = seededRandom(scene.layoutSeed);
  const unit = Math.min(width, height);
  const [bx0, by0, bx1, by1] = scene.position ? POSITION_BOX[scene.position] : [0.06, 0.06, 0.94, 0.94];
  const total = scene.groups.reduce((n, g) => n + g.count, 0);
  const placed: Array<{ x: number; y: number; r: number }> = [];
  let body = backgroundSvg(scene.background, width, height, random);

  // A word sits on a white sign in a band that objects avoid.
  const signTop = scene.position === 'bottom' ? true : scene.position === 'top' ? false : random() < 0.5;
  const signBand = scene.word ? (signTop ? [0, 0.3] : [0.7, 1]) : null;
  for (const group of scene.groups) {
    for (let i = 0; i < group.count; i++) {
      const baseR = (scene.position ? 0.13 : 0.115) * unit * (total > 3 ? 0.8 : 1);
      const r = baseR * (0.75 + 0.5 * random());
      let x = 0;
      let y = 0;
      for (let attempt = 0; attempt < 60; attempt++) {
        x = (bx0 + (bx1 - bx0) * random()) * width;
        y = (by0 + (by1 - by0) * random()) * height;
        x = Math.min(Math.max(x, r * 1.2), width - r * 1.2);
        y = Math.min(Math.max(y, r * 1.2), height - r * 1.2);
        const inSign = signBand && y / height > signBand[0]! - 0.08 && y / height < signBand[1]! + 0.08;
        if (!inSign && placed.every((p) => Math.hypot(p.x - x, p.y - y) > (p.r + r) * 1.15)) break;
      }
      placed.push({ x, y, r });
      const fill = shade(HEX[group.colour], (random() - 0.5) * 24);
      const stroke = group.colour === 'black' ? '#444444' : shade(HEX[group.colour], -50);
      body += shapeSvg(group.shape, x, y, r, fill, stroke);
    }
  }
  if (scene.word && signBand) {
    const signH = 0.2 * height;
    const signW = Math.min(0.7 * width, scene.word.length * 0.13 * height + 0.1 * width);
    const sx = (width - signW) / 2 + (random() - 0.5) * 0.2 * width;
    const sy = (signTop ? 0.05 : 0.75) * height;
    body +=
      `<rect x="${sx.toFixed(1)}" y="${sy.toFixed(1)}" width="${signW.toFixed(1)}" height="${signH.toFixed(1)}" rx="${(signH * 0.12).toFixed(1)}" fill="#fafafa" stroke="#333" stroke-width="${(signH * 0.04).toFixed(1)}"/>` +
      `<text x="${(sx + signW / 2).toFixed(1)}" y="${(sy + signH * 0.72).toFixed(1)}" font-family="DejaVu Sans, sans-serif" font-weight="bold" font-size="${(signH * 0.62).toFixed(1)}" text-anchor="middle" fill="#111">${scene.word.toUpperCase()}</text>`;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${body}</svg>`;
}
