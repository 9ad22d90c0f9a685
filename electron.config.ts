/**
 * Packaging for electron-builder: Linux (AppImage, deb), Windows (NSIS installer), macOS (dmg).
 *
 * electron-builder is not a dependency (its downloads need the internet). Once it is installed
 * (`npm install --save-dev electron-builder@^26.17.0`: 26 is the first to flip fuses from
 * `electronFuses`), package for the machine you are on with:
 *
 *   npm run build:renderer && npx tsc -p src/main/electron/tsconfig.build.json
 *   npx electron-builder --config electron.config.ts            # add --linux, --win or --mac to choose
 *
 * Layout of the package:
 * - `out/**` holds the built app: out/renderer (Vite) and out/electron (main, preload, engine).
 * - Native modules (all N-API, so one build serves Node and Electron: better-sqlite3, hnswlib-node,
 *   onnxruntime-node, sharp, dawn.node in `webgpu`) and the npm ffmpeg/ffprobe binaries are unpacked
 *   from the asar archive: Node cannot dlopen a library, nor a process be started, from inside one.
 * - The bundled model pack and the downloadable packs' manifests ship as plain files in
 *   `resources/models`; the main process points the engine at them (GLIMPSE_BUNDLED_MODELS). They are
 *   not also put in the asar archive: nothing reads them from there, and they would ship twice.
 */

/**
 * Electron's fuses (electron-builder's `FuseOptionsV1`): switches in the Electron binary, flipped at
 * packaging before the app is signed, so the signature covers them. Every one is set, on or off, so none
 * is left to the Electron version's default. `test/electron-config.test.ts` reads them back.
 */
export interface FuseOptions {
  /** ELECTRON_RUN_AS_NODE=1 turns the app into a plain Node.js that runs whatever it is given. */
  runAsNode: boolean;
  /** Chromium's cookie store encrypted with an OS key (Keychain, DPAPI, the Secret Service). */
  enableCookieEncryption: boolean;
  /** NODE_OPTIONS and NODE_EXTRA_CA_CERTS (`--require` of any script into the main process). */
  enableNodeOptionsEnvironmentVariable: boolean;
  /** --inspect, --inspect-brk and SIGUSR1: a debugger attached to the main process. */
  enableNodeCliInspectArguments: boolean;
  /** app.asar checked against the hash electron-builder embeds (macOS, and Windows since Electron 30). */
  enableEmbeddedAsarIntegrityValidation: boolean;
  /** The app loads from app.asar only, never from an `app` folder put beside it. */
  onlyLoadAppFromAsar: boolean;
  /** The main process starts from its own V8 snapshot (browser_v8_context_snapshot.bin). */
  loadBrowserProcessSpecificV8Snapshot: boolean;
  /** file:// pages' extra powers: fetch of other files, service workers, reading inside app.asar. */
  grantFileProtocolExtraPrivileges: boolean;
}

/**
 * The fuses Glimpse ships with:
 * - runAsNode, enableNodeOptionsEnvironmentVariable, enableNodeCliInspectArguments off: an app signed
 *   by us cannot be made to run someone else's script, or be debugged into doing so, through an
 *   environment variable or a flag. The engine is an Electron utility process, never `child_process.fork`,
 *   which would need runAsNode; its WebGPU probe runs in a utility process main forks for it
 *   (`src/main/electron/webgpu-probe.ts`), not in Electron started as Node.
 * - enableEmbeddedAsarIntegrityValidation and onlyLoadAppFromAsar on: the code that runs is the code we
 *   signed; an edited app.asar, or an `app` folder put in its place, does not load.
 * - grantFileProtocolExtraPrivileges off: the renderer is served from `glimpse-app://`, never from
 *   file://, and main reads the renderer's files with fs (main.ts).
 * - enableCookieEncryption off: the app keeps no cookies (nothing but its own glimpse-app:// document is
 *   ever loaded), and turning it on is one-way and asks the OS keyring for a key at start-up (on macOS, a
 *   Keychain prompt for a build not signed by us).
 * - loadBrowserProcessSpecificV8Snapshot off: Glimpse ships no snapshot of its own for the main process.
 */
export const FUSES: FuseOptions = {
  runAsNode: false,
  enableCookieEncryption: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  loadBrowserProcessSpecificV8Snapshot: false,
  grantFileProtocolExtraPrivileges: false,
};

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
  electronFuses: FuseOptions;
}

const config: BuilderConfiguration = {
  appId: 'app.glimpse.desktop',
  productName: 'Glimpse',
  copyright: 'Copyright © Glimpse contributors',
  directories: { output: 'dist' },
  files: ['out/**', 'package.json', '!**/*.map', '!**/*.tsbuildinfo'],
  asar: true,
  asarUnpack: ['**/node_modules/{better-sqlite3,hnswlib-node,onnxruntime-node,sharp,@img,webgpu,@ffmpeg-installer,@ffprobe-installer}/**'],
  extraResources: [{ from: 'models', to: 'models', filter: ['tiny-coca/**', '!tiny-coca/training/**', '!tiny-coca/training-log.json', 'packs/**', 'places/**'] }],
  // The compiled main process (npx tsc -p src/main/electron/tsconfig.build.json).
  extraMetadata: { main: 'out/electron/main/electron/main.js' },
  linux: { target: ['AppImage', 'deb'], category: 'Graphics', synopsis: 'Search your photos by describing them', maintainer: 'Glimpse contributors' },
  win: { target: ['nsis'] },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
  mac: { target: ['dmg'], category: 'public.app-category.photography', hardenedRuntime: true },
  electronFuses: FUSES,
};

export default config;
