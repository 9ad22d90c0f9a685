/**
 * Which folders the renderer may add, without Electron. In the desktop app a folder is added from a
 * path the user chose in the native picker, never from a path a script in the window made up: when the
 * picker returns a path, main records a grant (an unguessable token bound to that path) and hands both
 * to the renderer, which must present the token with the path to `addFolder`. A grant is good for one
 * use, for its own path, for a short while; whatever was presented with it, it is gone once presented.
 * A path without a valid grant (the user typed it) is added only after the user confirms it in a
 * dialog of the main process (ipc.ts).
 */
import { randomBytes } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { expandHome } from '../engine/core/paths.js';

/** How long a grant waits for its `addFolder` (the renderer sends it straight after the picker). */
export const GRANT_TTL_MS = 2 * 60_000;
/** Grants held at once; issuing another drops the oldest. */
export const MAX_GRANTS = 8;

export interface FolderGrantsOptions {
  ttlMs?: number;
  max?: number;
  /** The clock (ms), for tests. */
  now?: () => number;
}

/**
 * The folder a path names, for comparing two spellings of it: absolute paths only, with `.` and `..`
 * segments and trailing separators resolved away (lexically, as the engine resolves a folder it adds).
 * A relative path names no folder here (the main process's working folder means nothing to the user).
 */
export function folderKey(path: string): string | null {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) return null;
  const typed = expandHome(path); // "~/Pictures" is the user's, as in a shell
  if (!isAbsolute(typed)) return null;
  return resolve(typed);
}

export class FolderGrants {
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;
  /** token -> the path the picker returned, and when the grant lapses. Insertion order is age order. */
  readonly #grants = new Map<string, { path: string; key: string; expires: number }>();

  constructor(options: FolderGrantsOptions = {}) {
    this.#ttlMs = options.ttlMs ?? GRANT_TTL_MS;
    this.#max = options.max ?? MAX_GRANTS;
    this.#now = options.now ?? Date.now;
  }

  /** Grants outstanding (not yet presented, not lapsed). */
  get size(): number {
    this.#dropLapsed();
    return this.#grants.size;
  }

  /** Records a grant for a path the native picker returned; the token goes to the renderer with the path. */
  issue(path: string): string {
    const key = folderKey(path);
    if (key === null) throw new Error(`the folder picker returned something other than a full path: ${JSON.stringify(path)}`);
    this.#dropLapsed();
    while (this.#grants.size >= this.#max) this.#grants.delete(this.#grants.keys().next().value!);
    const token = randomBytes(32).toString('base64url');
    this.#grants.set(token, { path, key, expires: this.#now() + this.#ttlMs });
    return token;
  }

  /**
   * The folder to add when `token` is a live grant for the folder `path` names: the path exactly as the
   * picker returned it (not the renderer's spelling of it), else null. The grant is used up either way.
   */
  redeem(token: unknown, path: unknown): string | null {
    this.#dropLapsed();
    if (typeof token !== 'string') return null;
    const grant = this.#grants.get(token);
    if (!grant) return null;
    this.#grants.delete(token);
    if (typeof path !== 'string' || folderKey(path) !== grant.key) return null;
    return grant.path;
  }

  #dropLapsed(): void {
    const now = this.#now();
    for (const [token, grant] of this.#grants) if (grant.expires <= now) this.#grants.delete(token);
  }
}
