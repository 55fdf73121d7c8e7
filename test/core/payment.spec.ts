// Payments between two card cores (firmware/core/payment, card.ts). Portable:
// runs under mocha on V8 and inside XS. Heavier campaigns (power cuts at every
// write, radio faults, fuzzing) are Node-only .test.ts files.
import {
  comparisonCode,
  decodeRecordBody,
  decodeSealedRecord,
  openSignedRecord,
  recordHash,
  toHex,
  type PaymentBody,
  type ReceiptBody,
  type ReceiptInBody,
} from '../../firmware/core/index.js';
import { assert, describe, it } from '../portable/spec.js';
import { World, runPayment, type TestCard } from './card-fixture.js';

const done = (r: ReturnType<typeof runPayment>): void => {
  assert.equal(r.payer?.status, 'done', `payer: ${JSON.stringify(r.payer)}`);
  assert.equal(r.payee?.status, 'done', `payee: ${JSON.stringify(r.payee)}`);
};

const keyOf = (cards: TestCard[]) => (id: Uint8Array) => cards.find((c) => toHex(c.keys.cardId) === toHex(id))?.keys.signer.publicKey;

describe('payment: between two cards', () => {
  it('pays: amounts, ledgers and receipts on both sides', () => {
    const w = new World({ seed: 1 });
    const alice = w.card('alice', 100_00);
    const bob = w.card('bob', 100_00);
    const r = runPayment(alice, bob, { amount: 12_50 });
    done(r);
    assert.equal(r.messages.length, 4, 'hello, offer, payment, receipt');
    assert.bytes(r.payer!.status === 'done' ? r.payer!.paymentHash : new Uint8Array(), r.payee!.status === 'done' ? r.payee!.paymentHash : new Uint8Array(1));

    const a = alice.card.status();
    assert.equal(a.spent, 12_50);
    assert.equal(a.available, 100_00 - 12_50);
    assert.equal(a.seq, 2, 'payment and receipt-in');
    assert.equal(a.pending, 0);
    const b = bob.card.status();
    assert.equal(b.received, 12_50);
    assert.equal(b.spent, 0);
    assert.equal(b.seq, 1, 'one receipt');

    // Alice's chain: her signed payment, then the receipt-in carrying Bob's signed receipt.
    const [pay, rin] = alice.card.records();
    const p = openSignedRecord(pay!, alice.keys.signer.publicKey) as PaymentBody;
    assert.equal(p.kind, 'payment');
    assert.bytes(p.payee, bob.keys.cardId);
    assert.equal(p.amount, 12_50);
    assert.equal(p.spentBefore, 0);
    assert.equal(p.seq, 1);
    const ri = decodeRecordBody(rin!.body) as ReceiptInBody;
    assert.equal(ri.kind, 'receiptIn');
    assert.bytes(ri.prev, recordHash(pay!.body));
    assert.bytes(ri.paymentHash, recordHash(pay!.body));
    const receipt = openSignedRecord(decodeSealedRecord(ri.evidence), bob.keys.signer.publicKey) as ReceiptBody;
    assert.equal(receipt.kind, 'receipt');
    assert.bytes(receipt.paymentHash, recordHash(pay!.body));

    // Bob's chain: his signed receipt, with Alice's sealed payment attached.
    const [credit] = bob.card.records();
    assert.bytes(credit!.body, decodeSealedRecord(ri.evidence).body, 'the payer holds exactly the receipt the payee signed');
    const attached = decodeSealedRecord(credit!.attachment!);
    assert.bytes(attached.body, pay!.body);
    openSignedRecord(attached, alice.keys.signer.publicKey);

    alice.card.verifyLedger(keyOf([alice, bob]));
    bob.card.verifyLedger(keyOf([alice, bob]));
    // The screens end on the result.
    assert.deepEqual(alice.views[alice.views.length - 1], { screen: 'done', role: 'payer', amount: 12_50, currency: 'EUR', peer: toHex(bob.keys.cardId), recovered: false });
    assert.equal((bob.views[bob.views.length - 1] as { screen: string }).screen, 'done');
  });

  it('runs several payments in both directions, and the ledgers survive a reboot', () => {
    const w = new World({ seed: 2 });
    const alice = w.card('alice', 50_00);
    const bob = w.card('bob', 30_00);
    done(runPayment(alice, bob, { amount: 10_00 }));
    done(runPayment(bob, alice, { amount: 2_50 }));
    done(runPayment(alice, bob, { amount: 1 }));
    done(runPayment(bob, alice, { amount: 7_00 }));
    const check = (): void => {
      const a = alice.card.status();
      const b = bob.card.status();
      assert.deepEqual([a.spent, a.received, a.seq, a.pending], [10_01, 9_50, 6, 0]);
      assert.deepEqual([b.spent, b.received, b.seq, b.pending], [9_50, 10_01, 6, 0]);
    };
    check();
    w.reboot(alice);
    w.reboot(bob);
    check();
    const h = alice.card.history(0, 3);
    assert.equal(h.total, 4);
    assert.deepEqual(h.entries.map((e) => [e.direction, e.amount, e.seq]), [['in', 7_00, 6], ['out', 1, 4], ['in', 2_50, 3]]);
    // The second payment from Alice declares what she had spent before it.
    const p = alice.card.records().filter((r) => r.kind === 'payment').map((r) => decodeRecordBody(r.body) as PaymentBody);
    assert.deepEqual(p.map((x) => [x.seq, x.spentBefore]), [[1, 0], [4, 10_00]]);
    alice.card.verifyLedger(keyOf([alice, bob]));
    bob.card.verifyLedger(keyOf([alice, bob]));
    done(runPayment(alice, bob, { amount: 5 }));
  });

  it('refuses a payment beyond the allowance, and writes nothing', () => {
    const w = new World({ seed: 3 });
    const alice = w.card('alice', 20_00);
    const bob = w.card('bob', 20_00);
    done(runPayment(alice, bob, { amount: 15_00 }));
    const writes = [alice.flash.writes, bob.flash.writes];
    const r = runPayment(alice, bob, { amount: 5_01 });
    assert.equal(r.payer?.status === 'failed' && r.payer.code, 4002);
    assert.equal(r.payee?.status === 'failed' && r.payee.code, 4016, 'the payee is told');
    assert.equal(r.payee?.status === 'failed' && r.payee.peerCode, 4002);
    assert.deepEqual([alice.flash.writes, bob.flash.writes], writes, 'nothing written');
    assert.equal(alice.confirms.length, 1, 'the holder was never asked');
    done(runPayment(alice, bob, { amount: 5_00 }));
    assert.equal(alice.card.status().available, 0);
  });

  it('a payer that connects to a waiting offer over its own link is answered on that link', () => {
    const w = new World({ seed: 11 });
    const alice = w.card('alice');
    const bob = w.card('bob');
    const sent: Uint8Array[] = [];
    const s = bob.card.receive({ amount: 1_00 });
    bob.card.attach({ maxMessageBytes: 8192, send: (b) => void sent.push(b), close: () => undefined });
    const toBob: Uint8Array[] = [];
    alice.card.pay(s.uri, { link: { maxMessageBytes: 8192, send: (b) => void toBob.push(b), close: () => undefined } });
    bob.card.deliver(toBob.shift()!);
    assert.equal(sent.length, 1, 'message 2 went out on the attached link');
    alice.card.deliver(sent.shift()!);
    alice.card.confirm({ accept: true });
    bob.card.deliver(toBob.shift()!);
    alice.card.deliver(sent.shift()!);
    assert.equal(alice.card.status().spent, 1_00);
    assert.equal(bob.card.status().received, 1_00);
  });

  it('lets the payer propose the amount when the offer names none', () => {
    const w = new World({ seed: 4 });
    const alice = w.card('alice');
    const bob = w.card('bob');
    const r = runPayment(alice, bob, { openAmount: true, payerAmount: 3_21 });
    done(r);
    assert.equal(bob.card.status().received, 3_21);
  });

  it('tap pairing: both screens show the same 4-digit code, which the payer confirms', () => {
    const w = new World({ seed: 5 });
    const alice = w.card('alice');
    const bob = w.card('bob');
    done(runPayment(alice, bob, { amount: 4_00, mode: 'tap' }));
    const req = alice.confirms[alice.confirms.length - 1]!;
    const shown = bob.views.find((v) => v.screen === 'code') as { code: string } | undefined;
    assert.ok(req.code && /^\d{4}$/.test(req.code), 'the confirmation carries the code');
    assert.equal(shown?.code, req.code);
    assert.equal(comparisonCode(new Uint8Array(32)), comparisonCode(new Uint8Array(32)));
  });

  it('a declined tap confirmation counts as a failed attempt; a declined QR one does not', () => {
    const w = new World({ seed: 6 });
    const alice = w.card('alice');
    const bob = w.card('bob');
    alice.answer = () => ({ accept: false });
    const r = runPayment(alice, bob, { amount: 1_00 });
    assert.equal(r.payer?.status === 'failed' && r.payer.code, 4009);
    assert.equal(alice.card.status().pinFailures, 0);
    const t = runPayment(alice, bob, { amount: 1_00, mode: 'tap' });
    assert.equal(t.payer?.status === 'failed' && t.payer.code, 4009);
    assert.equal(alice.card.status().pinFailures, 1);
    assert.equal(alice.card.status().seq, 0, 'no payment record');
  });

  it('PIN: a wrong PIN asks again, three lock the card with back-off, the count survives a reboot', () => {
    const w = new World({ seed: 7 });
    const alice = w.card('alice', 100_00, { pin: '4321' });
    const bob = w.card('bob');
    const tries: (string | undefined)[] = ['0000', '1111'];
    alice.answer = () => ({ accept: true, pin: tries.length ? tries.shift()! : '4321' });
    done(runPayment(alice, bob, { amount: 1_00 }));
    assert.equal(alice.confirms.length, 3, 'asked three times');
    assert.ok(alice.confirms.every((c) => c.pin === true));
    assert.equal(alice.card.status().pinFailures, 0, 'the right PIN resets the count');
    assert.ok(alice.events.some((e) => e.type === 'refused' && e.code === 4010));

    alice.answer = () => ({ accept: true, pin: '9999' });
    const r = runPayment(alice, bob, { amount: 1_00 });
    assert.equal(r.payer?.status === 'failed' && r.payer.code, 4011);
    assert.equal(alice.card.status().pinFailures, 3);
    w.reboot(alice);
    assert.equal(alice.card.status().pinFailures, 3, 'persisted');
    alice.answer = () => ({ accept: true, pin: '4321' });
    const locked = runPayment(alice, bob, { amount: 1_00 });
    assert.equal(locked.payer?.status === 'failed' && locked.payer.code, 4011, 'locked: even the right PIN waits');
    alice.tick.now += 30_001;
    done(runPayment(alice, bob, { amount: 1_00 }));
    assert.equal(alice.card.status().pinFailures, 0);
    assert.equal(alice.card.status().spent, 2_00);
  });
});

describe('payment: recovery', () => {
  it('a lost receipt: reconnecting retries the same signed payment and gets the same receipt', () => {
    const w = new World({ seed: 8 });
    const alice = w.card('alice');
    const bob = w.card('bob');
    // The radio loses the receipt (message 4).
    const r = runPayment(alice, bob, { amount: 6_00, fault: (d) => (d.index === 3 ? [] : [d.bytes]) });
    assert.equal(r.payee?.status, 'done');
    assert.equal(r.payer?.status === 'failed' && r.payer.code, 4015);
    assert.equal(alice.card.status().pending, 1);
    const sealedReceipt = bob.card.records()[0]!.body;
    const bobWrites = bob.flash.writes;
    const again = runPayment(alice, bob, { amount: 6_00 });
    done(again);
    assert.ok(again.payer?.status === 'done' && again.payer.recovered);
    assert.ok(again.payee?.status === 'done' && again.payee.recovered);
    assert.equal(bob.flash.writes, bobWrites, 'the payee wrote nothing: it had credited already');
    assert.equal(alice.card.status().pending, 0);
    assert.equal(alice.card.status().spent, 6_00, 'debited once');
    assert.equal(bob.card.status().received, 6_00, 'credited once');
    const rin = decodeRecordBody(alice.card.records()[1]!.body) as ReceiptInBody;
    assert.bytes(decodeSealedRecord(rin.evidence).body, sealedReceipt, 'the same receipt');
  });

  it('a payee that lost power before crediting accepts the retry of the payment it never recorded', () => {
    const w = new World({ seed: 9 });
    const alice = w.card('alice');
    const bob = w.card('bob');
    bob.flash.cut = { at: bob.flash.writes + 1, mode: 'before' };
    const r = runPayment(alice, bob, { amount: 2_00 });
    assert.equal(r.cut, 'payee');
    assert.equal(alice.card.status().pending, 1);
    w.reboot(bob);
    assert.equal(bob.card.status().received, 0);
    const again = runPayment(alice, bob, { amount: 2_00 });
    done(again);
    assert.ok(again.payee?.status === 'done' && again.payee.recovered);
    assert.equal(alice.card.status().spent, 2_00);
    assert.equal(bob.card.status().received, 2_00);
    // A third session finds nothing pending: a new payment.
    done(runPayment(alice, bob, { amount: 1 }));
    assert.equal(bob.card.status().received, 2_01);
  });

  it('a payer that lost power while writing its debit has not paid: nothing was sent', () => {
    const w = new World({ seed: 10 });
    const alice = w.card('alice');
    const bob = w.card('bob');
    alice.flash.cut = { at: alice.flash.writes + 1, mode: 'torn' };
    const r = runPayment(alice, bob, { amount: 3_00 });
    assert.equal(r.cut, 'payer');
    assert.equal(r.messages.length, 2, 'the payment never left the card');
    w.reboot(alice);
    assert.deepEqual([alice.card.status().seq, alice.card.status().spent], [0, 0]);
    done(runPayment(alice, bob, { amount: 3_00 }));
    assert.equal(alice.card.status().spent, 3_00);
  });
});
