// XS benchmark of the card core (npm run bench:xs). Loads the shipped core
// bundle and the bench ops (test/xs/bench-ops.ts) into an xsnap worker and
// prints each operation's steady-state cost in computrons, one line each:
//
//   xs <operation>: <N> computrons
//
// Computrons are XS's deterministic work units: the same on every machine, so
// they are the figure to compare (see /work/shared/XS-NOTES.md for the rough
// conversion to time; an ESP32 is tens of times slower than a desktop core).
// Options: --runs N (default 8), --verbose (also prints first-run costs).
import { XsHarness } from './harness.js';
import type { BenchResult } from './bench-ops.js';

const argv = process.argv.slice(2);
const runsArg = argv.indexOf('--runs');
const runs = runsArg >= 0 ? Number(argv[runsArg + 1]) : 8;
const verbose = argv.includes('--verbose');
if (!Number.isInteger(runs) || runs < 1) {
  console.error('bench:xs: --runs takes a positive integer');
  process.exit(2);
}

const xs = await XsHarness.start(['tally-bench.js']);
let failed = 0;
try {
  const ops = (await xs.call<{ name: string; missing: string | null }[]>('benchList')).value;
  for (const op of ops) {
    if (op.missing) {
      console.log(`xs ${op.name}: skipped (${op.missing})`);
      continue;
    }
    try {
      const r = (await xs.call<BenchResult>('bench', { name: op.name, runs })).value;
      console.log(`xs ${r.name}: ${r.computrons} computrons`);
      if (verbose) console.log(`   (first run ${r.warmup} computrons; average of ${r.runs} runs after it)`);
    } catch (e) {
      failed++;
      console.log(`xs ${op.name}: failed (${(e as Error).message})`);
    }
  }
} finally {
  await xs.close();
}
process.exitCode = failed ? 1 : 0;
