// Power-cut campaign (Node only: hundreds of payments). Every flash write of
// both cards during a payment is cut: just before it, just after it, and
// halfway through it (a torn write). The card that lost power reboots from
// its flash; the two cards reconnect until the payment completes; then both
// ledgers must verify, the payer be debited exactly once, the payee credited
// exactly once, and settling both ledgers conserve value.
import { strict as assert } from 'node:assert';
import { toHex } from '../../firmware/core/index.js';
import { World, runPayment, type CutMode, type TestCard } from './card-fixture.js';
import { settle } from './settle.js';

const AMOUNT = 1250;
const MODES: CutMode[] = ['before', 'after', 'torn', 'torn-early'];

type Scenario = 'plain' | 'payer opens a sector' | 'payee opens a sector' | 'news travels';
const SCENARIOS: Scenario[] = ['plain', 'payer opens a sector', 'payee opens a sector', 'news travels'];

interface Setup {
  w: World;
  payer: TestCard;
  payee: TestCard;
  spent: number;
  received: number;
  settled: number;
}

const room = (c: TestCard): number => {
  const log = c.card.ledger.log;
  const last = log.sectors[log.sectors.length - 1]!;
  return log.sectorBytes - last.end;
};

/** Two cards with some history, so the payment is not the first record of either chain. */
function setup(scenario: Scenario): Setup {
  const w = new World({ seed: 0xc0ffee });
  const payer = w.card('payer', 500_00);
  const payee = w.card('payee', 500_00);
  // History: one payment each way.
  assert.equal(runPayment(payer, payee, { amount: 100 }).payer?.status, 'done');
  assert.equal(runPayment(payee, payer, { amount: 40 }).payer?.status, 'done');
  let settled = 2;
  if (scenario === 'payer opens a sector') {
    // Small payments until the next debit no longer fits the payer's sector.
    while (room(payer) >= 400) {
      assert.equal(runPayment(payer, payee, { amount: 1 }).payer?.status, 'done');
      settled++;
    }
  }
  if (scenario === 'payee opens a sector') {
    while (room(payee) >= 420) {
      assert.equal(runPayment(payer, payee, { amount: 1 }).payer?.status, 'done');
      settled++;
    }
  }
  if (scenario === 'news travels') {
    // The payee holds a newer revocation list, the payer a newer epoch note: each adopts the other's.
    payee.card.applyRevocations(w.revocations(3, [new Uint8Array(16).fill(9)]).sealed.bytes);
    payer.card.applyEpochNote(w.epochNote(7).sealed.bytes);
  }
  return { w, payer, payee, spent: payer.card.status().spent, received: payee.card.status().received, settled };
}

function check(st: Setup, label: string): void {
  const { w, payer, payee } = st;
  // Reboot both: the ledgers must recover from flash alone.
  w.reboot(payer);
  w.reboot(payee);
  const keyOf = (id: Uint8Array) => [payer, payee].find((c) => toHex(c.keys.cardId) === toHex(id))?.keys.signer.publicKey;
  payer.card.verifyLedger(keyOf);
  payee.card.verifyLedger(keyOf);
  const debits = payer.card.records().filter((r) => r.kind === 'payment' && r.amount === AMOUNT);
  const credits = payee.card.records().filter((r) => r.kind === 'receipt' && r.amount === AMOUNT);
  assert.equal(debits.length, 1, `${label}: payer debited ${debits.length} times`);
  assert.equal(credits.length, 1, `${label}: payee credited ${credits.length} times`);
  assert.equal(payer.card.status().pending, 0, `${label}: the payer still waits for a receipt`);
  assert.equal(payer.card.status().spent, st.spent + AMOUNT, `${label}: payer spent`);
  assert.equal(payee.card.status().received, st.received + AMOUNT, `${label}: payee received`);
  const s = settle([payer, payee]);
  assert.equal(s.payments.size, st.settled + 1, `${label}: settled payments`);
  let net = 0;
  for (const p of s.payments.values()) net += toHex(p.card) === toHex(payer.keys.cardId) ? -p.amount : p.amount;
  assert.equal(s.net.get(toHex(payer.keys.cardId)), net, `${label}: payer net`);
}

for (const scenario of SCENARIOS) {
  describe(`payment: power cut at every flash write (${scenario})`, () => {
    // The clean run tells how many writes each side makes during the payment.
    const clean = setup(scenario);
    const w0 = { payer: clean.payer.flash.writes, payee: clean.payee.flash.writes };
    const b0 = { payer: clean.payer.flash.bytesWritten, payee: clean.payee.flash.bytesWritten };
    assert.equal(runPayment(clean.payer, clean.payee, { amount: AMOUNT }).payee?.status, 'done');
    const writes = { payer: clean.payer.flash.writes - w0.payer, payee: clean.payee.flash.writes - w0.payee };

    it(`a clean payment: payer ${writes.payer} writes (${clean.payer.flash.bytesWritten - b0.payer} B), payee ${writes.payee} (${clean.payee.flash.bytesWritten - b0.payee} B)`, () => {
      assert.ok(writes.payer >= 2 && writes.payee >= 1);
      assert.equal(clean.payer.flash.erases + clean.payee.flash.erases, 0, 'no sector erase outside compaction');
      check(clean, 'clean');
    });

    for (const side of ['payer', 'payee'] as const) {
      for (let k = 1; k <= writes[side]; k++) {
        for (const mode of MODES) {
          it(`${side} write ${k} of ${writes[side]}, cut ${mode}: reconnecting completes the payment exactly once`, () => {
            const st = setup(scenario);
            const { w, payer, payee } = st;
            const victim = side === 'payer' ? payer : payee;
            victim.flash.cut = { at: victim.flash.writes + k, mode };
            const first = runPayment(payer, payee, { amount: AMOUNT });
            assert.equal(first.cut, side, 'the cut happened');
            w.reboot(victim);
            // The rebooted payer tells its holder what its ledger says: paid
            // (debit and receipt), pending (debit only: reconnecting retries
            // the same signed payment) or not paid (pay again).
            const paid = (): boolean => payer.card.records().some((r) => r.kind === 'payment' && r.amount === AMOUNT) && payer.card.status().pending === 0;
            for (let attempt = 0; attempt < 3 && !paid(); attempt++) runPayment(payer, payee, { amount: AMOUNT });
            assert.ok(paid(), 'the payment completed after reconnecting');
            check(st, `${side} #${k} ${mode}`);
          });
        }
      }
    }
  });
}
