// Read-only views: health, the authority's public facts, balances, a card's
// settled history, fraud proofs, totals.
import { decodeRecordBody, decodeSealedRecord, Kind } from '../../firmware/core/index.js';
import { sha256 } from './chain/hash.js';
import { b64, hex, u8 } from './codec.js';
import { halvesOf, PENDING } from './sync/settle.js';
import type { Context } from './context.js';
import { chainTip, pendingEvents } from './chain/blocks.js';
import { certificateOf } from './certs.js';
import { epochNote } from './epoch.js';
import { refuse } from './fail.js';
import { revocationList } from './revoke.js';
import { currentEpoch, requireCard } from './state.js';

export function health(ctx: Context) {
  const tip = chainTip(ctx);
  return { ok: true, keyId: hex(ctx.keyId), epoch: currentEpoch(ctx), height: tip.height, pendingEvents: pendingEvents(ctx, tip) };
}

export function authorityInfo(ctx: Context) {
  return {
    publicKey: hex(ctx.signer.publicKey),
    keyId: hex(ctx.keyId),
    currency: ctx.options.currency,
    epoch: b64(epochNote(ctx).sealed.bytes),
    revocations: b64(revocationList(ctx).sealed.bytes),
  };
}

export function revocations(ctx: Context) {
  const list = revocationList(ctx);
  return { version: list.version, epoch: list.epoch, revoked: list.revoked.map(hex), sealed: b64(list.sealed.bytes) };
}

export function cardView(ctx: Context, id: Uint8Array) {
  const c = requireCard(ctx, id);
  return {
    card: hex(id),
    account: c.account,
    currency: c.currency,
    allowance: c.allowance,
    settledSpent: c.settled_spent,
    certSerial: c.cert_serial,
    certificate: b64(certificateOf(ctx, id)!.bytes),
    head: { seq: c.head_seq, hash: hex(c.head_hash) },
    chainSpent: c.chain_spent,
    chainReceived: c.chain_received,
    revoked: !!c.revoked,
  };
}

/**
 * The payments and receipts in the card's synced chain, in chain order after
 * seq `after`, each with its settlement state (settled, pending or rejected)
 * and which halves have arrived.
 */
export function history(ctx: Context, id: Uint8Array, after: number, limit: number) {
  requireCard(ctx, id);
  const rows = ctx
    .q('SELECT seq, kind, hash, body, attachment FROM ledger WHERE card = ? AND seq > ? AND kind IN (?, ?) ORDER BY seq LIMIT ?')
    .all(id, after, Kind.payment, Kind.receipt, limit) as { seq: number; kind: number; hash: Buffer; body: Buffer; attachment: Buffer | null }[];
  return {
    card: hex(id),
    records: rows.map((r) => {
      const payment = r.kind === Kind.payment ? decodeRecordBody(u8(r.body)) : decodeRecordBody(decodeSealedRecord(u8(r.attachment!)).body);
      if (payment.kind !== 'payment') throw new Error('ledger holds a receipt without its payment');
      const hash = r.kind === Kind.payment ? u8(r.hash) : sha256(decodeSealedRecord(u8(r.attachment!)).body);
      const s = ctx.q('SELECT payment_hash, state FROM settlements WHERE payer = ? AND payer_seq = ?').get(payment.card, payment.seq) as { payment_hash: Buffer; state: number } | undefined;
      const rejected = ctx.q('SELECT reason FROM rejected WHERE payment_hash = ?').get(hash) as { reason: string } | undefined;
      const state = s && s.payment_hash.equals(hash) ? (s.state === PENDING ? 'pending' : 'settled') : rejected ? 'rejected' : 'unknown';
      return {
        seq: r.seq,
        role: r.kind === Kind.payment ? 'payer' : 'payee',
        hash: hex(hash),
        payer: hex(payment.card),
        payerSeq: payment.seq,
        payee: hex(payment.payee),
        amount: payment.amount,
        state,
        ...(rejected ? { reason: rejected.reason } : {}),
        ...halvesOf(ctx, payment.card, payment.seq, payment.payee),
      };
    }),
  };
}

export function fraudProofs(ctx: Context, after: number, limit: number) {
  const rows = ctx.q('SELECT id, card, kind, created_ms FROM fraud_proofs WHERE id > ? ORDER BY id LIMIT ?').all(after, limit) as { id: number; card: Buffer; kind: string; created_ms: number }[];
  return { fraudProofs: rows.map((r) => ({ id: r.id, card: hex(r.card), kind: r.kind, createdMs: r.created_ms })) };
}

export function fraudProof(ctx: Context, id: number) {
  const r = ctx.q('SELECT id, card, kind, proof, created_ms FROM fraud_proofs WHERE id = ?').get(id) as { id: number; card: Buffer; kind: string; proof: string; created_ms: number } | undefined;
  if (!r) refuse(7004, `fraud proof ${id}`);
  return { id: r.id, card: hex(r.card), kind: r.kind, createdMs: r.created_ms, proof: JSON.parse(r.proof) as unknown };
}

/** Totals, and the conservation law they must satisfy. */
export function totals(ctx: Context) {
  const t = ctx
    .q(
      `SELECT (SELECT count(*) FROM accounts) AS accounts, (SELECT coalesce(sum(balance), 0) FROM accounts) AS balances,
              (SELECT count(*) FROM cards) AS cards, (SELECT coalesce(sum(allowance - settled_spent), 0) FROM cards) AS headroom,
              (SELECT coalesce(sum(amount), 0) FROM deposits) AS deposits, (SELECT count(*) FROM settlements WHERE state = 1) AS settlements,
              (SELECT count(*) FROM fraud_proofs) AS fraudProofs, (SELECT count(*) FROM revocations) AS revoked`,
    )
    .get() as { accounts: number; balances: number; cards: number; headroom: number; deposits: number; settlements: number; fraudProofs: number; revoked: number };
  return { ...t, conserved: t.balances + t.headroom === t.deposits };
}
