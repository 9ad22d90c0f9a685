/**
 * Pause, resume and cancel of a background job, as the user asks them from the app (the engine's
 * pause/resume/cancel), on a real indexing run: a paused job stops taking photos once what is in flight
 * is written, resumes to the end, and a cancelled one leaves the rest pending for the next run.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GlimpseEngine } from '../../../../src/main/engine/engine.js';
import { randomScene } from '../../../../src/scenes/scene.js';
import { libraryFolders, writeScene } from '../../../fixtures.js';

const PHOTOS = 90;
const BATCH = 4;
/** What may still finish after a pause: the decodes in flight and two batches waiting (the pipeline's bound). */
const IN_FLIGHT = 2 + 2 * BATCH;

async function settled(read: () => number): Promise<number> {
  // Until the count has not moved for 2 s (or 60 s have passed): a batch on a busy machine takes a while.
  let last = read();
  let since = Date.now();
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    await new Promise((r) => setTimeout(r, 100));
    if (read() !== last) [last, since] = [read(), Date.now()];
    else if (Date.now() - since >= 2000) break;
  }
  return last;
}

describe('pausing, resuming and cancelling a job', () => {
  const folders = libraryFolders();
  let photos: string;
  before(async () => {
    ({ photos } = folders.fresh());
    for (let i = 0; i < PHOTOS; i++) await writeScene(join(photos, `p${i}.jpg`), randomScene(i + 1), { width: 96, height: 72 });
  });
  after(() => folders.removeAll());

  it('a paused job stops once what is in flight is written, and resumes to the end', async () => {
    const { dataDir } = folders.fresh();
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu', ocr: false, captions: false });
    try {
      engine.addFolder(photos);
      await engine.scan();
      let done = 0;
      let pausedAt: number | null = null;
      const run = engine.indexPending({
        batchSize: BATCH,
        onProgress: (p) => {
          done = p.done;
          if (pausedAt === null && p.done >= BATCH) {
            pausedAt = p.done;
            engine.pause();
          }
        },
      });
      const stoppedAt = await settled(() => done);
      assert.ok(pausedAt !== null, 'the job reported progress');
      assert.ok(stoppedAt < PHOTOS, `paused at ${pausedAt}, it stopped at ${stoppedAt} of ${PHOTOS}`);
      assert.ok(stoppedAt - pausedAt <= IN_FLIGHT, `at most ${IN_FLIGHT} more after the pause (${stoppedAt - pausedAt})`);
      assert.equal(engine.stores.photos.counts(engine.pack.id).indexed, stoppedAt, 'what was reported done is written');
      engine.resume();
      const summary = await run;
      assert.deepEqual([summary.indexed, summary.errors, summary.cancelled], [PHOTOS, 0, false]);
      assert.equal(engine.stores.photos.counts(engine.pack.id).pending, 0);
    } finally {
      await engine.close();
    }
  });

  it('a cancelled job returns, the rest stays pending, and the next run finishes exactly the rest', async () => {
    const { dataDir } = folders.fresh();
    const engine = await GlimpseEngine.open({ dataDir, device: 'cpu', ocr: false, captions: false });
    try {
      engine.addFolder(photos);
      await engine.scan();
      let cancelled = false;
      const first = await engine.indexPending({
        batchSize: BATCH,
        onProgress: (p) => {
          if (!cancelled && p.done >= BATCH) {
            cancelled = true;
            // Cancelling a paused job ends it too.
            engine.pause();
            engine.cancel();
          }
        },
      });
      assert.equal(first.cancelled, true);
      assert.ok(first.indexed < PHOTOS, `${first.indexed} indexed before the cancel took effect`);
      assert.equal(engine.stores.photos.counts(engine.pack.id).pending, PHOTOS - first.indexed);
      const second = await engine.indexPending({ batchSize: BATCH });
      assert.deepEqual([second.indexed, second.cancelled], [PHOTOS - first.indexed, false]);
      assert.equal(engine.stores.photos.counts(engine.pack.id).indexed, PHOTOS);
    } finally {
      await engine.close();
    }
  });
});
