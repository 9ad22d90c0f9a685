/**
 * The architecture's layering is enforced by ESLint (eslint.config.js): these plant wrong imports in
 * each layer and check that the configured rules refuse them, and that the right ones pass.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// A planted file is not on disk, so no tsconfig holds it: the rules that need types are off here (the
// import rules do not need them), and the parser is not asked for a program.
const TYPED_RULES = ['no-floating-promises', 'no-misused-promises', 'await-thenable', 'switch-exhaustiveness-check'];
const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false, project: null } },
    rules: Object.fromEntries(TYPED_RULES.map((rule) => [`@typescript-eslint/${rule}`, 'off'])),
  },
});

async function layeringErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const CASES: Array<[file: string, code: string, refused: boolean]> = [
  ['src/main/engine/catalog/planted.ts', "import { app } from 'electron';\nexport const x = app;\n", true],
  ['src/main/engine/catalog/planted.ts', "import type { BrowserWindow } from 'electron';\nexport type W = BrowserWindow;\n", true],
  ['src/main/engine/planted.ts', "import { ApiHost } from '../host/api-host.js';\nexport const x = ApiHost;\n", true],
  ['src/main/engine/library/planted.ts', "import { printResults } from '../../../cli/format.js';\nexport const x = printResults;\n", true],
  ['src/main/engine/library/planted.ts', "import { Catalog } from '../catalog/catalog.js';\nexport const x = Catalog;\n", false],
  ['src/renderer/search/planted.ts', "import { GlimpseEngine } from '../../main/engine/engine.js';\nexport const x = GlimpseEngine;\n", true],
  ['src/renderer/search/planted.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", true],
  ['src/renderer/search/planted.ts', "import { searchParams } from '../../shared/api';\nexport const x = searchParams;\n", false],
  ['src/shared/planted.ts', "import { Catalog } from '../main/engine/catalog/catalog.js';\nexport const x = Catalog;\n", true],
  ['src/shared/planted.ts', "import { join } from 'node:path';\nexport const x = join;\n", true],
  ['src/main/host/planted.ts', "import { EngineBroker } from '../electron/engine-broker.js';\nexport const x = EngineBroker;\n", true],
  ['src/main/host/planted.ts', "import { GlimpseEngine } from '../engine/engine.js';\nexport const x = GlimpseEngine;\n", false],
  ['src/cli/planted.ts', "import { EngineBroker } from '../main/electron/engine-broker.js';\nexport const x = EngineBroker;\n", true],
  // The engine's floors: core < catalog < media < models < index < features < the facade.
  ['src/main/engine/core/planted.ts', "import { Catalog } from '../catalog/catalog.js';\nexport const x = Catalog;\n", true],
  ['src/main/engine/catalog/planted.ts', "import { PhotoStore } from '../library/photo-store.js';\nexport const x = PhotoStore;\n", true],
  ['src/main/engine/media/planted.ts', "import type { ImageFeatures } from '../models/pack.js';\nexport type F = ImageFeatures;\n", true],
  ['src/main/engine/index/planted.ts', "import { refreshAlbums } from '../albums/albums.js';\nexport const x = refreshAlbums;\n", true],
  ['src/main/engine/library/planted.ts', "import type { GlimpseEngine } from '../engine.js';\nexport type E = GlimpseEngine;\n", true],
  ['src/main/engine/index/planted.ts', "import { Catalog } from '../catalog/catalog.js';\nexport const x = Catalog;\n", false],
  ['src/main/engine/search/planted.ts', "import { StackStore } from '../stacks/stack-store.js';\nexport const x = StackStore;\n", false],
  ['src/main/engine/models/planted.ts', "import type { RgbPixels } from '../media/decode.js';\nexport type P = RgbPixels;\n", false],
];

describe('the layering rules', () => {
  for (const [file, code, refused] of CASES) {
    it(`${refused ? 'refuses' : 'allows'} ${code.split('\n')[0]} in ${file}`, async () => {
      const errors = await layeringErrors(file, code);
      if (refused) assert.ok(errors.length > 0, 'the planted import is reported');
      else assert.deepEqual(errors, []);
    });
  }

  it('finds nothing to refuse in the code as it is', async () => {
    const results = await eslint.lintFiles(['src']);
    const layering = results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => `${r.filePath}: ${m.message}`));
    assert.deepEqual(layering, []);
  });

  it('refuses a floating promise and a promise where a callback returns void (the type-checked rules run)', async () => {
    // On disk, inside the engine's tsconfig, so the project service types it as it types the engine.
    const file = join(ROOT, 'src/main/engine/planted-floating.ts');
    writeFileSync(file, 'const later = async () => 1;\nlater();\nsetTimeout(async () => later(), 0);\nexport {};\n');
    try {
      const [result] = await new ESLint({ cwd: ROOT }).lintFiles([file]);
      const rules = result!.messages.map((m) => m.ruleId);
      assert.ok(rules.includes('@typescript-eslint/no-floating-promises'), JSON.stringify(result!.messages));
      assert.ok(rules.includes('@typescript-eslint/no-misused-promises'), JSON.stringify(result!.messages));
    } finally {
      rmSync(file, { force: true });
    }
  });
});
