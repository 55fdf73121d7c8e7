// The flash JSON ledger (firmware/core/ledger): framing on NOR flash, torn
// writes, entries, derived totals, acknowledgements and compaction, loads,
// and a full ledger. Portable: V8 and XS.
import {
  FlashLog,
  Ledger,
  SECTOR_HEADER_BYTES,
  ZERO_HASH,
  decodeEntry,
  encodeEntry,
  fromBase64url,
  issueAck,
  issueLoad,
  toBase64url,
  toHex,
  type Entry,
} from '../../firmware/core/index.js';
import { assert, describe, fuzzRng, it } from '../portable/spec.js';
import { MemFlash, PowerCut, World, runPayment, type TestCard } from './card-fixture.js';

const anchor = { seq: 0, hash: ZERO_HASH };
const done = (r: ReturnType<typeof runPayment>): void => {
  assert.equal(r.payer?.status, 'done', JSON.stringify(r.payer));
  assert.equal(r.payee?.status, 'done', JSON.stringify(r.payee));
};

function ack(w: World, tc: TestCard, seq = tc.card.status().seq): Uint8Array {
  const l = tc.card.ledger;
  const t = l.totalsThrough(seq);
  return issueAck(w.authority, { card: tc.keys.cardId, seq, head: l.record(seq)!.hash, spent: t.spent, received: t.received, epoch: w.epoch }).sealed.bytes;
}

describe('ledger: base64url and entries', () => {
  it('base64url round-trips every length and has one spelling', () => {
    const r = fuzzRng(11);
    for (let n = 0; n < 70; n++) {
      const b = r.bytes(n);
      const s = toBase64url(b);
      assert.ok(/^[A-Za-z0-9_-]*$/.test(s));
      assert.bytes(fromBase64url(s), b);
    }
    assert.equal(toBase64url(Uint8Array.of(0xfb, 0xff)), '-_8');
    assert.throwsCode(() => fromBase64url('-_9'), 5001, 'non-zero trailing bits');
    assert.throwsCode(() => fromBase64url('ab+/'), 5001);
    assert.throwsCode(() => fromBase64url('abcde'), 5001);
  });

  it('entries round-trip as one line of ASCII JSON and decode strictly', () => {
    const r = fuzzRng(12);
    const entries: Entry[] = [
      { t: 'pay', b: r.bytes(150), s: r.bytes(64) },
      { t: 'rcv', b: r.bytes(150), s: r.bytes(64), e: 7, r: r.bytes(64) },
      { t: 'rin', q: 3, v: r.bytes(32), e: 7, s: r.bytes(64) },
      { t: 'rin', p: 9, q: 3, v: r.bytes(32), e: 7, s: r.bytes(64) },
      { t: 'ack', x: r.bytes(200) },
      { t: 'pin', n: 2 },
    ];
    for (const e of entries) {
      const s = encodeEntry(e);
      assert.ok(/^\{[ -~]*\}$/.test(s), s);
      assert.equal(encodeEntry(decodeEntry(s)), s);
    }
    for (const bad of ['', '[]', 'null', '{"t":"pay"}', '{"t":"nope","x":"AA"}', '{"t":"pin","n":-1}', '{"t":"pin","n":1,"z":0}', '{"t":"pay","b":"AA","s":"AA"}', '{"t":"ack","x":"a+"}']) {
      assert.throwsCode(() => decodeEntry(bad), 5001, bad);
    }
  });
});

describe('ledger: frames on NOR flash', () => {
  it('recovers every appended frame, in order, across sectors', () => {
    const flash = new MemFlash(4, 4096);
    const log = FlashLog.open(flash);
    const texts: string[] = [];
    for (let i = 0; i < 30; i++) {
      const t = `{"t":"pin","n":${i}}`.padEnd(200, ' ');
      log.append(t, anchor, true);
      texts.push(t);
    }
    assert.equal(log.sectors.length, 2);
    const again = FlashLog.open(flash.reboot());
    assert.deepEqual([...again.frames()].map((f) => f.text), texts);
    assert.equal(log.stats.writes, 30);
    assert.equal(log.stats.erases, 0);
  });

  it('drops a torn frame, never an earlier one, and never writes after it', () => {
    for (const mode of ['torn', 'torn-early'] as const) {
      const flash = new MemFlash(4, 4096);
      const log = FlashLog.open(flash);
      log.append('{"a":1}', anchor, true);
      log.append('{"a":2}', anchor, true);
      flash.cut = { at: flash.writes + 1, mode };
      assert.ok(throwsPowerCut(() => log.append('{"a":3}', anchor, true)));
      const f2 = flash.reboot();
      const back = FlashLog.open(f2);
      assert.deepEqual([...back.frames()].map((f) => f.text), ['{"a":1}', '{"a":2}']);
      assert.ok(back.sectors[0]!.closed, 'the torn sector takes nothing more');
      back.append('{"a":4}', anchor, true);
      assert.equal(back.sectors.length, 2, 'the next frame opens a new sector');
      assert.deepEqual([...FlashLog.open(f2.reboot()).frames()].map((f) => f.text), ['{"a":1}', '{"a":2}', '{"a":4}']);
    }
  });

  it('a frame counts only with a matching CRC; any flipped bit in a frame drops it and what follows in its sector', () => {
    const flash = new MemFlash(4, 4096);
    const log = FlashLog.open(flash);
    log.append('{"a":1}', anchor, true);
    log.append('{"a":2}', anchor, true);
    const second = SECTOR_HEADER_BYTES + 7 + 7;
    for (const off of [second, second + 1, second + 5, second + 9]) {
      const f = flash.reboot();
      f.data[off]! ^= 0x04;
      assert.deepEqual([...FlashLog.open(f).frames()].map((x) => x.text), ['{"a":1}'], `bit flipped at ${off}`);
      f.data[off]! ^= 0x04;
    }
  });

  it('refuses a region that is not whole sectors, or too small: 5004', () => {
    assert.throwsCode(() => FlashLog.open({ ...new MemFlash(4), sizeBytes: 4096 * 4 + 1, sectorBytes: 4096, read: () => new Uint8Array(0), write: () => undefined, eraseSector: () => undefined }), 5004);
    assert.throwsCode(() => FlashLog.open(new MemFlash(2)), 5004);
  });
});

describe('ledger: derived state, acknowledgements and compaction', () => {
  it('derives seq, head, spent, received and pending from the entries alone', () => {
    const w = new World({ seed: 50, sectors: 8 });
    const a = w.card('a');
    const b = w.card('b');
    done(runPayment(a, b, { amount: 3_00 }));
    done(runPayment(b, a, { amount: 1_00 }));
    const st = a.card.status();
    const l = Ledger.open(a.flash.reboot(), a.keys.cardId);
    assert.deepEqual([l.seq, toHex(l.head), l.spent, l.received, l.pending().length], [st.seq, st.head, 3_00, 1_00, 0]);
  });

  it('an acknowledgement compacts: sectors of acknowledged records are erased, totals and head are kept', () => {
    const w = new World({ seed: 51, sectors: 6, sectorBytes: 1024 });
    const a = w.card('a', 1000_00);
    const b = w.card('b', 1000_00);
    for (let i = 0; i < 4; i++) done(runPayment(a, b, { amount: 1_00 + i }));
    done(runPayment(b, a, { amount: 50 }));
    const before = a.card.status();
    assert.ok(a.card.ledger.log.sectors.length >= 2);
    const erases = a.flash.erases;
    a.card.applyAck(ack(w, a));
    assert.ok(a.flash.erases > erases, 'sectors were erased');
    const after = a.card.status();
    assert.deepEqual([after.spent, after.received, after.seq - 1], [before.spent, before.received, before.seq], 'the ack record is the new head');
    assert.equal(a.card.records()[a.card.records().length - 1]!.kind, 'ack');
    w.reboot(a);
    assert.deepEqual([a.card.status().spent, a.card.status().received, a.card.status().seq], [after.spent, after.received, after.seq]);
    assert.equal(a.card.status().certSerial, 1, 'the certificate note was carried forward');
    a.card.verifyLedger();
    // Payments go on after compaction, chained to the kept head.
    done(runPayment(a, b, { amount: 2_00 }));
    w.reboot(a);
    assert.equal(a.card.status().spent, before.spent + 2_00);
    a.card.verifyLedger();
  });

  it('refuses an ack that does not match the chain (5005), a stale one (5007), an unsigned one (2001)', () => {
    const w = new World({ seed: 52 });
    const a = w.card('a');
    const b = w.card('b');
    done(runPayment(a, b, { amount: 1_00 }));
    const l = a.card.ledger;
    const wrong = (over: object) => issueAck(w.authority, { card: a.keys.cardId, seq: 1, head: l.record(1)!.hash, spent: 1_00, received: 0, epoch: 5, ...over }).sealed.bytes;
    const writes = a.flash.writes;
    assert.throwsCode(() => a.card.applyAck(wrong({ head: new Uint8Array(32) })), 5005);
    assert.throwsCode(() => a.card.applyAck(wrong({ spent: 99 })), 5005);
    assert.throwsCode(() => a.card.applyAck(wrong({ seq: 9 })), 5005);
    assert.throwsCode(() => a.card.applyAck(wrong({ card: b.keys.cardId })), 5005);
    const forged = issueAck(new World({ seed: 99 }).authority, { card: a.keys.cardId, seq: 1, head: l.record(1)!.hash, spent: 1_00, received: 0, epoch: 5 }).sealed.bytes;
    assert.throwsCode(() => a.card.applyAck(forged), 2001);
    assert.equal(a.flash.writes, writes, 'nothing written');
    a.card.applyAck(wrong({}));
    const seq = a.card.status().seq;
    a.card.applyAck(wrong({}));
    assert.equal(a.card.status().seq, seq, 'the same ack again changes nothing');
    done(runPayment(a, b, { amount: 1_00 }));
    a.card.applyAck(ack(w, a));
    assert.throwsCode(() => a.card.applyAck(wrong({})), 5007, 'an older ack');
  });

  it('a receipt-in that lands in another sector than its payment is self-contained, so compaction cannot strand it', () => {
    const w = new World({ seed: 53, sectors: 6, sectorBytes: 2048 });
    const a = w.card('a', 1000_00);
    const b = w.card('b', 1000_00);
    for (let i = 0; i < 3; i++) done(runPayment(a, b, { amount: 1_00 }));
    // Shift the payer's sector so that the next debit fits but its receipt-in does not.
    const room = (): number => {
      const log = a.card.ledger.log;
      return log.sectorBytes - log.sectors[log.sectors.length - 1]!.end;
    };
    const [pay, rin0] = a.card.records().slice(-2).map((r) => r.frame.text.length + 7 + 2);
    const sectors = (): number => a.card.ledger.log.sectors.length;
    const n0 = sectors();
    while (sectors() === n0) a.card.ledger.appendPinFailures(0);
    while (room() >= pay! + rin0!) a.card.ledger.appendPinFailures(0);
    assert.ok(room() >= pay!, `room ${room()}`);
    // The receipt is lost; the retry brings it, into a new sector.
    runPayment(a, b, { amount: 5_55, fault: (d) => (d.index === 3 ? [] : [d.bytes]) });
    assert.equal(a.card.status().pending, 1);
    const paySector = a.card.ledger.pending()[0]!.record.frame.sector;
    done(runPayment(a, b, { amount: 5_55 }));
    const rin = a.card.records()[a.card.records().length - 1]!;
    assert.equal(rin.entry.t, 'rix');
    assert.ok(rin.frame.sector !== paySector);
    a.card.applyAck(ack(w, a, rin.seq - 1));
    w.reboot(a);
    a.card.verifyLedger();
    assert.equal(a.card.status().spent, 3_00 + 5_55);
    assert.equal(a.card.status().pending, 0);
  });

  it('a payment still waiting for its receipt at sync is left to the authority: no longer pending', () => {
    const w = new World({ seed: 58 });
    const a = w.card('a');
    const b = w.card('b');
    runPayment(a, b, { amount: 2_00, fault: (d) => (d.index === 3 ? [] : [d.bytes]) });
    assert.equal(a.card.status().pending, 1);
    a.card.applyAck(ack(w, a));
    assert.equal(a.card.status().pending, 0);
    assert.equal(a.card.status().spent, 2_00, 'still spent');
    w.reboot(a);
    assert.equal(a.card.status().pending, 0);
  });

  it('an allowance load raises the allowance; stale or foreign ones are refused', () => {
    const w = new World({ seed: 54 });
    const a = w.card('a', 10_00);
    const b = w.card('b');
    done(runPayment(a, b, { amount: 10_00 }));
    assert.equal(runPayment(a, b, { amount: 1 }).payer?.status === 'failed' && runPayment(a, b, { amount: 1 }).payer?.status, 'failed');
    const cert2 = w.certificate(a.keys, 30_00, { serial: 2 });
    const load = issueLoad(w.authority, { card: a.keys.cardId, serial: 1, amount: 20_00, currency: 'EUR', allowance: 30_00, epoch: 5, cert: cert2 });
    a.card.applyLoad(load.sealed.bytes);
    assert.equal(a.card.status().allowance, 30_00);
    assert.equal(a.card.status().available, 20_00);
    assert.throwsCode(() => a.card.applyLoad(load.sealed.bytes), 5007);
    const foreign = issueLoad(w.authority, { card: b.keys.cardId, serial: 1, amount: 1, currency: 'EUR', allowance: 30_00, epoch: 5, cert: w.certificate(b.keys, 30_00, { serial: 2 }) });
    assert.throwsCode(() => a.card.applyLoad(foreign.sealed.bytes), 5006);
    done(runPayment(a, b, { amount: 20_00 }));
    w.reboot(a);
    assert.deepEqual([a.card.status().allowance, a.card.status().available], [30_00, 0]);
    a.card.verifyLedger();
  });

  it('a full ledger refuses new payments before anything is signed (5002); an ack frees it', () => {
    const w = new World({ seed: 55, sectors: 4, sectorBytes: 1024 });
    const a = w.card('a', 1000_00);
    const b = w.card('b', 1000_00);
    let n = 0;
    for (;;) {
      const r = runPayment(a, b, { amount: 1 });
      if (r.payer?.status !== 'done') {
        assert.equal(r.payer?.status === 'failed' && r.payer.code, 5002);
        break;
      }
      n++;
    }
    assert.ok(n >= 2, `${n} payments fit`);
    assert.equal(a.card.status().pending, 0, 'no payment was signed without room for its receipt');
    a.card.applyAck(ack(w, a));
    done(runPayment(a, b, { amount: 1 }));
    // The payee, full too, refuses before it issues a nonce.
    let m = 0;
    for (; m < 40; m++) if (runPayment(w.card(`p${m}`, 10), b, { amount: 1 }).payee?.status !== 'done') break;
    assert.throwsCode(() => b.card.receive({ amount: 1 }), 5002);
  });

  it('the newer revocation list and epoch note travel to the peer during a payment', () => {
    const w = new World({ seed: 56 });
    const a = w.card('a');
    const b = w.card('b');
    const c = w.card('c');
    b.card.applyRevocations(w.revocations(3, [c.keys.cardId]).sealed.bytes);
    a.card.applyEpochNote(w.epochNote(8).sealed.bytes);
    done(runPayment(a, b, { amount: 1_00 }));
    assert.equal(a.card.status().revocationVersion, 3, 'the payer learnt the list from the payee');
    assert.equal(b.card.status().epoch, 8, 'the payee learnt the epoch from the payer');
    w.reboot(a);
    w.reboot(b);
    assert.deepEqual([a.card.status().revocationVersion, b.card.status().epoch], [3, 8]);
    // The revoked card can pay neither of them now.
    const r = runPayment(c, a, { amount: 1 });
    assert.equal(r.payee?.status === 'failed' && r.payee.code, 4003);
    assert.equal(a.card.applyRevocations(w.revocations(2, []).sealed.bytes), false, 'an older list is ignored');
  });

  it('never shows a secret in JSON, a dump or an error', () => {
    const w = new World({ seed: 57 });
    const a = w.card('a');
    const b = w.card('b');
    done(runPayment(a, b, { amount: 1_00 }));
    const secrets = [toHex(a.keys.signer.exportSecret()), toHex(a.keys.dh.exportSecret())];
    const text = JSON.stringify([a.card, a.card.status(), a.card.ledger.dump(), a.events, a.views, a.card.last, b.card.last, a.card.nonces, a.card.pin]);
    for (const s of secrets) assert.ok(!text.includes(s));
    assert.ok(!text.includes(toBase64url(a.keys.signer.exportSecret())));
  });
});

function throwsPowerCut(fn: () => void): boolean {
  try {
    fn();
  } catch (e) {
    return e instanceof PowerCut;
  }
  return false;
}
