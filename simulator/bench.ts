// npm run bench:sim — 1,000 cards, 100,000 payments with daily syncs, on V8.
// Prints exactly these two lines first:
//
//   sim payments/s (v8): N      payments attempted / wall seconds of the whole run
//   peak rss MB: N
//
// then where the time went, and the run's own checks (value conserved).
// Options: --cards N --payments M --sync-every H --seed S (for smaller runs).
import { parseScenarioArgs } from './options.js';
import { runScenario } from './world/scenario.js';

const args = process.argv.slice(2);
const given = new Set(args.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')[0]));
const { options } = parseScenarioArgs(args);
const o = {
  ...options,
  cards: given.has('cards') ? options.cards : 1000,
  payments: given.has('payments') ? options.payments : 100_000,
  syncEveryHours: given.has('sync-every') ? options.syncEveryHours : 24,
  seed: given.has('seed') ? options.seed : 'bench',
  // QR payments cost the simulator some 20 ms each (QR encoding and jsQR decoding of the pixels): a few.
  qrShare: given.has('qr') ? options.qrShare : 0.002,
  progressEvery: given.has('progress') ? options.progressEvery : 10_000,
  engine: 'v8' as const,
};
const started = performance.now();
const r = await runScenario(o, { log: (l) => process.stderr.write(`bench: ${l}\n`) });
const wall = (performance.now() - started) / 1000;
console.log(`sim payments/s (v8): ${Math.round(r.payments.attempted / wall)}`);
console.log(`peak rss MB: ${r.host.peakRssMB}`);
const s = r.host.seconds;
console.log(`wall: ${wall.toFixed(1)} s for ${o.cards} cards, ${r.payments.attempted} payments (${r.payments.completed} completed), ${r.syncs.count} syncs of ${r.syncs.records} records`);
console.log(`  provisioning ${s.provisioning} s (${((1000 * s.provisioning) / o.cards).toFixed(1)} ms a card: keys, enrolment, load, first sync)`);
console.log(`  payment sessions ${s.sessions} s (${((1000 * s.sessions) / Math.max(1, r.payments.sessions)).toFixed(2)} ms a session: both cards' core, radio model, fragmentation)`);
console.log(`  syncs ${s.syncs} s (${((1000 * s.syncs) / Math.max(1, r.syncs.records)).toFixed(3)} ms a record: serial dump, bridge, authority checks and SQLite)`);
console.log(`  audit ${s.audit} s; the rest (scheduling, reboots) ${(wall - s.provisioning - s.sessions - s.syncs - s.audit).toFixed(1)} s`);
console.log(`  crypto memo: ${r.host.memo.hits} hits, ${r.host.memo.computed} computed`);
const reasons = Object.entries(r.payments.failedByReason).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} x ${k}`);
console.log(`  failed payments: ${reasons.join(', ') || 'none'}`);
console.log(`value conserved: ${r.conservation.ok}; latency p50 ${r.latencyMs.p50} ms, p95 ${r.latencyMs.p95} ms (modelled ESP32)`);
process.exitCode = r.conservation.ok ? 0 : 1;
