// A card's certificates: serial 1 at enrolment, the next one at every load
// (a higher allowance) and at sync when the current one nears the end of its
// epoch range (same allowance, new range).
import { issueCertificate, type Certificate } from '../../firmware/core/index.js';
import { u8 } from './codec.js';
import type { Context } from './context.js';
import { currentEpoch } from './state.js';

export interface CertSubject {
  id: Uint8Array;
  signKey: Uint8Array;
  dhKey: Uint8Array;
  account: string;
  currency: string;
}

/** Issues and stores the card's certificate `serial` (inside the caller's transaction). */
export function issueCardCertificate(ctx: Context, card: CertSubject, serial: number, allowance: number): Certificate {
  const epoch = currentEpoch(ctx);
  // A renewed certificate keeps the start of the card's first one: peers that
  // have not synced since the epoch moved on must still accept it offline
  // (an earlier start grants nothing: the allowance is cumulative and the
  // highest serial supersedes). Only a card's first certificate starts now.
  const first = ctx.q('SELECT MIN(epoch_from) AS e FROM certificates WHERE card = ?').get(card.id) as { e: number | null } | undefined;
  const epochFrom = first?.e ?? epoch;
  const cert = issueCertificate(ctx.signer, {
    cardId: card.id,
    signKey: card.signKey,
    dhKey: card.dhKey,
    account: card.account,
    allowance,
    currency: card.currency,
    epochFrom,
    epochTo: epoch + ctx.options.certValidityEpochs,
    serial,
  });
  ctx.q('INSERT INTO certificates (card, serial, allowance, epoch_from, epoch_to, bytes) VALUES (?, ?, ?, ?, ?, ?)').run(
    card.id, serial, allowance, cert.epochFrom, cert.epochTo, cert.bytes,
  );
  ctx.q('UPDATE cards SET allowance = ?, cert_serial = ? WHERE id = ?').run(allowance, serial, card.id);
  return cert;
}

export function subjectOf(ctx: Context, id: Uint8Array): CertSubject {
  const r = ctx.q('SELECT id, sign_key, dh_key, account, currency FROM cards WHERE id = ?').get(id) as {
    id: Buffer; sign_key: Buffer; dh_key: Buffer; account: string; currency: string;
  };
  return { id: u8(r.id), signKey: u8(r.sign_key), dhKey: u8(r.dh_key), account: r.account, currency: r.currency };
}

export interface CertRow {
  serial: number;
  allowance: number;
  epoch_from: number;
  epoch_to: number;
  bytes: Buffer;
}

export function certificateOf(ctx: Context, card: Uint8Array, serial?: number): CertRow | undefined {
  return (
    serial === undefined
      ? ctx.q('SELECT serial, allowance, epoch_from, epoch_to, bytes FROM certificates WHERE card = ? ORDER BY serial DESC LIMIT 1').get(card)
      : ctx.q('SELECT serial, allowance, epoch_from, epoch_to, bytes FROM certificates WHERE card = ? AND serial = ?').get(card, serial)
  ) as CertRow | undefined;
}

/** Renews the current certificate when fewer than the margin's epochs remain; returns the current one. */
export function renewIfDue(ctx: Context, card: Uint8Array): CertRow {
  const cur = certificateOf(ctx, card)!;
  if (cur.epoch_to - currentEpoch(ctx) >= ctx.options.certRenewMarginEpochs) return cur;
  issueCardCertificate(ctx, subjectOf(ctx, card), cur.serial + 1, cur.allowance);
  return certificateOf(ctx, card)!;
}
