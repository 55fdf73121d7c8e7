// Settling one payment, whichever half brings it first.
//
// A payment is identified by its hash, and stored under (payer, payer seq).
// The first time the authority sees a payment (in the payer's chain or
// attached to the payee's receipt) it checks that the payer signed nothing
// else at that sequence number (equivocation), that the payment fits its
// certificate (overspend) and that its "spent before" agrees with the other
// payments of the payer the authority holds (contradiction); then it debits
// the payer card's allowance, credits the payee's account and records a
// 'settle' event. Any later sight of the same payment only marks which
// halves have arrived. Because every settled payment of a card agrees with
// its neighbours, a card's settled total never exceeds its allowance, and
// money is conserved.
import { equalBytes, type ChainRecord, type PaymentBody } from '../../../firmware/core/index.js';
import { E } from '../chain/events.js';
import { sha256 } from '../chain/hash.js';
import { hex, u8 } from '../codec.js';
import type { Context } from '../context.js';
import { certificateOf } from '../certs.js';
import { contradictionProof, equivocationProof, overspendProof, type FraudKind, type FraudProof } from '../fraud/proof.js';
import { recordFraud } from '../revoke.js';
import { cardInfo } from '../state.js';
import type { Sealed } from './request.js';

/** What the checks need of a stored payment (no blobs). */
export interface Known {
  payment_hash: Buffer;
  payer_seq: number;
  amount: number;
  spent_before: number;
  state: number;
}

export const SETTLED = 1;
export const PENDING = 0;

const KNOWN = 'payment_hash, payer_seq, amount, spent_before, state';

export const knownAt = (ctx: Context, payer: Uint8Array, seq: number): Known | undefined =>
  ctx.q(`SELECT ${KNOWN} FROM settlements WHERE payer = ? AND payer_seq = ?`).get(payer, seq) as Known | undefined;

/** The stored payment just before / after `seq` of this payer. */
export const knownBefore = (ctx: Context, payer: Uint8Array, seq: number): Known | undefined =>
  ctx.q(`SELECT ${KNOWN} FROM settlements WHERE payer = ? AND payer_seq < ? ORDER BY payer_seq DESC LIMIT 1`).get(payer, seq) as Known | undefined;
export const knownAfter = (ctx: Context, payer: Uint8Array, seq: number): Known | undefined =>
  ctx.q(`SELECT ${KNOWN} FROM settlements WHERE payer = ? AND payer_seq > ? ORDER BY payer_seq LIMIT 1`).get(payer, seq) as Known | undefined;

/** Records that the payee's half (its receipt, record payeeSeq of its chain) has arrived. */
export function recordReceipt(ctx: Context, payer: Uint8Array, payerSeq: number, payee: Uint8Array, payeeSeq: number): void {
  ctx.q('INSERT OR IGNORE INTO receipts (payee, payer, payer_seq, payee_seq) VALUES (?, ?, ?, ?)').run(payee, payer, payerSeq, payeeSeq);
}

/** Whether each half of the payment (payer, seq) to payee has arrived. */
export function halvesOf(ctx: Context, payer: Uint8Array, seq: number, payee: Uint8Array): { payerHalf: boolean; payeeHalf: boolean } {
  const head = (ctx.q('SELECT head_seq FROM cards WHERE id = ?').get(payer) as { head_seq: number } | undefined)?.head_seq ?? 0;
  return { payerHalf: head >= seq, payeeHalf: ctx.q('SELECT 1 FROM receipts WHERE payee = ? AND payer = ? AND payer_seq = ?').get(payee, payer, seq) !== undefined };
}

/** A stored payment as the sealed record it arrived as (for fraud proofs). */
export function sealedPayment(ctx: Context, payer: Uint8Array, seq: number): ChainRecord {
  const r = ctx.q('SELECT body, signature FROM settlements WHERE payer = ? AND payer_seq = ?').get(payer, seq) as { body: Buffer; signature: Buffer };
  return { body: u8(r.body), signature: u8(r.signature) };
}

export const sealedOf = (r: { body: Buffer; signature: Buffer | null }): ChainRecord => ({ body: u8(r.body), signature: r.signature ? u8(r.signature) : undefined });

export type Verdict = { ok: true } | { ok: false; fraud?: { id: number; kind: FraudKind }; reason: string };

const OK: Verdict = { ok: true };

export function fraud(ctx: Context, proof: FraudProof): Verdict & { ok: false } {
  return { ok: false, fraud: { id: recordFraud(ctx, proof), kind: proof.kind }, reason: proof.kind };
}

/** Any certificate of the card: the newest (it carries the same signing key as all). */
export const anyCert = (ctx: Context, card: Uint8Array): Uint8Array => u8(certificateOf(ctx, card)!.bytes);

/** Allowance of certificate `serial` of a card (certificates never change: cached). */
export function allowanceOf(ctx: Context, card: Uint8Array, serial: number): number | undefined {
  const k = `${hex(card)}:${serial}`;
  let a = ctx.allowances.get(k);
  if (a === undefined) {
    a = (ctx.q('SELECT allowance FROM certificates WHERE card = ? AND serial = ?').get(card, serial) as { allowance: number } | undefined)?.allowance;
    if (a !== undefined) ctx.allowances.set(k, a);
  }
  return a;
}

/**
 * Checks a payment new to the authority against its certificate and the
 * payer's stored neighbours (`pred`/`succ`: just before and after it).
 */
export function checkNewPayment(ctx: Context, p: Sealed<PaymentBody>, pred: Known | undefined, succ: Known | undefined): Verdict | 'unknown certificate' {
  const b = p.body;
  const allowance = allowanceOf(ctx, b.card, b.certSerial);
  if (allowance === undefined) return 'unknown certificate';
  if (b.currency !== cardInfo(ctx, b.card)!.currency || b.spentBefore + b.amount > allowance) {
    return fraud(ctx, overspendProof({ card: b.card, certificate: u8(certificateOf(ctx, b.card, b.certSerial)!.bytes), payment: p.rec }));
  }
  if (pred && pred.spent_before + pred.amount > b.spentBefore) {
    return fraud(ctx, contradictionProof({ card: b.card, certificate: anyCert(ctx, b.card), first: sealedPayment(ctx, b.card, pred.payer_seq), last: p.rec }));
  }
  if (succ && b.spentBefore + b.amount > succ.spent_before) {
    return fraud(ctx, contradictionProof({ card: b.card, certificate: anyCert(ctx, b.card), first: p.rec, last: sealedPayment(ctx, b.card, succ.payer_seq) }));
  }
  return OK;
}

/**
 * Money that moves in one transaction, applied once at its end: account
 * credits and card debits summed per account and per card (one UPDATE each
 * instead of two per payment).
 */
export class Moves {
  private readonly credits = new Map<string, number>();
  private readonly debits = new Map<string, { id: Uint8Array; amount: number }>();
  credit(account: string, amount: number): void {
    this.credits.set(account, (this.credits.get(account) ?? 0) + amount);
  }
  debit(card: Uint8Array, amount: number): void {
    const k = hex(card);
    const d = this.debits.get(k);
    if (d) d.amount += amount;
    else this.debits.set(k, { id: card, amount });
  }
  flush(ctx: Context): void {
    for (const [account, amount] of this.credits) ctx.q('UPDATE accounts SET balance = balance + ? WHERE id = ?').run(amount, account);
    for (const { id, amount } of this.debits.values()) ctx.q('UPDATE cards SET settled_spent = settled_spent + ? WHERE id = ?').run(amount, id);
    this.credits.clear();
    this.debits.clear();
  }
}

/** Records the settlement and moves the money (a payee unknown to this authority: kept pending, nothing moves). */
export function settle(ctx: Context, moves: Moves, p: Sealed<PaymentBody>): number {
  const b = p.body;
  const payee = cardInfo(ctx, b.payee);
  ctx.q(
    `INSERT INTO settlements (payer, payer_seq, payment_hash, payee, amount, spent_before, cert_serial, body, signature, state)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(b.card, b.seq, p.hash, b.payee, b.amount, b.spentBefore, b.certSerial, p.rec.body, p.rec.signature!, payee ? SETTLED : PENDING);
  if (!payee) return PENDING;
  moves.credit(payee.account, b.amount);
  moves.debit(b.card, b.amount);
  const cbor = settleEvent(payee.account, p.rec);
  ctx.q('INSERT INTO events (hash, cbor) VALUES (?, ?)').run(sha256(cbor), cbor);
  return SETTLED;
}

/**
 * The 'settle' event's bytes, written directly (the hot path): the map
 * { 1: "settle", 2: payee account, 8: [payment body, signature] } in
 * deterministic CBOR, byte-identical to encodeEvent (a test checks it).
 */
export function settleEvent(account: string, payment: ChainRecord): Uint8Array {
  const body = payment.body;
  const bodyHead = body.length < 24 ? [0x40 | body.length] : body.length < 256 ? [0x58, body.length] : [0x59, body.length >> 8, body.length & 255];
  const sealedLen = 1 + bodyHead.length + body.length + 2 + 64;
  const sealedHead = sealedLen < 256 ? [0x58, sealedLen] : [0x59, sealedLen >> 8, sealedLen & 255];
  const accountHead = account.length < 24 ? [0x60 | account.length] : [0x78, account.length];
  const out = new Uint8Array(1 + 1 + 7 + 1 + accountHead.length + account.length + 1 + sealedHead.length + sealedLen);
  let o = 0;
  const put = (xs: ArrayLike<number>): void => {
    out.set(xs, o);
    o += xs.length;
  };
  put([0xa3, E.type, 0x66, 0x73, 0x65, 0x74, 0x74, 0x6c, 0x65]); // 1: "settle"
  put([E.account, ...accountHead]);
  for (let i = 0; i < account.length; i++) out[o++] = account.charCodeAt(i);
  put([E.payment, ...sealedHead, 0x82, ...bodyHead]);
  put(body);
  put([0x58, 64]);
  put(payment.signature!);
  return out;
}

/**
 * The equivocation proof for a signed record `a` that differs from what the
 * card's stored chain holds at the same place: the stored record itself when
 * it is signed, else the stored bodies up to the card's next signed record
 * (which pins them); null when no signed record pins the place yet.
 */
export function equivocationAt(ctx: Context, card: Uint8Array, seq: number, a: ChainRecord): FraudProof | null {
  const at = ctx.q('SELECT body, signature FROM ledger WHERE card = ? AND seq = ?').get(card, seq) as { body: Buffer; signature: Buffer | null } | undefined;
  if (!at || equalBytes(at.body, a.body)) return null;
  const certificate = anyCert(ctx, card);
  if (at.signature) return equivocationProof({ card, certificate, a, b: sealedOf(at) });
  const pin = ctx.q('SELECT seq, body, signature FROM ledger WHERE card = ? AND seq > ? AND signature IS NOT NULL ORDER BY seq LIMIT 1').get(card, seq) as
    | { seq: number; body: Buffer; signature: Buffer }
    | undefined;
  if (!pin) return null;
  const link = (ctx.q('SELECT body FROM ledger WHERE card = ? AND seq >= ? AND seq < ? ORDER BY seq').all(card, seq, pin.seq) as { body: Buffer }[]).map((r) => u8(r.body));
  return equivocationProof({ card, certificate, a, b: sealedOf(pin), link });
}
