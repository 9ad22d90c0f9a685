/**
 * Photos with known text, for measuring OCR: words and lines rendered with Debian's DejaVu fonts onto
 * photographs (or onto busy generated backgrounds when none are given), as signs, a receipt and a
 * screenshot, at several sizes and angles, some stored sideways with an EXIF orientation the way a
 * phone does. Each photo comes with the words written on it; photos without text come too, to count
 * text read where there is none. Seeded: the same seed gives the same set.
 */
import sharp, { type Sharp } from 'sharp';
import { seededRandom } from './scene.js';

export type TextLayout = 'sign' | 'caption' | 'receipt' | 'screenshot' | 'none';

export interface TextPhotoSpec {
  layout: TextLayout;
  /** The lines written, top to bottom (empty for `none`). */
  lines: string[];
  /** Pixel height of the text's capitals-and-descenders box (the font size). */
  /** The size asked for; the layout may draw smaller so that every word stays inside the photo (`drawnSize`). */
  fontSize: number;
  drawnSize?: number;
  /** Degrees, counter-clockwise as seen by the viewer. */
  angle: number;
  /** Stored sideways with EXIF orientation 6 (rotate 90° clockwise to view) or 8. */
  exifOrientation: 1 | 6 | 8;
  /** Index of the background photo used (or -1 for a generated one). */
  background: number;
}

export interface TextPhoto {
  spec: TextPhotoSpec;
  /** The words a reader should find (the lines split on spaces, punctuation kept out). */
  words: string[];
  bytes: Buffer;
}

const SIGN_WORDS = [
  'museum',
  'shop',
  'hardware',
  'store',
  'bakery',
  'pharmacy',
  'parking',
  'exit',
  'open',
  'closed',
  'station',
  'platform',
  'library',
  'garden',
  'market',
  'coffee',
  'pizza',
  'hotel',
  'school',
  'bank',
  'post',
  'office',
  'street',
  'avenue',
  'north',
  'south',
  'harbour',
  'ferry',
  'tickets',
  'welcome',
  'sale',
  'fresh',
  'bread',
  'flowers',
  'books',
  'records',
  'cinema',
  'theatre',
  'gallery',
  'bicycle',
  'repair',
  'laundry',
  'dental',
  'clinic',
  'police',
  'airport',
  'terminal',
  'gate',
  'entrance',
  'toilets',
  'quiet',
  'please',
  'thank',
  'you',
  'danger',
  'beware',
  'dog',
];
const ITEMS = ['hammer', 'nails', 'screws', 'paint', 'brush', 'tape', 'glue', 'drill', 'bolts', 'hinge', 'saw', 'gloves', 'rope', 'bulbs', 'wire'];
const STORES = ['HARDWARE STORE', 'CORNER MARKET', 'CITY PHARMACY', 'GREEN GROCER', 'BOOK NOOK'];
const FONTS = ['DejaVu Sans', 'DejaVu Serif', 'DejaVu Sans Mono'];

export interface TextPhotoSetOptions {
  seed: number;
  count: number;
  /** Encoded photographs to write on; without any, busy backgrounds are generated. */
  backgrounds?: Buffer[];
  /** Share of photos with no text at all. */
  noText?: number;
  /** Restrict to these layouts (default: all but 'none', which `noText` adds). */
  layouts?: TextLayout[];
  /** Font sizes and angles to draw from. */
  fontSizes?: number[];
  angles?: number[];
  /** Share of photos stored sideways with an EXIF orientation. */
  sideways?: number;
  width?: number;
  height?: number;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function wordsOf(lines: readonly string[]): string[] {
  return lines.flatMap((l) => l.toLowerCase().split(/[^\p{L}\p{N}]+/u)).filter((w) => w.length > 0);
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** A busy generated background: gradient, blotches and stripes (no glyph-like shapes). */
function generatedBackground(random: () => number, width: number, height: number): string {
  const hue = Math.floor(random() * 360);
  const parts = [`<rect width="${width}" height="${height}" fill="hsl(${hue},35%,45%)"/>`];
  for (let i = 0; i < 40; i++) {
    const cx = Math.round(random() * width);
    const cy = Math.round(random() * height);
    const r = Math.round(20 + random() * 160);
    parts.push(
      `<circle cx="${cx}" cy="${cy}" r="${r}" fill="hsl(${Math.floor(random() * 360)},${30 + Math.floor(random() * 50)}%,${25 + Math.floor(random() * 50)}%)" opacity="0.6"/>`,
    );
  }
  return parts.join('');
}

function lineSvg(lines: string[], x: number, y: number, size: number, font: string, fill: string, anchor: 'start' | 'middle', gap = 1.35): string {
  return lines
    .map(
      (line, i) =>
        `<text x="${x}" y="${Math.round(y + i * size * gap)}" font-family="${font}" font-size="${size}" font-weight="bold" fill="${fill}" text-anchor="${anchor}">${escapeXml(line)}</text>`,
    )
    .join('');
}

interface Drawn {
  svg: string;
  lines: string[];
  /** The layout replaces the photo entirely (a screenshot). */
  opaque: boolean;
  size: number;
}

/** Em widths are below this for DejaVu's bold capitals (the widest glyphs drawn here): used to keep text inside the photo. */
const EM_WIDTH = 0.8;

/**
 * The largest size up to `size` at which a block of `columns` characters by `rows` lines (line pitch
 * `gap` em, plus `pad` em around) stays inside 92% of the photo when turned by `angle`: a word cut off
 * by the photo's edge could not be read, so it would not count as written.
 */
function fittingSize(size: number, columns: number, rows: number, gap: number, pad: number, angle: number, width: number, height: number): number {
  const radians = (Math.abs(angle) * Math.PI) / 180;
  const w = columns * EM_WIDTH + 2 * pad;
  const h = rows * gap + 2 * pad;
  const extentX = w * Math.cos(radians) + h * Math.sin(radians);
  const extentY = w * Math.sin(radians) + h * Math.cos(radians);
  return Math.max(8, Math.min(size, Math.floor((0.92 * width) / extentX), Math.floor((0.92 * height) / extentY)));
}

function draw(layout: TextLayout, random: () => number, width: number, height: number, asked: number, angle: number, given?: string[]): Drawn {
  const cx = width / 2;
  const cy = height / 2;
  const rotate = (svg: string) => (angle === 0 ? svg : `<g transform="rotate(${-angle} ${cx} ${cy})">${svg}</g>`);
  const font = pick(random, FONTS);
  if (layout === 'sign' || layout === 'caption') {
    const lines =
      given ??
      Array.from({ length: 1 + Math.floor(random() * 2) }, () =>
        Array.from({ length: 1 + Math.floor(random() * 2) }, () => pick(random, SIGN_WORDS))
          .join(' ')
          .toUpperCase(),
      );
    const count = lines.length;
    const longest = Math.max(...lines.map((l) => l.length));
    const size = fittingSize(asked, longest, count, 1.35, 0.6, angle, width, height);
    const boxW = longest * size * EM_WIDTH + size * 1.2;
    const boxH = count * size * 1.35 + size * 0.6;
    const top = cy - boxH / 2;
    if (layout === 'sign') {
      const panel = pick(random, ['#1b4f9c', '#0f6b3a', '#a01818', '#f4f1e8', '#222222']);
      const ink = panel === '#f4f1e8' ? '#111111' : '#ffffff';
      const svg = `<rect x="${cx - boxW / 2}" y="${top}" width="${boxW}" height="${boxH}" rx="${size * 0.2}" fill="${panel}"/>${lineSvg(lines, cx, top + size * 1.1, size, font, ink, 'middle')}`;
      return { svg: rotate(svg), lines, opaque: false, size };
    }
    // Text straight on the photo, with an outline so it stays legible on any background.
    const ink = pick(random, ['#ffffff', '#ffe14d', '#111111']);
    const outline = ink === '#111111' ? '#ffffff' : '#000000';
    const svg = `<g stroke="${outline}" stroke-width="${Math.max(1, size / 14)}" paint-order="stroke">${lineSvg(lines, cx, top + size * 1.1, size, font, ink, 'middle')}</g>`;
    return { svg: rotate(svg), lines, opaque: false, size };
  }
  if (layout === 'receipt') {
    const items = Array.from({ length: 3 + Math.floor(random() * 4) }, () => pick(random, ITEMS));
    let total = 0;
    const itemLines = items.map((item) => {
      const price = (1 + Math.floor(random() * 4000) / 100).toFixed(2);
      total += Number(price);
      return `${item.toUpperCase()} ${price}`;
    });
    const lines = given ?? [pick(random, STORES), ...itemLines, `TOTAL ${total.toFixed(2)}`];
    // Monospaced: 0.6 em a character.
    const columns = Math.max(...lines.map((l) => l.length));
    const size = fittingSize(asked, (columns * 0.6) / EM_WIDTH + 1, lines.length, 1.5, 1, angle, width, height);
    const boxW = columns * size * 0.6 + size * 1.2;
    const boxH = lines.length * size * 1.5 + size;
    const left = cx - boxW / 2;
    const top = cy - boxH / 2;
    const svg = `<rect x="${left}" y="${top}" width="${boxW}" height="${boxH}" fill="#fbfaf5"/>${lineSvg(lines, left + size * 0.6, top + size * 1.2, size, 'DejaVu Sans Mono', '#202020', 'start', 1.5)}`;
    return { svg: rotate(svg), lines, opaque: false, size };
  }
  if (layout === 'screenshot') {
    // Text on a screen is small next to a sign's.
    const size = Math.min(asked, 36);
    const title = `${pick(random, SIGN_WORDS)} ${pick(random, SIGN_WORDS)}`.replace(/^./, (c) => c.toUpperCase());
    // Lines end before the screen's edge (DejaVu Sans is about 0.6 em a character).
    const maxChars = Math.floor((width - 2 * size) / (size * 0.62));
    const body = Array.from({ length: 3 + Math.floor(random() * 3) }, () => {
      let line = pick(random, SIGN_WORDS);
      for (let n = 2 + Math.floor(random() * 4); n > 0; n--) {
        const next = `${line} ${pick(random, SIGN_WORDS)}`;
        if (next.length > maxChars) break;
        line = next;
      }
      return line;
    });
    const dark = random() < 0.4;
    const bg = dark ? '#1e1f24' : '#ffffff';
    const ink = dark ? '#e8e8e8' : '#1a1a1a';
    const barH = Math.round(size * 2.2);
    const svg = [
      `<rect width="${width}" height="${height}" fill="${bg}"/>`,
      `<rect width="${width}" height="${barH}" fill="${dark ? '#2b2d35' : '#e9ecf2'}"/>`,
      lineSvg([title], size, barH * 0.7, Math.round(size * 1.1), 'DejaVu Sans', ink, 'start'),
      lineSvg(body, size, barH + size * 2, size, 'DejaVu Sans', ink, 'start', 1.6),
    ].join('');
    const [first, ...rest] = given ?? [title, ...body];
    const svg2 = given
      ? [
          svg.slice(0, svg.indexOf('<text')),
          lineSvg([first!], size, barH * 0.7, Math.round(size * 1.1), 'DejaVu Sans', ink, 'start'),
          lineSvg(rest, size, barH + size * 2, size, 'DejaVu Sans', ink, 'start', 1.6),
        ].join('')
      : svg;
    return { svg: svg2, lines: [first!, ...rest], opaque: true, size };
  }
  return { svg: '', lines: [], opaque: false, size: asked };
}

/** One photo with its spec's text (its own `lines` when given, else lines made up from the seed), on a background photo or a generated one. */
async function renderTextPhoto(spec: TextPhotoSpec, random: () => number, width: number, height: number, backgrounds: Buffer[]): Promise<TextPhoto> {
  const drawn = draw(spec.layout, random, width, height, spec.fontSize, spec.angle, spec.lines.length > 0 ? spec.lines : undefined);
  let base: Sharp;
  if (spec.background >= 0) {
    base = sharp(backgrounds[spec.background]!)
      .rotate()
      .resize(width, height, { fit: 'cover', position: pick(random, ['centre', 'north', 'south', 'east', 'west']) });
  } else {
    base = sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${generatedBackground(random, width, height)}</svg>`));
  }
  const upright = await base
    .composite(drawn.svg ? [{ input: Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${drawn.svg}</svg>`), top: 0, left: 0 }] : [])
    .flatten({ background: '#ffffff' })
    .png()
    .toBuffer();
  // Sideways as a phone stores it: pixels turned, and the EXIF orientation that turns them back.
  const stored =
    spec.exifOrientation === 1
      ? sharp(upright)
      : sharp(upright)
          .rotate(spec.exifOrientation === 6 ? 270 : 90)
          .withMetadata({ orientation: spec.exifOrientation });
  const bytes = await stored.jpeg({ quality: 85 }).toBuffer();
  const lines = drawn.lines;
  return { spec: { ...spec, lines, drawnSize: drawn.size }, words: wordsOf(lines), bytes };
}

/** One photo with the given lines written on it (a test that needs to know what it says). */
export async function writtenPhoto(options: {
  layout: Exclude<TextLayout, 'none'>;
  lines: string[];
  fontSize?: number;
  angle?: number;
  exifOrientation?: 1 | 6 | 8;
  background?: Buffer;
  width?: number;
  height?: number;
  seed?: number;
}): Promise<TextPhoto> {
  const spec: TextPhotoSpec = {
    layout: options.layout,
    lines: options.lines,
    fontSize: options.fontSize ?? 40,
    angle: options.angle ?? 0,
    exifOrientation: options.exifOrientation ?? 1,
    background: options.background ? 0 : -1,
  };
  return renderTextPhoto(spec, seededRandom(options.seed ?? 1), options.width ?? 1280, options.height ?? 960, options.background ? [options.background] : []);
}

/** A seeded set of photos with and without text. */
export async function textPhotoSet(options: TextPhotoSetOptions): Promise<TextPhoto[]> {
  const random = seededRandom(options.seed);
  const width = options.width ?? 1280;
  const height = options.height ?? 960;
  const backgrounds = options.backgrounds ?? [];
  const layouts = options.layouts ?? ['sign', 'sign', 'caption', 'receipt', 'screenshot'];
  const sizes = options.fontSizes ?? [24, 32, 40, 56, 72];
  const angles = options.angles ?? [0];
  const photos: TextPhoto[] = [];
  for (let i = 0; i < options.count; i++) {
    const none = random() < (options.noText ?? 0);
    const layout: TextLayout = none ? 'none' : pick(random, layouts);
    const spec: TextPhotoSpec = {
      layout,
      lines: [],
      fontSize: layout === 'receipt' ? Math.min(40, pick(random, sizes)) : pick(random, sizes),
      angle: layout === 'screenshot' ? 0 : pick(random, angles),
      exifOrientation: random() < (options.sideways ?? 0) ? pick(random, [6, 8] as const) : 1,
      background: backgrounds.length > 0 && random() < 0.8 ? Math.floor(random() * backgrounds.length) : -1,
    };
    photos.push(await renderTextPhoto(spec, seededRandom(options.seed * 1000 + i), width, height, backgrounds));
  }
  return photos;
}

/**
 * The held-out conditions OCR is measured on (the thresholds were set on seeds 100-199). Each is a
 * seed and the options that make it; `count` is the benchmark's (the test reads fewer).
 */
export const READING_CONDITIONS = {
  /** Signs, captions, a receipt and a screenshot, upright, text 24 px and up. */
  clear: { seed: 500, count: 60, fontSizes: [24, 32, 40, 56, 72], angles: [0] },
  /** The same, turned 45 degrees either way. */
  turned45: { seed: 600, count: 40, fontSizes: [32, 40, 56], angles: [45, -45] },
  /** Stored sideways with an EXIF orientation (as phones do), some a little turned too. */
  sideways: { seed: 700, count: 40, fontSizes: [24, 32, 40, 56], angles: [0, 15, -15], sideways: 1 },
  /** Small text, below the 24 px the targets are set for. */
  small: { seed: 800, count: 30, fontSizes: [14, 16, 20], angles: [0] },
  /** Photographs and busy backgrounds with no text at all. */
  noText: { seed: 900, count: 60, noText: 1 },
} satisfies Record<string, Omit<TextPhotoSetOptions, 'backgrounds'>>;
