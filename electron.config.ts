/**
 * Packaging configuration for electron-builder (Linux AppImage/deb, Windows NSIS, macOS dmg).
 * electron-builder is not a dependency yet (its downloads need the internet); with it installed:
 *
 *   npm run build:renderer && npx tsc -p src/main/electron/tsconfig.build.json
 *   npx electron-builder --config electron.config.ts
 *
 * Native modules (N-API, so one build serves Node and Electron) must live outside the asar archive,
 * and the bundled model pack ships as a resource the engine finds through GLIMPSE_BUNDLED_MODELS.
 */
interface BuilderConfig {
  appId: string;
  productName: string;
  directories: { output: string };
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  extraResources: Array<{ from: string; to: string; filter: string[] }>;
  extraMetadata: { main: string };
  linux: { target: string[]; category: string };
  win: { target: string[] };
  mac: { target: string[]; category: string; hardenedRuntime: boolean };
}

const config: BuilderConfig = {
  appId: 'app.glimpse.desktop',
  productName: 'Glimpse',
  directories: { output: 'dist' },
  files: ['out/**', 'package.json', '!**/*.map'],
  asar: true,
  asarUnpack: ['**/node_modules/{better-sqlite3,hnswlib-node,onnxruntime-node,sharp,@img}/**'],
  extraResources: [{ from: 'models', to: 'models', filter: ['tiny-coca/glimpse-pack.json', 'tiny-coca/*.json', 'tiny-coca/onnx/**', 'packs/**'] }],
  extraMetadata: { main: 'out/electron/main/electron/main.js' },
  linux: { target: ['AppImage', 'deb'], category: 'Graphics' },
  win: { target: ['nsis'] },
  mac: { target: ['dmg'], category: 'public.app-category.photography', hardenedRuntime: true },
};

export default config;
