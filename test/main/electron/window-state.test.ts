import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEFAULT_WINDOW_STATE, MIN_HEIGHT, MIN_WIDTH, type WorkArea, readWindowState, writeWindowState } from '../../../src/main/electron/window-state.js';
import { tempDir } from '../../fixtures.js';

const LAPTOP: WorkArea = { x: 0, y: 0, width: 1440, height: 900 };
const RIGHT_MONITOR: WorkArea = { x: 1440, y: 0, width: 2560, height: 1440 };

describe('the window state file', () => {
  const tmp = tempDir();
  after(() => tmp.remove());
  let n = 0;
  /** A fresh state file's path, with `content` written to it when given. */
  const file = (content?: string) => {
    const path = join(tmp.path, `state-${n++}`, 'window-state.json');
    if (content !== undefined) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
    }
    return path;
  };

  it('round-trips through a temporary file, creating the folder, leaving nothing else behind', () => {
    const path = file();
    writeWindowState(path, { x: 100, y: 50, width: 1000, height: 700, maximized: true });
    assert.deepEqual(readWindowState(path, [LAPTOP]), { x: 100, y: 50, width: 1000, height: 700, maximized: true });
    assert.deepEqual(readdirSync(join(path, '..')), ['window-state.json']);
  });

  it('falls back to the default for a missing, unreadable or nonsensical file', () => {
    assert.deepEqual(readWindowState(file(), [LAPTOP]), DEFAULT_WINDOW_STATE);
    for (const content of ['', '{', 'null', '[]', '"big"', '42']) assert.deepEqual(readWindowState(file(content), [LAPTOP]), DEFAULT_WINDOW_STATE, content);
    const folderInstead = file();
    mkdirSync(folderInstead, { recursive: true });
    assert.deepEqual(readWindowState(folderInstead, [LAPTOP]), DEFAULT_WINDOW_STATE);
  });

  it('keeps sizes at least the window minimum and ignores non-numbers', () => {
    assert.deepEqual(readWindowState(file('{"width": 10, "height": -5}'), [LAPTOP]), { width: MIN_WIDTH, height: MIN_HEIGHT, maximized: false });
    assert.deepEqual(readWindowState(file('{"width": "wide", "height": 1e999, "maximized": "yes"}'), [LAPTOP]), DEFAULT_WINDOW_STATE);
    assert.deepEqual(readWindowState(file('{"width": 1000.6, "height": 700.2}'), [LAPTOP]), { width: 1001, height: 700, maximized: false });
  });

  it('keeps the position only while the window would be on a screen', () => {
    const onRight = file('{"x": 2000, "y": 100, "width": 1200, "height": 800}');
    assert.deepEqual(readWindowState(onRight, [LAPTOP, RIGHT_MONITOR]), { x: 2000, y: 100, width: 1200, height: 800, maximized: false });
    // The right-hand monitor has gone: the window is placed by the system instead.
    assert.deepEqual(readWindowState(onRight, [LAPTOP]), { width: 1200, height: 800, maximized: false });
    assert.deepEqual(readWindowState(file('{"x": -5000, "y": -5000, "width": 800, "height": 600}'), [LAPTOP]), { width: 800, height: 600, maximized: false });
    assert.deepEqual(readWindowState(file('{"x": 100, "y": 100, "width": 800, "height": 600}'), []), { width: 800, height: 600, maximized: false });
    // Only one of x and y is no position at all.
    assert.deepEqual(readWindowState(file('{"x": 100, "width": 800, "height": 600}'), [LAPTOP]), { width: 800, height: 600, maximized: false });
  });
});
