/**
 * Memory while a large library is searched and updated: `churn <data-dir> <rounds>` opens the library
 * as the app's engine does and, after its checks, runs rounds of 1,000 photos deleted and 1,000 new
 * ones indexed (through the catalogue and its vector log, as indexing writes them) followed by 20
 * searches, printing the resident memory after each round as one JSON line. Slots of deleted photos
 * are reused by new ones, so memory must level off. It changes the library: bench/run.ts gives it a copy.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GlimpseEngine } from '../src/main/engine/engine.js';
import { seededRandom } from '../src/scenes/scene.js';
import { searchParams } from '../src/shared/api.js';
import { clusteredVectors } from './vectors.js';

const [dataDir, roundsArg] = process.argv.slice(2);
if (!dataDir || !roundsArg) throw new Error('usage: churn <data-dir> <rounds>');
const rounds = Number(roundsArg);

const rssMb = () => {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return Math.round(Number(kb) / 1024);
};

const engine = await GlimpseEngine.open({ dataDir, device: 'cpu', checks: 'after-open' });
await engine.whenChecked();
const queries = ['a red circle on grass', 'two blue stars at night', 'a photo', 'red', 'stars'];
for (const query of queries) await engine.search(searchParams.parse({ query, limit: 20 }));
const model = engine.pack.id;
const folder = engine.stores.folders.folders()[0]!;
const random = seededRandom(29);
const vectors = clusteredVectors(rounds * 1000, engine.pack.dimensions, 31);
const rss: number[] = [rssMb()];
const started = performance.now();
for (let r = 0; r < rounds; r++) {
  const ids = engine.stores.vectors.vectorIds(model);
  const gone = new Set<number>();
  while (gone.size < 1000) gone.add(ids[Math.floor(random() * ids.length)]!);
  engine.catalog.transaction(() => {
    engine.stores.photos.deletePhotos([...gone]);
    for (let i = 0; i < 1000; i++) {
      const n = r * 1000 + i;
      const id = engine.stores.photos.insertPhoto({ folderId: folder.id, path: join(folder.path, 'churn', `c${n}.jpg`), size: 700, mtimeMs: 0, hash: null });
      engine.stores.indexing.recordIndexed(model, [
        { id, hash: `churn${n}`, width: 64, height: 48, takenAt: null, camera: null, gps: null, vector: vectors[n]!, caption: 'a churned photo' },
      ]);
    }
  });
  for (let q = 0; q < 20; q++) await engine.search(searchParams.parse({ query: queries[q % queries.length]!, limit: 20 })); // each catches up with the log first
  rss.push(rssMb());
}
process.stdout.write(`${JSON.stringify({ rounds, size: engine.index.size, rssMb: rss, seconds: (performance.now() - started) / 1000 })}\n`);
await engine.close();
