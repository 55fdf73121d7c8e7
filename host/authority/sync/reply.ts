// What a card gets back from a sync: the signed acknowledgement of the head
// the authority now holds, its current certificate (renewed when due), the
// loads it has not recorded yet, the epoch note and revocation list, and the
// settlement status of the payments the sync touched or the card asked about.
import { issueAck } from '../../../firmware/core/index.js';
import { b64, hex, u8 } from '../codec.js';
import type { Context } from '../context.js';
import { epochNote } from '../epoch.js';
import { STATUS_REPLY_MAX } from '../options.js';
import { revocationList } from '../revoke.js';
import { currentEpoch, requireCard } from '../state.js';
import { certificateOf } from '../certs.js';
import { halvesOf, PENDING } from './settle.js';

export interface PaymentStatus {
  /** The payment's hash; absent when the authority does not know the payment. */
  hash?: string;
  /** For answers to a status question: the payment asked about. */
  payer?: string;
  seq?: number;
  /** This card's side of the payment. */
  role?: 'payer' | 'payee';
  amount?: number;
  /** settled: money moved; pending: the payee is unknown here; rejected: fraud or conflict; unknown: never seen. */
  state: 'settled' | 'pending' | 'rejected' | 'unknown';
  /** The payer's chain holding the payment has been synced. */
  payerHalf?: boolean;
  /** The payee's chain holding its receipt has been synced. */
  payeeHalf?: boolean;
  reason?: string;
}

export interface SyncReply {
  card: string;
  accepted: number;
  head: { seq: number; hash: string };
  ack: string;
  certificate: string;
  loads: string[];
  epoch: string;
  revocations: string;
  payments: PaymentStatus[];
  paymentsTruncated?: true;
}

export function buildReply(ctx: Context, card: Uint8Array, accepted: number, touched: PaymentStatus[], asked: { payer: Uint8Array; seq: number }[]): SyncReply {
  const c = requireCard(ctx, card);
  const ack = issueAck(ctx.signer, { card, seq: c.head_seq, head: u8(c.head_hash), spent: c.chain_spent, received: c.chain_received, epoch: currentEpoch(ctx) });
  const loads = ctx.q('SELECT sealed FROM loads WHERE card = ? AND recorded_seq IS NULL ORDER BY serial').all(card) as { sealed: Buffer }[];
  const payments = touched.slice(-STATUS_REPLY_MAX);
  const truncated = touched.length > STATUS_REPLY_MAX || payments.length + asked.length > STATUS_REPLY_MAX;
  for (const q of asked) if (payments.length < STATUS_REPLY_MAX) payments.push(statusOf(ctx, card, q.payer, q.seq));
  return {
    card: hex(card),
    accepted,
    head: { seq: c.head_seq, hash: hex(c.head_hash) },
    ack: b64(ack.sealed.bytes),
    certificate: b64(certificateOf(ctx, card)!.bytes),
    loads: loads.map((l) => b64(l.sealed)),
    epoch: b64(epochNote(ctx).sealed.bytes),
    revocations: b64(revocationList(ctx).sealed.bytes),
    payments,
    ...(truncated ? { paymentsTruncated: true as const } : {}),
  };
}

function statusOf(ctx: Context, card: Uint8Array, payer: Uint8Array, seq: number): PaymentStatus {
  const s = ctx.q('SELECT payment_hash, payee, amount, state FROM settlements WHERE payer = ? AND payer_seq = ?').get(payer, seq) as
    | { payment_hash: Buffer; payee: Buffer; amount: number; state: number }
    | undefined;
  const role = Buffer.from(payer).equals(card) ? 'payer' : s?.payee.equals(card) ? 'payee' : undefined;
  if (!s || !role) return { payer: hex(payer), seq, state: 'unknown' };
  return { hash: hex(s.payment_hash), payer: hex(payer), seq, role, amount: s.amount, state: s.state === PENDING ? 'pending' : 'settled', ...halvesOf(ctx, payer, seq, s.payee) };
}
