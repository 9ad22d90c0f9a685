/**
 * The WebGPU adapter probe, as the source of an ES module run in a process of its own (Dawn writes
 * driver warnings straight to stderr, and a broken driver can take its process down). It asks dawn.node
 * (`webgpu`, at the URL given) for the adapter of the backend given, the request onnxruntime's WebGPU
 * provider makes, and prints what it found as JSON (or null). Its two arguments are the last two of
 * `process.argv`, so it runs the same under `node -e` and as an Electron utility process.
 */
export const PROBE_SCRIPT = `
const [moduleUrl, backend] = process.argv.slice(-2);
const { create } = await import(moduleUrl);
const adapter = await create(['backend=' + backend]).requestAdapter({ powerPreference: 'high-performance' });
const i = adapter && adapter.info;
process.stdout.write(JSON.stringify(i ? { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, fallback: i.isFallbackAdapter === true } : null));
process.exit(0);
`;

/** What running the probe gave: its output, and why it failed (null when it exited cleanly). */
export interface ProbeRun {
  failure: string | null;
  stdout: string;
  stderr: string;
}
