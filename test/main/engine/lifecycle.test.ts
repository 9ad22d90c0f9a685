/**
 * The library's lifecycle, proven by seeded random sequences against an oracle (see
 * test/lifecycle/library-model.ts for the operations and invariants). CI runs these fixed seeds;
 * `npm run soak -- --seed N --steps M [--processes]` runs longer ones.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Op, checkSeed, generate } from '../../lifecycle/library-model.js';

const IN_PROCESS = { seeds: [1, 2, 3, 4, 5, 6], steps: 120 };
const WITH_PROCESSES = { seeds: [102, 104, 106, 112], steps: 60 };
/** Seeds whose rebuilds make several graphs when graphs hold 4 vectors: a large library's index, threads and all. */
const SMALL_GRAPHS = { shardSize: 4, inProcess: { seeds: [1, 3], steps: 120 }, withProcesses: { seeds: [104, 107], steps: 80 } };

describe('the library lifecycle against an oracle', () => {
  it('the fixed seeds exercise every kind of operation', () => {
    const kinds = new Set<Op['kind']>();
    for (const seed of IN_PROCESS.seeds) for (const op of generate(seed, IN_PROCESS.steps)) kinds.add(op.kind);
    for (const seed of WITH_PROCESSES.seeds) for (const op of generate(seed, WITH_PROCESSES.steps, { processes: true })) kinds.add(op.kind);
    const all: Array<Op['kind']> = [
      'add',
      'bulkAdd',
      'addBroken',
      'edit',
      'delete',
      'moveFile',
      'moveFolder',
      'swapNames',
      'unplug',
      'replug',
      'caption',
      'clearCaption',
      'index',
      'switchModel',
      'kill',
      'reopen',
      'damageIndex',
      'secondReader',
      'secondWriter',
      'damageCatalog',
      'linkOutside',
    ];
    assert.deepEqual(
      all.filter((k) => !kinds.has(k)),
      [],
    );
  });
  for (const seed of IN_PROCESS.seeds) {
    it(`keeps every invariant through ${IN_PROCESS.steps} random steps in one process (seed ${seed})`, { timeout: 600_000 }, async () => {
      await checkSeed(seed, IN_PROCESS.steps, { shrinkBudget: 30 });
    });
  }
  for (const [processes, { seeds, steps }] of [
    [false, SMALL_GRAPHS.inProcess],
    [true, SMALL_GRAPHS.withProcesses],
  ] as const) {
    for (const seed of seeds) {
      it(
        `keeps every invariant with an index of several graphs on threads, ${steps} steps${processes ? ' with child processes' : ''} (seed ${seed})`,
        { timeout: 900_000 },
        async () => {
          const threaded: string[] = [];
          await checkSeed(seed, steps, {
            processes,
            shardSize: SMALL_GRAPHS.shardSize,
            shrinkBudget: 10,
            log: (line) => line.includes('on threads of their own') && threaded.push(line),
          });
          assert.ok(threaded.length > 0, 'the sequence ran with an index of several graphs, some on threads');
        },
      );
    }
  }
  for (const seed of WITH_PROCESSES.seeds) {
    it(`keeps every invariant through ${WITH_PROCESSES.steps} steps with kill -9, a second reader and a second writer (seed ${seed})`, { timeout: 900_000 }, async () => {
      await checkSeed(seed, WITH_PROCESSES.steps, { processes: true, shrinkBudget: 10 });
    });
  }
});
