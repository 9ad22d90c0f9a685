import { homedir } from 'node:os';
import { join } from 'node:path';

/** The product name Electron derives `app.getPath('userData')` from (package.json "productName"). */
export const APP_NAME = 'Glimpse';

/**
 * The per-user data folder, the same one Electron's `app.getPath('userData')` gives, so the CLI and
 * the desktop app share one library. GLIMPSE_DATA_DIR overrides it.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.GLIMPSE_DATA_DIR) return env.GLIMPSE_DATA_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_NAME);
}
