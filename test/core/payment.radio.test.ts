// Radio campaign (Node only). Each of the four messages of a payment (hello,
// offer, payment, receipt) is dropped, duplicated, reordered (an older
// message from the same sender arrives first: from this session, or the same
// message of the previous session), truncated, or has a bit flipped (in the
// envelope byte, in the Noise header, at the end). Every fault must end each
// side cleanly (done, or failed with a coded error), show at least one coded
// error, leave both ledgers valid and consistent, and reconnecting must then
// complete the payment exactly once.
import { strict as assert } from 'node:assert';
import { ErrorTable, toHex } from '../../firmware/core/index.js';
import { World, runPayment, type Delivery, type Fault, type TestCard } from './card-fixture.js';
import { settle } from './settle.js';

const AMOUNT = 7_77;
const NAMES = ['hello', 'offer', 'payment', 'receipt'];

function faults(previous: Delivery[]): Record<string, (i: number) => Fault> {
  const at = (i: number, f: (d: Delivery, h: Delivery[]) => Uint8Array[]): Fault => (d, h) => (d.index === i ? f(d, h) : [d.bytes]);
  const flip = (pos: (n: number) => number) => (i: number) =>
    at(i, (d) => {
      const b = d.bytes.slice();
      const p = pos(b.length);
      b[p]! ^= 0x10;
      return [b];
    });
  return {
    drop: (i) => at(i, () => []),
    duplicate: (i) => at(i, (d) => [d.bytes, d.bytes]),
    reorder: (i) =>
      at(i, (d, h) => {
        const older = h.filter((x) => x.from === d.from && x.index < d.index).pop() ?? previous[d.index];
        return [older!.bytes, d.bytes];
      }),
    truncate: (i) => at(i, (d) => [d.bytes.slice(0, Math.floor(d.bytes.length / 2))]),
    'flip envelope': flip(() => 0),
    'flip header': flip(() => 5),
    'flip tail': flip((n) => n - 1),
  };
}

interface Setup {
  w: World;
  payer: TestCard;
  payee: TestCard;
  previous: Delivery[];
}

function setup(): Setup {
  const w = new World({ seed: 0xbadf00d });
  const payer = w.card('payer', 100_00);
  const payee = w.card('payee', 100_00);
  const warm = runPayment(payer, payee, { amount: 1_00 });
  assert.equal(warm.payer?.status, 'done');
  return { w, payer, payee, previous: warm.messages };
}

const codes = new Set(Object.keys(ErrorTable).map(Number));

describe('payment: radio faults on every message', () => {
  const names = Object.keys(faults([]));
  for (let i = 0; i < 4; i++) {
    for (const name of names) {
      it(`${name} ${NAMES[i]}: coded errors, consistent ledgers, and a reconnect completes it once`, () => {
        const { w, payer, payee, previous } = setup();
        const before = { payer: payer.events.length, payee: payee.events.length };
        const r = runPayment(payer, payee, { amount: AMOUNT, fault: faults(previous)[name]!(i) });
        // Each side ended: done, or failed with a code of the table.
        for (const o of [r.payer, r.payee]) {
          assert.ok(o, 'the session ended');
          if (o.status === 'failed') assert.ok(codes.has(o.code), `code ${o.code}`);
        }
        const coded = [...payer.events.slice(before.payer), ...payee.events.slice(before.payee)].filter(
          (e) => e.type === 'refused' || (e.type === 'outcome' && e.outcome.status === 'failed'),
        );
        assert.ok(coded.length > 0, 'the fault surfaced as a coded error');
        for (const e of coded) assert.ok(codes.has(e.type === 'refused' ? e.code : e.outcome.status === 'failed' ? e.outcome.code : 0));

        // Consistent now: at most one debit and one credit, and a credit only for the debit.
        const debits = () => payer.card.records().filter((x) => x.kind === 'payment' && x.amount === AMOUNT);
        const credits = () => payee.card.records().filter((x) => x.kind === 'receipt' && x.amount === AMOUNT);
        assert.ok(debits().length <= 1 && credits().length <= 1);
        if (credits().length) assert.equal(debits().length, 1, 'a credit without the debit');
        const keyOf = (id: Uint8Array) => [payer, payee].find((c) => toHex(c.keys.cardId) === toHex(id))?.keys.signer.publicKey;
        payer.card.verifyLedger(keyOf);
        payee.card.verifyLedger(keyOf);

        // Reconnect until the payer's ledger says paid.
        const paid = (): boolean => debits().length === 1 && payer.card.status().pending === 0;
        for (let k = 0; k < 2 && !paid(); k++) runPayment(payer, payee, { amount: AMOUNT });
        assert.ok(paid(), 'reconnecting completed the payment');
        w.reboot(payer);
        w.reboot(payee);
        assert.equal(debits().length, 1, 'debited once');
        assert.equal(credits().length, 1, 'credited once');
        assert.equal(payer.card.status().spent, 1_00 + AMOUNT);
        assert.equal(payee.card.status().received, 1_00 + AMOUNT);
        const s = settle([payer, payee]);
        assert.equal(s.payments.size, 2);
        assert.equal(s.net.get(toHex(payee.keys.cardId)), 1_00 + AMOUNT);
      });
    }
  }
});
