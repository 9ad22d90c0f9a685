/**
 * The window's size and place, kept in a small JSON file between runs. Plain Node: main.ts passes the
 * screens' work areas in (from Electron's `screen`).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

/** A screen's usable area (Electron's `Display.workArea`). */
export interface WorkArea {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const MIN_WIDTH = 720;
export const MIN_HEIGHT = 480;
export const DEFAULT_WINDOW_STATE: Readonly<WindowState> = { width: 1280, height: 820, maximized: false };

/**
 * The saved state, made sane: the default when the file is missing or unreadable, sizes no smaller
 * than the window's minimum, and the position only where the window would still be on a screen (a
 * monitor may have gone since).
 */
export function readWindowState(file: string, workAreas: readonly WorkArea[]): WindowState {
  let raw: Partial<Record<keyof WindowState, unknown>>;
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ...DEFAULT_WINDOW_STATE };
    raw = parsed;
  } catch {
    return { ...DEFAULT_WINDOW_STATE };
  }
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : undefined);
  const width = Math.max(MIN_WIDTH, num(raw.width) ?? DEFAULT_WINDOW_STATE.width);
  const height = Math.max(MIN_HEIGHT, num(raw.height) ?? DEFAULT_WINDOW_STATE.height);
  const x = num(raw.x);
  const y = num(raw.y);
  const state: WindowState = { width, height, maximized: raw.maximized === true };
  if (x !== undefined && y !== undefined) {
    const onScreen = workAreas.some((a) => x + width - 100 > a.x && x + 100 < a.x + a.width && y >= a.y - 10 && y + 50 < a.y + a.height);
    if (onScreen) Object.assign(state, { x, y });
  }
  return state;
}

/** Writes the state through a temporary file, so a crash never leaves half a file. */
export function writeWindowState(file: string, state: WindowState): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(state));
  renameSync(`${file}.tmp`, file);
}
