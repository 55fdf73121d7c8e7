// The card's ledger: one hash chain of everything it signs or receives, kept
// as JSON entries in the flash log (flash-log.ts), plus the notes recovery
// needs (certificate, revocation list, epoch note, failed PIN attempts).
//
// Nothing is stored on its own that can be derived: sequence number, head
// hash, spent and received totals, pending payments and the credit index are
// rebuilt from the entries at boot (and kept up to date on every append).
// After compaction the last acknowledgement supplies the totals of the
// erased records.
//
// Appends are write-ahead: the new state is computed from the entry exactly
// as a reboot would compute it, the entry is written, and only then does the
// in-memory state change. A cut write therefore leaves the card as it was.
import { equalBytes, toHex } from '../bytes.js';
import { decodeCanonical, encodeCanonical } from '../cbor.js';
import { decodeCertificate, verifyCertificate, type Certificate, type TrustedAuthorities } from '../cert.js';
import { fail } from '../errors.js';
import { checkSignature, verifySignature } from '../identity.js';
import type { Sealed } from '../sealed.js';
import type { Flash } from '../ports.js';
import {
  ZERO_HASH,
  decodeAck,
  decodeEpoch,
  decodeLoad,
  decodeRecordBody,
  decodeRevocations,
  encodeRecordBody,
  recordHash,
  type Ack,
  type ChainRecord,
  type EpochNote,
  type KindName,
  type Load,
  type PaymentBody,
  type ReceiptBody,
  type ReceiptInBody,
  type RecordBody,
  type Revocations,
} from '../records.js';
import { decodeEntry, encodeEntry, type Entry } from './entries.js';
import { FlashLog, type Anchor, type FlashStats, type LogFrame } from './flash-log.js';
import { toBase64url } from './base64url.js';

/** A chain record as the ledger holds it: the exact body, its hash, and what goes with it at sync. */
export interface LedgerRecord extends ChainRecord {
  seq: number;
  kind: KindName;
  hash: Uint8Array;
  /** Amount of a payment (debit) or receipt (credit); 0 for other kinds. */
  amount: number;
  /** Where it lives in flash (compaction erases by sector). */
  frame: LogFrame;
  entry: Entry;
}

/** A payment this card made. */
export interface PaymentOut {
  record: LedgerRecord;
  body: PaymentBody;
  /** Hex of the payment hash (its identity everywhere). */
  id: string;
  /** Sealed payment [body, signature]: what travels to the payee. */
  sealed: Uint8Array;
  /** Seq of the receipt-in record, once the payee's receipt arrived. */
  receiptSeq?: number;
  /** The payee's sealed receipt and its body, once it arrived. */
  receipt?: Uint8Array;
  receiptBody?: Uint8Array;
}

/** A payment this card received (its receipt record). */
export interface Credit {
  record: LedgerRecord;
  payment: PaymentBody;
  /** Hex of the payer's payment hash. */
  id: string;
  paymentHash: Uint8Array;
  /** Sealed receipt [body, signature] this card gave: the same one every time. */
  sealedReceipt: Uint8Array;
}

export interface LedgerTotals {
  seq: number;
  spent: number;
  received: number;
}

/** Upper bounds of the frames of a payment, used to refuse a payment the ledger has no room to finish. */
export const PAY_FRAME_BOUND = 400;
export const RECEIPT_IN_FRAME_BOUND = 240;
export const CREDIT_FRAME_BOUND = 520;

const hex = toHex;

interface Notes {
  cert?: { cert: Certificate; frame: LogFrame };
  rev?: { rev: Revocations; frame: LogFrame };
  epoch?: { note: EpochNote; frame: LogFrame };
  pin?: { n: number; frame: LogFrame };
}

export class Ledger {
  readonly log: FlashLog;
  readonly cardId: Uint8Array;
  /** Retained chain records, in order. */
  readonly records: LedgerRecord[] = [];
  /** Totals through the last acknowledged seq (zeros before the first ack). */
  base: LedgerTotals = { seq: 0, spent: 0, received: 0 };
  private lastAck: Ack | undefined;
  private headSeq = 0;
  private headHash: Uint8Array = ZERO_HASH;
  private readonly bySeq = new Map<number, LedgerRecord>();
  /** This card's payments by payment hash (hex). */
  readonly payments = new Map<string, PaymentOut>();
  /** Credits by the payer's payment hash (hex). */
  readonly credits = new Map<string, Credit>();
  /** Nonces answered by a credit (hex): each offer nonce is credited at most once. */
  readonly creditNonces = new Set<string>();
  private readonly creditsByPayer = new Map<string, Credit[]>();
  private notes: Notes = {};
  private epochMax = 0;

  private constructor(log: FlashLog, cardId: Uint8Array) {
    this.log = log;
    this.cardId = cardId;
  }

  /** Erases the whole region (provisioning only; never during operation). */
  static format(flash: Flash): void {
    const n = flash.sizeBytes / flash.sectorBytes;
    for (let i = 0; i < n; i++) flash.eraseSector(i);
  }

  /** Recovers the ledger from flash: the last complete entry wins, a torn one is dropped. */
  static open(flash: Flash, cardId: Uint8Array): Ledger {
    const log = FlashLog.open(flash);
    const l = new Ledger(log, cardId);
    const sectors = log.sectors;
    let start = 0;
    for (let k = 0; k < sectors.length; k++) {
      const s = sectors[k]!;
      if (k === 0) {
        l.headSeq = s.anchor.seq;
        l.headHash = s.anchor.hash;
      } else if (s.anchor.seq !== l.headSeq || !equalBytes(s.anchor.hash, l.headHash)) {
        // Records are missing before this sector. Only a compaction cut
        // during an erase leaves this: the oldest sectors hold part of what
        // they held (all acknowledged), so the chain restarts at this
        // sector's anchor. The check after the loop makes sure an
        // acknowledgement covers everything before it.
        if (s.anchor.seq <= l.headSeq) fail(5003, `sector ${s.index} does not continue the chain at seq ${l.headSeq}`);
        l.reset(s.anchor);
        start = k;
      }
      for (const f of s.frames) l.commit(l.materialize(decodeEntry(f.text), f));
    }
    const first = sectors[start];
    if (first && first.anchor.seq > 0 && l.base.seq < first.anchor.seq) {
      fail(5003, `the chain starts after seq ${first.anchor.seq} but no acknowledgement covers it`);
    }
    return l;
  }

  // ---- derived state ---------------------------------------------------------

  get seq(): number {
    return this.headSeq;
  }
  get head(): Uint8Array {
    return this.headHash;
  }
  get anchor(): Anchor {
    return { seq: this.headSeq, hash: this.headHash };
  }
  /** Total this card has spent offline over its life (signed payments). */
  get spent(): number {
    return this.totalsThrough(this.headSeq).spent;
  }
  /** Total this card has received (credits), as far as its ledger knows. */
  get received(): number {
    return this.totalsThrough(this.headSeq).received;
  }
  get certificate(): Certificate | undefined {
    return this.notes.cert?.cert;
  }
  get revocations(): Revocations | undefined {
    return this.notes.rev?.rev;
  }
  get epochNote(): EpochNote | undefined {
    return this.notes.epoch?.note;
  }
  /** The newest authority epoch the card holds a signed statement for. */
  get epoch(): number {
    return this.epochMax;
  }
  get pinFailures(): number {
    return this.notes.pin?.n ?? 0;
  }
  get lastAcknowledged(): Ack | undefined {
    return this.lastAck;
  }
  get stats(): FlashStats {
    return this.log.stats;
  }

  record(seq: number): LedgerRecord | undefined {
    return this.bySeq.get(seq);
  }

  /** Spent and received totals through `seq` (which must not be before the last ack). */
  totalsThrough(seq: number): LedgerTotals {
    let spent = this.base.spent;
    let received = this.base.received;
    for (const r of this.records) {
      if (r.seq <= this.base.seq || r.seq > seq) continue;
      if (r.kind === 'payment') spent += r.amount;
      else if (r.kind === 'receipt') received += r.amount;
    }
    return { seq, spent, received };
  }

  /**
   * Payments without a receipt yet, oldest first. A payment the authority
   * has acknowledged is not pending any more: the authority settles it from
   * this card's half, and the card no longer retries it.
   */
  pending(): PaymentOut[] {
    return [...this.payments.values()].filter((p) => p.receiptSeq === undefined && p.record.seq > this.base.seq);
  }

  /** The oldest pending payment to `payee`, if any: a new session with that card retries it. */
  pendingFor(payee: Uint8Array): PaymentOut | undefined {
    for (const p of this.pending()) if (equalBytes(p.body.payee, payee)) return p;
    return undefined;
  }

  creditsFrom(payer: Uint8Array): readonly Credit[] {
    return this.creditsByPayer.get(hex(payer)) ?? [];
  }

  /** Whether frames of these sizes fit without using the space kept for sync. */
  fits(frameSizes: number[]): boolean {
    return this.log.fits(frameSizes);
  }

  // ---- appends ---------------------------------------------------------------

  /** Records a payment this card signed (the debit), before it is sent. */
  appendPayment(body: Uint8Array, signature: Uint8Array, known?: Known): PaymentOut {
    const entry: Entry = { t: 'pay', b: body, s: signature };
    const next = this.materialize(entry, undefined, known);
    this.write(entry, next);
    return this.payments.get(hex(next.record!.hash))!;
  }

  /**
   * Records a credit: the payer's payment and this card's receipt for it
   * (its body must be the one `receiptBody()` gives), before the receipt is sent.
   */
  appendCredit(paymentBody: Uint8Array, paymentSignature: Uint8Array, epoch: number, receiptSignature: Uint8Array, known?: Known): Credit {
    const entry: Entry = { t: 'rcv', b: paymentBody, s: paymentSignature, e: epoch, r: receiptSignature };
    const next = this.materialize(entry, undefined, known);
    this.write(entry, next);
    return this.credits.get(hex(next.paymentHash!))!;
  }

  /** The body of the receipt this card would sign now for a payment (next seq, current head). */
  receiptBody(payment: PaymentBody, paymentHash: Uint8Array, epoch: number): Uint8Array {
    return encodeRecordBody({
      kind: 'receipt', card: this.cardId, seq: this.headSeq + 1, prev: this.headHash,
      payer: payment.card, amount: payment.amount, currency: payment.currency, paymentHash, epoch,
    });
  }

  /**
   * Records the payee's receipt for one of this card's payments. In the
   * payment's own sector it is kept compact (the receipt body is re-derived
   * from the payment); elsewhere it keeps the exact body, so that compaction
   * can never strand it without its payment.
   */
  appendReceiptIn(payment: PaymentOut, receipt: ReceiptBody, receiptBody: Uint8Array, signature: Uint8Array): void {
    const prevRecord = this.bySeq.get(this.headSeq);
    const compact: Entry = { t: 'rin', q: receipt.seq, v: receipt.prev, e: receipt.epoch, s: signature };
    if (prevRecord !== payment.record) compact.p = payment.record.seq;
    const inPlace = this.log.sectorFor(FlashLog.frameBytes(encodeEntry(compact))) === payment.record.frame.sector;
    const entry: Entry = inPlace ? compact : { t: 'rix', b: receiptBody, s: signature };
    const next = this.materialize(entry, undefined);
    if (!equalBytes(next.receiptBody!, receiptBody)) fail(4017, 'the receipt is not the canonical receipt of this payment');
    this.write(entry, next);
  }

  /** Records an allowance load (the caller checked its signature and that it is for this card). */
  appendLoad(load: Load): void {
    this.append({ t: 'load', x: load.sealed.bytes });
  }

  appendNote(t: 'cert' | 'rev' | 'epoch', bytes: Uint8Array): void {
    this.append({ t, x: bytes });
  }

  /** Appends a note when it fits outside the space kept for sync; false otherwise. */
  tryAppendNote(t: 'cert' | 'rev' | 'epoch', bytes: Uint8Array): boolean {
    const entry: Entry = { t, x: bytes };
    if (!this.log.fits([FlashLog.frameBytes(encodeEntry(entry))])) return false;
    this.append(entry);
    return true;
  }

  /** The failed-attempts note is tiny and may use the space kept for sync. */
  appendPinFailures(n: number): void {
    this.append({ t: 'pin', n }, true);
  }

  /**
   * Records a sync acknowledgement (signature already checked) and compacts:
   * sectors holding only acknowledged records are erased. The same ack again
   * only resumes compaction. Throws 5007 for an older ack, 5005 for one that
   * does not match the chain.
   */
  appendAck(ack: Ack): void {
    if (!equalBytes(ack.card, this.cardId)) fail(5005, 'the acknowledgement is for another card');
    const last = this.lastAck;
    if (last && ack.seq === last.seq && equalBytes(ack.head, last.head) && ack.spent === last.spent && ack.received === last.received) {
      // The same ack again (the bridge retries): finish a compaction a power cut interrupted.
      this.compact();
      return;
    }
    if (ack.seq <= this.base.seq) fail(5007, `ack for seq ${ack.seq}, already acknowledged through ${this.base.seq}`);
    if (ack.seq > this.headSeq) fail(5005, `ack for seq ${ack.seq} beyond the head ${this.headSeq}`);
    const r = this.bySeq.get(ack.seq);
    if (!r || !equalBytes(r.hash, ack.head)) fail(5005, `head hash at seq ${ack.seq} differs`);
    const t = this.totalsThrough(ack.seq);
    if (t.spent !== ack.spent) fail(5005, `spent through seq ${ack.seq} is ${t.spent}, the authority says ${ack.spent}`);
    this.append({ t: 'ack', x: ack.sealed.bytes }, true);
    this.compact();
  }

  /**
   * Erases, oldest first, every sector whose chain records are all
   * acknowledged and not needed by a retained record, after writing again
   * the notes that are still current. Returns the number of sectors erased.
   */
  compact(): number {
    let erased = 0;
    for (;;) {
      const sectors = this.log.sectors;
      if (sectors.length < 2) break;
      const s = sectors[0]!;
      const inS = this.records.filter((r) => r.frame.sector === s.index);
      if (inS.some((r) => r.seq > this.base.seq)) break;
      const seqs = new Set(inS.map((r) => r.seq));
      // (A compact receipt-in always sits in its payment's sector; this only guards the rule.)
      const needed = this.records.some((r) => r.frame.sector !== s.index && r.entry.t === 'rin' && seqs.has(this.paymentSeqOf(r)));
      if (needed) break;
      // Carry forward the notes that are still current.
      const n = this.notes;
      if (n.cert && n.cert.frame.sector === s.index) this.append({ t: 'cert', x: n.cert.cert.bytes }, true);
      if (n.rev && n.rev.frame.sector === s.index) this.append({ t: 'rev', x: n.rev.rev.sealed.bytes }, true);
      if (n.epoch && n.epoch.frame.sector === s.index) this.append({ t: 'epoch', x: n.epoch.note.sealed.bytes }, true);
      if (n.pin && n.pin.frame.sector === s.index && n.pin.n > 0) this.append({ t: 'pin', n: n.pin.n }, true);
      if (this.log.sectors[0] !== s || this.log.sectors.length < 2) break;
      this.log.eraseOldest();
      erased++;
      this.forget(s.index);
    }
    return erased;
  }

  // ---- sync export and checks ------------------------------------------------

  /** Chain records from `fromSeq` on, as the bridge uploads them. */
  chain(fromSeq = 1): ChainRecord[] {
    return this.records
      .filter((r) => r.seq >= fromSeq)
      .map((r) => {
        const c: ChainRecord = { body: r.body };
        if (r.signature) c.signature = r.signature;
        if (r.attachment) c.attachment = r.attachment;
        return c;
      });
  }

  /**
   * Full check of the retained chain: links, the card's own signatures,
   * the evidence signatures (`peerKey` gives a peer's signing key by card id
   * when known), and the authority statements. Throws the first failure.
   */
  verify(ownSignKey: Uint8Array, trusted: TrustedAuthorities, peerKey?: (cardId: Uint8Array) => Uint8Array | undefined): void {
    let prev: LedgerRecord | undefined;
    for (const r of this.records) {
      const b = decodeRecordBody(r.body);
      if (!equalBytes(b.card, this.cardId)) fail(5003, `record ${r.seq} belongs to another card`);
      if (b.seq !== r.seq || !equalBytes(recordHash(r.body), r.hash)) fail(5003, `record ${r.seq}`);
      if (prev && prev.seq + 1 === r.seq && !equalBytes(b.prev, prev.hash)) fail(5003, `record ${r.seq} does not link to ${prev.seq}`);
      if (r.kind === 'payment' || r.kind === 'receipt') checkSignature(r.kind, r.body, r.signature!, ownSignKey, `${r.kind} ${r.seq}`);
      if (r.kind === 'receipt') {
        const e = r.entry as Extract<Entry, { t: 'rcv' }>;
        const payer = (decodeRecordBody(e.b) as PaymentBody).card;
        const key = peerKey?.(payer);
        if (key) checkSignature('payment', e.b, e.s, key, `payment credited at ${r.seq}`);
      }
      if (r.kind === 'receiptIn') {
        const ri = b as ReceiptInBody;
        const sealed = decodeCanonical(ri.evidence, { maxBytes: 2048, maxDepth: 1 }) as Uint8Array[];
        const rb = decodeRecordBody(sealed[0]!) as ReceiptBody;
        const key = peerKey?.(rb.card);
        if (key) checkSignature('receipt', sealed[0]!, sealed[1]!, key, `receipt in ${r.seq}`);
      }
      if (r.kind === 'load' || r.kind === 'ack') {
        const x = (r.entry as { x: Uint8Array }).x;
        const st = r.kind === 'load' ? decodeLoad(x) : decodeAck(x);
        checkStatementAny(r.kind, st.sealed, trusted);
        if (r.kind === 'load') verifyCertificate((st as Load).cert, trusted, { epoch: (st as Load).cert.epochFrom, cardId: this.cardId });
      }
      prev = r;
    }
  }

  /** The entries as readable JSON (byte strings in hex, bodies decoded), for dumps. */
  dump(): unknown[] {
    const out: unknown[] = [];
    for (const f of this.log.frames()) {
      const e = decodeEntry(f.text);
      const r = this.records.find((x) => x.frame === f);
      const o: Record<string, unknown> = { type: e.t };
      if (r) {
        o.seq = r.seq;
        o.hash = hex(r.hash);
        o.body = readable(decodeRecordBody(r.body));
      }
      if (e.t === 'rcv') o.payment = readable(decodeRecordBody(e.b));
      if (e.t === 'pin') o.failures = e.n;
      if (e.t === 'cert' || e.t === 'rev' || e.t === 'epoch') o.bytes = toBase64url(e.x);
      out.push(o);
    }
    return out;
  }

  // ---- internals -------------------------------------------------------------

  private append(entry: Entry, useReserve = false): void {
    this.write(entry, this.materialize(entry, undefined), useReserve);
  }

  private write(entry: Entry, next: Materialized, useReserve = false): void {
    const frame = this.log.append(encodeEntry(entry), this.anchor, useReserve);
    next.frame = frame;
    if (next.record) next.record.frame = frame;
    this.commit(next);
  }

  /** Computes what an entry does to the state, changing nothing (the same code at boot and on append). */
  private materialize(entry: Entry, frame: LogFrame | undefined, known?: Known): Materialized {
    const seq = this.headSeq + 1;
    const prev = this.headHash;
    const me = this.cardId;
    const placeholder = frame ?? ({ sector: -1, offset: -1, text: '' } as LogFrame);
    const rec = (kind: KindName, body: Uint8Array, extra: Partial<LedgerRecord> = {}): LedgerRecord => ({
      seq, kind, body, hash: extra.hash ?? recordHash(body), amount: 0, frame: placeholder, entry, ...extra,
    });
    // A caller that has just decoded and hashed the payment body passes them (the same bytes).
    const decodePayment = (b: Uint8Array): { p: PaymentBody | RecordBody; h: Uint8Array } =>
      known && known.bytes === b ? { p: known.payment, h: known.hash } : { p: decodeRecordBody(b), h: recordHash(b) };
    switch (entry.t) {
      case 'pay': {
        const { p: b, h } = decodePayment(entry.b);
        if (b.kind !== 'payment' || !equalBytes(b.card, me)) return fail(5003, `entry at seq ${seq} is not a payment of this card`);
        if (b.seq !== seq || !equalBytes(b.prev, prev)) return fail(5003, `payment seq ${b.seq} does not follow seq ${seq - 1}`);
        const record = rec('payment', entry.b, { signature: entry.s, amount: b.amount, hash: h });
        return { entry, frame: placeholder, record, payment: b };
      }
      case 'rcv': {
        const { p, h: paymentHash } = decodePayment(entry.b);
        if (p.kind !== 'payment' || !equalBytes(p.payee, me)) return fail(5003, `credit at seq ${seq} is not a payment to this card`);
        const body = encodeRecordBody({
          kind: 'receipt', card: me, seq, prev, payer: p.card, amount: p.amount, currency: p.currency, paymentHash, epoch: entry.e,
        });
        const record = rec('receipt', body, { signature: entry.r, attachment: encodeCanonical([entry.b, entry.s]), amount: p.amount });
        return { entry, frame: placeholder, record, payment: p, paymentHash };
      }
      case 'rin': {
        const pseq = entry.p ?? seq - 1;
        const pr = this.bySeq.get(pseq);
        const pay = pr && pr.kind === 'payment' ? this.payments.get(hex(pr.hash)) : undefined;
        if (!pay) return fail(5003, `receipt-in at seq ${seq} names seq ${pseq}, which is not a retained payment`);
        if (pay.receiptSeq !== undefined) return fail(5003, `payment at seq ${pseq} already has its receipt`);
        const receiptBody = encodeRecordBody({
          kind: 'receipt', card: pay.body.payee, seq: entry.q, prev: entry.v, payer: me,
          amount: pay.body.amount, currency: pay.body.currency, paymentHash: pr!.hash, epoch: entry.e,
        });
        const sealed = encodeCanonical([receiptBody, entry.s]);
        const body = encodeRecordBody({ kind: 'receiptIn', card: me, seq, prev, paymentHash: pr!.hash, evidence: sealed });
        return { entry, frame: placeholder, record: rec('receiptIn', body), receiptOf: pay, receiptBody, sealedReceipt: sealed };
      }
      case 'rix': {
        const rb = decodeRecordBody(entry.b);
        if (rb.kind !== 'receipt' || !equalBytes(rb.payer, me)) return fail(5003, `receipt-in at seq ${seq} is not a receipt for this card`);
        const sealed = encodeCanonical([entry.b, entry.s]);
        const body = encodeRecordBody({ kind: 'receiptIn', card: me, seq, prev, paymentHash: rb.paymentHash, evidence: sealed });
        const pay = this.payments.get(hex(rb.paymentHash));
        if (pay && pay.receiptSeq !== undefined) return fail(5003, `payment ${pay.record.seq} already has its receipt`);
        const m: Materialized = { entry, frame: placeholder, record: rec('receiptIn', body), receiptBody: entry.b, sealedReceipt: sealed };
        if (pay) m.receiptOf = pay;
        return m;
      }
      case 'load': {
        const load = decodeLoad(entry.x);
        if (!equalBytes(load.card, me)) return fail(5003, `load at seq ${seq} is for another card`);
        const body = encodeRecordBody({ kind: 'load', card: me, seq, prev, evidence: entry.x });
        return { entry, frame: placeholder, record: rec('load', body), load };
      }
      case 'ack': {
        const ack = decodeAck(entry.x);
        if (!equalBytes(ack.card, me)) return fail(5003, `ack at seq ${seq} is for another card`);
        const body = encodeRecordBody({ kind: 'ack', card: me, seq, prev, evidence: entry.x });
        return { entry, frame: placeholder, record: rec('ack', body), ack };
      }
      case 'cert':
        return { entry, frame: placeholder, cert: decodeCertificate(entry.x) };
      case 'rev':
        return { entry, frame: placeholder, rev: decodeRevocations(entry.x) };
      case 'epoch':
        return { entry, frame: placeholder, epochNote: decodeEpoch(entry.x) };
      default:
        return { entry, frame: placeholder };
    }
  }

  private commit(m: Materialized): void {
    const r = m.record;
    const frame = m.frame;
    if (r) {
      r.frame = frame;
      this.records.push(r);
      this.bySeq.set(r.seq, r);
      this.headSeq = r.seq;
      this.headHash = r.hash;
    }
    const e = m.entry;
    if (m.payment && r && e.t === 'pay') {
      const id = hex(r.hash);
      this.payments.set(id, { record: r, body: m.payment, id, sealed: encodeCanonical([e.b, e.s]) });
    }
    if (m.payment && r && e.t === 'rcv') {
      const c: Credit = { record: r, payment: m.payment, id: hex(m.paymentHash!), paymentHash: m.paymentHash!, sealedReceipt: encodeCanonical([r.body, r.signature!]) };
      this.credits.set(c.id, c);
      this.creditNonces.add(hex(m.payment.nonce));
      const k = hex(m.payment.card);
      const list = this.creditsByPayer.get(k);
      if (list) list.push(c);
      else this.creditsByPayer.set(k, [c]);
    }
    if (m.receiptOf && r) {
      m.receiptOf.receiptSeq = r.seq;
      m.receiptOf.receipt = m.sealedReceipt!;
      m.receiptOf.receiptBody = m.receiptBody!;
    }
    if (m.load) this.considerCert(m.load.cert, frame, m.load.epoch);
    if (m.cert) this.considerCert(m.cert, frame, 0);
    if (m.ack) {
      if (m.ack.seq > this.base.seq) {
        this.base = { seq: m.ack.seq, spent: m.ack.spent, received: m.ack.received };
        this.lastAck = m.ack;
      }
      this.epochMax = Math.max(this.epochMax, m.ack.epoch);
    }
    if (m.rev) {
      if (!this.notes.rev || m.rev.version >= this.notes.rev.rev.version) this.notes.rev = { rev: m.rev, frame };
      this.epochMax = Math.max(this.epochMax, m.rev.epoch);
    }
    if (m.epochNote) {
      if (!this.notes.epoch || m.epochNote.epoch >= this.notes.epoch.note.epoch) this.notes.epoch = { note: m.epochNote, frame };
      this.epochMax = Math.max(this.epochMax, m.epochNote.epoch);
    }
    if (e.t === 'pin') this.notes.pin = { n: e.n, frame };
  }

  private considerCert(cert: Certificate, frame: LogFrame, epoch: number): void {
    const cur = this.notes.cert;
    if (!cur || cert.serial >= cur.cert.serial) this.notes.cert = { cert, frame };
    // The authority issued the certificate at its epochFrom at the earliest.
    this.epochMax = Math.max(this.epochMax, epoch, cert.epochFrom);
  }

  /** Drops what an erased sector held from the indexes. */
  private forget(sector: number): void {
    for (let i = this.records.length - 1; i >= 0; i--) {
      const r = this.records[i]!;
      if (r.frame.sector !== sector) continue;
      this.records.splice(i, 1);
      this.bySeq.delete(r.seq);
      if (r.kind === 'payment') this.payments.delete(hex(r.hash));
      if (r.kind === 'receipt') {
        for (const [id, c] of this.credits) {
          if (c.record !== r) continue;
          this.credits.delete(id);
          // Its nonce stays in creditNonces: an old nonce is refused anyway (offers die at an ack).
          const list = this.creditsByPayer.get(hex(c.payment.card));
          if (list) list.splice(list.indexOf(c), 1);
        }
      }
    }
  }

  private reset(anchor: Anchor): void {
    this.records.length = 0;
    this.bySeq.clear();
    this.payments.clear();
    this.credits.clear();
    this.creditNonces.clear();
    this.creditsByPayer.clear();
    this.notes = {};
    this.base = { seq: 0, spent: 0, received: 0 };
    this.lastAck = undefined;
    this.epochMax = 0;
    this.headSeq = anchor.seq;
    this.headHash = anchor.hash;
  }

  private paymentSeqOf(rin: LedgerRecord): number {
    const e = rin.entry as Extract<Entry, { t: 'rin' }>;
    return e.p ?? rin.seq - 1;
  }

}

/** A payment body the caller has already decoded and hashed: `bytes` must be the very array appended. */
export interface Known {
  bytes: Uint8Array;
  payment: PaymentBody;
  hash: Uint8Array;
}

interface Materialized {
  entry: Entry;
  frame: LogFrame;
  record?: LedgerRecord;
  payment?: PaymentBody;
  paymentHash?: Uint8Array;
  receiptOf?: PaymentOut;
  receiptBody?: Uint8Array;
  sealedReceipt?: Uint8Array;
  load?: Load;
  ack?: Ack;
  cert?: Certificate;
  rev?: Revocations;
  epochNote?: EpochNote;
}

/** Checks an authority statement against every trusted key (statements do not name their key); 2001 when none verifies. */
export function checkStatementAny(tag: 'load' | 'ack' | 'epoch' | 'revocations', sealed: Sealed, trusted: TrustedAuthorities): void {
  for (const key of trusted.values()) if (verifySignature(tag, sealed.body, sealed.signature, key)) return;
  fail(2001, `${tag}: not signed by a trusted authority`);
}

function readable(b: object): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(b)) o[k] = v instanceof Uint8Array ? hex(v) : v;
  return o;
}
