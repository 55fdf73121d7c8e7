// Fuzzing every decoder of the payment and ledger code (Node only): the link
// envelope, the application messages, ledger entries and the flash log.
// Each gets at least 10,000 inputs: random bytes and mutations of valid
// encodings. Every input must decode to a value or fail with a coded
// TallyError; and a card fed mutated messages in every phase of a payment
// must never throw, and must answer each with a refusal or a coded outcome.
import { strict as assert } from 'node:assert';
import {
  ErrorTable,
  FlashLog,
  TallyError,
  decodeEntry,
  decodeEnvelope,
  decodeMessage,
  encodeEntry,
  encodeEnvelope,
  encodeMessage,
  type AppMessage,
} from '../../firmware/core/index.js';
import { fuzzRng } from '../portable/spec.js';
import { MemFlash, World, captureLink, runPayment, seededRandom } from './card-fixture.js';

const N = 10_000;
const codes = new Set(Object.keys(ErrorTable).map(Number));

function mutate(r: ReturnType<typeof fuzzRng>, b: Uint8Array): Uint8Array {
  const out = b.slice();
  switch (r.below(6)) {
    case 0: // flip bits
      for (let k = 0, n = 1 + r.below(4); k < n && out.length; k++) out[r.below(out.length)]! ^= 1 << r.below(8);
      return out;
    case 1: // truncate
      return out.slice(0, r.below(out.length + 1));
    case 2: // extend
      return Uint8Array.from([...out, ...r.bytes(1 + r.below(8))]);
    case 3: // overwrite a byte with an interesting value
      if (out.length) out[r.below(out.length)] = [0, 0xff, 0x17, 0x18, 0x1f, 0x40, 0x5f, 0xa0, 0xbf, 0xf6, 0xf7][r.below(11)]!;
      return out;
    case 4: // splice a random chunk in
      return Uint8Array.from([...out.slice(0, r.below(out.length + 1)), ...r.bytes(r.below(16)), ...out.slice(r.below(out.length + 1))]);
    default: // random bytes
      return r.bytes(r.below(64));
  }
}

/** Runs `fn` on `count` inputs; each must return or throw a coded TallyError. Returns how many decoded. */
function fuzz<T>(count: number, input: (i: number) => T, fn: (x: T) => unknown): number {
  let ok = 0;
  for (let i = 0; i < count; i++) {
    const x = input(i);
    try {
      fn(x);
      ok++;
    } catch (e) {
      if (!(e instanceof TallyError) || !codes.has(e.code)) throw new Error(`input ${i}: ${String(e)}`);
    }
  }
  return ok;
}

describe('payment and ledger decoders: fuzz', () => {
  const r = fuzzRng(0xf022);
  const rb = (n: number) => r.bytes(n);
  const samples: AppMessage[] = [
    { type: 'hello', cert: rb(230), headSeq: 7, headHash: rb(32), revocationVersion: 2, epoch: 5 },
    { type: 'hello', cert: rb(230), headSeq: 0, headHash: rb(32), revocationVersion: 0, epoch: 0, amount: 12_50 },
    { type: 'offer', cert: rb(230), revocationVersion: 3, epoch: 6, amount: 99, currency: 'EUR', nonce: rb(16) },
    { type: 'offer', cert: rb(230), revocationVersion: 3, epoch: 6, amount: 99, currency: 'EUR', nonce: rb(16), revocations: rb(300), epochNote: rb(80) },
    { type: 'payment', payment: rb(220) },
    { type: 'payment', payment: rb(220), revocations: rb(100) },
    { type: 'receipt', receipt: rb(190) },
    { type: 'error', code: 4001, message: 'E4001 PAYMENT_AMOUNT: wrong' },
  ];
  const encoded = samples.map(encodeMessage);

  it('application messages: valid ones round-trip', () => {
    for (const m of encoded) assert.equal(Buffer.from(encodeMessage(decodeMessage(m))).toString('hex'), Buffer.from(m).toString('hex'));
  });

  it(`application messages: ${N} mutated and random inputs give a value or a coded error`, () => {
    const ok = fuzz(N, () => mutate(r, encoded[r.below(encoded.length)]!), decodeMessage);
    assert.ok(ok > 0 && ok < N, `${ok} decoded`);
  });

  it(`link envelopes: ${N} inputs give a value or a coded error`, () => {
    const env = encoded.map((m, i) => encodeEnvelope((['handshake1', 'handshake2', 'transport', 'plainError'] as const)[i % 4]!, m));
    fuzz(N, (i) => (i % 10 === 0 ? r.bytes(9000 + r.below(100)) : mutate(r, env[r.below(env.length)]!)), (b) => decodeEnvelope(b));
  });

  it(`ledger entries: ${N} mutated and random JSON texts give an entry or 5001`, () => {
    const entries = [
      encodeEntry({ t: 'pay', b: rb(150), s: rb(64) }),
      encodeEntry({ t: 'rcv', b: rb(150), s: rb(64), e: 7, r: rb(64) }),
      encodeEntry({ t: 'rin', p: 3, q: 4, v: rb(32), e: 7, s: rb(64) }),
      encodeEntry({ t: 'rix', b: rb(120), s: rb(64) }),
      encodeEntry({ t: 'ack', x: rb(170) }),
      encodeEntry({ t: 'pin', n: 1 }),
    ];
    const dec = new TextDecoder();
    let codesSeen = new Set<number>();
    const ok = fuzz(
      N,
      () => dec.decode(mutate(r, new TextEncoder().encode(entries[r.below(entries.length)]!))),
      (t) => {
        try {
          return decodeEntry(t);
        } catch (e) {
          codesSeen.add((e as TallyError).code);
          throw e;
        }
      },
    );
    assert.deepEqual([...codesSeen], [5001], 'only 5001');
    assert.ok(ok > 0);
    codesSeen = new Set();
  });

  it(`flash log: ${N} corrupted images open to a log or a coded error, and never lose a frame before the damage`, () => {
    const base = new MemFlash(4, 1024);
    const log = FlashLog.open(base);
    const texts: string[] = [];
    for (let i = 0; i < 12; i++) {
      const t = encodeEntry({ t: 'pin', n: i });
      log.append(t, { seq: 0, hash: new Uint8Array(32) }, true);
      texts.push(t);
    }
    fuzz(
      N,
      () => {
        const f = new MemFlash(4, 1024, base.data.slice());
        const at = r.below(f.data.length);
        f.data[at]! ^= 1 << r.below(8);
        if (r.below(4) === 0) f.data.fill(0xff, at, at + r.below(64));
        return { f, at };
      },
      ({ f, at }) => {
        const got = [...FlashLog.open(f).frames()].map((x) => x.text);
        // Every frame wholly before the damaged byte in its sector is still there.
        for (const fr of log.frames()) {
          const start = fr.sector * 1024 + fr.offset;
          if (start + 7 + fr.text.length <= at && Math.floor(at / 1024) === fr.sector) assert.ok(got.includes(fr.text), `frame at ${start} lost (damage at ${at})`);
        }
      },
    );
  });

  it('a card fed mutated messages in every phase of a payment never throws and answers each with a coded event', () => {
    const w = new World({ seed: 0xf1 });
    const alice = w.card('alice', 1_000_000_00);
    const bob = w.card('bob', 1_000_000_00);
    const clean = runPayment(alice, bob, { amount: 1_00 });
    const msgs = clean.messages.map((m) => m.bytes);
    const rnd = seededRandom(99);
    let events = 0;
    for (let i = 0; i < 1_000; i++) {
      const k = i % 4;
      const link = captureLink();
      // Put the receiving card in the phase where message k is expected, then feed a mutation of it.
      const before = k % 2 === 0 ? bob.events.length : alice.events.length;
      if (k === 0) {
        bob.card.receive({ amount: 1_00, link });
        bob.card.deliver(mutate(r, msgs[0]!));
        bob.card.cancel();
      } else {
        const s = bob.card.receive({ amount: 1_00, link: captureLink() });
        const payerLink = captureLink();
        alice.card.pay(s.uri, { link: payerLink });
        const victim = k === 2 ? bob : alice;
        if (k >= 2) {
          bob.card.deliver(payerLink.sent[0]!);
          alice.card.deliver((bob.card.session?.link as ReturnType<typeof captureLink>).sent[0]!);
        }
        if (k === 3) {
          // A payer with a pending payment to Bob retries it without asking its holder.
          if (alice.card.session?.phase === 'confirm') alice.card.confirm({ accept: true });
          bob.card.deliver(payerLink.sent[1]!);
        }
        victim.card.deliver(mutate(r, msgs[k]!));
        alice.card.cancel();
        bob.card.cancel();
      }
      const tc = k % 2 === 0 ? bob : alice;
      assert.ok(tc.events.length > before, `message ${k}, input ${i}: no event`);
      for (const e of tc.events.slice(before)) {
        const code = e.type === 'refused' ? e.code : e.outcome.status === 'failed' ? e.outcome.code : 0;
        if (code) assert.ok(codes.has(code), `code ${code}`);
      }
      events++;
      void rnd;
    }
    assert.equal(events, 1_000);
    // Whatever happened, both ledgers are still whole.
    w.reboot(alice);
    w.reboot(bob);
    alice.card.verifyLedger();
    bob.card.verifyLedger();
    assert.equal(alice.card.status().spent + bob.card.status().spent, alice.card.status().received + bob.card.status().received);
  });
});
