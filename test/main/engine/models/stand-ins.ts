// Stand-in packs: the real layout and architecture of a downloadable pack at its real size, with random
// weights, exported by a Python script (Debian's python3-torch) into .cache/ once and re-exported when
// the script changes. Shared by the end-to-end pack tests and `npm run bench -- --packs`.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MANIFEST_FILE, type PackManifest } from '../../../../src/main/engine/models/manifest.js';
import type { DiskRepo } from './fake-hub.js';

export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** CLIP ViT-B/32 + vit-gpt2 (Xenova's layout) and the Immich exports (SigLIP 2, multilingual CLIP). */
export const STAND_IN_SETS = {
  xenova: { script: join(ROOT, 'scripts', 'export-stand-in-packs.py'), dir: join(ROOT, '.cache', 'stand-in-packs') },
  immich: { script: join(ROOT, 'scripts', 'export-search-stand-ins.py'), dir: join(ROOT, '.cache', 'search-stand-ins') },
} as const;

/** The stand-in files of a set, exported now when the cache is missing or was made by another version of its script. */
export function standIns(set: keyof typeof STAND_IN_SETS): string {
  const { script: scriptPath, dir } = STAND_IN_SETS[set];
  // The script and the module it shares with the other exporter decide what is exported.
  const script = createHash('sha256').update(readFileSync(scriptPath)).update(readFileSync(join(ROOT, 'scripts', 'stand_in_common.py'))).digest('hex');
  try {
    if ((JSON.parse(readFileSync(join(dir, 'info.json'), 'utf8')) as { script?: string }).script === script) return dir;
  } catch {
    // not exported yet
  }
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  const run = spawnSync(python, [scriptPath, partial], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (run.status !== 0) {
    rmSync(partial, { recursive: true, force: true });
    throw new Error(
      `${python} ${scriptPath} failed (${run.error?.message ?? `exit ${run.status}`}); it needs Debian's python3-torch and python3-onnx:\n${(run.stderr ?? '').slice(-2000)}`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  return dir;
}

/** Which stand-in set serves a catalogue pack (undefined: none does). */
export function standInSetOf(manifest: PackManifest): keyof typeof STAND_IN_SETS | undefined {
  if (manifest.source.url.includes('huggingface.co/immich-app/')) return 'immich';
  if (manifest.source.url.includes('huggingface.co/Xenova/clip-vit-base-patch32')) return 'xenova';
  return undefined;
}

/** The repositories the manifest downloads from, each served from the stand-in folder of the same name. */
export function reposFor(manifest: PackManifest, dir: string): DiskRepo[] {
  const repos = new Map<string, DiskRepo>();
  const main = /huggingface\.co\/(.+)$/.exec(manifest.source.url)![1]!;
  for (const f of manifest.files) {
    const repo = f.remote?.repo ?? main;
    const revision = f.remote?.revision ?? manifest.source.revision;
    const entry = repos.get(repo) ?? { repo, revision, dir: join(dir, repo.split('/')[1]!), files: [] };
    entry.files.push(f.remote?.path ?? f.path);
    repos.set(repo, entry);
  }
  return [...repos.values()];
}

/** A pack folder made of links to the stand-in files, as if downloaded (for the benchmark, which measures cost, not downloads). */
export function linkedPack(manifest: PackManifest, dir: string, into: string): string {
  const pack = join(into, manifest.id);
  rmSync(pack, { recursive: true, force: true });
  for (const repo of reposFor(manifest, dir))
    for (const f of manifest.files) {
      if ((f.remote?.repo ?? /huggingface\.co\/(.+)$/.exec(manifest.source.url)![1]) !== repo.repo) continue;
      const target = join(pack, f.path);
      mkdirSync(dirname(target), { recursive: true });
      symlinkSync(join(repo.dir, f.remote?.path ?? f.path), target);
    }
  writeFileSync(join(pack, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
  return pack;
}
