// `tally authority status`: what a database holds, read without the key.
import { hex } from './codec.js';
import type { Db } from './store/open.js';

export function authorityStatus(db: Db): Record<string, string | number | boolean> {
  const meta = new Map((db.prepare('SELECT key, value FROM meta').all() as { key: string; value: unknown }[]).map((r) => [r.key, r.value]));
  const one = (sql: string): number => Number((db.prepare(sql).get() as { n: number | null }).n ?? 0);
  const tip = db.prepare('SELECT height, hash, first_event + event_count - 1 AS last FROM blocks ORDER BY height DESC LIMIT 1').get() as
    | { height: number; hash: Buffer; last: number }
    | undefined;
  const balances = one('SELECT sum(balance) AS n FROM accounts');
  const headroom = one('SELECT sum(allowance - settled_spent) AS n FROM cards');
  const deposits = one('SELECT sum(amount) AS n FROM deposits');
  return {
    'authority key': String(meta.get('authority_public_key') ?? '(none)'),
    currency: String(meta.get('currency') ?? ''),
    epoch: Number(meta.get('epoch') ?? 0),
    'revocation list version': Number(meta.get('revocation_version') ?? 0),
    accounts: one('SELECT count(*) AS n FROM accounts'),
    cards: one('SELECT count(*) AS n FROM cards'),
    'revoked cards': one('SELECT count(*) AS n FROM revocations'),
    settlements: one('SELECT count(*) AS n FROM settlements WHERE state = 1'),
    'fraud proofs': one('SELECT count(*) AS n FROM fraud_proofs'),
    blocks: tip ? tip.height + 1 : 0,
    'chain head': tip ? hex(tip.hash) : '(empty)',
    'events waiting for a block': one('SELECT max(id) AS n FROM events') - (tip?.last ?? 0),
    'balances + card headroom = deposits': `${balances} + ${headroom} = ${deposits}: ${balances + headroom === deposits ? 'yes' : 'NO'}`,
  };
}
