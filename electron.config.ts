/**
 * Packaging for electron-builder: Linux (AppImage, deb), Windows (NSIS installer), macOS (dmg).
 *
 * electron-builder is not a dependency (its downloads need the internet). Once it is installed
 * (`npm install --save-dev electron-builder`), package for the machine you are on with:
 *
 *   npm run build:renderer && npx tsc -p src/main/electron/tsconfig.build.json
 *   npx electron-builder --config electron.config.ts            # add --linux, --win or --mac to choose
 *
 * Layout of the package:
 * - `out/**` holds the built app: out/renderer (Vite) and out/electron (main, preload, engine).
 * - Native modules (all N-API, so one build serves Node and Electron) are unpacked from the asar
 *   archive: Node cannot dlopen a library, nor onnxruntime read a model, from inside one.
 * - The bundled model pack and the downloadable packs' manifests ship as plain files in
 *   `resources/models`; the main process points the engine at them (GLIMPSE_BUNDLED_MODELS). They are
 *   not also put in the asar archive: nothing reads them from there, and they would ship twice.
 */

/** The part of electron-builder's `Configuration` this project uses (the package is not installed). */
interface FileSet {
  from: string;
  to: string;
  filter: string[];
}

interface BuilderConfiguration {
  appId: string;
  productName: string;
  copyright?: string;
  directories: { output: string; buildResources?: string };
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  extraResources: FileSet[];
  extraMetadata: { main: string };
  npmRebuild?: boolean;
  linux: { target: string[]; category: string; synopsis?: string; maintainer?: string };
  deb?: { depends?: string[] };
  win: { target: string[] };
  nsis?: { oneClick: boolean; perMachine: boolean; allowToChangeInstallationDirectory: boolean };
  mac: { target: string[]; category: string; hardenedRuntime: boolean };
}

const config: BuilderConfiguration = {
  appId: 'app.glimpse.desktop',
  productName: 'Glimpse',
  copyright: 'Copyright © Glimpse contributors',
  directories: { output: 'dist' },
  files: ['out/**', 'package.json', '!**/*.map', '!**/*.tsbuildinfo'],
  asar: true,
  asarUnpack: ['**/node_modules/{better-sqlite3,hnswlib-node,onnxruntime-node,sharp,@img}/**'],
  extraResources: [{ from: 'models', to: 'models', filter: ['tiny-coca/**', '!tiny-coca/training/**', '!tiny-coca/training-log.json', 'packs/**'] }],
  // The compiled main process (npx tsc -p src/main/electron/tsconfig.build.json).
  extraMetadata: { main: 'out/electron/main/electron/main.js' },
  linux: { target: ['AppImage', 'deb'], category: 'Graphics', synopsis: 'Search your photos by describing them', maintainer: 'Glimpse contributors' },
  win: { target: ['nsis'] },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
  mac: { target: ['dmg'], category: 'public.app-category.photography', hardenedRuntime: true },
};

export default config;
