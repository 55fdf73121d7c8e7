// The payer's half: a payment in the uploading card's own chain.
import type { ChainRecord, PaymentBody } from '../../../firmware/core/index.js';
import { u8 } from '../codec.js';
import type { Context } from '../context.js';
import { refuse } from '../fail.js';
import { contradictionProof, equivocationProof } from '../fraud/proof.js';
import type { CardState, Outcome } from './apply.js';
import type { Sealed, Upload } from './request.js';
import { anyCert, checkNewPayment, fraud, sealedOf, settle, type Known, type Moves, type Verdict } from './settle.js';
import { status } from './status.js';

/** The payer's own half: a payment in the uploading card's chain (`known`: the same payment, brought by its payee first). */
export function payerPayment(ctx: Context, st: CardState, moves: Moves, u: Upload & Sealed<PaymentBody>, known: Known | undefined, out: Outcome): Verdict {
  const b = u.body;
  if (b.spentBefore !== st.chainSpent) return fraud(ctx, chainContradiction(ctx, st, u));
  if (known) {
    // Brought first by its payee: the payee's half is in.
    out.statuses.push(status(u.hash, 'payer', b.amount, known.state, true, true));
    return { ok: true };
  }
  const succ = st.ahead.find((s) => s.payer_seq > b.seq);
  const v = checkNewPayment(ctx, u, undefined, succ);
  if (v === 'unknown certificate') return refuse(7019, `records[${u.index}]: certificate serial ${b.certSerial}`);
  if (!v.ok) return v;
  const state = settle(ctx, moves, u);
  out.statuses.push(status(u.hash, 'payer', b.amount, state, true, false));
  return v;
}

/**
 * The card signed `a` (a payment a payee brought) at the place of news[i].
 * If news[i] is signed too, the two are the proof; otherwise the batch's
 * next signed record pins news[i] through the hash chain. No such record:
 * the upload is refused (it cannot be the chain of an honest card).
 */
export function pinnedInBatch(ctx: Context, card: Uint8Array, a: ChainRecord, news: Upload[], i: number) {
  const certificate = anyCert(ctx, card);
  const u = news[i]!;
  if (u.rec.signature) return equivocationProof({ card, certificate, a, b: u.rec });
  const pin = news.findIndex((x, j) => j > i && x.rec.signature !== undefined);
  if (pin < 0) return refuse(7015, `records[${u.index}] (seq ${u.body.seq}) is not the payment this card signed at that place`);
  return equivocationProof({ card, certificate, a, b: news[pin]!.rec, link: news.slice(i, pin).map((x) => x.rec.body) });
}

/** The payment's "spent before" disagrees with the chain: the proof is the chain since the previous payment. */
function chainContradiction(ctx: Context, st: CardState, u: Upload) {
  const from = st.lastPaymentSeq;
  const rows = ctx.q('SELECT seq, body, signature FROM ledger WHERE card = ? AND seq >= ? AND seq < ? ORDER BY seq').all(st.id, Math.max(from, 1), u.body.seq) as {
    seq: number; body: Buffer; signature: Buffer | null;
  }[];
  const first = from > 0 ? sealedOf(rows.shift()!) : undefined;
  return contradictionProof({ card: st.id, certificate: anyCert(ctx, st.id), first, last: u.rec, link: rows.map((r) => u8(r.body)) });
}
