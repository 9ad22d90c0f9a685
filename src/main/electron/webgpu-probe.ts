/**
 * The WebGPU adapter probe as an Electron utility process (forked by main for the engine process, which
 * cannot start Electron as Node in a packaged app). It runs the engine's own probe script: its two
 * arguments (dawn.node's URL and the backend) are the last two of `process.argv`.
 */
import { PROBE_SCRIPT } from '../engine/models/webgpu-probe-script.js';

await import(`data:text/javascript;charset=utf-8,${encodeURIComponent(PROBE_SCRIPT)}`);
