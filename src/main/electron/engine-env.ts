/**
 * The environment the engine's utility process gets, without Electron: an allow-list, not the main
 * process's whole `process.env`. What the engine reads (GLIMPSE_* settings, the data folder's parents,
 * PATH for ffmpeg, the GPU drivers' variables, the locale and time zone) passes; what changes how Node
 * or Electron run code (NODE_OPTIONS, NODE_PATH, ELECTRON_RUN_AS_NODE, --inspect through NODE_*...)
 * never does, nor anything else the user's shell happened to hold (tokens, keys). Names are compared in
 * upper case, as Windows compares them, so `Path` and `node_options` are judged like PATH and NODE_OPTIONS.
 *
 * The list was built from every environment variable src/main/engine and src/main/host read (a test
 * checks that each one passes) and from what the programs the engine runs need: ffmpeg and ffprobe (found
 * on PATH), onnxruntime's CUDA provider (the CUDA libraries, found through LD_LIBRARY_PATH where the
 * toolkit is not on the loader's default path) and Dawn's Vulkan backend (the VK_* driver lists).
 */

/**
 * Never passed, whatever the lists below say (should a name be added to them by mistake, or main try to
 * set one): they change how Node, Electron or the loader run code.
 */
const NEVER = /^(NODE_|ELECTRON_|LD_PRELOAD$|LD_AUDIT$|DYLD_)/;

/** Passed by prefix: Glimpse's own settings, the XDG folders (the data folder's parent on Linux), the locale. */
const PREFIXES = ['GLIMPSE_', 'XDG_', 'LC_'];

/** Passed by name, on every platform. */
const NAMES = new Set([
  // Where things are: ffmpeg and ffprobe on PATH, the home and temporary folders.
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'TMPDIR',
  'TEMP',
  'TMP',
  // Dates and words: the time zone photos' local times are read in, the language.
  'TZ',
  'LANG',
  'LANGUAGE',
  // The GPU: which Vulkan drivers Dawn (WebGPU) loads, which GPU a hybrid laptop uses, which GPUs CUDA sees.
  'VK_ICD_FILENAMES',
  'VK_DRIVER_FILES',
  'VK_ADD_DRIVER_FILES',
  'DRI_PRIME',
  'MESA_VK_DEVICE_SELECT',
  '__NV_PRIME_RENDER_OFFLOAD',
  'CUDA_VISIBLE_DEVICES',
  'CUDA_DEVICE_ORDER',
  'CUDA_PATH',
  // Windows: the user's folders (the data folder is under APPDATA) and what a Windows process needs to
  // start programs and reach the system (sockets and crypto read SystemRoot).
  'USERPROFILE',
  'APPDATA',
  'LOCALAPPDATA',
  'PROGRAMDATA',
  'HOMEDRIVE',
  'HOMEPATH',
  'USERNAME',
  'SYSTEMROOT',
  'SYSTEMDRIVE',
  'WINDIR',
  'COMSPEC',
  'PATHEXT',
  'PROGRAMFILES',
  'PROGRAMFILES(X86)',
  'PROGRAMW6432',
  'COMMONPROGRAMFILES',
  'NUMBER_OF_PROCESSORS',
  'PROCESSOR_ARCHITECTURE',
  'OS',
]);

/** Passed by name on Linux only: the CUDA libraries (and an AppImage's own) are often found only through it. */
const LINUX_NAMES = new Set(['LD_LIBRARY_PATH']);

/** Whether the engine gets this variable. */
export function passesToEngine(name: string, platform: NodeJS.Platform = process.platform): boolean {
  const upper = name.toUpperCase();
  if (NEVER.test(upper)) return false;
  if (NAMES.has(upper) || PREFIXES.some((prefix) => upper.startsWith(prefix))) return true;
  return platform === 'linux' && LINUX_NAMES.has(upper);
}

/**
 * The engine's environment: the variables of `env` that pass, then `set` (what main sets for it: the
 * data folder, the bundled models), which must pass too.
 */
export function engineEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  set: Readonly<Record<string, string>> = {},
  platform: NodeJS.Platform = process.platform,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && passesToEngine(name, platform)) out[name] = value;
  for (const [name, value] of Object.entries(set)) {
    if (!passesToEngine(name, platform)) throw new Error(`${name} is not for the engine`);
    // Replace any spelling of the name (Windows: Glimpse_Data_Dir) with main's value.
    for (const key of Object.keys(out)) if (key.toUpperCase() === name.toUpperCase()) delete out[key];
    out[name] = value;
  }
  return out;
}
