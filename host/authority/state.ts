// Small pieces of authority state: the meta table (epoch, revocation list
// version, the authority's public key) and card rows.
import { refuse } from './fail.js';
import { hex, u8 } from './codec.js';
import type { CardInfo, Context } from './context.js';

export function getMeta(ctx: Context, key: string): number | string | Buffer | undefined {
  return (ctx.q('SELECT value FROM meta WHERE key = ?').get(key) as { value: number | string | Buffer } | undefined)?.value;
}

export function setMeta(ctx: Context, key: string, value: number | string | Uint8Array): void {
  ctx.q('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

export const currentEpoch = (ctx: Context): number => Number(getMeta(ctx, 'epoch') ?? 1);
export const revocationVersion = (ctx: Context): number => Number(getMeta(ctx, 'revocation_version') ?? 0);

/** The mutable part of a card's row. */
export interface CardRow {
  id: Buffer;
  account: string;
  sign_key: Buffer;
  currency: string;
  allowance: number;
  settled_spent: number;
  cert_serial: number;
  head_seq: number;
  head_hash: Buffer;
  chain_spent: number;
  chain_received: number;
  last_payment_seq: number;
  loads_recorded: number;
  ack_recorded: number;
  revoked: number;
}

export function cardRow(ctx: Context, id: Uint8Array): CardRow | undefined {
  return ctx.q('SELECT * FROM cards WHERE id = ?').get(id) as CardRow | undefined;
}

export function requireCard(ctx: Context, id: Uint8Array): CardRow {
  return cardRow(ctx, id) ?? refuse(7007, hex(id));
}

/** A card's fixed facts, cached; undefined for a card this authority never enrolled. */
export function cardInfo(ctx: Context, id: Uint8Array): CardInfo | undefined {
  const k = hex(id);
  let c = ctx.cards.get(k);
  if (!c) {
    const row = ctx.q('SELECT account, sign_key, currency FROM cards WHERE id = ?').get(id) as
      | { account: string; sign_key: Buffer; currency: string }
      | undefined;
    if (!row) return undefined;
    c = { id: Uint8Array.from(id), account: row.account, signKey: u8(row.sign_key), currency: row.currency };
    ctx.cards.set(k, c);
  }
  return c;
}
