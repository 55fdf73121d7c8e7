// Provisioning: a new card asks for a challenge, answers with its enrolment
// request (proving both of its keys, firmware/core/enrol.ts), and gets its
// first certificate (serial 1, allowance 0: loads raise it).
import { randomBytes } from 'node:crypto';
import { decodeEnrolment, enrolChallenge, equalBytes, verifyEnrolment, ZERO_HASH } from '../../firmware/core/index.js';
import { appendEvent } from './chain/events.js';
import { b64, hex, u8 } from './codec.js';
import type { Context } from './context.js';
import { issueCardCertificate, certificateOf } from './certs.js';
import { refuse } from './fail.js';
import { CHALLENGE_TTL_MS } from './options.js';

export function newChallenge(ctx: Context): { challenge: string; expiresMs: number } {
  const c = enrolChallenge((n) => u8(randomBytes(n)));
  const expiresMs = ctx.now() + CHALLENGE_TTL_MS;
  ctx.db.transaction(() => {
    ctx.q('DELETE FROM challenges WHERE expires_ms < ?').run(ctx.now());
    ctx.q('INSERT INTO challenges (challenge, secret, expires_ms) VALUES (?, ?, ?)').run(c.challenge, c.secret, expiresMs);
  })();
  return { challenge: b64(c.challenge), expiresMs };
}

export interface Enrolled {
  card: string;
  account: string;
  certificate: string;
}

export function enrolCard(ctx: Context, enrolment: Uint8Array): Enrolled {
  const req = decodeEnrolment(enrolment);
  return ctx.db.transaction(() => {
    const ch = ctx.q('SELECT secret FROM challenges WHERE challenge = ? AND expires_ms >= ?').get(req.challenge, ctx.now()) as { secret: Buffer } | undefined;
    if (!ch) refuse(7010);
    verifyEnrolment(req, u8(ch.secret));
    const account = ctx.q('SELECT currency FROM accounts WHERE id = ?').get(req.account) as { currency: string } | undefined;
    if (!account) refuse(7006, req.account);
    ctx.q('DELETE FROM challenges WHERE challenge = ?').run(req.challenge);
    const existing = ctx.q('SELECT account, dh_key FROM cards WHERE id = ?').get(req.cardId) as { account: string; dh_key: Buffer } | undefined;
    if (existing) {
      // Enrolling the same card again (a lost answer) returns its certificate.
      if (existing.account !== req.account || !equalBytes(existing.dh_key, req.dhKey)) refuse(7009, hex(req.cardId));
      return { card: hex(req.cardId), account: req.account, certificate: b64(certificateOf(ctx, req.cardId)!.bytes) };
    }
    ctx.q(
      'INSERT INTO cards (id, account, sign_key, dh_key, currency, allowance, cert_serial, head_hash, created_ms) VALUES (?, ?, ?, ?, ?, 0, 0, ?, ?)',
    ).run(req.cardId, req.account, req.signKey, req.dhKey, account.currency, ZERO_HASH, ctx.now());
    const subject = { id: req.cardId, signKey: req.signKey, dhKey: req.dhKey, account: req.account, currency: account.currency };
    const cert = issueCardCertificate(ctx, subject, 1, 0);
    appendEvent(ctx, { type: 'enrol', account: req.account, card: req.cardId, certificate: cert.bytes });
    return { card: hex(req.cardId), account: req.account, certificate: b64(cert.bytes) };
  }).immediate();
}
