// The card benchmark, run inside XS (bundled by scripts/build-core.mjs into
// build/xs/tally-bench-card.js; core imports go to the shipped core bundle).
// test/xs/bench-card.ts drives it.
//
// Two card cores in one XS machine pay each other over an in-memory wire,
// with NOR flash in memory. Each call into a card (an inbound message, the
// holder's confirmation, starting a payment or an offer) is metered and
// charged to that card, so the figures are per side. The harness between
// calls (queueing messages) is not charged.
//
// 'first' is the first payment between two cards (nothing cached); 'repeat'
// is a second payment between the same two (the peer's verified certificate
// is cached). noble's lookup tables (a once-per-boot cost) are built before
// either, when the cards install their certificates; a payment between two
// other cards runs first too, reported apart as 'warmup'.
//
// With `{ primitives: 'native-digest' }` the cards hash on the device
// provider (firmware/app/digest-primitives.ts) over a digest that runs in the
// Node parent (test/xs/xs-digest.ts), outside the meter, the way Moddable's
// native Digest runs outside the interpreter on a card.
import { usePrimitives } from '../../firmware/core/index.js';
import { digestPrimitives } from '../../firmware/app/digest-primitives.js';
import { World, runPayment, type TestCard } from '../core/card-fixture.js';
import { HostDigest } from './xs-digest.js';

interface XsGlobals {
  resetMeter?: (limit: number, index: number) => number;
  currentMeterLimit?: () => number;
  tallyCommands: Record<string, (msg: Record<string, unknown>) => unknown>;
}
const g = globalThis as unknown as XsGlobals;

function meter(): number {
  if (typeof g.resetMeter !== 'function' || typeof g.currentMeterLimit !== 'function') throw new Error('no resetMeter in this engine');
  return g.resetMeter(g.currentMeterLimit(), 0) >>> 0;
}

export interface SideCost {
  /** Computrons of the whole payment for this card. */
  computrons: number;
  /** Computrons of each call into the card, in order. */
  steps: number[];
  flashBytes: number;
  flashWrites: number;
  erases: number;
}

export interface PaymentCost {
  payer: SideCost;
  payee: SideCost;
}

export interface CardBenchResult {
  warmup: { payer: number; payee: number };
  first: PaymentCost;
  repeat: PaymentCost;
}

function pay(payer: TestCard, payee: TestCard, amount: number): PaymentCost {
  const cost: PaymentCost = {
    payer: { computrons: 0, steps: [], flashBytes: 0, flashWrites: 0, erases: 0 },
    payee: { computrons: 0, steps: [], flashBytes: 0, flashWrites: 0, erases: 0 },
  };
  const f0 = { payer: { ...snap(payer) }, payee: { ...snap(payee) } };
  const r = runPayment(payer, payee, {
    amount,
    meter: {
      before: () => void meter(),
      after: (side) => {
        const c = meter();
        cost[side].computrons += c;
        cost[side].steps.push(c);
      },
    },
  });
  if (r.payer?.status !== 'done' || r.payee?.status !== 'done') throw new Error(`payment failed: ${JSON.stringify([r.payer, r.payee])}`);
  for (const side of ['payer', 'payee'] as const) {
    const tc = side === 'payer' ? payer : payee;
    const s = snap(tc);
    cost[side].flashBytes = s.bytes - f0[side].bytes;
    cost[side].flashWrites = s.writes - f0[side].writes;
    cost[side].erases = s.erases - f0[side].erases;
    // The last step is the link closing after the session ended: nothing to charge.
  }
  return cost;
}

function snap(tc: TestCard): { bytes: number; writes: number; erases: number } {
  return { bytes: tc.flash.bytesWritten, writes: tc.flash.writes, erases: tc.flash.erases };
}

export type BenchPrimitives = 'noble' | 'native-digest';

g.tallyCommands.benchCard = (msg): CardBenchResult => {
  if ((msg.primitives as BenchPrimitives | undefined) === 'native-digest') {
    const p = digestPrimitives(HostDigest, 'host digest');
    if (!p) throw new Error('the host digest failed the known-answer test');
    usePrimitives(p);
  }
  const w = new World({ seed: 0xbe7c });
  // Warm-up: a payment between two other cards (noble's tables are built by the certificate checks before it).
  const x = w.card('x');
  const y = w.card('y');
  const warm = pay(x, y, 1_00);
  const payer = w.card('payer');
  const payee = w.card('payee');
  const first = pay(payer, payee, 12_50);
  const repeat = pay(payer, payee, 3_20);
  return { warmup: { payer: warm.payer.computrons, payee: warm.payee.computrons }, first, repeat };
};
