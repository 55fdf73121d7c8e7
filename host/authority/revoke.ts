// Fraud ends in revocation: the proof is stored, the card revoked, the
// revocation list's version goes up, and a 'revoke' event enters the chain.
// The signed list carries the newest revoked cards whose certificates have
// not yet expired (a card whose certificates all expired cannot pay anyway),
// at most REVOCATIONS_MAX of them (the list travels in a Noise handshake).
import { issueRevocations, REVOCATIONS_MAX, type Revocations } from '../../firmware/core/index.js';
import { appendEvent } from './chain/events.js';
import { hex } from './codec.js';
import type { Context } from './context.js';
import { proofHash, proofText, type FraudProof } from './fraud/proof.js';
import { currentEpoch, revocationVersion, setMeta } from './state.js';

/** Stores the proof and revokes its card (inside the caller's transaction); returns the proof's id. */
export function recordFraud(ctx: Context, proof: FraudProof): number {
  const hash = proofHash(proof);
  const known = ctx.q('SELECT id FROM fraud_proofs WHERE hash = ?').get(hash) as { id: number } | undefined;
  const card = Buffer.from(proof.card, 'hex');
  const id =
    known?.id ??
    Number(ctx.q('INSERT INTO fraud_proofs (card, kind, proof, hash, created_ms) VALUES (?, ?, ?, ?, ?)').run(card, proof.kind, proofText(proof), hash, ctx.now()).lastInsertRowid);
  const revoked = ctx.q('SELECT revoked FROM cards WHERE id = ?').get(card) as { revoked: number } | undefined;
  if (revoked && !revoked.revoked) {
    const version = revocationVersion(ctx) + 1;
    setMeta(ctx, 'revocation_version', version);
    ctx.q('INSERT INTO revocations (card, version, fraud_proof, epoch, created_ms) VALUES (?, ?, ?, ?, ?)').run(card, version, id, currentEpoch(ctx), ctx.now());
    ctx.q('UPDATE cards SET revoked = 1 WHERE id = ?').run(card);
    appendEvent(ctx, { type: 'revoke', card: new Uint8Array(card), fraudKind: proof.kind, proof: hash, version });
    ctx.notes.revocations = undefined;
    ctx.options.log(`revoked card ${hex(card)} (${proof.kind}, fraud proof ${id})`);
  }
  return id;
}

/** The current signed revocation list (rebuilt when the version or the epoch changes). */
export function revocationList(ctx: Context): Revocations {
  const version = revocationVersion(ctx);
  const epoch = currentEpoch(ctx);
  const cached = ctx.notes.revocations;
  if (cached && cached.version === version && cached.epoch === epoch) return cached;
  const rows = ctx
    .q(
      `SELECT r.card AS card FROM revocations r
       WHERE (SELECT max(epoch_to) FROM certificates c WHERE c.card = r.card) >= ?
       ORDER BY r.version DESC LIMIT ?`,
    )
    .all(epoch, REVOCATIONS_MAX) as { card: Buffer }[];
  const list = issueRevocations(ctx.signer, version, epoch, rows.map((r) => new Uint8Array(r.card)));
  ctx.notes.revocations = list;
  return list;
}
