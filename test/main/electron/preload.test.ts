import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { methods } from '../../../src/shared/api.js';

// The sandboxed preload cannot import the contract at run time, so it keeps its own list of names.
describe('the preload bridge', () => {
  const source = readFileSync(new URL('../../../src/preload/preload.cts', import.meta.url), 'utf8');
  // The names inside `const NAME = new Set([...])`, however the list is formatted.
  const list = (name: string) => [...new RegExp(`const ${name} = new Set\\(\\[([^\\]]*)\\]\\)`).exec(source)![1]!.matchAll(/'([^']+)'/g)].map((m) => m[1]!);

  it('allows exactly the methods of the shared API contract', () => {
    assert.deepEqual(new Set(list('METHODS')), new Set(Object.keys(methods)));
  });

  it('never hands ipcRenderer itself to the page', () => {
    assert.doesNotMatch(source, /exposeInMainWorld\([^)]*ipcRenderer\s*[,)]/);
    assert.match(source, /exposeInMainWorld\('glimpse'/);
  });
});
