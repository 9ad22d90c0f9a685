/**
 * `npm run calibrate` (scripts/calibrate-pack.ts) on the bundled pack: a copy of tiny-coca is calibrated
 * on a held-out set of generated scenes (real JPEGs, labelled queries, and the labelled real faces of the
 * fixtures), as a maintainer would on real photos; the fitted cutoff is then measured by a fresh engine on
 * another generated set (other seeds) against the generic cutoff, scored here from the scenes' own ground
 * truth. The refusals are checked through the exported main function.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { main } from '../../scripts/calibrate-pack.js';
import { GlimpseEngine } from '../../src/main/engine/engine.js';
import { type LabelledQuery, labelledQueries } from '../../src/scenes/query-set.js';
import { renderScene } from '../../src/scenes/render.js';
import { type Scene, randomScene } from '../../src/scenes/scene.js';
import { searchParams } from '../../src/shared/api.js';
import { tempDir } from '../fixtures.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SCENES = 60;
const QUERIES = 24;

interface GeneratedSet {
  dir: string;
  /** Absolute photo path -> its scene. */
  scenes: Map<string, Scene>;
  queries: LabelledQuery[];
}

/** A held-out set in the layout the command reads: photos/, queries.json (QUERIES queries that match some scene). */
async function generateSet(dir: string, sceneSeed: number, querySeed: number): Promise<GeneratedSet> {
  const scenes = new Map<string, Scene>();
  mkdirSync(join(dir, 'photos', 'roll-1'), { recursive: true });
  mkdirSync(join(dir, 'photos', 'roll-2'), { recursive: true });
  for (let i = 0; i < SCENES; i++) {
    const scene = randomScene(sceneSeed + i);
    const path = join(dir, 'photos', `roll-${(i % 2) + 1}`, `scene-${i}.jpg`);
    writeFileSync(path, await renderScene(scene, { width: 480 + (i % 3) * 80, height: 360, quality: 82 }));
    scenes.set(path, scene);
  }
  const relative = (path: string) => path.slice(dir.length + 1);
  const queries = labelledQueries(querySeed, QUERIES * 4)
    .filter((q) => [...scenes.values()].some(q.matches))
    .slice(0, QUERIES);
  assert.equal(queries.length, QUERIES);
  const json = queries.map((q) => ({ query: q.text, relevant: [...scenes].filter(([, s]) => q.matches(s)).map(([path]) => relative(path)) }));
  writeFileSync(join(dir, 'queries.json'), JSON.stringify(json, null, 2));
  return { dir, scenes, queries };
}

/** Mean per-query F1 (and precision, recall) of what search shows, from the scenes' ground truth. */
async function shownF1(engine: GlimpseEngine, set: GeneratedSet): Promise<{ f1: number; precision: number; recall: number }> {
  let [f1, precision, recall] = [0, 0, 0];
  for (const query of set.queries) {
    const { results } = await engine.search(searchParams.parse({ query: query.text, limit: 1000 }));
    const relevant = [...set.scenes.values()].filter(query.matches).length;
    const hits = results.filter((r) => query.matches(set.scenes.get(r.path)!)).length;
    const p = results.length ? hits / results.length : 0;
    const r = hits / relevant;
    precision += p;
    recall += r;
    f1 += p + r > 0 ? (2 * p * r) / (p + r) : 0;
  }
  const n = set.queries.length;
  return { f1: f1 / n, precision: precision / n, recall: recall / n };
}

/** The manifest without what calibration writes. */
function rest(manifest: Record<string, unknown>): unknown {
  const copy = structuredClone(manifest) as { search?: Record<string, unknown>; captioner?: Record<string, unknown> };
  delete copy.search?.calibration;
  delete copy.captioner?.confidence;
  return copy;
}

/** Runs main in this process, collecting what it prints. */
async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { log: (line: string) => out.push(line), error: (line: string) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('npm run calibrate: a pack calibrated on a held-out set', () => {
  const tmp = tempDir('glimpse-calibrate-test-');
  const pack = join(tmp.path, 'pack');
  const faces = join(tmp.path, 'faces-pack');
  const original = JSON.parse(readFileSync(join(ROOT, 'models/tiny-coca/glimpse-pack.json'), 'utf8')) as Record<string, unknown>;
  const originalFaces = readFileSync(join(ROOT, 'models/faces/faces.json'), 'utf8');
  let heldOut: GeneratedSet;
  let other: GeneratedSet;
  let child: { stdout: string; stderr: string };

  before(async () => {
    cpSync(join(ROOT, 'models/tiny-coca'), pack, { recursive: true, filter: (src) => !src.includes('training') });
    mkdirSync(faces);
    writeFileSync(join(faces, 'faces.json'), originalFaces);
    for (const file of ['blazeface-back.onnx', 'dlib-resnet.onnx']) symlinkSync(join(ROOT, 'models/faces', file), join(faces, file));
    heldOut = await generateSet(join(tmp.path, 'held-out-a'), 60_000_000, 61);
    cpSync(join(ROOT, 'test/fixtures/faces/labelled'), join(heldOut.dir, 'faces'), { recursive: true });
    other = await generateSet(join(tmp.path, 'held-out-b'), 62_000_000, 63);
    child = await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/calibrate-pack.ts', '--pack', pack, '--set', heldOut.dir, '--faces', faces],
      {
        cwd: ROOT,
        maxBuffer: 1 << 24,
      },
    );
    console.log(child.stdout);
  });
  after(() => tmp.remove());

  it('writes the fitted cutoff and caption confidence into the manifest, naming the set, and nothing else', () => {
    const manifest = JSON.parse(readFileSync(join(pack, 'glimpse-pack.json'), 'utf8')) as Record<string, unknown> & {
      search: { calibration: Record<string, number | string> };
      captioner: { confidence: Record<string, number | string> };
    };
    const calibration = manifest.search.calibration;
    assert.match(String(calibration.calibratedOn), /held-out-a/);
    assert.match(String(calibration.calibratedOn), new RegExp(`${QUERIES} queries over ${SCENES} photos`));
    assert.match(String(calibration.calibratedOn), /\d{4}-\d{2}-\d{2}/);
    for (const key of ['intercept', 'similarity', 'gapToBest', 'keywordTogether', 'queryHasKeywordTogether', 'threshold'])
      assert.ok(Number.isFinite(calibration[key]), `${key}: ${calibration[key]}`);
    assert.ok((calibration.threshold as number) > 0 && (calibration.threshold as number) < 1, `threshold ${calibration.threshold}`);
    assert.notDeepEqual(calibration, (original as typeof manifest).search.calibration);
    const confidence = manifest.captioner.confidence;
    assert.match(String(confidence.calibratedOn), /held-out-a \(60 photos\)/);
    assert.ok(Number.isFinite(confidence.minMeanLogProb) && (confidence.minMeanLogProb as number) < 0, `minMeanLogProb ${confidence.minMeanLogProb}`);
    assert.ok(Number.isFinite(confidence.minAgreement), `minAgreement ${confidence.minAgreement}`);
    assert.deepEqual(rest(manifest), rest(original));
    assert.match(child.stdout, /F1 \d\.\d{3}, precision \d\.\d{3}, recall \d\.\d{3}/);
  });

  it('fits the face thresholds on the labelled faces and writes only them into the face pack given', () => {
    const written = readFileSync(join(faces, 'faces.json'), 'utf8');
    const before = JSON.parse(originalFaces) as { grouping: Record<string, number> };
    const after = JSON.parse(written) as { grouping: Record<string, number> };
    assert.match(child.stdout, /faces: \d+ labelled photos/);
    assert.ok(Number.isFinite(after.grouping.maxDistance) && after.grouping.maxDistance! > 0, `maxDistance ${after.grouping.maxDistance}`);
    assert.deepEqual({ ...after, grouping: null }, { ...before, grouping: null });
    assert.deepEqual({ ...after.grouping, maxDistance: 0, minFrontal: 0 }, { ...before.grouping, maxDistance: 0, minFrontal: 0 });
    // Only the grouping line changed; the hand-made layout stays.
    assert.deepEqual(
      written.split('\n').filter((line) => !line.includes('"grouping"')),
      originalFaces.split('\n').filter((line) => !line.includes('"grouping"')),
    );
  });

  it('the fitted cutoff, used by a fresh engine on another set, does about as well as the generic cutoff or better', async () => {
    const dataDir = join(tmp.path, 'data-b');
    mkdirSync(join(dataDir, 'models'), { recursive: true });
    const installed = join(dataDir, 'models', 'tiny-coca');
    cpSync(pack, installed, { recursive: true });
    const fitted = JSON.parse(readFileSync(join(installed, 'glimpse-pack.json'), 'utf8')) as Record<string, unknown>;
    const measure = async (manifest: Record<string, unknown>, index: boolean) => {
      writeFileSync(join(installed, 'glimpse-pack.json'), JSON.stringify(manifest, null, 2));
      const engine = await GlimpseEngine.open({ dataDir, device: 'cpu', people: false });
      try {
        if (index) {
          engine.addFolder(join(other.dir, 'photos'));
          await engine.update();
        }
        return await shownF1(engine, other);
      } finally {
        await engine.close();
      }
    };
    const withFit = await measure(fitted, true);
    const generic = await measure({ ...fitted, search: undefined }, false);
    console.log(`# other set: fitted ${JSON.stringify(withFit)}, generic ${JSON.stringify(generic)}`);
    assert.ok(withFit.f1 >= generic.f1 - 0.05, `fitted F1 ${withFit.f1.toFixed(3)}, generic ${generic.f1.toFixed(3)}`);
  });

  it('a dry run prints the fit and writes nothing', async () => {
    const before = readFileSync(join(pack, 'glimpse-pack.json'), 'utf8');
    const { code, out } = await run(['--pack', pack, '--set', other.dir, '--dry-run']);
    assert.equal(code, 0);
    assert.match(out, /search: fitted on \d+ candidates of 24 queries/);
    assert.match(out, /dry run: nothing written/);
    assert.equal(readFileSync(join(pack, 'glimpse-pack.json'), 'utf8'), before);
  });

  describe('refusals', () => {
    const broken = (name: string, queries: unknown | null) => {
      const dir = join(tmp.path, name);
      rmSync(dir, { recursive: true, force: true });
      cpSync(join(heldOut.dir, 'photos'), join(dir, 'photos'), { recursive: true });
      if (queries !== null) writeFileSync(join(dir, 'queries.json'), JSON.stringify(queries));
      return dir;
    };
    const good = () => JSON.parse(readFileSync(join(heldOut.dir, 'queries.json'), 'utf8')) as Array<{ query: string; relevant: string[] }>;
    const refused = async (args: string[], message: RegExp) => {
      const before = readFileSync(join(pack, 'glimpse-pack.json'), 'utf8');
      const { code, err } = await run(args);
      assert.equal(code, 1);
      assert.match(err, message);
      assert.equal(readFileSync(join(pack, 'glimpse-pack.json'), 'utf8'), before);
    };

    it('a set without queries.json', () => refused(['--pack', pack, '--set', broken('no-queries', null)], /queries\.json is missing/));

    it('a query naming a photo that is not in the set', () => {
      const queries = good();
      queries[3]!.relevant.push('photos/roll-1/not-here.jpg');
      return refused(
        ['--pack', pack, '--set', broken('stray-photo', queries)],
        new RegExp(`query "${queries[3]!.query}" names photos/roll-1/not-here\\.jpg, which is not a photo of the set`),
      );
    });

    it('a set with fewer than 20 queries', () =>
      refused(['--pack', pack, '--set', broken('few-queries', good().slice(0, 19))], /19 queries with a relevant photo; calibration needs at least 20/));

    it('a pack folder without a manifest', () => refused(['--pack', join(tmp.path, 'held-out-a'), '--set', heldOut.dir], /is not a model pack: glimpse-pack\.json is missing/));
  });
});
