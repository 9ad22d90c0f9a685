// ESLint flat config: the recommended rules of ESLint, typescript-eslint and eslint-plugin-svelte,
// Prettier's compatibility config (formatting is Prettier's job), and the layering of
// docs/ARCHITECTURE.md as import rules, so a wrong import fails `npm test` (and CI).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Import restrictions for one layer: `regex` is matched against the import specifier as written. */
function layer(files, rules) {
  return { files, rules: { 'no-restricted-imports': ['error', { patterns: rules.map(([regex, message]) => ({ regex, message })) }] } };
}

const ELECTRON = ['^electron(/|$)', 'Electron is imported only by src/main/electron and src/preload.'];
const NODE = ['^(node:|fs$|path$|os$|child_process$|worker_threads$)', 'This layer runs without Node: no Node built-ins.'];
const HOSTS = ['(^|/)(host|web|electron|cli|renderer|preload)/', 'The engine never depends on what hosts it (host, web, electron, cli) nor on the renderer or preload.'];

/** The engine's floors, bottom up; the facade (engine.ts and its siblings) is above them all. Also read by test/lint/imports.test.ts. */
export const ENGINE_FLOORS = [
  ['core'],
  ['catalog'],
  ['media'],
  ['models'],
  ['index'],
  ['library', 'indexing', 'captions', 'albums', 'ocr', 'faces', 'concepts', 'stacks', 'search', 'switching', 'favourites', 'timeline', 'places'],
];

export const LAYERS = [
  // src/shared: the API contract, imported by everything, importing nothing of ours.
  layer(['src/shared/**/*.ts'], [['^\\.\\./', 'src/shared imports nothing of ours outside it.'], NODE, ELECTRON]),
  // The engine: plain Node, usable from the CLI and tests; never Electron, never its hosts.
  layer(['src/main/engine/**/*.ts'], [ELECTRON, HOSTS]),
  // ...and inside it, floors: a folder imports its own floor and those below (ENGINE_FLOORS).
  ...ENGINE_FLOORS.map((folders, floor) => {
    const above = ENGINE_FLOORS.slice(floor + 1).flat();
    const higher = [
      `^\\.\\./(${above.join('|')})/`,
      `The engine's floors, bottom up: ${ENGINE_FLOORS.map((f) => f.join(', ')).join(' < ')} < the facade. ${folders.join(', ')} may not import from above.`,
    ];
    const facade = ['^\\.\\./[\\w-]+(\\.js)?$', 'The facade (engine.ts and its siblings) composes the features; nothing under it imports it.'];
    return layer(
      folders.map((f) => `src/main/engine/${f}/**/*.ts`),
      [ELECTRON, HOSTS, ...(above.length > 0 ? [higher] : []), facade],
    );
  }),
  // The synthetic scene world: training data, fixtures, the benchmark's and the sample library; it may use
  // the engine's media helpers (ffmpeg), nothing that hosts it.
  layer(
    ['src/scenes/**/*.ts'],
    [ELECTRON, ['(^|/)(host|web|electron|cli|renderer|preload)/', 'The scene world serves the engine, tests and tools; it imports none of their hosts.']],
  ),
  // Hosts: they depend on the engine, never on each other's shells or on the renderer.
  layer(
    ['src/main/host/**/*.ts', 'src/main/web/**/*.ts'],
    [ELECTRON, ['(^|/)(electron|cli|renderer|preload)/', 'Hosts use the engine and the contract, not other shells or the renderer.']],
  ),
  layer(['src/cli/**/*.ts'], [ELECTRON, ['(^|/)(electron|renderer|preload)/', 'The CLI uses the engine and the contract, not the Electron shell or the renderer.']]),
  // The renderer: browser code that reaches the engine only through the contract in src/shared.
  layer(
    ['src/renderer/**/*.ts', 'src/renderer/**/*.svelte'],
    [['(^|/)(main|cli|preload)/', 'The renderer imports only src/shared (and its own files): the engine is reached through the API.'], NODE, ELECTRON],
  ),
];

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'test-output/', '.cache/', 'models/tiny-coca/training/*.py'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['src/renderer/**/*.ts', 'src/renderer/**/*.svelte'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    files: ['src/preload/**/*.cts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // Rules that need types, on every TypeScript file: an engine this asynchronous has had unhandled
  // rejections. Each file is checked with the tsconfig that owns it (the project service finds it).
  {
    files: ['**/*.ts', '**/*.cts'],
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['src/preload/*.cts'] }, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // node:test's describe and it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', name: ['describe', 'it', 'test', 'suite'], package: 'node:test' }] }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
  ...LAYERS,
  ...svelte.configs['flat/prettier'],
  prettier,
);
