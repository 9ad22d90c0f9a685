// The set-up a new user goes through, as child processes: Glimpse runs on Node 22 or later, which `npm ci`
// installs into the project (the `node` package), while npm and a bare `node bin/glimpse.js` may run on
// the system's older Node (this machine's is 20). Every way in works or says in one line what to do,
// and none prints a warning.
import assert from 'node:assert/strict';
import { type SpawnSyncOptions, spawnSync } from 'node:child_process';
import { accessSync, constants, copyFileSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { tempDir } from './fixtures.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PROJECT_NODE = join(ROOT, 'node_modules', 'node', 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
const major = (node: string) => Number(/^v(\d+)/.exec(spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout)?.[1] ?? NaN);

/** PATH as a shell outside npm has it: without the project's node_modules/.bin (npm and npx put it first). */
const SYSTEM_PATH = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((dir) => dir && !dir.includes('node_modules'))
  .join(delimiter);

function onSystemPath(name: string): string | undefined {
  for (const dir of SYSTEM_PATH.split(delimiter)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return realpathSync(join(dir, name));
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A Node older than 22 to start from: GLIMPSE_OLD_NODE, or the system's when it is older. */
const OLD_NODE = process.env.GLIMPSE_OLD_NODE ?? onSystemPath('node');
const noOldNode = OLD_NODE && major(OLD_NODE) < 22 ? false : `no Node older than 22 here (the system's is ${OLD_NODE ? major(OLD_NODE) : 'missing'}; GLIMPSE_OLD_NODE names one)`;
/** npm's own scripts (npm-cli.js, npx-cli.js), run by the old Node as the user's shell would. */
const NPM_CLI = onSystemPath('npm');
const noNpm = NPM_CLI ? false : 'npm is not on the PATH';

/** The environment of a shell outside npm: no npm_* variables of the test runner's own npm. */
function shellEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  return { ...env, PATH: SYSTEM_PATH, ...extra };
}

function run(command: string, args: string[], options: SpawnSyncOptions = {}) {
  return spawnSync(command, args, { encoding: 'utf8', timeout: 120_000, cwd: ROOT, env: shellEnv(), ...options }) as ReturnType<typeof spawnSync> & {
    stdout: string;
    stderr: string;
  };
}

describe('starting glimpse on an older Node', { skip: noOldNode }, () => {
  const tmp = tempDir();
  after(() => tmp.remove());

  it('runs itself on the Node 22 that npm ci installed into the project', () => {
    const result = run(OLD_NODE!, [join(ROOT, 'bin', 'glimpse.js'), '--data-dir', join(tmp.path, 'data'), 'status']);
    assert.equal(result.stderr, '');
    assert.equal(result.status, 0);
    assert.match(result.stdout, /^Model: /);
  });

  it('says in one line what to do where the project has no Node 22', () => {
    const elsewhere = join(tmp.path, 'copy', 'bin');
    mkdirSync(elsewhere, { recursive: true });
    copyFileSync(join(ROOT, 'bin', 'glimpse.js'), join(elsewhere, 'glimpse.js'));
    const result = run(OLD_NODE!, [join(elsewhere, 'glimpse.js'), 'status'], { cwd: tmp.path });
    assert.equal(result.status, 1);
    assert.equal(result.stdout, '');
    const lines = result.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, new RegExp(`^glimpse: Glimpse needs Node\\.js 22 or later, and this is Node ${major(OLD_NODE!)}\\.\\d+\\.\\d+: run \`npm ci\` in .*copy`));
  });

  it('npx glimpse status prints no warnings, also the first time (when npx installs the project into its cache)', { skip: noNpm }, () => {
    const npx = join(dirname(NPM_CLI!), 'npx-cli.js');
    const cache = join(tmp.path, 'npm-cache'); // empty: as on a fresh machine
    const result = run(OLD_NODE!, [npx, '--offline', 'glimpse', '--data-dir', join(tmp.path, 'npx-data'), 'status'], { env: shellEnv({ npm_config_cache: cache }) });
    assert.equal(result.stderr, '');
    assert.equal(result.status, 0);
    assert.match(result.stdout, /^Model: /);
  });
});

describe("npm's checks of the locked packages", { skip: noNpm }, () => {
  const tmp = tempDir();
  after(() => tmp.remove());
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; hasInstallScript?: boolean }> };
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean> };

  /** `npm install --dry-run` from the lockfile in a scratch folder (what `npm ci` checks before it installs), on `node`. */
  function dryInstall(node: string, name: string, extra: string[] = []) {
    const dir = join(tmp.path, name);
    mkdirSync(dir, { recursive: true });
    for (const file of ['package.json', 'package-lock.json', '.npmrc']) copyFileSync(join(ROOT, file), join(dir, file));
    return run(node, [NPM_CLI!, 'install', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund', '--offline', '--cache', join(tmp.path, `${name}-cache`), ...extra], {
      cwd: dir,
    });
  }

  it('every package accepts the Node Glimpse runs on (npm warns of none, at its warning level)', () => {
    const result = dryInstall(PROJECT_NODE, 'project-node', ['--loglevel=warn']);
    assert.equal(result.status, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /EBADENGINE|Unsupported engine/);
  });

  it("installing on this machine's Node prints no warning", { skip: noOldNode }, () => {
    const result = dryInstall(OLD_NODE!, 'system-node');
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, '');
  });

  it('every package with an install script is allowed or refused in allowScripts', () => {
    const unlisted = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([path, entry]) => ({ name: path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length), version: entry.version }))
      .filter(({ name, version }) => !(name in manifest.allowScripts) && !(`${name}@${version}` in manifest.allowScripts))
      .map(({ name, version }) => `${name}@${version}`);
    assert.deepEqual(unlisted, []);
  });
});
