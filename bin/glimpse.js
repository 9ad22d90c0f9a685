#!/usr/bin/env node
// The `glimpse` command. It runs the compiled CLI (out/node, made by `npm run build:cli`, which
// `npm ci` runs) when that is at least as new as every source file, and the TypeScript through tsx
// otherwise, so an edit is never run stale. The compiled one starts about 0.4 s sooner.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// V8 keeps the compiled code of our modules and the packages' on disk (the OS temp folder), so a second
// command skips most compilation: about 0.1 s of a `glimpse search`.
enableCompileCache?.();

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'out', 'node', 'cli', 'glimpse.js');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'renderer' && entry.name !== 'electron') newest = Math.max(newest, newestSource(path));
    } else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

if (existsSync(compiled) && statSync(compiled).mtimeMs >= newestSource(join(root, 'src'))) {
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/glimpse.ts');
}
