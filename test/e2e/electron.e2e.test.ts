/**
 * The real desktop app through Playwright's Electron support, where an Electron binary exists. In this
 * workplace it cannot be downloaded, so the test says so and skips.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { _electron } from 'playwright-core';
import { tempDir } from '../fixtures.js';
import { electronBinary } from '../../src/main/electron/binary.js';

const found = electronBinary();
const binary = 'path' in found ? found.path : null;
const display = process.platform !== 'linux' || !!process.env.DISPLAY || !!process.env.WAYLAND_DISPLAY;
const reason = 'reason' in found ? found.reason : !display ? 'no display' : false;
if (reason) console.log(`# skipping the Electron end-to-end test: ${reason}`);

describe('the desktop app (Electron)', { skip: reason }, () => {
  it('opens a window that shows the search box, with the sandboxed preload bridge', async () => {
    const build = spawnSync('npx', ['tsc', '-p', 'src/main/electron/tsconfig.build.json'], { stdio: 'inherit' });
    assert.equal(build.status, 0);
    const tmp = tempDir();
    const app = await _electron.launch({
      executablePath: binary!,
      args: ['out/electron/main/electron/main.js'],
      env: { ...process.env, GLIMPSE_DATA_DIR: join(tmp.path, 'data') },
    });
    try {
      const window = await app.firstWindow();
      await window.getByTestId('empty-state').waitFor();
      assert.equal(await window.evaluate(() => (window as unknown as { glimpse?: { shell: string } }).glimpse?.shell), 'desktop');
      assert.equal(await window.evaluate(() => typeof (window as unknown as { require?: unknown }).require), 'undefined');
    } finally {
      await app.close();
      tmp.remove();
    }
  });
});
