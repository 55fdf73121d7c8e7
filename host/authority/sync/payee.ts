// The payee's half: a receipt in the uploading card's chain, with the
// payer's sealed payment attached. Fraud found here is the payer's.
import { equalBytes, type PaymentBody } from '../../../firmware/core/index.js';
import type { Context } from '../context.js';
import { equivocationProof } from '../fraud/proof.js';
import type { Outcome } from './apply.js';
import type { Sealed, Upload } from './request.js';
import {
  anyCert,
  checkNewPayment,
  equivocationAt,
  fraud,
  halvesOf,
  knownAfter,
  knownAt,
  knownBefore,
  recordReceipt,
  sealedPayment,
  settle,
  type Known,
  type Moves,
  type Verdict,
} from './settle.js';
import { rejected, status } from './status.js';

/** The payee's half: a receipt in the uploading card's chain, with the payer's sealed payment attached. */
export function payeeReceipt(ctx: Context, moves: Moves, u: Upload, out: Outcome): void {
  const p = u.payment!;
  const b = p.body;
  const known = knownAt(ctx, b.card, b.seq);
  if (known && equalBytes(known.payment_hash, p.hash)) {
    recordReceipt(ctx, b.card, b.seq, u.body.card, u.body.seq);
    out.statuses.push(status(p.hash, 'payee', b.amount, known.state, halvesOf(ctx, b.card, b.seq, b.payee).payerHalf, true));
    return;
  }
  const before = ctx.q('SELECT reason FROM rejected WHERE payment_hash = ?').get(p.hash) as { reason: string } | undefined;
  if (before) {
    out.statuses.push(rejected(p.hash, 'payee', b.amount, before.reason));
    return;
  }
  const v = payeeFirst(ctx, p, known);
  if (v.ok) {
    const state = settle(ctx, moves, p);
    recordReceipt(ctx, b.card, b.seq, u.body.card, u.body.seq);
    out.statuses.push(status(p.hash, 'payee', b.amount, state, false, true));
  } else {
    ctx.q('INSERT INTO rejected (payment_hash, payer, payer_seq, payee, amount, reason, fraud_proof) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      p.hash, b.card, b.seq, b.payee, b.amount, v.reason, v.fraud?.id ?? null,
    );
    out.statuses.push(rejected(p.hash, 'payee', b.amount, v.reason));
  }
}

/** A payment the authority first learns of from its payee (`at`: another payment stored at its place). */
function payeeFirst(ctx: Context, p: Sealed<PaymentBody>, at: Known | undefined): Verdict {
  const b = p.body;
  if (at) return fraud(ctx, equivocationProof({ card: b.card, certificate: anyCert(ctx, b.card), a: sealedPayment(ctx, b.card, b.seq), b: p.rec }));
  const head = ctx.q('SELECT head_seq FROM cards WHERE id = ?').get(b.card) as { head_seq: number };
  if (b.seq <= head.head_seq) {
    // The payer's chain already holds something else at this place.
    const proof = equivocationAt(ctx, b.card, b.seq, p.rec);
    return proof ? fraud(ctx, proof) : { ok: false, reason: "conflicts with the payer's chain" };
  }
  const v = checkNewPayment(ctx, p, knownBefore(ctx, b.card, b.seq), knownAfter(ctx, b.card, b.seq));
  return v === 'unknown certificate' ? { ok: false, reason: v } : v;
}
