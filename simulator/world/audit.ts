// The audit after a run: value conservation across every card's ledger and
// the authority's books.
import type { EmbeddedAuthority } from './authority.js';
import { totals } from '../../host/authority/reads.js';
import type { SimCard } from './scenario.js';

export interface Audit {
  checks: { name: string; ok: boolean; detail: string }[];
  deposits: number;
  loads: number;
  accountBalances: number;
  cardHeadroom: number;
  settled: { count: number; amount: number };
  rejected: { count: number; amount: number };
  fraudLoss: number;
}

/**
 * Value conservation across every card's ledger and the authority's books,
 * after the final sync. The authority's numbers are read from its database
 * (read-only queries; host/authority/reads.ts has no API for rejected
 * payments or per-account credits).
 */
export async function auditWorld(
  a: EmbeddedAuthority,
  cards: SimCard[],
  credited: Map<string, { amount: number; payer: number; payee: number }>,
  completedBy: Map<string, number>,
): Promise<Audit> {
  const db = a.authority.ctx.db;
  const checks: Audit['checks'] = [];
  const check = (name: string, ok: boolean, detail: string): void => void checks.push({ name, ok, detail });
  const one = <T>(sql: string): T => db.prepare(sql).get() as T;
  const all = <T>(sql: string): T[] => db.prepare(sql).all() as T[];
  const hex = (b: Buffer): string => b.toString('hex');

  const t = totals(a.authority.ctx);
  const loads = one<{ n: number }>('SELECT coalesce(sum(amount), 0) AS n FROM loads').n;
  const settled = one<{ c: number; n: number }>('SELECT count(*) AS c, coalesce(sum(amount), 0) AS n FROM settlements WHERE state = 1');
  const rejected = one<{ c: number; n: number }>('SELECT count(*) AS c, coalesce(sum(amount), 0) AS n FROM rejected');
  const spent = one<{ n: number }>('SELECT coalesce(sum(settled_spent), 0) AS n FROM cards').n;
  check('authority books: account balances + card headroom = deposits', t.conserved, `${t.balances} + ${t.headroom} vs ${t.deposits}`);
  check('every settled payment debits its payer card and credits its payee account', settled.n === spent, `credits ${settled.n}, debits ${spent}`);

  // Per account: balance = deposits - loads + settled credits to its cards.
  const dep = new Map(all<{ account: string; n: number }>('SELECT account, sum(amount) AS n FROM deposits GROUP BY account').map((r) => [r.account, r.n]));
  const lod = new Map(all<{ account: string; n: number }>('SELECT c.account AS account, sum(l.amount) AS n FROM loads l JOIN cards c ON c.id = l.card GROUP BY c.account').map((r) => [r.account, r.n]));
  const cre = new Map(all<{ account: string; n: number }>('SELECT c.account AS account, sum(s.amount) AS n FROM settlements s JOIN cards c ON c.id = s.payee WHERE s.state = 1 GROUP BY c.account').map((r) => [r.account, r.n]));
  const bad: string[] = [];
  for (const r of all<{ id: string; balance: number }>('SELECT id, balance FROM accounts')) {
    const expect = (dep.get(r.id) ?? 0) - (lod.get(r.id) ?? 0) + (cre.get(r.id) ?? 0);
    if (expect !== r.balance) bad.push(`${r.id}: ${r.balance} != ${expect}`);
  }
  check('each account = its deposits - its loads + payments settled to its cards', bad.length === 0, bad.slice(0, 3).join('; ') || `${dep.size} accounts`);

  // Each card: offline spending never beyond its allowance; honest cards agree with the authority.
  const rows = new Map(
    all<{ id: Buffer; allowance: number; settled_spent: number; chain_spent: number; chain_received: number; head_seq: number; revoked: number }>(
      'SELECT id, allowance, settled_spent, chain_spent, chain_received, head_seq, revoked FROM cards',
    ).map((r) => [hex(r.id), r]),
  );
  const over = [...rows.values()].filter((r) => r.settled_spent > r.allowance);
  check("no card's settled spending exceeds its allowance", over.length === 0, over.length ? `${over.length} cards over` : `${rows.size} cards`);
  const disagree: string[] = [];
  let honestCards = 0;
  for (const c of cards) {
    if (c.fraud || c.retired) continue;
    honestCards++;
    const r = rows.get(c.id);
    const s = await c.driver.status();
    if (!r || !s) {
      disagree.push(`${c.name}: missing`);
      continue;
    }
    if (r.head_seq !== s.seq || r.chain_spent !== s.spent || r.chain_received !== s.received || r.settled_spent !== r.chain_spent) {
      disagree.push(`${c.name}: card seq ${s.seq} spent ${s.spent} received ${s.received}; authority seq ${r.head_seq} spent ${r.chain_spent}/${r.settled_spent} received ${r.chain_received}`);
    }
  }
  check("every honest card's ledger equals the authority's copy (head, spent, received, all settled)", disagree.length === 0, disagree.slice(0, 3).join('; ') || `${honestCards} cards`);

  // Every payment a payee credited offline is settled, or rejected as a double spend.
  const settledHashes = new Set(all<{ h: Buffer }>('SELECT payment_hash AS h FROM settlements WHERE state = 1').map((r) => hex(r.h)));
  const rejectedHashes = new Map(all<{ h: Buffer; amount: number }>('SELECT payment_hash AS h, amount FROM rejected').map((r) => [hex(r.h), r.amount]));
  let lost = 0;
  let fraudLoss = 0;
  const lostList: string[] = [];
  let unreachable = 0;
  for (const [h, v] of credited) {
    if (settledHashes.has(h)) continue;
    // Between two cards that can no longer sync (revoked: a clone, or a cloned card's owner), a
    // payment never reaches the authority: neither half can be uploaded. It moves no money.
    if (cards[v.payee]!.retired && (cards[v.payer]!.retired || cards[v.payer]!.fraud)) {
      unreachable++;
      continue;
    }
    // A cloned card's payments (the clone's, or the owner's at sequence numbers the clone used first).
    if (rejectedHashes.has(h) && cards[v.payer]!.fraud) {
      fraudLoss += v.amount;
      continue;
    }
    lost++;
    if (lostList.length < 3) lostList.push(h.slice(0, 16));
  }
  check(
    "every payment credited offline is settled (or rejected as part of a cloned card's double spend)",
    lost === 0,
    lost ? `${lost} not settled: ${lostList.join(', ')}` : `${credited.size} credits${unreachable ? `, ${unreachable} between revoked cards` : ''}`,
  );
  let unsettled = 0;
  let honestPayments = 0;
  for (const [h, payer] of completedBy) {
    if (cards[payer]!.fraud) continue;
    honestPayments++;
    if (!settledHashes.has(h)) unsettled++;
  }
  check('every payment a never-cloned card completed is settled', unsettled === 0, `${unsettled} of ${honestPayments} not settled`);
  return {
    checks,
    deposits: t.deposits,
    loads,
    accountBalances: t.balances,
    cardHeadroom: t.headroom,
    settled: { count: settled.c, amount: settled.n },
    rejected: { count: rejected.c, amount: rejected.n },
    fraudLoss,
  };
}

