// Loads move money from an account into a card's offline allowance: the
// account is debited, the card gets a certificate with the higher allowance
// and a signed load it records in its chain at the next sync (the sync reply
// carries loads not yet recorded). A load with a reference is made once.
import { AMOUNT_MAX, issueLoad } from '../../firmware/core/index.js';
import { appendEvent } from './chain/events.js';
import { b64, hex } from './codec.js';
import type { Context } from './context.js';
import { certificateOf, issueCardCertificate, subjectOf } from './certs.js';
import { refuse } from './fail.js';
import { currentEpoch, requireCard } from './state.js';

export interface LoadView {
  card: string;
  serial: number;
  amount: number;
  allowance: number;
  load: string;
  certificate: string;
}

export function loadCard(ctx: Context, card: Uint8Array, amount: number, reference?: string): LoadView {
  return ctx.db.transaction((): LoadView => {
    const c = requireCard(ctx, card);
    if (reference !== undefined) {
      const prior = ctx.q('SELECT serial, amount, allowance, sealed FROM loads WHERE card = ? AND reference = ?').get(card, reference) as
        | { serial: number; amount: number; allowance: number; sealed: Buffer }
        | undefined;
      if (prior) {
        if (prior.amount !== amount) refuse(7002, `reference ${reference} was used for a load of ${prior.amount}`);
        const cert = certificateOf(ctx, card)!;
        return { card: hex(card), serial: prior.serial, amount, allowance: prior.allowance, load: b64(prior.sealed), certificate: b64(cert.bytes) };
      }
    }
    if (c.revoked) refuse(7013, hex(card));
    const bal = (ctx.q('SELECT balance FROM accounts WHERE id = ?').get(c.account) as { balance: number }).balance;
    if (bal < amount) refuse(7011, `balance ${bal}, load ${amount}`);
    const allowance = c.allowance + amount;
    if (allowance > AMOUNT_MAX) refuse(7002, 'the allowance would exceed 2^48 - 1');
    ctx.q('UPDATE accounts SET balance = balance - ? WHERE id = ?').run(amount, c.account);
    const cert = issueCardCertificate(ctx, subjectOf(ctx, card), c.cert_serial + 1, allowance);
    const serial = ((ctx.q('SELECT max(serial) AS s FROM loads WHERE card = ?').get(card) as { s: number | null }).s ?? 0) + 1;
    const load = issueLoad(ctx.signer, { card, serial, amount, currency: c.currency, allowance, epoch: currentEpoch(ctx), cert });
    ctx.q('INSERT INTO loads (card, serial, amount, allowance, reference, sealed, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      card, serial, amount, allowance, reference ?? null, load.sealed.bytes, ctx.now(),
    );
    appendEvent(ctx, { type: 'load', account: c.account, card, amount, load: load.sealed.bytes });
    return { card: hex(card), serial, amount, allowance, load: b64(load.sealed.bytes), certificate: b64(cert.bytes) };
  }).immediate();
}
