import { accessSync, constants, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import sharp from 'sharp';
import { GlimpseEngine, type EngineOptions } from '../main/engine/engine.js';
import { adapterName, cudaProviderInstalled, probeWebgpuAdapter } from '../main/engine/models/providers.js';
import { shown } from './format.js';

const require = createRequire(import.meta.url);

function version(pkg: string): string {
  try {
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return 'missing';
  }
}

/** Prints what this machine runs Glimpse with; exits non-zero when something needed is broken. */
export async function runDoctor(options: EngineOptions): Promise<void> {
  const line = (label: string, value: string) => console.log(`${label.padEnd(18)} ${shown(value)}`);
  line('Node', `${process.version} (${process.platform}-${process.arch})`);
  line('CPU', `${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory`);
  line('onnxruntime-node', version('onnxruntime-node'));
  line('better-sqlite3', version('better-sqlite3'));
  line('hnswlib-node', version('hnswlib-node'));
  line('sharp', `${sharp.versions.sharp ?? version('sharp')} (libvips ${sharp.versions.vips})`);
  try {
    mkdirSync(options.dataDir, { recursive: true });
    accessSync(options.dataDir, constants.W_OK);
    line('Data folder', `${options.dataDir} (writable)`);
  } catch (error) {
    line('Data folder', `${options.dataDir}: NOT writable (${(error as Error).message})`);
    process.exitCode = 1;
    return;
  }
  const engine = await GlimpseEngine.open({ ...options, access: 'read' });
  try {
    await engine.pack.load(); // doctor reports every session, so it opens them all
    const m = engine.pack.manifest;
    line('Model pack', `${m.name} [${m.id}] ${m.embeddingDim}-d, ${m.captioner ? 'with' : 'without'} captioner, licence ${m.licence}`);
    line('Device setting', engine.settings.device);
    for (const s of engine.pack.sessions)
      line(`  ${s.session}`, `${s.provider}${s.adapter ? ` on ${adapterName(s.adapter)}` : ''}${s.fallbackReason ? ` (not GPU: ${s.fallbackReason})` : ''}`);
    const adapter = await probeWebgpuAdapter();
    line('WebGPU adapter', typeof adapter === 'string' ? `none: ${adapter}` : `${adapterName(adapter)} (${adapter.vendor}, ${adapter.architecture || 'architecture unknown'})`);
    line('CUDA provider', process.platform !== 'linux' ? 'not used on this platform' : cudaProviderInstalled() ? 'installed' : 'not installed (glimpse gpu install cuda)');
    line(
      'SQLite',
      `${engine.catalog.db.prepare('SELECT sqlite_version()').pluck().get() as string}, schema v${engine.catalog.db.pragma('user_version', { simple: true }) as number}`,
    );
    line('Vector index', `${engine.index.size} vectors (${engine.index.origin}${engine.index.rebuildReason ? `: ${engine.index.rebuildReason}` : ''}) at ${engine.index.file}`);
    const c = engine.stores.photos.counts(engine.pack.id);
    line('Library', `${c.indexed} indexed, ${c.pending} waiting, ${c.errors} with problems`);
    line('Writer', engine.readOnlyReason() ?? 'none (this library is free to update)');
    for (const o of engine.offlineFolders()) line('Offline', `${o.path} since ${new Date(o.since).toLocaleString()}: ${o.reason}`);
    for (const n of engine.notices) line('Notice', n);
  } finally {
    await engine.close();
  }
}
