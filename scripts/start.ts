/**
 * `npm start`: the desktop app, or web mode where Electron cannot start (its binary is missing, or
 * there is no display, as on a headless machine). The reason is printed in one line.
 */
import { spawnSync, spawn } from 'node:child_process';
import { electronBinary } from '../src/main/electron/binary.js';

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const electron = electronBinary();
const headless = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const reason = 'reason' in electron ? electron.reason : headless ? 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)' : undefined;

run('npx', ['vite', 'build', '--logLevel', 'warn']);
if (reason || !('path' in electron)) {
  console.log(`Desktop app unavailable: ${reason}; starting web mode instead.`);
  const web = spawn(process.execPath, ['--import', 'tsx', 'src/cli/glimpse.ts', 'web', ...process.argv.slice(2)], { stdio: 'inherit' });
  web.on('exit', (code) => process.exit(code ?? 0));
  process.on('SIGINT', () => web.kill('SIGINT'));
} else {
  run('npx', ['tsc', '-p', 'src/main/electron/tsconfig.build.json']);
  const app = spawn(electron.path, ['out/electron/main/electron/main.js'], { stdio: 'inherit' });
  app.on('exit', (code) => process.exit(code ?? 0));
}
