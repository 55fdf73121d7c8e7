// Before anything is written: which uploaded records are already stored
// (byte-identical: nothing to do; different: a possible equivocation), where
// the new ones start, and which signatures must be checked. Signatures the
// authority has already checked (a payment it holds under the same hash and
// signature, a load it issued itself) are not checked again.
import { equalBytes } from '../../../firmware/core/index.js';
import { hex } from '../codec.js';
import type { Context } from '../context.js';
import { refuse } from '../fail.js';
import { cardInfo, requireCard, type CardRow } from '../state.js';
import type { SigJob } from '../verify/jobs.js';
import type { SyncRequest, Upload } from './request.js';

export interface Plan {
  card: CardRow;
  /** Index of the first upload beyond the stored head (uploads.length when none is). */
  firstNew: number;
  /** The first stored place where the upload differs (a signed record: equivocation). */
  differing?: Upload;
  jobs: SigJob[];
  /** For each job, the record and what it checks (for the error message). */
  jobWhat: string[];
}

export function planSync(ctx: Context, req: SyncRequest): Plan {
  const card = requireCard(ctx, req.card);
  if (card.revoked) refuse(7013, hex(req.card));
  const info = cardInfo(ctx, req.card)!;
  const plan: Plan = { card, firstNew: req.uploads.length, jobs: [], jobWhat: [] };
  const job = (u: Upload, what: string, j: SigJob): void => {
    plan.jobs.push(j);
    plan.jobWhat.push(`records[${u.index}]: ${what}`);
  };
  const ups = req.uploads;
  if (ups.length === 0) return plan;
  const first = ups[0]!.body.seq;
  if (first > card.head_seq + 1) refuse(7014, `records start at seq ${first}; the authority holds the chain up to seq ${card.head_seq}`);

  // Already stored: must be byte-identical.
  const overlap = Math.min(ups.length, card.head_seq - first + 1);
  if (overlap > 0) {
    const stored = ctx.q('SELECT seq, hash FROM ledger WHERE card = ? AND seq BETWEEN ? AND ? ORDER BY seq').all(req.card, first, first + overlap - 1) as { seq: number; hash: Buffer }[];
    for (let i = 0; i < overlap; i++) {
      const u = ups[i]!;
      if (equalBytes(stored[i]!.hash, u.hash)) continue;
      if (!u.rec.signature) refuse(7015, `records[${i}] (seq ${u.body.seq}) differs from the stored record`);
      plan.differing = u;
      job(u, `${u.body.kind} signature`, { key: info.signKey, tag: u.body.kind === 'payment' ? 'payment' : 'receipt', body: u.rec.body, signature: u.rec.signature });
      return plan; // nothing after an equivocation is applied
    }
  }
  plan.firstNew = Math.max(0, overlap);
  const next = ups[plan.firstNew];
  if (next && !equalBytes(next.body.prev, card.head_hash)) refuse(7014, `records[${plan.firstNew}].prev is not the hash of the stored record ${card.head_seq}`);

  for (let i = plan.firstNew; i < ups.length; i++) {
    const u = ups[i]!;
    const b = u.body;
    switch (b.kind) {
      case 'payment': {
        const known = signatureAt(ctx, req.card, b.seq, u.hash);
        if (!known || !equalBytes(known, u.rec.signature!)) job(u, 'payment signature', { key: info.signKey, tag: 'payment', body: u.rec.body, signature: u.rec.signature! });
        break;
      }
      case 'receipt': {
        job(u, 'receipt signature', { key: info.signKey, tag: 'receipt', body: u.rec.body, signature: u.rec.signature! });
        const p = u.payment!;
        if (signatureAt(ctx, p.body.card, p.body.seq, p.hash)) break;
        const payer = cardInfo(ctx, p.body.card) ?? refuse(7007, `records[${i}]: payer ${hex(p.body.card)}`);
        job(u, "the attached payment's signature", { key: payer.signKey, tag: 'payment', body: p.rec.body, signature: p.rec.signature! });
        break;
      }
      case 'receiptIn': {
        const r = u.receipt!;
        const payee = cardInfo(ctx, r.body.card);
        if (payee) job(u, "the payee's receipt signature", { key: payee.signKey, tag: 'receipt', body: r.rec.body, signature: r.rec.signature! });
        break;
      }
      case 'ack':
        job(u, "the acknowledgement's signature", { key: ctx.signer.publicKey, tag: 'ack', body: u.ack!.sealed.body, signature: u.ack!.sealed.signature });
        break;
      default: // load: compared byte for byte with the load the authority issued
    }
  }
  return plan;
}

/** The stored signature of the payment at (payer, seq) if it is the payment with this hash. */
function signatureAt(ctx: Context, payer: Uint8Array, seq: number, hash: Uint8Array): Buffer | undefined {
  const r = ctx.q('SELECT payment_hash, signature FROM settlements WHERE payer = ? AND payer_seq = ?').get(payer, seq) as { payment_hash: Buffer; signature: Buffer } | undefined;
  return r && equalBytes(r.payment_hash, hash) ? r.signature : undefined;
}

/** Refuses the request (2001, naming the record) if any signature failed. */
export function checkSignatures(plan: Plan, ok: readonly boolean[]): void {
  const bad = ok.indexOf(false);
  if (bad >= 0) refuse(2001, plan.jobWhat[bad]);
}
