// npm run bench:card — a full payment between two card cores inside XS
// (test/xs/bench-card-ops.ts), measured per side in computrons, for a first
// payment between two cards and a repeat payment between the same two.
// Prints exactly:
//
//   payer computrons first: N
//   payee computrons first: N
//   payer computrons repeat: N
//   payee computrons repeat: N
//   flash bytes per payment: N      (the larger side, repeat payment)
//   sector erases per payment: N    (both sides, both payments)
//
// then the same payments with hashing on a native digest (the device
// provider, firmware/app/digest-primitives.ts, as firmware/device/
// primitives-moddable.ts installs it on Moddable's "crypt" Digest), each in a
// fresh XS machine, with the hashing done outside the meter:
//
//   native digest: payer computrons first: N (-P% against noble)
//   ... (the same four lines)
//
// --verbose adds, after those lines, each side's cost per call into the card
// and its flash writes (noble, then native digest).
import { XsHarness } from './harness.js';
import type { BenchPrimitives, CardBenchResult, SideCost } from './bench-card-ops.js';

const verbose = process.argv.includes('--verbose');

async function bench(primitives: BenchPrimitives): Promise<CardBenchResult> {
  const xs = await XsHarness.start(['tally-bench-card.js']);
  try {
    return (await xs.call<CardBenchResult>('benchCard', { primitives })).value;
  } finally {
    await xs.close();
  }
}

const results: [string, CardBenchResult][] = [['noble', await bench('noble')], ['native digest', await bench('native-digest')]];
const r = results[0]![1];
const d = results[1]![1];
console.log(`payer computrons first: ${r.first.payer.computrons}`);
console.log(`payee computrons first: ${r.first.payee.computrons}`);
console.log(`payer computrons repeat: ${r.repeat.payer.computrons}`);
console.log(`payee computrons repeat: ${r.repeat.payee.computrons}`);
console.log(`flash bytes per payment: ${Math.max(r.repeat.payer.flashBytes, r.repeat.payee.flashBytes)}`);
console.log(`sector erases per payment: ${r.first.payer.erases + r.first.payee.erases + r.repeat.payer.erases + r.repeat.payee.erases}`);
const pct = (a: number, b: number): string => `${(((a - b) / b) * 100).toFixed(1)}%`;
for (const k of ['first', 'repeat'] as const) {
  for (const side of ['payer', 'payee'] as const) {
    const n = d[k][side].computrons;
    console.log(`native digest: ${side} computrons ${k}: ${n} (${pct(n, r[k][side].computrons)} against noble)`);
  }
}
if (verbose) {
  const show = (label: string, s: SideCost, names: string[]): void => {
    const parts = s.steps.map((c, i) => `${names[i] ?? `call ${i + 1}`} ${c}`);
    console.log(`  ${label}: ${parts.join(', ')}; flash ${s.flashWrites} writes, ${s.flashBytes} B`);
  };
  const payerSteps = ['pay (hello)', 'offer', 'confirm (sign, debit, send)', 'receipt (verify, write)', 'link closed', 'link closed'];
  const payeeSteps = ['receive (offer)', 'hello (verify cert, offer)', 'payment (verify, sign, credit, receipt)', 'link closed', 'link closed'];
  for (const [label, x] of results) {
    console.log(`${label}:`);
    console.log(`  warm-up payment between two other cards: payer ${x.warmup.payer}, payee ${x.warmup.payee}`);
    for (const k of ['first', 'repeat'] as const) {
      show(`${k} payer`, x[k].payer, payerSteps);
      show(`${k} payee`, x[k].payee, payeeSteps);
    }
  }
}
