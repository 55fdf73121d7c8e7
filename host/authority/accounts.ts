// Accounts: money in minor units. Opening one may bring an initial deposit
// (the bank's cash-in); later deposits add to it. A deposit with a reference
// is made once: the same reference again returns the first one.
import { ACCOUNT_PATTERN } from '../../firmware/core/index.js';
import { appendEvent } from './chain/events.js';
import type { Context } from './context.js';
import { refuse } from './fail.js';

export interface AccountView {
  id: string;
  currency: string;
  balance: number;
}

export const ACCOUNT_ID = ACCOUNT_PATTERN;
export const REFERENCE = /^[\x21-\x7e]{1,64}$/;

export function accountView(ctx: Context, id: string): AccountView {
  const a = ctx.q('SELECT id, currency, balance FROM accounts WHERE id = ?').get(id) as AccountView | undefined;
  return a ?? refuse(7006, id);
}

export function openAccount(ctx: Context, id: string, currency: string, deposit?: number): AccountView {
  if (currency !== ctx.options.currency) refuse(7012, `this authority keeps ${ctx.options.currency}, not ${currency}`);
  return ctx.db.transaction(() => {
    if (ctx.q('SELECT 1 FROM accounts WHERE id = ?').get(id)) refuse(7008, id);
    ctx.q('INSERT INTO accounts (id, currency, balance, created_ms) VALUES (?, ?, 0, ?)').run(id, currency, ctx.now());
    appendEvent(ctx, { type: 'account', account: id, currency });
    if (deposit !== undefined) addDeposit(ctx, id, deposit);
    return accountView(ctx, id);
  }).immediate();
}

export interface DepositView {
  id: number;
  account: string;
  amount: number;
  reference: string | null;
}

export function deposit(ctx: Context, account: string, amount: number, reference?: string): { deposit: DepositView; account: AccountView } {
  return ctx.db.transaction(() => {
    accountView(ctx, account);
    if (reference !== undefined) {
      const d = ctx.q('SELECT id, account, amount, reference FROM deposits WHERE account = ? AND reference = ?').get(account, reference) as DepositView | undefined;
      if (d) {
        if (d.amount !== amount) refuse(7002, `reference ${reference} was used for a deposit of ${d.amount}`);
        return { deposit: d, account: accountView(ctx, account) };
      }
    }
    const id = addDeposit(ctx, account, amount, reference);
    return { deposit: { id, account, amount, reference: reference ?? null }, account: accountView(ctx, account) };
  }).immediate();
}

function addDeposit(ctx: Context, account: string, amount: number, reference?: string): number {
  const bal = (ctx.q('SELECT balance FROM accounts WHERE id = ?').get(account) as { balance: number }).balance;
  if (!Number.isSafeInteger(bal + amount)) refuse(7002, 'the balance would exceed 2^53 - 1');
  const id = Number(ctx.q('INSERT INTO deposits (account, amount, reference, created_ms) VALUES (?, ?, ?, ?)').run(account, amount, reference ?? null, ctx.now()).lastInsertRowid);
  ctx.q('UPDATE accounts SET balance = balance + ? WHERE id = ?').run(amount, account);
  appendEvent(ctx, { type: 'deposit', account, amount });
  return id;
}
