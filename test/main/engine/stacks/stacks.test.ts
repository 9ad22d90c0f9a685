/**
 * Near-duplicate stacks with the real engine, the bundled model, real SQLite and HNSW, on a generated
 * set of real JPEGs (scenes and darknet's photographs) with exact copies, re-encodes, resizes, crops of
 * up to 10%, small rotations and unrelated look-alikes: grouping quality held to the targets on a seed
 * the thresholds were not chosen on, the best shot, search showing one tile per stack, the Duplicates
 * report, photos leaving their stack, and a library from before stacks measured without re-embedding.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { MIGRATIONS } from '../../../../src/main/engine/catalog/schema.js';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { type DuplicateFile, scoreGrouping, writeDuplicateSet } from '../../../../src/scenes/duplicate-set.js';
import { parseCall } from '../../../../src/shared/api.js';
import { libraryFolders } from '../../../fixtures.js';
import { checkStacks } from '../../../lifecycle/stacks.js';

const { fresh, removeAll } = libraryFolders();
const REAL = join(process.cwd(), '.cache', 'debian-photos', 'usr', 'share', 'darknet', 'data');
/** Not the calibration seed (bench/stacks.ts chose the thresholds on DUPLICATE_SET_SEED). */
const HELD_OUT_SEED = 120_000_000;
/** The schema step that brought stacks (a library at this version is one from before them). */
const STACKS_STEP = MIGRATIONS.findIndex((step) => step.includes('CREATE TABLE photo_looks'));

describe('near-duplicate stacks', () => {
  let engine: GlimpseEngine;
  let files: DuplicateFile[];
  let dataDir: string;
  let library: string;
  const kindOf = new Map<number, DuplicateFile>();

  before(async () => {
    const dirs = fresh();
    dataDir = dirs.dataDir;
    library = dirs.photos;
    files = await writeDuplicateSet(library, { scenes: 16, photosDir: existsSync(REAL) ? REAL : undefined, photos: 7, seed: HELD_OUT_SEED });
    engine = await GlimpseEngine.open({ dataDir, device: 'cpu', captions: false, ocr: false });
    engine.addFolder(library);
    const summary = await engine.update();
    assert.ok(summary.stacks.built);
    checkStacks(engine.catalog, engine.pack.id, true);
    for (const f of files) kindOf.set(engine.stores.photos.photoByPath(f.path)!.id, f);
  });
  after(async () => {
    await engine?.close();
    removeAll();
  });

  it('groups copies, re-encodes, resizes, crops and small rotations, and not look-alikes: precision and recall >= 0.95', () => {
    const report = engine.duplicates();
    const score = scoreGrouping(
      files,
      report.groups.map((g) => g.photos.map((p) => p.path)),
    );
    console.log(`precision ${score.precision.toFixed(3)} recall ${score.recall.toFixed(3)}`, score.byKind);
    assert.ok(score.precision >= 0.95, `precision ${score.precision}`);
    assert.ok(score.recall >= 0.95, `recall ${score.recall}`);
    const lookalikes = score.byKind['lookalike (scene)']!;
    assert.ok(lookalikes.grouped <= lookalikes.pairs / 10, `${lookalikes.grouped} of ${lookalikes.pairs} look-alikes joined the stack of their scene`);
    if (existsSync(REAL)) assert.ok(score.byKind['crop (photo)']!.pairs > 0, 'real photographs are part of the set');
  });

  it('puts the best shot first: the sharpest, then the largest, then the better-encoded file', () => {
    const report = engine.duplicates();
    let checked = 0;
    for (const g of report.groups) {
      const kinds = new Set(g.photos.map((p) => kindOf.get(p.id)!.group));
      if (kinds.size !== 1) continue;
      assert.ok(g.photos[0]!.best && g.photos.slice(1).every((p) => !p.best));
      assert.ok(
        ['original', 'copy'].includes(kindOf.get(g.photos[0]!.id)!.kind),
        `best of ${[...kinds][0]}: ${g.photos.map((p) => `${kindOf.get(p.id)!.kind} ${p.sharpness} ${p.width}x${p.height} ${p.bytes}`).join(', ')}`,
      );
      checked++;
    }
    assert.ok(checked >= 20, `${checked} groups checked`);
  });

  it('marks exact copies and counts what a clean-up could free, without deleting anything', () => {
    const report = engine.duplicates();
    const copies = report.groups.flatMap((g) => g.photos).filter((p) => kindOf.get(p.id)!.kind === 'copy');
    assert.ok(copies.length > 0);
    for (const c of copies) {
      const twin = report.groups.flatMap((g) => g.photos).find((p) => p.id === c.copyOf || c.id === p.copyOf);
      assert.ok(twin, `copy ${c.path} is marked as an exact copy`);
    }
    assert.equal(report.extra, report.photos - report.groups.length);
    assert.ok(report.extraBytes > 0);
    for (const f of files) assert.ok(existsSync(f.path));
  });

  it('shows a stack as one search result with its size, and opens it best shot first', async () => {
    const similarTo = engine.stores.photos.photoByPath(files.find((f) => f.kind === 'original')!.path)!.id;
    const flat = await engine.search({ query: '', similarTo, limit: 200, sort: 'relevance', all: true });
    const response = await engine.search({ query: '', similarTo, limit: 200, sort: 'relevance', all: true, stacks: true });
    assert.ok(response.total < flat.total, 'without `stacks`, every photo is a result');
    assert.ok(
      flat.results.some((r) => r.stack),
      'each saying its stack',
    );
    const stacked = response.results.filter((r) => r.stack);
    assert.ok(stacked.length > 0);
    const stackIds = stacked.map((r) => r.stack!.id);
    assert.equal(new Set(stackIds).size, stackIds.length, 'one tile per stack');
    const opened = engine.stack(stacked[0]!.stack!.id);
    assert.equal(opened.length, stacked[0]!.stack!.size);
    assert.ok(opened.some((r) => r.id === stacked[0]!.id));
    const group = engine.duplicates().groups.find((g) => g.id === stacked[0]!.stack!.id)!;
    assert.deepEqual(
      opened.map((r) => r.id),
      group.photos.map((p) => p.id),
    );
    assert.match(opened[0]!.why[0]!.detail, /best shot/);
    assert.throws(() => parseCall('stack', { id: -1 }));
    assert.throws(() => engine.stack(999_999), /no stack/);
  });

  it('adds new photos to the stacks incrementally, as a rebuild of everything would', async () => {
    const original = files.find((f) => f.kind === 'original' && f.group === 'scene-2')!;
    const before = engine.duplicates().groups.find((g) => g.photos.some((p) => p.path === original.path))!;
    const added = join(library, 'scene-2', 'another copy.jpg');
    copyFileSync(original.path, added);
    writeFileSync(join(library, 'scene-2', 'smaller again.jpg'), await sharp(original.path).resize(500).jpeg({ quality: 70 }).toBuffer());
    const summary = await engine.update();
    assert.ok(summary.stacks.built && summary.stacks.incremental, 'only the new photos were looked at');
    checkStacks(engine.catalog, engine.pack.id, true);
    const after = engine.duplicates().groups.find((g) => g.photos.some((p) => p.path === original.path))!;
    assert.equal(after.photos.length, before.photos.length + 2);
    assert.equal(after.photos.find((p) => p.path === added)!.copyOf !== null || after.photos.find((p) => p.path === original.path)!.copyOf !== null, true);
    // The same stacks as a rebuild from nothing.
    const incremental = engine.stores.stacks.stackGroups();
    engine.catalog.db.prepare(`DELETE FROM meta WHERE key IN ('stacks', 'stacks_build')`).run();
    const full = engine.refreshStacks();
    assert.ok(full.built && !full.incremental);
    assert.deepEqual(engine.stores.stacks.stackGroups(), incremental);
  });

  it('lets photos leave their stack; a stack left with one photo is no longer shown', async () => {
    const group = engine.duplicates().groups.find((g) => kindOf.get(g.photos[0]!.id)!.group === 'scene-3')!;
    assert.ok(group.photos.length >= 2);
    for (const p of group.photos.slice(1)) rmSync(p.path);
    await engine.update();
    assert.equal(
      engine.duplicates().groups.find((g) => g.photos.some((p) => p.id === group.photos[0]!.id)),
      undefined,
    );
    checkStacks(engine.catalog, engine.pack.id, true);
  });

  it('upgrades a library from before stacks and measures its photos without embedding them again', async () => {
    await engine.close();
    // What a library indexed by the Glimpse before stacks looks like: no looks, no stacks, the schema before theirs.
    const db = new Database(join(dataDir, 'catalog.sqlite'));
    db.exec(`DROP TABLE photo_looks; DROP TABLE stacks; DELETE FROM meta WHERE key IN ('stacks', 'stacks_build');`);
    db.pragma(`user_version = ${STACKS_STEP}`); // the version before stacks (the later steps run again: they make what is missing)
    const vectorSeq = db.prepare('SELECT max(seq) FROM vector_log').pluck().get();
    db.close();

    engine = await GlimpseEngine.open({ dataDir, device: 'cpu', captions: false, ocr: false });
    assert.equal(engine.catalog.schemaVersion, MIGRATIONS.length);
    // Before they are measured, only exact copies (same content fingerprint) are stacked.
    const before = engine.duplicates();
    assert.ok(before.pending > 0);
    assert.ok(before.groups.every((g) => g.kind === 'exact'));
    const summary = await engine.update();
    assert.equal(summary.indexing.indexed, 0, 'nothing embedded again');
    assert.ok(summary.looks && summary.looks.measured === engine.stores.stacks.lookCounts().done && summary.looks.failed === 0);
    assert.equal(engine.catalog.db.prepare('SELECT max(seq) FROM vector_log').pluck().get(), vectorSeq);
    checkStacks(engine.catalog, engine.pack.id, true);
    const report = engine.duplicates();
    assert.equal(report.pending, 0);
    const score = scoreGrouping(
      files.filter((f) => existsSync(f.path)),
      report.groups.map((g) => g.photos.map((p) => p.path)),
    );
    assert.ok(score.precision >= 0.95 && score.recall >= 0.95, JSON.stringify(score));
  });
});
