import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { engineEnvironment, passesToEngine } from '../../../src/main/electron/engine-env.js';

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

/** What a user's shell may hold that must never reach the engine. */
const HOSTILE: Record<string, string> = {
  NODE_OPTIONS: '--require /tmp/evil.js --inspect=0.0.0.0:9229',
  node_options: '--require /tmp/evil.js',
  Node_Options: '--require /tmp/evil.js',
  ELECTRON_RUN_AS_NODE: '1',
  electron_run_as_node: '1',
  ELECTRON_ENABLE_LOGGING: '1',
  ELECTRON_NO_ASAR: '1',
  NODE_PATH: '/tmp/evil-modules',
  NODE_DEBUG: 'net,tls',
  NODE_DEBUG_NATIVE: 'all',
  NODE_INSPECT_RESUME_ON_START: '1',
  NODE_V8_COVERAGE: '/tmp/coverage',
  NODE_TLS_REJECT_UNAUTHORIZED: '0',
  NODE_EXTRA_CA_CERTS: '/tmp/evil-ca.pem',
  NODE_CHANNEL_FD: '3',
  NODE_UNIQUE_ID: '1',
  NODE_COMPILE_CACHE: '/tmp/cache',
  NODE_REPL_EXTERNAL_MODULE: '/tmp/evil.js',
  LD_PRELOAD: '/tmp/evil.so',
  LD_AUDIT: '/tmp/evil.so',
  DYLD_INSERT_LIBRARIES: '/tmp/evil.dylib',
  DYLD_LIBRARY_PATH: '/tmp',
  OPENSSL_CONF: '/tmp/evil.cnf',
  SSLKEYLOGFILE: '/tmp/keys.log',
  VK_LAYER_PATH: '/tmp/layers',
  VK_INSTANCE_LAYERS: 'VK_LAYER_evil',
  GITHUB_TOKEN: 'ghp_secret',
  AWS_SECRET_ACCESS_KEY: 'secret',
  HF_TOKEN: 'hf_secret',
  npm_config_registry: 'https://registry.example',
  HTTPS_PROXY: 'http://proxy.example:3128',
  SHELL: '/bin/bash',
  DISPLAY: ':0',
};

/** What the engine needs, as a Linux, a macOS and a Windows shell spell it. */
const NEEDED: Record<string, string> = {
  GLIMPSE_DEVICE: 'gpu',
  GLIMPSE_FFMPEG: '/opt/ffmpeg/bin/ffmpeg',
  GLIMPSE_MODEL_BASE_URL: 'http://127.0.0.1:8080',
  PATH: '/usr/local/bin:/usr/bin:/bin',
  HOME: '/home/me',
  USER: 'me',
  TMPDIR: '/tmp/me',
  TEMP: 'C:\\Users\\me\\AppData\\Local\\Temp',
  TMP: 'C:\\Users\\me\\AppData\\Local\\Temp',
  LANG: 'de_DE.UTF-8',
  LC_ALL: 'de_DE.UTF-8',
  LC_TIME: 'en_GB.UTF-8',
  TZ: 'Europe/Berlin',
  XDG_CONFIG_HOME: '/home/me/.config',
  XDG_CACHE_HOME: '/home/me/.cache',
  XDG_RUNTIME_DIR: '/run/user/1000',
  USERPROFILE: 'C:\\Users\\me',
  APPDATA: 'C:\\Users\\me\\AppData\\Roaming',
  LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local',
  SystemRoot: 'C:\\Windows',
  Path: 'C:\\Windows\\system32;C:\\ffmpeg\\bin',
  PATHEXT: '.COM;.EXE;.BAT;.CMD',
  ComSpec: 'C:\\Windows\\system32\\cmd.exe',
  VK_ICD_FILENAMES: '/usr/share/vulkan/icd.d/nvidia_icd.json',
  VK_DRIVER_FILES: '/usr/share/vulkan/icd.d/radeon_icd.x86_64.json',
  DRI_PRIME: '1',
  CUDA_VISIBLE_DEVICES: '0',
};

describe("the engine's environment", () => {
  it('never passes what changes how Node, Electron or the loader run code, nor secrets the shell held', () => {
    const env = engineEnvironment({ ...HOSTILE, ...NEEDED }, {}, 'linux');
    for (const name of Object.keys(HOSTILE)) assert.equal(env[name], undefined, name);
    for (const platform of ['linux', 'darwin', 'win32'] as const)
      for (const name of Object.keys(HOSTILE)) assert.equal(passesToEngine(name, platform), false, `${name} on ${platform}`);
  });

  it('passes what the engine reads and the programs it runs need, as the shell spelled it', () => {
    const env = engineEnvironment({ ...HOSTILE, ...NEEDED, UNSET: undefined }, {}, 'linux');
    assert.deepEqual(env, NEEDED);
  });

  it("passes LD_LIBRARY_PATH on Linux only (the CUDA libraries' folder)", () => {
    assert.equal(passesToEngine('LD_LIBRARY_PATH', 'linux'), true);
    assert.equal(passesToEngine('LD_LIBRARY_PATH', 'darwin'), false);
    assert.equal(passesToEngine('LD_LIBRARY_PATH', 'win32'), false);
  });

  it("sets main's own values over the shell's, in any spelling, and refuses to set a forbidden one", () => {
    const env = engineEnvironment({ GLIMPSE_DATA_DIR: '/elsewhere', Glimpse_Data_Dir: '/elsewhere/too', PATH: '/bin' }, { GLIMPSE_DATA_DIR: '/data' }, 'win32');
    assert.deepEqual(env, { PATH: '/bin', GLIMPSE_DATA_DIR: '/data' });
    assert.throws(() => engineEnvironment({}, { NODE_OPTIONS: '--inspect' }, 'linux'), /NODE_OPTIONS is not for the engine/);
    assert.throws(() => engineEnvironment({}, { ELECTRON_RUN_AS_NODE: '1' }, 'linux'), /not for the engine/);
  });

  it('passes every variable the engine and its host read', () => {
    // `process.env.NAME`, `process.env['NAME']` and `env.NAME` (data-dir.ts reads an env it is handed).
    const read = new Set<string>();
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
      );
    for (const file of [...files(join(SRC, 'main/engine')), ...files(join(SRC, 'main/host'))])
      for (const match of readFileSync(file, 'utf8').matchAll(/\b(?:process\.)?env(?:\.([A-Z_][A-Z0-9_]*)|\[['"]([A-Z_][A-Z0-9_]*)['"]\])/g)) read.add((match[1] ?? match[2])!);
    // The engine sets ELECTRON_RUN_AS_NODE itself for the WebGPU probe it runs; it does not read it.
    read.delete('ELECTRON_RUN_AS_NODE');
    assert.ok(read.has('GLIMPSE_DEVICE') && read.has('APPDATA') && read.has('PATH'), `found: ${[...read].join(', ')}`);
    for (const platform of ['linux', 'darwin', 'win32'] as const) for (const name of read) assert.ok(passesToEngine(name, platform), `${name} on ${platform}`);
  });
});
