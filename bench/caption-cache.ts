// Caption decoding at the real model's size, with and without the key-value cache, on the same weights:
// the clip-vit-b32 pack assembled from the stand-in packs (random weights, real architectures; see
// scripts/export-stand-in-packs.py), three ways:
//   cached     decoder_model_merged.onnx, the newest token and the past each step (what the pack does)
//   uncached   decoder_model_merged.onnx, its no-past branch over the whole prefix each step
//   decoder    decoder_model.onnx (no cache inputs at all), the whole prefix each step: the old path
// Checks that all three choose the same tokens, and times them per caption (the caption encoder's own
// time, measured alone, is reported apart). Photos: Debian's darknet photographs when .cache has them.
//
//   /usr/bin/python3 scripts/export-stand-in-packs.py .cache/stand-in-packs   # once (minutes)
//   npx tsx bench/caption-cache.ts [--photos 4] [--beams 1]
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { preparePhoto } from '../src/main/engine/media/photo.js';
import { MANIFEST_FILE, type PackManifest, parseManifest } from '../src/main/engine/models/manifest.js';
import { ModelPack } from '../src/main/engine/models/pack.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STAND_INS = join(ROOT, '.cache', 'stand-in-packs');
const PHOTOS = join(ROOT, '.cache', 'debian-photos', 'usr', 'share', 'darknet', 'data');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

/** A pack folder laid out as the manifest says, its files linked from the stand-in repositories. */
function assemble(manifest: PackManifest, dir: string): string {
  const main = /huggingface\.co\/(.+)$/.exec(manifest.source.url)![1]!;
  for (const f of manifest.files) {
    const repo = (f.remote?.repo ?? main).split('/')[1]!;
    const target = join(dir, f.path);
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(join(STAND_INS, repo, f.remote?.path ?? f.path), target);
  }
  writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify(manifest));
  return dir;
}

if (!existsSync(join(STAND_INS, 'info.json'))) {
  console.error(`no stand-in packs in ${STAND_INS}: run /usr/bin/python3 scripts/export-stand-in-packs.py ${STAND_INS}`);
  process.exit(1);
}
const count = Number(arg('photos', '4'));
const numBeams = Number(arg('beams', '1'));
const manifest = parseManifest(JSON.parse(readFileSync(join(ROOT, 'models', 'packs', 'clip-vit-b32.json'), 'utf8')), 'clip-vit-b32.json');
const plain: PackManifest = structuredClone(manifest);
delete plain.captioner!.cache;
plain.captioner!.decoder = 'captioner/onnx/decoder_model.onnx';
plain.files = plain.files.map((f) =>
  f.path.endsWith('decoder_model_merged.onnx') ? { ...f, path: plain.captioner!.decoder, remote: { ...f.remote!, path: 'onnx/decoder_model.onnx' } } : f,
);

const tmp = await mkdtemp(join(tmpdir(), 'glimpse-caption-cache-'));
try {
  const merged = await ModelPack.open(assemble(manifest, join(tmp, 'merged')), { device: 'cpu' });
  const old = await ModelPack.open(assemble(plain, join(tmp, 'plain')), { device: 'cpu' });
  await Promise.all([merged.load(['captioner']), old.load(['captioner'])]);
  const files = existsSync(PHOTOS)
    ? readdirSync(PHOTOS)
        .filter((n) => n.endsWith('.jpg'))
        .sort()
        .slice(0, count)
        .map((n) => join(PHOTOS, n))
    : [];
  if (files.length === 0) throw new Error(`no photographs in ${PHOTOS}: .ci/run fetches them`);
  const ms = { encoder: 0, cached: 0, uncached: 0, decoder: 0 };
  const rows: Array<{ photo: string; tokens: number; same: boolean; finished: boolean }> = [];
  for (const file of files) {
    const pixels = (await preparePhoto(await readFile(file), [merged.captionInput!])).inputs[0]!;
    const time = async (run: () => Promise<Awaited<ReturnType<ModelPack['caption']>>>, key: keyof typeof ms) => {
      const started = performance.now();
      const [caption] = await run();
      ms[key] += performance.now() - started;
      return caption!;
    };
    await time(() => merged.caption([{ pixels }], { maxLength: 1 }), 'encoder');
    const cached = await time(() => merged.caption([{ pixels }], { numBeams }), 'cached');
    const uncached = await time(() => merged.caption([{ pixels }], { numBeams, useCache: false }), 'uncached');
    const decoder = await time(() => old.caption([{ pixels }], { numBeams }), 'decoder');
    const same = [uncached, decoder].every((c) => c.ids.join() === cached.ids.join() && Math.abs(c.meanLogProb - cached.meanLogProb) < 1e-4);
    rows.push({ photo: file.split('/').pop()!, tokens: cached.ids.length, same, finished: cached.finished });
  }
  const perCaption = (key: keyof typeof ms) => +((key === 'encoder' ? ms[key] : ms[key] - ms.encoder) / files.length / 1000).toFixed(2);
  console.log(
    JSON.stringify(
      {
        numBeams,
        maxLength: manifest.captioner!.maxLength,
        photos: rows,
        allSame: rows.every((r) => r.same),
        secondsPerCaption: { encoder: perCaption('encoder'), cached: perCaption('cached'), uncached: perCaption('uncached'), decoderModel: perCaption('decoder') },
      },
      null,
      2,
    ),
  );
  await Promise.all([merged.close(), old.close()]);
} finally {
  await rm(tmp, { recursive: true, force: true });
}
