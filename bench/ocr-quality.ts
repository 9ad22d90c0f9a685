// Reading text in photos (OCR) on held-out photos with known text (src/scenes/text-photos.ts):
// word recall, character error rate, false text on photos without text, and time per photo, for each
// condition (upright, turned 45 degrees, stored sideways with EXIF, small text, no text). The photos
// are decoded the way the indexer decodes them (preparePhoto with the OCR pack's read size).
//
//   npx tsx bench/ocr-quality.ts [--count=N]    # N photos per condition (default: each condition's own)
//   npx tsx bench/ocr-quality.ts --cost         # indexing with and without OCR, 1 photo in 5 with text
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GlimpseEngine } from '../src/main/engine/engine.js';
import type { PipelineTimings } from '../src/main/engine/indexing/pipeline.js';
import { preparePhoto } from '../src/main/engine/media/photo.js';
import { locateOcrPack, readOcrManifest } from '../src/main/engine/ocr/ocr-pack.js';
import { scoreReadings } from '../src/main/engine/ocr/reading-score.js';
import { TextReader } from '../src/main/engine/ocr/text-reader.js';
import { READING_CONDITIONS, textPhotoSet } from '../src/scenes/text-photos.js';

export const DARKNET_PHOTOS = '.cache/debian-photos/usr/share/darknet/data';

export function backgroundPhotos(): Buffer[] {
  try {
    return readdirSync(DARKNET_PHOTOS)
      .filter((f) => f.endsWith('.jpg'))
      .sort()
      .map((f) => readFileSync(join(DARKNET_PHOTOS, f)));
  } catch {
    return [];
  }
}

/**
 * What OCR adds to indexing: the same library (1 photo in 5 with text, 2000 x 1500 JPEGs) indexed with
 * OCR off and on, with the bundled pack and with the ViT-B/32 stand-in (real-size image encoder,
 * random weights; no captions), each in a fresh data folder. Returns the table's rows. With OCR on, a
 * new library is read in a phase after indexing (issue 27.11): `on` counts both phases, `searchable`
 * the seconds until every photo was searchable (indexing alone).
 */
export async function benchOcrCost(
  count = 40,
): Promise<Array<{ pack: string; off: number; on: number; added: number; searchable: { off: number; on: number }; timings: PipelineTimings }>> {
  const root = resolve('.cache/bench/ocr-cost');
  const library = join(root, `library-${count}`);
  if (!existsSync(join(library, '.complete'))) {
    rmSync(library, { recursive: true, force: true });
    mkdirSync(library, { recursive: true });
    const backgrounds = backgroundPhotos();
    const withText = await textPhotoSet({
      ...READING_CONDITIONS.clear,
      seed: 555,
      count: Math.round(count / 5),
      backgrounds,
      width: 2000,
      height: 1500,
      fontSizes: [40, 56, 72, 96],
    });
    const without = await textPhotoSet({ seed: 556, count: count - withText.length, noText: 1, backgrounds, width: 2000, height: 1500 });
    [...withText, ...without].forEach((p, i) => writeFileSync(join(library, `IMG_${String(1000 + ((i * 7919) % 997)).padStart(4, '0')}-${i}.jpg`), p.bytes));
    writeFileSync(join(library, '.complete'), '');
  }
  const { captioningStandInPack, exportVit, standInPack } = await import('./vit-stand-in.js');
  const packs: Array<{ name: string; model?: string; captions?: boolean; library?: string; count?: number; prepare?: (dataDir: string) => void | Promise<unknown> }> = [
    { name: 'tiny-coca (bundled, with captions)' },
  ];
  const vitDir = resolve('.cache/bench/vit-b32');
  if (exportVit(vitDir))
    packs.push({ name: 'ViT-B/32 stand-in (no captions)', model: 'vit-b32-standin', captions: false, prepare: (dataDir) => standInPack(join(dataDir, 'models'), vitDir) });
  // The real pack's layout at real size (stand-in weights), captions included: 7-8 s a photo here, so
  // its library is the first tenth of the same photos (the same share with text).
  if (existsSync(resolve('.cache/stand-in-packs/info.json'))) {
    const small = join(root, `library-${count}-tenth`);
    if (!existsSync(join(small, '.complete'))) {
      mkdirSync(small, { recursive: true });
      const files = readdirSync(library).filter((f) => f.endsWith('.jpg'));
      const text = files.filter((f) => Number(/-(\d+)\.jpg$/.exec(f)![1]) < count / 5).slice(0, Math.max(1, Math.round(count / 50)));
      const plain = files.filter((f) => Number(/-(\d+)\.jpg$/.exec(f)![1]) >= count / 5).slice(0, 4 * text.length);
      for (const f of [...text, ...plain]) writeFileSync(join(small, f), readFileSync(join(library, f)));
      writeFileSync(join(small, '.complete'), '');
    }
    packs.push({
      name: 'clip-vit-b32 stand-in (ViT-B/32 + vit-gpt2 captions, cached decoding)',
      model: 'clip-vit-b32',
      library: small,
      count: readdirSync(small).filter((f) => f.endsWith('.jpg')).length,
      prepare: (dataDir) => captioningStandInPack(join(dataDir, 'models')),
    });
  }
  const rows = [];
  for (const pack of packs) {
    const rate: Record<string, number> = {};
    const searchable: Record<string, number> = {};
    let timings!: PipelineTimings;
    for (const ocr of [false, true]) {
      const dataDir = join(root, `data-${pack.model ?? 'tiny'}-${ocr ? 'ocr' : 'plain'}`);
      rmSync(dataDir, { recursive: true, force: true });
      await pack.prepare?.(dataDir);
      const engine = await GlimpseEngine.open({
        dataDir,
        device: 'cpu',
        ocr,
        ...(pack.model ? { model: pack.model } : {}),
        ...(pack.captions === false ? { captions: false } : {}),
      });
      engine.addFolder(pack.library ?? library);
      const summary = await engine.update();
      await engine.close();
      rate[String(ocr)] = summary.indexing.seconds + (summary.reading?.seconds ?? 0);
      searchable[String(ocr)] = summary.indexing.seconds;
      if (ocr) timings = summary.indexing.timings;
    }
    const photos = pack.count ?? count;
    rows.push({
      pack: `${pack.name}, ${photos} photos`,
      off: photos / rate.false!,
      on: photos / rate.true!,
      added: rate.true! / rate.false! - 1,
      searchable: { off: searchable.false!, on: searchable.true! },
      timings,
    });
  }
  return rows;
}

async function main(): Promise<void> {
  if (process.argv.includes('--cost')) {
    console.log('| pack | photos/s, OCR off | photos/s, OCR on (indexing + reading) | time OCR adds | searchable after, OCR off / on (s) |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const r of await benchOcrCost()) {
      console.log(`| ${r.pack} | ${r.off.toFixed(2)} | ${r.on.toFixed(2)} | ${Math.round(r.added * 100)}% | ${r.searchable.off.toFixed(1)} / ${r.searchable.on.toFixed(1)} |`);
    }
    return;
  }
  const countArg = process.argv.find((a) => a.startsWith('--count='));
  const only = process.argv
    .find((a) => a.startsWith('--conditions='))
    ?.split('=')[1]
    ?.split(',');
  const manifest = await readOcrManifest();
  // Exploring: the detector's size (the manifest's maxSide) and the read size.
  const detSide = process.argv.find((a) => a.startsWith('--det-side='));
  if (detSide) manifest.detector.maxSide = Number(detSide.split('=')[1]);
  const glance = process.argv.find((a) => a.startsWith('--glance-side='));
  if (glance) {
    const side = Number(glance.split('=')[1]);
    if (side > 0) manifest.detector.glanceSide = side;
    else delete manifest.detector.glanceSide;
  }
  const glanceMin = process.argv.find((a) => a.startsWith('--glance-min='));
  if (glanceMin) manifest.detector.glanceMinPixels = Number(glanceMin.split('=')[1]);
  const readSide = process.argv.find((a) => a.startsWith('--read-side='));
  if (readSide) manifest.readSide = Number(readSide.split('=')[1]);
  const reader = await TextReader.open(manifest, await locateOcrPack(manifest), { device: 'cpu' });
  const backgrounds = backgroundPhotos();
  console.log(
    `OCR pack ${manifest.id} (detector at ${manifest.detector.maxSide} px${manifest.detector.glanceSide ? `, first glance at ${manifest.detector.glanceSide} px` : ', no first glance'}, read at ${manifest.readSide} px); ${backgrounds.length} background photographs (plus generated backgrounds)`,
  );
  console.log('| condition | photos | word recall | CER | photos without text with text read | photos the glance passed over | ms per photo (read only) |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [name, condition] of Object.entries(READING_CONDITIONS)) {
    if (only && !only.includes(name)) continue;
    const count = countArg ? Number(countArg.split('=')[1]) : condition.count;
    const photos = await textPhotoSet({ ...condition, count, backgrounds });
    const readings = [];
    let ms = 0;
    const glancedBefore = reader.glancedAway;
    for (const photo of photos) {
      const { readImage } = await preparePhoto(photo.bytes, [], { readSide: manifest.readSide });
      const started = performance.now();
      const lines = await reader.read(readImage!);
      ms += performance.now() - started;
      readings.push({ written: photo.words, writtenLines: photo.spec.lines, read: lines.map((l) => l.text) });
    }
    const s = scoreReadings(readings);
    const falseText = s.noTextPhotos > 0 ? `${s.falseTextPhotos} / ${s.noTextPhotos}` : '-';
    const recall = s.noTextPhotos === s.photos ? '-' : s.wordRecall.toFixed(3);
    const cer = s.noTextPhotos === s.photos ? '-' : s.characterErrorRate.toFixed(3);
    console.log(`| ${name} | ${s.photos} | ${recall} | ${cer} | ${falseText} | ${reader.glancedAway - glancedBefore} | ${Math.round(ms / photos.length)} |`);
  }
  await reader.release();
}

if (process.argv[1]?.endsWith('ocr-quality.ts')) await main();
