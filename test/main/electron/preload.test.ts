import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { methods } from '../../../src/shared/api.js';

// The sandboxed preload cannot import the contract at run time, so it keeps its own list of names.
describe('the preload bridge', () => {
  const source = readFileSync(new URL('../../../src/preload/preload.cts', import.meta.url), 'utf8');
  const list = (name: string) => JSON.parse(/const NAME = new Set\((\[[^\]]*\])\)/.exec(source.replace(name, 'NAME'))![1]!.replace(/'/g, '"')) as string[];

  it('allows exactly the methods of the shared API contract', () => {
    assert.deepEqual(new Set(list('METHODS')), new Set(Object.keys(methods)));
  });

  it('never hands ipcRenderer itself to the page', () => {
    assert.doesNotMatch(source, /exposeInMainWorld\([^)]*ipcRenderer\s*[,)]/);
    assert.match(source, /exposeInMainWorld\('glimpse'/);
  });
});
