// Reading text in photos (OCR) on held-out photos with known text (src/main/engine/scenes/text-photos.ts):
// word recall, character error rate, false text on photos without text, and time per photo, for each
// condition (upright, turned 45 degrees, stored sideways with EXIF, small text, no text). The photos
// are decoded the way the indexer decodes them (preparePhoto with the OCR pack's read size).
//
//   npx tsx bench/ocr-quality.ts [--count=N]    # N photos per condition (default: each condition's own)
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { preparePhoto } from '../src/main/engine/media/photo.js';
import { locateOcrPack, readOcrManifest } from '../src/main/engine/ocr/ocr-pack.js';
import { scoreReadings } from '../src/main/engine/ocr/reading-score.js';
import { TextReader } from '../src/main/engine/ocr/text-reader.js';
import { READING_CONDITIONS, textPhotoSet } from '../src/main/engine/scenes/text-photos.js';

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

async function main(): Promise<void> {
  const countArg = process.argv.find((a) => a.startsWith('--count='));
  const manifest = await readOcrManifest();
  const reader = await TextReader.open(manifest, await locateOcrPack(manifest), { device: 'cpu' });
  const backgrounds = backgroundPhotos();
  console.log(`OCR pack ${manifest.id}; ${backgrounds.length} background photographs (plus generated backgrounds)`);
  console.log('| condition | photos | word recall | CER | photos without text with text read | ms per photo (read only) |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [name, condition] of Object.entries(READING_CONDITIONS)) {
    const count = countArg ? Number(countArg.split('=')[1]) : condition.count;
    const photos = await textPhotoSet({ ...condition, count, backgrounds });
    const readings = [];
    let ms = 0;
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
    console.log(`| ${name} | ${s.photos} | ${recall} | ${cer} | ${falseText} | ${Math.round(ms / photos.length)} |`);
  }
  await reader.release();
}

if (process.argv[1]?.endsWith('ocr-quality.ts')) await main();
