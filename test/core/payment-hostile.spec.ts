// Hostile peers: a payer or payee driven by hand (with a real card's keys and
// certificate) sends what an honest card never would. Each attempt is refused
// with its code, the peer is told, and the victim's flash is not written.
// Portable: V8 and XS.
import {
  LINK_MESSAGE_MAX,
  decodeEnvelope,
  decodeMessage,
  encodePairing,
  decodeRecordBody,
  decodeSealedRecord,
  encodeEnvelope,
  recordHash,
  type AppMessage,
  type PaymentBody,
  type SessionOutcome,
} from '../../firmware/core/index.js';
import { assert, describe, it } from '../portable/spec.js';
import { RawPayee, RawPayer, World, captureLink, runPayment, type CaptureLink, type TestCard } from './card-fixture.js';

const ASK = 10_00;

function outcome(tc: TestCard): SessionOutcome | undefined {
  for (let i = tc.events.length - 1; i >= 0; i--) {
    const e = tc.events[i]!;
    if (e.type === 'outcome') return e.outcome;
  }
  return undefined;
}

function failedWith(tc: TestCard, code: number): void {
  const o = outcome(tc);
  assert.equal<unknown>(o?.status === 'failed' ? o.code : `not failed: ${JSON.stringify(o)}`, code);
}

function errorCode(m: AppMessage): number {
  if (m.type !== 'error') throw new Error(`expected an error message, got ${m.type}`);
  return m.code;
}

/** Bob (a real card) offers ASK; Mallory (real keys, hand-driven) answers. */
function againstPayee(seed: number, opts: { malloryAllowance?: number; malloryEpochTo?: number } = {}) {
  const w = new World({ seed });
  const bob = w.card('bob');
  const mallory = w.card('mallory', opts.malloryAllowance ?? 100_00, opts.malloryEpochTo !== undefined ? { epochTo: opts.malloryEpochTo } : {});
  return { w, bob, mallory };
}

function open(bob: TestCard, mallory: TestCard): { link: CaptureLink; raw: RawPayer; writes: number; offer: Extract<AppMessage, { type: 'offer' }> } {
  const link = captureLink();
  const s = bob.card.receive({ amount: ASK, link });
  const raw = new RawPayer(mallory, s.uri);
  const writes = bob.flash.writes;
  bob.card.deliver(raw.hello());
  const m = raw.read2(link.sent[link.sent.length - 1]!);
  if (m.type !== 'offer') throw new Error(`expected an offer, got ${JSON.stringify(m)}`);
  return { link, raw, writes, offer: m };
}

/** Mallory pays with `over` applied to the honest body; Bob must refuse with `code` and write nothing. */
function refusedPayment(seed: number, code: number, over: (raw: RawPayer) => Uint8Array, opts = {}): void {
  const { bob, mallory } = againstPayee(seed, opts);
  const { link, raw, writes } = open(bob, mallory);
  bob.card.deliver(over(raw));
  assert.equal(errorCode(raw.read(link.sent[link.sent.length - 1]!)), code, 'the error Mallory got');
  failedWith(bob, code);
  assert.equal(bob.flash.writes, writes, 'nothing written');
  assert.equal(bob.card.status().received, 0);
  assert.ok(link.closed);
}

describe('payment: hostile payers', () => {
  it('wrong amount: 4001', () => refusedPayment(20, 4001, (raw) => raw.send({ type: 'payment', payment: raw.sealed(raw.body({ amount: ASK - 1 })) })));

  it('forged signature: 2001', () =>
    refusedPayment(21, 2001, (raw) => {
      const b = raw.body();
      const good = decodeSealedRecord(raw.sealed(b));
      const sig = good.signature!.slice();
      sig[5]! ^= 1;
      return raw.send({ type: 'payment', payment: raw.sealed(b, sig) });
    }));

  it('spent total beyond the allowance: 4002', () =>
    refusedPayment(22, 4002, (raw) => raw.send({ type: 'payment', payment: raw.sealed(raw.body({ spentBefore: 90_00 + 1 })) }), { malloryAllowance: 100_00 }));

  it('wrong handshake hash (a payment made for another session): 4006', () =>
    refusedPayment(23, 4006, (raw) => raw.send({ type: 'payment', payment: raw.sealed(raw.body({ handshakeHash: new Uint8Array(32).fill(7) })) })));

  it('a nonce this card never issued: 4005', () =>
    refusedPayment(24, 4005, (raw) => raw.send({ type: 'payment', payment: raw.sealed(raw.body({ nonce: new Uint8Array(16).fill(3) })) })));

  it('a payment that does not follow the chain head Mallory declared: 4007', () =>
    refusedPayment(25, 4007, (raw) => raw.send({ type: 'payment', payment: raw.sealed(raw.body({ seq: 5 })) })));

  it('a payment for another card: 4004', () =>
    refusedPayment(26, 4004, (raw) => raw.send({ type: 'payment', payment: raw.sealed(raw.body({ payee: new Uint8Array(16).fill(1) })) })));

  it('stale epoch: a certificate that ended before the epoch the payee knows: 2004', () => {
    const { w, bob, mallory } = againstPayee(27, { malloryEpochTo: 4 });
    assert.ok(bob.card.applyEpochNote(w.epochNote(5).sealed.bytes));
    const link = captureLink();
    const s = bob.card.receive({ amount: ASK, link });
    const raw = new RawPayer(mallory, s.uri);
    const writes = bob.flash.writes;
    bob.card.deliver(raw.hello());
    assert.equal(errorCode(raw.read2(link.sent[0]!)), 2004, 'the refusal travels in Noise message 2');
    failedWith(bob, 2004);
    assert.equal(bob.flash.writes, writes);
  });

  it('a revoked card: 4003', () => {
    const { w, bob, mallory } = againstPayee(28);
    assert.ok(bob.card.applyRevocations(w.revocations(2, [mallory.keys.cardId]).sealed.bytes));
    const link = captureLink();
    const raw = new RawPayer(mallory, bob.card.receive({ amount: ASK, link }).uri);
    const writes = bob.flash.writes;
    bob.card.deliver(raw.hello());
    assert.equal(errorCode(raw.read2(link.sent[0]!)), 4003);
    failedWith(bob, 4003);
    assert.equal(bob.flash.writes, writes);
  });

  it('a message replayed from an earlier session fails to decrypt: 3002; a replayed credited payment gets the same receipt and writes nothing', () => {
    const w = new World({ seed: 29 });
    const bob = w.card('bob');
    const alice = w.card('alice');
    const r = runPayment(alice, bob, { amount: ASK });
    assert.equal(r.payee?.status, 'done');
    const oldPayment = r.messages[2]!.bytes;
    const sealed = alice.card.records()[0]!;
    // Session 2: a fresh handshake, then the old ciphertext.
    const { link, raw, writes } = open(bob, alice);
    bob.card.deliver(oldPayment);
    assert.equal(errorCode(raw.read(link.sent[link.sent.length - 1]!)), 3002);
    failedWith(bob, 3002);
    assert.equal(bob.flash.writes, writes);
    // Session 3: the old signed payment itself, re-encrypted: already credited, so the same receipt comes back.
    const s3 = open(bob, alice);
    bob.card.deliver(s3.raw.send({ type: 'payment', payment: raw.sealed(decodeRecordBody(sealed.body) as PaymentBody, sealed.signature) }));
    const m = s3.raw.read(s3.link.sent[s3.link.sent.length - 1]!);
    assert.equal(m.type, 'receipt');
    assert.bytes(decodeSealedRecord((m as { receipt: Uint8Array }).receipt).body, bob.card.records()[0]!.body);
    assert.equal(bob.flash.writes, s3.writes);
    assert.equal(bob.card.status().received, ASK, 'credited once');
  });

  it('a second payment answering a nonce already paid: 4005; one reusing a credited seq: 4008', () => {
    const w = new World({ seed: 30 });
    const bob = w.card('bob');
    const mallory = w.card('mallory');
    const { raw } = open(bob, mallory);
    const first = raw.body();
    bob.card.deliver(raw.send({ type: 'payment', payment: raw.sealed(first) }));
    assert.equal(outcome(bob)?.status, 'done');
    // Same nonce, another body (next seq): a second credit for one offer.
    const s2 = open(bob, mallory);
    const writes = bob.flash.writes;
    bob.card.deliver(s2.raw.send({ type: 'payment', payment: raw.sealed({ ...first, seq: first.seq + 1, prev: recordHash(raw.sealed(first)) }) }));
    failedWith(bob, 4005);
    // A fresh nonce but the seq of the credited payment (Mallory claims an older head).
    const link = captureLink();
    const raw3 = new RawPayer(mallory, bob.card.receive({ amount: ASK, link }).uri);
    bob.card.deliver(raw3.hello({ headSeq: first.seq - 1, headHash: first.prev }));
    raw3.read2(link.sent[0]!);
    bob.card.deliver(raw3.send({ type: 'payment', payment: raw3.sealed(raw3.body({ seq: first.seq, prev: first.prev, amount: ASK, spentBefore: first.spentBefore })) }));
    failedWith(bob, 4008);
    assert.equal(bob.flash.writes, writes, 'nothing written');
    assert.equal(bob.card.status().received, ASK);
  });

  it('a reused one-time token: 4012, and the finished session is untouched', () => {
    const w = new World({ seed: 31 });
    const bob = w.card('bob');
    const alice = w.card('alice');
    const { link, raw } = open(bob, alice);
    bob.card.deliver(raw.send({ type: 'payment', payment: raw.sealed(raw.body()) }));
    assert.equal(outcome(bob)?.status, 'done');
    const writes = bob.flash.writes;
    const events = bob.events.length;
    const again = new RawPayer(alice, encodePairing(raw.offer));
    bob.card.deliver(again.hello());
    assert.equal(errorCode(again.read2(link.sent[link.sent.length - 1]!)), 4012);
    assert.ok(bob.events.slice(events).every((e) => e.type === 'refused' && e.code === 4012));
    assert.equal(bob.flash.writes, writes);
  });

  it('oversized messages: 4014, and an open offer stays open', () => {
    const { bob, mallory } = againstPayee(32);
    const link = captureLink();
    const s = bob.card.receive({ amount: ASK, link });
    const writes = bob.flash.writes;
    bob.card.deliver(encodeEnvelope('handshake1', new Uint8Array(LINK_MESSAGE_MAX)));
    assert.equal(errorCode(decodeMessageOf(link.sent[0]!)), 4014);
    assert.ok(bob.events.some((e) => e.type === 'refused' && e.code === 4014));
    assert.equal(bob.card.session, s, 'the offer is still open');
    // The real payer still gets through, then oversizes the payment.
    const raw = new RawPayer(mallory, s.uri);
    bob.card.deliver(raw.hello());
    raw.read2(link.sent[link.sent.length - 1]!);
    bob.card.deliver(raw.send(new Uint8Array(LINK_MESSAGE_MAX)));
    failedWith(bob, 4014);
    assert.equal(bob.flash.writes, writes);
  });
});

describe('payment: hostile payees', () => {
  function setup(seed: number) {
    const w = new World({ seed });
    const alice = w.card('alice');
    const mallory = w.card('mallory');
    const raw = new RawPayee(mallory, ASK);
    const link = captureLink();
    const writes = alice.flash.writes;
    alice.card.pay(raw.uri, { link });
    raw.read1(link.sent[0]!);
    return { w, alice, mallory, raw, link, writes };
  }

  it('asks another amount than its QR code: 4001, the holder is never asked', () => {
    const { alice, raw, link, writes } = setup(40);
    alice.card.deliver(raw.offer2({ amount: ASK + 1 }));
    failedWith(alice, 4001);
    assert.equal(errorCode(raw.read(link.sent[link.sent.length - 1]!)), 4001);
    assert.equal(alice.confirms.length, 0);
    assert.equal(alice.flash.writes, writes);
  });

  it('shows a certificate that is not the QR card: 4004', () => {
    const { w, alice, raw, writes } = setup(41);
    const other = w.card('other');
    alice.card.deliver(raw.offer2({ cert: other.card.ledger.certificate!.bytes }));
    failedWith(alice, 4004);
    assert.equal(alice.flash.writes, writes);
  });

  it('forges the receipt: 2001; the debit stays pending and nothing more is written', () => {
    const { alice, raw, link, writes } = setup(42);
    alice.card.deliver(raw.offer2());
    assert.equal(alice.card.confirm({ accept: true }), 'sent');
    assert.equal(alice.flash.writes, writes + 1, 'the debit');
    const pay = raw.read(link.sent[link.sent.length - 1]!) as { payment: Uint8Array };
    const p = decodeSealedRecord(pay.payment);
    const body = decodeRecordBody(p.body) as PaymentBody;
    alice.card.deliver(raw.receipt(body, recordHash(p.body), {}, new Uint8Array(64).fill(1)));
    failedWith(alice, 2001);
    assert.equal(alice.flash.writes, writes + 1);
    assert.equal(alice.card.status().pending, 1);
  });

  it('a receipt for another payment: 4017', () => {
    const { alice, raw, link, writes } = setup(43);
    alice.card.deliver(raw.offer2());
    alice.card.confirm({ accept: true });
    const p = decodeSealedRecord((raw.read(link.sent[link.sent.length - 1]!) as { payment: Uint8Array }).payment);
    alice.card.deliver(raw.receipt(decodeRecordBody(p.body) as PaymentBody, new Uint8Array(32).fill(2)));
    failedWith(alice, 4017);
    assert.equal(alice.flash.writes, writes + 1);
  });

  it('an oversized offer: 4014', () => {
    const { alice, writes } = setup(44);
    alice.card.deliver(new Uint8Array(LINK_MESSAGE_MAX + 1).fill(2));
    failedWith(alice, 4014);
    assert.equal(alice.flash.writes, writes);
  });
});

function decodeMessageOf(bytes: Uint8Array): AppMessage {
  const env = decodeEnvelope(bytes);
  if (env.type !== 'plainError') throw new Error(`expected a plaintext error, got ${env.type}`);
  return decodeMessage(env.body);
}
