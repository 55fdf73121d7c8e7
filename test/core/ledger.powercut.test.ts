// Compaction under power cuts (Node only): an acknowledgement is applied to a
// ledger of several sectors, and the power is cut at every flash write and
// every sector erase it causes (before, after, torn; an erase cut halfway).
// After a reboot the ledger must open, hold the same totals, head and
// notes, verify, finish compacting when the bridge sends the ack again, and
// go on paying.
import { strict as assert } from 'node:assert';
import { issueAck, type CardStatus } from '../../firmware/core/index.js';
import { World, runPayment, type CutMode, type TestCard } from './card-fixture.js';

interface Setup {
  w: World;
  a: TestCard;
  b: TestCard;
  ackBytes: Uint8Array;
  before: CardStatus;
}

function setup(): Setup {
  const w = new World({ seed: 0x5ec7, sectors: 6 });
  const a = w.card('a', 1000_00);
  const b = w.card('b', 1000_00);
  a.card.applyRevocations(w.revocations(2, [new Uint8Array(16).fill(1)]).sealed.bytes);
  a.card.applyEpochNote(w.epochNote(6).sealed.bytes);
  for (let i = 0; i < 20; i++) assert.equal(runPayment(a, b, { amount: 1_00 + i }).payer?.status, 'done');
  assert.equal(runPayment(b, a, { amount: 77 }).payer?.status, 'done');
  const l = a.card.ledger;
  const t = l.totalsThrough(l.seq);
  const ackBytes = issueAck(w.authority, { card: a.keys.cardId, seq: l.seq, head: l.head, spent: t.spent, received: t.received, epoch: 6 }).sealed.bytes;
  return { w, a, b, ackBytes, before: a.card.status() };
}

function check(st: Setup, label: string): void {
  const { w, a, b, ackBytes, before } = st;
  w.reboot(a);
  const s = a.card.status();
  assert.equal(s.spent, before.spent, `${label}: spent`);
  assert.equal(s.received, before.received, `${label}: received`);
  assert.ok(s.seq === before.seq || s.seq === before.seq + 1, `${label}: seq ${s.seq}`);
  assert.deepEqual([s.certSerial, s.revocationVersion, s.epoch], [1, 2, 6], `${label}: notes kept`);
  a.card.verifyLedger();
  // The bridge sends the ack again: applied now, or compaction resumes.
  a.card.applyAck(ackBytes);
  assert.equal(a.card.status().seq, before.seq + 1);
  assert.ok(a.card.ledger.log.sectors.length <= 2, `${label}: compacted to ${a.card.ledger.log.sectors.length} sectors`);
  w.reboot(a);
  a.card.verifyLedger();
  assert.equal(runPayment(a, b, { amount: 5 }).payer?.status, 'done', `${label}: pays after`);
  w.reboot(a);
  assert.equal(a.card.status().spent, before.spent + 5);
  a.card.verifyLedger();
}

describe('ledger: power cut during compaction', () => {
  const clean = setup();
  const w0 = clean.a.flash.writes;
  const e0 = clean.a.flash.erases;
  clean.a.card.applyAck(clean.ackBytes);
  const writes = clean.a.flash.writes - w0;
  const erases = clean.a.flash.erases - e0;

  it(`a clean compaction: ${writes} writes, ${erases} erases`, () => {
    assert.ok(writes >= 2, 'the ack record and at least one carried-forward note');
    assert.ok(erases >= 2);
    check(clean, 'clean');
  });

  for (let k = 1; k <= writes; k++) {
    for (const mode of ['before', 'after', 'torn', 'torn-early'] as CutMode[]) {
      it(`write ${k} of ${writes}, cut ${mode}`, () => {
        const st = setup();
        st.a.flash.cut = { at: st.a.flash.writes + k, mode };
        assert.throws(() => st.a.card.applyAck(st.ackBytes), /power cut/);
        check(st, `write ${k} ${mode}`);
      });
    }
  }
  for (let k = 1; k <= erases; k++) {
    for (const part of ['head', 'tail'] as const) it(`erase ${k} of ${erases}, cut halfway (${part} erased)`, () => {
      const st = setup();
      st.a.flash.cutErase = { at: k, part };
      assert.throws(() => st.a.card.applyAck(st.ackBytes), /power cut/);
      check(st, `erase ${k}`);
    });
  }
});
