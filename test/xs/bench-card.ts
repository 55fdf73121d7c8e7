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
// --verbose adds, after those lines, each side's cost per call into the card
// and its flash writes.
import { XsHarness } from './harness.js';
import type { CardBenchResult, SideCost } from './bench-card-ops.js';

const verbose = process.argv.includes('--verbose');
const xs = await XsHarness.start(['tally-bench-card.js']);
try {
  const r = (await xs.call<CardBenchResult>('benchCard')).value;
  console.log(`payer computrons first: ${r.first.payer.computrons}`);
  console.log(`payee computrons first: ${r.first.payee.computrons}`);
  console.log(`payer computrons repeat: ${r.repeat.payer.computrons}`);
  console.log(`payee computrons repeat: ${r.repeat.payee.computrons}`);
  console.log(`flash bytes per payment: ${Math.max(r.repeat.payer.flashBytes, r.repeat.payee.flashBytes)}`);
  console.log(`sector erases per payment: ${r.first.payer.erases + r.first.payee.erases + r.repeat.payer.erases + r.repeat.payee.erases}`);
  if (verbose) {
    const show = (label: string, s: SideCost, names: string[]): void => {
      const parts = s.steps.map((c, i) => `${names[i] ?? `call ${i + 1}`} ${c}`);
      console.log(`  ${label}: ${parts.join(', ')}; flash ${s.flashWrites} writes, ${s.flashBytes} B`);
    };
    const payerSteps = ['pay (hello)', 'offer', 'confirm (sign, debit, send)', 'receipt (verify, write)', 'link closed', 'link closed'];
    const payeeSteps = ['receive (offer)', 'hello (verify cert, offer)', 'payment (verify, sign, credit, receipt)', 'link closed', 'link closed'];
    console.log(`  warm-up payment between two other cards: payer ${r.warmup.payer}, payee ${r.warmup.payee}`);
    for (const k of ['first', 'repeat'] as const) {
      show(`${k} payer`, r[k].payer, payerSteps);
      show(`${k} payee`, r[k].payee, payeeSteps);
    }
  }
} finally {
  await xs.close();
}
