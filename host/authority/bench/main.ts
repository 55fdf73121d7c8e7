// `npm run bench:authority`: settles generated payments through the real sync
// path (a `tally authority start` child: HTTP, SQLite, worker threads) and
// prints, measured in the same run:
//   native verify bound payments/s   two node:crypto verifications per payment, every core, nothing else
//   settled payments/s               the real path: both halves of every payment synced and settled
//   naive baseline payments/s        noble verification, one core, one transaction per record
//   ratio to bound                   settled / bound
// The bound is measured just before and just after the settling run and
// averaged, so a machine whose load changes meanwhile skews the ratio less.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nativeBound } from './bound.js';
import { spawnAuthority, type ChildAuthority } from './child.js';
import { BenchClient } from './http.js';
import { makeWorkload, sendAll, type Workload } from './workload.js';

const env = (name: string, def: number): number => (process.env[name] ? Number(process.env[name]) : def);
const PAYERS = env('BENCH_PAYERS', 100);
const PAYEES = env('BENCH_PAYEES', 100);
const PER_PAYER = env('BENCH_PER_PAYER', 1000);
const CHUNK_RECORDS = env('BENCH_CHUNK', 500);
const CONCURRENCY = env('BENCH_CONCURRENCY', 4);
const NAIVE_PAYERS = 10;
const NAIVE_PER_PAYER = env('BENCH_NAIVE_PER_PAYER', 50);

interface Prepared {
  child: ChildAuthority;
  w: Workload;
  /** Sends every sync and checks that every payment settled once; returns the seconds it took. */
  settle(): Promise<number>;
  stop(): Promise<void>;
}

async function prepare(dir: string, name: string, args: string[], payers: number, payees: number, perPayer: number): Promise<Prepared> {
  // BENCH_PROFILE=DIR writes a CPU profile of the authority process there.
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = await spawnAuthority(join(dir, `${name}.db`), ['--block-interval-ms', '0', ...args], profile);
  try {
    const setup = new BenchClient(child.url);
    const w = await makeWorkload(setup, payers, payees, perPayer, CHUNK_RECORDS, name).finally(() => setup.close());
    return {
      child,
      w,
      async settle() {
        // Fresh connections: the server closes keep-alive sockets that idled during generation.
        const client = new BenchClient(child.url);
        try {
          const t0 = performance.now();
          await sendAll(client, w.rounds, CONCURRENCY);
          const seconds = (performance.now() - t0) / 1000;
          const totals = (await client.get('/totals')).json;
          if (totals.settlements !== w.payments || !totals.conserved) throw new Error(`${name}: ${JSON.stringify(totals)} after ${w.payments} payments`);
          return seconds;
        } finally {
          client.close();
        }
      },
      stop: () => child.stop(),
    };
  } catch (e) {
    await child.kill();
    throw e;
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tally-bench-'));
  try {
    const real = await prepare(dir, 'real', [], PAYERS, PAYEES, PER_PAYER);
    let boundSeconds: number;
    let settledSeconds: number;
    try {
      const before = await nativeBound(real.w.signatures);
      settledSeconds = await real.settle();
      const after = await nativeBound(real.w.signatures);
      if (before.ok !== real.w.signatures.length || after.ok !== real.w.signatures.length) throw new Error('bound: some signatures did not verify');
      boundSeconds = (before.seconds + after.seconds) / 2;
    } finally {
      await real.stop();
    }
    const naive = await prepare(dir, 'naive', ['--workers', '0', '--verifier', 'noble', '--transaction', 'record'], NAIVE_PAYERS, NAIVE_PAYERS, NAIVE_PER_PAYER);
    let naiveSeconds: number;
    try {
      naiveSeconds = await naive.settle();
    } finally {
      await naive.stop();
    }
    const boundRate = real.w.payments / boundSeconds;
    const settledRate = real.w.payments / settledSeconds;
    const naiveRate = naive.w.payments / naiveSeconds;
    console.error(
      `bench: ${real.w.payments} payments (${PAYERS} payers, ${PAYEES} payees, ${CHUNK_RECORDS} records per sync, ${CONCURRENCY} in flight), ` +
        `both halves each, settled in ${settledSeconds.toFixed(2)} s; bound ${boundSeconds.toFixed(2)} s; ` +
        `naive: ${naive.w.payments} payments in ${naiveSeconds.toFixed(2)} s; settled/naive ${(settledRate / naiveRate).toFixed(1)}x`,
    );
    console.log(`native verify bound payments/s: ${Math.round(boundRate)}`);
    console.log(`settled payments/s: ${Math.round(settledRate)}`);
    console.log(`naive baseline payments/s: ${Math.round(naiveRate)}`);
    console.log(`ratio to bound: ${(settledRate / boundRate).toFixed(2)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
