/**
 * The packaging configuration, read without electron-builder or the Electron binary: the fuses it
 * declares are the ones a hardened Glimpse must ship with, spelled as electron-builder reads them (it
 * skips a key it does not know, so a misspelt fuse would silently stay at Electron's default).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import config from '../electron.config.js';

/** electron-builder 26's `FuseOptionsV1`, less `resetAdHocDarwinSignature` (not a fuse). */
const FUSE_NAMES = [
  'runAsNode',
  'enableCookieEncryption',
  'enableNodeOptionsEnvironmentVariable',
  'enableNodeCliInspectArguments',
  'enableEmbeddedAsarIntegrityValidation',
  'onlyLoadAppFromAsar',
  'loadBrowserProcessSpecificV8Snapshot',
  'grantFileProtocolExtraPrivileges',
];

/** What issue 25 requires of the packaged app, and why. */
const REQUIRED: Record<string, [boolean, string]> = {
  runAsNode: [false, 'ELECTRON_RUN_AS_NODE would turn the signed app into a Node that runs any script'],
  enableNodeOptionsEnvironmentVariable: [false, 'NODE_OPTIONS=--require would load any script into the main process'],
  enableNodeCliInspectArguments: [false, '--inspect would attach a debugger to the main process'],
  enableEmbeddedAsarIntegrityValidation: [true, 'an edited app.asar must not load'],
  onlyLoadAppFromAsar: [true, 'an app folder put beside app.asar must not load instead'],
  grantFileProtocolExtraPrivileges: [false, 'nothing is served from file://'],
};

describe('the packaging configuration (electron.config.ts)', () => {
  // Read as data (a key the type does not know must still be seen).
  const fuses = config.electronFuses as unknown as Record<string, unknown> | undefined;

  it('sets the fuses a hardened app needs', () => {
    assert.ok(fuses, 'electronFuses is set');
    for (const [name, [value, why]] of Object.entries(REQUIRED)) assert.equal(fuses[name], value, `${name} must be ${String(value)}: ${why}`);
  });

  it('sets every fuse, on or off, under the names electron-builder knows', () => {
    assert.deepEqual(Object.keys(fuses ?? {}).sort(), [...FUSE_NAMES].sort());
    for (const name of FUSE_NAMES) assert.equal(typeof fuses?.[name], 'boolean', name);
  });

  it('packs the app into an asar archive (what the integrity and asar-only fuses check)', () => {
    assert.equal(config.asar, true);
  });
});
