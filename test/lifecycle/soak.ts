/**
 * `npm run soak -- --seed N --steps M [--processes] [--seeds K] [--shard-size S]`: runs long random
 * lifecycle sequences (test/lifecycle/library-model.ts) and, on failure, prints the shortest failing
 * sequence found. `--shard-size 4` rebuilds indexes in graphs of 4 vectors (a large library's index,
 * with graph threads, on a small one). `npm run soak -- --replay '<json>'` replays a printed sequence.
 */
import { parseArgs } from 'node:util';
import { checkSeed, runSequence, withShardSize, type Op } from './library-model.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    steps: { type: 'string', default: '200' },
    seeds: { type: 'string', default: '1' },
    processes: { type: 'boolean', default: false },
    replay: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    'shard-size': { type: 'string' },
  },
});
const shardSize = values['shard-size'] ? Number(values['shard-size']) : undefined;
const log = values.quiet ? undefined : (line: string) => console.log(line);

if (values.replay) {
  const ops = JSON.parse(values.replay) as Op[];
  await withShardSize(shardSize, () => runSequence(ops, (line) => console.log(line)));
  console.log(`Replayed ${ops.length} steps: every invariant held.`);
} else {
  const first = Number(values.seed);
  for (let seed = first; seed < first + Number(values.seeds); seed++) {
    const started = performance.now();
    console.log(`seed ${seed}: ${values.steps} steps${values.processes ? ' with child processes' : ''}`);
    await checkSeed(seed, Number(values.steps), { processes: values.processes, shrinkBudget: 200, ...(shardSize ? { shardSize } : {}), ...(log ? { log } : {}) });
    console.log(`seed ${seed}: every invariant held (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
}
