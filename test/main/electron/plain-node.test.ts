import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';

// Everything in src/main/electron that can run without Electron stays free of it, types included, so
// that it runs (and is tested) in plain Node. Only these files may touch Electron:
const ELECTRON_FILES = new Set(['main.ts', 'engine-process.ts']);
const DIR = new URL('../../../src/main/electron/', import.meta.url);

describe('the plain-Node modules of the Electron shell', () => {
  const plain = readdirSync(DIR).filter((name) => name.endsWith('.ts') && !ELECTRON_FILES.has(name));

  it("include the broker, the protocol router, the IPC handler, the folder grants, the engine's environment and the window state", () => {
    for (const name of ['engine-broker.ts', 'protocols.ts', 'ipc.ts', 'folder-grants.ts', 'engine-env.ts', 'window-state.ts', 'messages.ts']) assert.ok(plain.includes(name), name);
  });

  it('never import Electron, not even its types', () => {
    for (const name of plain) {
      // Comments may name Electron; code may not.
      const source = readFileSync(new URL(name, DIR), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '');
      assert.doesNotMatch(source, /\bfrom\s+['"]electron(\/[^'"]*)?['"]|\brequire\(\s*['"]electron['"]\s*\)|\bimport\(\s*['"]electron['"]\s*\)|\bElectron\.[A-Z]/, name);
    }
  });

  it('load and run in plain Node', async () => {
    for (const name of plain) {
      // webgpu-probe.ts is a process's entry: importing it runs the probe (its own test is engine-broker.test.ts).
      if (name === 'binary.ts' || name === 'messages.ts' || name === 'webgpu-probe.ts') continue;
      const loaded = (await import(new URL(name, DIR).href)) as Record<string, unknown>;
      assert.ok(Object.keys(loaded).length > 0, name);
    }
  });
});
