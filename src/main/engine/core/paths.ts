import { homedir } from 'node:os';
import { sep } from 'node:path';

/** True when `path` is `dir` or inside it. */
export function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/** The bounds of every path inside `dir`, for a range scan: they sort between the prefix and the prefix with its last character bumped. */
export function pathRange(dir: string): [string, string] {
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  return [prefix, prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)];
}

/**
 * A path as a person types it: `~` and `~/...` (or `~\...`) are their home folder, as a shell would have
 * it, where a path typed in the app or quoted on the command line reaches us without a shell.
 * `~name` (another user's home) is left as it is.
 */
export function expandHome(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/') || (sep === '\\' && path.startsWith('~\\'))) return homedir() + path.slice(1);
  return path;
}
