// Writes a planned, signature-checked sync: record by record, in order, in
// one transaction (or one per record in the naive benchmark baseline). A
// coded refusal rolls everything back; fraud by the uploading card stops at
// the offending record, keeps what came before it and the fraud proof, and
// revokes the card. Fraud by a payer found through a payee's receipt revokes
// the payer and leaves the payee's sync going.
import { equalBytes, Kind, ZERO_HASH, type PaymentBody } from '../../../firmware/core/index.js';
import { sealBlocks } from '../chain/blocks.js';
import { renewIfDue } from '../certs.js';
import { u8 } from '../codec.js';
import type { Context } from '../context.js';
import { refuse } from '../fail.js';
import type { FraudKind } from '../fraud/proof.js';
import { payeeReceipt } from './payee.js';
import { payerPayment, pinnedInBatch } from './payer.js';
import type { Plan } from './plan.js';
import type { PaymentStatus } from './reply.js';
import type { Sealed, SyncRequest, Upload } from './request.js';
import { equivocationAt, fraud, halvesOf, knownAt, Moves, sealedPayment, type Known } from './settle.js';
import { rejected, status } from './status.js';

/** A receipt-in must follow its payment within this many records (the receipt comes back in the same session). */
export const RECEIPT_IN_WINDOW = 1024;

export interface Outcome {
  /** New records stored. */
  accepted: number;
  /** Set when the upload proved the card's own fraud. */
  fraud?: { id: number; kind: FraudKind };
  /** Status of the payments this sync touched. */
  statuses: PaymentStatus[];
}

/** The uploading card's chain state while its records are applied. */
export interface CardState {
  id: Uint8Array;
  headSeq: number;
  headHash: Uint8Array;
  chainSpent: number;
  chainReceived: number;
  lastPaymentSeq: number;
  loadsRecorded: number;
  ackRecorded: number;
  /** This card's payments that arrived through payees first, beyond the head, by seq. */
  ahead: Known[];
}

export function applySync(ctx: Context, req: SyncRequest, plan: Plan): Outcome {
  const out: Outcome = { accepted: 0, statuses: [] };
  const run = <T>(fn: () => T): T => ctx.db.transaction(fn).immediate();
  if (plan.differing) {
    run(() => equivocation(ctx, req.card, plan.differing!, out));
    return out;
  }
  const news = req.uploads.slice(plan.firstNew);
  const moves = new Moves();
  let st: CardState;
  const step = (i: number): boolean => {
    const ok = applyOne(ctx, st, moves, news, i, out);
    if (ok) out.accepted++;
    return ok;
  };
  const end = (): void => {
    flush(ctx, st);
    moves.flush(ctx);
  };
  if (ctx.options.transaction === 'record') {
    st = run(() => loadState(ctx, req.card));
    for (let i = 0; i < news.length; i++) {
      if (!run(() => {
        const ok = step(i);
        end();
        return ok;
      })) break;
    }
    run(() => finish(ctx, req.card));
  } else {
    run(() => {
      st = loadState(ctx, req.card);
      for (let i = 0; i < news.length; i++) if (!step(i)) break;
      end();
      finish(ctx, req.card);
    });
  }
  return out;
}

function loadState(ctx: Context, id: Uint8Array): CardState {
  const c = ctx.q('SELECT * FROM cards WHERE id = ?').get(id) as {
    revoked: number; head_seq: number; head_hash: Buffer; chain_spent: number; chain_received: number;
    last_payment_seq: number; loads_recorded: number; ack_recorded: number;
  };
  if (c.revoked) refuse(7013, 'revoked while this sync was being checked');
  return {
    id,
    headSeq: c.head_seq,
    headHash: u8(c.head_hash),
    chainSpent: c.chain_spent,
    chainReceived: c.chain_received,
    lastPaymentSeq: c.last_payment_seq,
    loadsRecorded: c.loads_recorded,
    ackRecorded: c.ack_recorded,
    ahead: ctx
      .q('SELECT payment_hash, payer_seq, amount, spent_before, state FROM settlements WHERE payer = ? AND payer_seq > ? ORDER BY payer_seq')
      .all(id, c.head_seq) as Known[],
  };
}

function flush(ctx: Context, st: CardState): void {
  ctx.q(
    `UPDATE cards SET head_seq = ?, head_hash = ?, chain_spent = ?, chain_received = ?, last_payment_seq = ?, loads_recorded = ?, ack_recorded = ?
     WHERE id = ?`,
  ).run(st.headSeq, st.headHash, st.chainSpent, st.chainReceived, st.lastPaymentSeq, st.loadsRecorded, st.ackRecorded, st.id);
}

/** After the records: renew the certificate if due, seal full blocks. */
function finish(ctx: Context, card: Uint8Array): void {
  renewIfDue(ctx, card);
  sealBlocks(ctx, false);
}

function equivocation(ctx: Context, card: Uint8Array, u: Upload, out: Outcome): void {
  const proof = equivocationAt(ctx, card, u.body.seq, u.rec);
  if (!proof) refuse(7015, `records[${u.index}] (seq ${u.body.seq}) differs from the stored record, which no signed record pins yet`);
  out.fraud = fraud(ctx, proof).fraud;
}

/** Applies one new record; false when it proved the card's fraud (nothing after it is applied). */
function applyOne(ctx: Context, st: CardState, moves: Moves, news: Upload[], i: number, out: Outcome): boolean {
  const u = news[i]!;
  const b = u.body;
  // A payment of this card that a payee brought first, at this very place.
  while (st.ahead.length > 0 && st.ahead[0]!.payer_seq < b.seq) st.ahead.shift();
  const atSeq = st.ahead[0]?.payer_seq === b.seq ? st.ahead[0] : undefined;
  if (atSeq && !equalBytes(atSeq.payment_hash, u.hash)) {
    const v = fraud(ctx, pinnedInBatch(ctx, st.id, sealedPayment(ctx, st.id, b.seq), news, i));
    if (b.kind === 'payment') out.statuses.push(rejected(u.hash, 'payer', b.amount, v.reason));
    out.fraud = v.fraud;
    return false;
  }
  switch (b.kind) {
    case 'payment': {
      const v = payerPayment(ctx, st, moves, u as Upload & Sealed<PaymentBody>, atSeq, out);
      if (!v.ok) {
        out.statuses.push(rejected(u.hash, 'payer', b.amount, v.reason));
        out.fraud = v.fraud;
        return false;
      }
      st.chainSpent += b.amount;
      st.lastPaymentSeq = b.seq;
      break;
    }
    case 'receipt':
      payeeReceipt(ctx, moves, u, out);
      st.chainReceived += b.amount;
      break;
    case 'receiptIn': {
      const at = ctx.q('SELECT seq FROM ledger WHERE card = ? AND seq >= ? AND seq < ? AND kind = ? AND hash = ?').get(st.id, b.seq - RECEIPT_IN_WINDOW, b.seq, Kind.payment, b.paymentHash) as
        | { seq: number }
        | undefined;
      const k = at && knownAt(ctx, st.id, at.seq);
      if (!k) refuse(7017, `records[${u.index}]: the receipt answers no payment among this card's last ${RECEIPT_IN_WINDOW} records`);
      out.statuses.push(status(b.paymentHash, 'payer', k.amount, k.state, true, halvesOf(ctx, st.id, at.seq, u.receipt!.body.card).payeeHalf));
      break;
    }
    case 'load': {
      const l = u.load!;
      if (l.serial !== st.loadsRecorded + 1) refuse(7018, `records[${u.index}]: load ${l.serial} after load ${st.loadsRecorded}`);
      const issued = ctx.q('SELECT sealed FROM loads WHERE card = ? AND serial = ?').get(st.id, l.serial) as { sealed: Buffer } | undefined;
      if (!issued || !equalBytes(issued.sealed, l.sealed.bytes)) refuse(7017, `records[${u.index}]: not a load this authority issued`);
      ctx.q('UPDATE loads SET recorded_seq = ? WHERE card = ? AND serial = ?').run(b.seq, st.id, l.serial);
      st.loadsRecorded = l.serial;
      break;
    }
    case 'ack': {
      const a = u.ack!;
      if (st.ackRecorded > 0 && a.seq <= st.ackRecorded) refuse(7018, `records[${u.index}]: acknowledgement of seq ${a.seq} after one of seq ${st.ackRecorded}`);
      const at = a.seq === 0 ? { hash: ZERO_HASH } : (ctx.q('SELECT hash FROM ledger WHERE card = ? AND seq = ?').get(st.id, a.seq) as { hash: Buffer } | undefined);
      if (!at || !equalBytes(at.hash, a.head)) refuse(7017, `records[${u.index}]: the acknowledgement names another head at seq ${a.seq}`);
      st.ackRecorded = a.seq;
      break;
    }
  }
  ctx.q('INSERT INTO ledger (card, seq, kind, hash, body, signature, attachment) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    st.id, b.seq, Kind[b.kind], u.hash, u.rec.body, u.rec.signature ?? null, u.rec.attachment ?? null,
  );
  st.headSeq = b.seq;
  st.headHash = u.hash;
  return true;
}

