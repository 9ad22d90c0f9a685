// Calibrates a model pack on a held-out set of real photos, on a machine with its weights: the relevance
// cutoff (search.calibration), caption confidence (captioner.confidence, when the pack captions) and,
// when the set has labelled faces, the face grouping thresholds. The fitted values are written into the
// pack's glimpse-pack.json (and, with --faces, the face pack's faces.json); the rest stays as it was.
//
//   npm run calibrate -- --pack <packDir> --set <heldOutDir> [--faces <facePackDir>] [--dry-run]
//                        [--device cpu|auto|cuda|...] [--keep 0.965]
//
// The set (src/calibration/held-out-set.ts):
//   <set>/photos/...                the photos (any layout)
//   <set>/queries.json              [{ "query": "dog on a beach", "relevant": ["photos/a.jpg", ...] }, ...]
//   <set>/faces/<person>/<photos>   optional: labelled faces
//
// How: captions first (every photo of the set captioned as the app does; both thresholds at the percentile
// that keeps --keep of them, the rule of models/tiny-coca/training/calibrate-captions.ts), then a
// temporary library (a data folder in the system's temp folder, the pack linked into it, people off) indexes
// the photos with those caption thresholds, and the cutoff is fitted on every candidate of every query
// (src/calibration/search-cutoff.ts) and measured as a user sees it, before and after. Faces: each labelled
// folder through the face pack, thresholds by src/calibration/face-grouping.ts; without --faces they are
// printed, not written.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ConfidenceFit, DEFAULT_KEEP, captionScore, describeConfidence, fitConfidence, type CaptionScore } from '../src/calibration/caption-confidence.js';
import { type Grouping, type GroupingFit, MIN_IDENTITIES, fitGrouping, labelledFaces } from '../src/calibration/face-grouping.js';
import { CalibrationError, type HeldOutSet, readHeldOutSet } from '../src/calibration/held-out-set.js';
import { readRawManifest, withCalibration, writeFaceGrouping, writePackCalibration } from '../src/calibration/manifests.js';
import { type CalibrationQuery, type CutoffFit, type SearchCalibration, type ShownScores, candidateRows, fitCutoff, measureShown } from '../src/calibration/search-cutoff.js';
import { type DevicePreference, DEVICE_PREFERENCES, isDevicePreference } from '../src/main/engine/core/device-preference.js';
import { GlimpseEngine } from '../src/main/engine/engine.js';
import { FaceFinder } from '../src/main/engine/faces/face-finder.js';
import { FacePackError, facePackDir, readFaceManifest } from '../src/main/engine/faces/face-pack.js';
import { MANIFEST_FILE, type PackManifest, PackError, parseManifest } from '../src/main/engine/models/manifest.js';
import { ModelPack } from '../src/main/engine/models/pack.js';

export const USAGE = 'usage: npm run calibrate -- --pack <packDir> --set <heldOutDir> [--faces <facePackDir>] [--dry-run] [--device cpu|auto|...] [--keep 0.965]';

export interface CalibrateOptions {
  pack: string;
  set: string;
  /** The face pack to write grouping thresholds into; absent: they are printed only. */
  faces?: string | undefined;
  dryRun: boolean;
  device: DevicePreference;
  /** The share of the set's captions the caption thresholds keep. */
  keep: number;
}

export function parseArgs(argv: readonly string[]): CalibrateOptions {
  const options: Partial<CalibrateOptions> = { dryRun: false, device: 'cpu', keep: DEFAULT_KEEP };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new CalibrationError(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    if (arg === '--pack') options.pack = value();
    else if (arg === '--set') options.set = value();
    else if (arg === '--faces') options.faces = value();
    else if (arg === '--dry-run') options.dryRun = true;
    else if (arg === '--device') {
      const device = value();
      if (!isDevicePreference(device)) throw new CalibrationError(`--device ${device} is not one of ${DEVICE_PREFERENCES.join(', ')}`);
      options.device = device;
    } else if (arg === '--keep') {
      const keep = Number(value());
      if (!(keep > 0 && keep <= 1)) throw new CalibrationError(`--keep is the share of captions to keep, above 0 and at most 1`);
      options.keep = keep;
    } else throw new CalibrationError(`unknown argument ${arg}\n${USAGE}`);
  }
  if (!options.pack || !options.set) throw new CalibrationError(`--pack and --set are both needed\n${USAGE}`);
  return options as CalibrateOptions;
}

export interface CalibrationReport {
  pack: { id: string; dir: string; manifest: string };
  set: { name: string; photos: number; indexed: number; queries: number };
  captions: { fit: ConfidenceFit; photos: number; unreadable: number; confidence: NonNullable<NonNullable<PackManifest['captioner']>['confidence']> } | null;
  search: { fit: CutoffFit; calibration: SearchCalibration; before: ShownScores; beforeCutoff: string; after: ShownScores };
  /** `grouping`: what is written into the face pack (with --faces); null when nothing is. */
  faces: { fit: GroupingFit | null; photos: number; found: number; faceDir: string; grouping: Grouping | null } | null;
  written: string[];
}

const f3 = (x: number) => x.toFixed(3);
const scores = (s: ShownScores) => `F1 ${f3(s.f1)}, precision ${f3(s.precision)}, recall ${f3(s.recall)}, top-1 ${f3(s.top1)}`;

/** A data folder in the temp folder with the pack linked in as an installed pack (its manifest copied, so it can change). */
function temporaryLibrary(packDir: string, id: string, manifest: Record<string, unknown>): { dataDir: string; packCopy: string; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'glimpse-calibrate-'));
  const packCopy = join(root, 'data', 'models', id);
  mkdirSync(packCopy, { recursive: true });
  for (const entry of readdirSync(packDir))
    if (entry !== MANIFEST_FILE)
      try {
        symlinkSync(join(packDir, entry), join(packCopy, entry));
      } catch {
        cpSync(join(packDir, entry), join(packCopy, entry), { recursive: true }); // where links need rights (Windows)
      }
  writeFileSync(join(packCopy, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  return { dataDir: join(root, 'data'), packCopy, remove: () => rmSync(root, { recursive: true, force: true }) };
}

async function fitCaptions(
  packDir: string,
  set: HeldOutSet,
  options: CalibrateOptions,
  date: string,
  log: (line: string) => void,
): Promise<NonNullable<CalibrationReport['captions']>> {
  const pack = await ModelPack.open(packDir, { device: options.device });
  const captions: CaptionScore[] = [];
  let unreadable = 0;
  try {
    for (const photo of set.photos)
      try {
        captions.push(await captionScore(pack, readFileSync(join(set.dir, photo))));
      } catch {
        unreadable++;
      }
  } finally {
    await pack.close();
  }
  if (captions.length === 0) throw new CalibrationError(`none of the set's ${set.photos.length} photos could be captioned`);
  const fit = fitConfidence(captions, options.keep);
  const confidence = {
    minMeanLogProb: fit.minMeanLogProb,
    minAgreement: fit.minAgreement,
    calibratedOn: `calibrate-pack.ts on ${set.name} (${captions.length} photos), ${date}: ${describeConfidence(fit, options.keep)}`,
  };
  log(
    `captions: ${captions.length} photos captioned${unreadable ? ` (${unreadable} could not be read)` : ''}; minMeanLogProb ${confidence.minMeanLogProb}, minAgreement ${confidence.minAgreement}: ` +
      `${describeConfidence(fit, options.keep)} (the percentile rule of calibrate-captions.ts: the set's photos are taken as the kind the pack should describe)`,
  );
  return { fit, photos: captions.length, unreadable, confidence };
}

async function fitFaces(set: HeldOutSet, options: CalibrateOptions, log: (line: string) => void): Promise<NonNullable<CalibrationReport['faces']>> {
  const faceDir = resolve(options.faces ?? facePackDir());
  const manifest = await readFaceManifest(faceDir);
  const finder = await FaceFinder.open({ device: options.device }, faceDir);
  let labelled;
  try {
    labelled = await labelledFaces([set.facesDir!], finder);
  } finally {
    await finder.close();
  }
  const { faces, photos, missed } = labelled;
  log(`faces: ${photos} labelled photos in ${set.facesDir}, a face found on ${photos - missed.length}${missed.length ? ` (none on ${missed.join(', ')})` : ''}`);
  const fit = fitGrouping(faces, manifest.grouping);
  if (!fit) {
    log(
      `  not fitted: it needs ${MIN_IDENTITIES} or more people with 3 or more faces each, and a setting that keeps purity at 0.98 or more; ` +
        `${manifest.id} keeps maxDistance ${manifest.grouping.maxDistance}, minFrontal ${manifest.grouping.minFrontal}`,
    );
    return { fit, photos, found: photos - missed.length, faceDir, grouping: null };
  }
  const g = fit.grouping;
  log(
    `  maxDistance ${g.maxDistance}, minFrontal ${g.minFrontal}: purity ${f3(fit.score.purity)}, coverage ${f3(fit.score.coverage)} over ${fit.score.identities} people with 3+ faces ` +
      `(the pack now: maxDistance ${manifest.grouping.maxDistance}, minFrontal ${manifest.grouping.minFrontal}, purity ${f3(fit.current.purity)}, coverage ${f3(fit.current.coverage)})`,
  );
  if (!options.faces) log(`  not written (no --faces): to write them into the face pack, pass --faces ${faceDir}`);
  return { fit, photos, found: photos - missed.length, faceDir, grouping: options.faces ? g : null };
}

/** The whole procedure; `log` gets the report's lines as they come. Refusals are CalibrationErrors. */
export async function calibratePack(options: CalibrateOptions, log: (line: string) => void = console.log): Promise<CalibrationReport> {
  const packDir = resolve(options.pack);
  const raw = readRawManifest(packDir);
  const manifest = parseManifest(raw, join(packDir, MANIFEST_FILE));
  const set = readHeldOutSet(options.set);
  if (options.faces && !set.facesDir) throw new CalibrationError(`--faces was given, but the set has no faces folder (${join(set.dir, 'faces')}/<person>/<photos>)`);
  if (options.faces) await readFaceManifest(resolve(options.faces));
  const date = new Date().toISOString().slice(0, 10);
  const usable = set.queries.filter((q) => q.relevant.length > 0).length;
  log(
    `calibrating ${manifest.id} (${packDir}) on ${set.name}: ${set.photos.length} photos, ${set.queries.length} queries (${usable} with a relevant photo)${set.facesDir ? ', labelled faces' : ''}`,
  );

  const library = temporaryLibrary(packDir, manifest.id, raw);
  try {
    const captions = manifest.captioner ? await fitCaptions(library.packCopy, set, options, date, log) : null;
    if (!manifest.captioner) log('captions: the pack has no captioner, nothing to fit');
    let installed = withCalibration(raw, captions ? { confidence: captions.confidence } : {});
    writeFileSync(join(library.packCopy, MANIFEST_FILE), JSON.stringify(installed, null, 2) + '\n');

    const queries: CalibrationQuery[] = set.queries.map((q) => ({ text: q.query, relevant: new Set(q.relevant.map((p) => join(set.dir, p))) }));
    let engine = await GlimpseEngine.open({ dataDir: library.dataDir, model: manifest.id, device: options.device, people: false });
    let before: ShownScores;
    let fit: CutoffFit;
    let indexed: number;
    try {
      engine.addFolder(set.photosDir);
      const summary = await engine.update();
      indexed = summary.indexing.indexed;
      log(
        `indexed ${indexed} of ${set.photos.length} photos${summary.indexing.errors ? ` (${summary.indexing.errors} could not be indexed)` : ''} in ${summary.indexing.seconds.toFixed(1)} s`,
      );
      before = await measureShown(engine, queries);
      fit = fitCutoff(await candidateRows(engine, queries));
    } finally {
      await engine.close();
    }
    const calibration: SearchCalibration = {
      ...fit.calibration,
      calibratedOn: `calibrate-pack.ts on ${set.name}: ${usable} queries over ${indexed} photos, ${fit.rows} candidates, ${date}`,
    };
    installed = withCalibration(installed, { search: calibration });
    writeFileSync(join(library.packCopy, MANIFEST_FILE), JSON.stringify(installed, null, 2) + '\n');
    engine = await GlimpseEngine.open({ dataDir: library.dataDir, model: manifest.id, device: options.device, people: false });
    let after: ShownScores;
    try {
      after = await measureShown(engine, queries);
    } finally {
      await engine.close();
    }
    const beforeCutoff = manifest.search?.calibration ? `the pack's cutoff (${manifest.search.calibration.calibratedOn})` : 'the generic cutoff (the pack had no calibration)';
    const c = fit.calibration;
    log(
      `search: fitted on ${fit.rows} candidates of ${usable} queries: intercept ${c.intercept}, similarity ${c.similarity}, gapToBest ${c.gapToBest}, keywordTogether ${c.keywordTogether}, ` +
        `queryHasKeywordTogether ${c.queryHasKeywordTogether}, threshold ${c.threshold} (${fit.rule === 'precision' ? 'the best recall at precision 0.85 on the candidates' : 'no threshold reached precision 0.85 on the candidates: the best F1'})`,
    );
    log(`  on the set, as a user sees it (${after.queries} queries): fitted cutoff ${scores(after)}`);
    log(`  the same queries with ${beforeCutoff}: ${scores(before)}`);
    if (after.f1 < before.f1 - 0.02)
      log(
        `  note: the fitted cutoff's F1 on the set is below the one before (${f3(after.f1)} against ${f3(before.f1)}); the rule favours recall at a precision target, ` +
          `and a small set fits its own noise: more queries, or keeping the cutoff before (--dry-run), may serve better`,
      );

    const faces = set.facesDir ? await fitFaces(set, options, log) : null;
    if (!set.facesDir) log('faces: the set has no faces folder, nothing to fit');

    const written: string[] = [];
    if (options.dryRun) log('dry run: nothing written');
    else {
      written.push(writePackCalibration(packDir, { search: calibration, ...(captions ? { confidence: captions.confidence } : {}) }));
      if (faces?.grouping) written.push(writeFaceGrouping(faces.faceDir, faces.grouping));
      log(`wrote ${written.join(' and ')}`);
    }
    return {
      pack: { id: manifest.id, dir: packDir, manifest: join(packDir, MANIFEST_FILE) },
      set: { name: set.name, photos: set.photos.length, indexed, queries: usable },
      captions,
      search: { fit, calibration, before, beforeCutoff, after },
      faces,
      written,
    };
  } finally {
    library.remove();
  }
}

/** The command: returns its exit status (1 for a refusal, with the problem on stderr). */
export async function main(argv: readonly string[] = process.argv.slice(2), out: Pick<Console, 'log' | 'error'> = console): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    out.log(USAGE);
    return 0;
  }
  try {
    await calibratePack(parseArgs(argv), (line) => out.log(line));
    return 0;
  } catch (error) {
    if (!(error instanceof CalibrationError || error instanceof PackError || error instanceof FacePackError)) throw error;
    out.error(`calibrate: ${error.message}`);
    return 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = await main();
