// What every part of the authority works with: the database, the key, the
// options, prepared statements and a few caches of things that never change
// (a card's keys and account) or change rarely (signed epoch note and
// revocation list, rebuilt when they do).
import type { KeyObject } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { EpochNote, Revocations } from '../../firmware/core/index.js';
import type { NativeSigner } from './keys.js';
import type { AuthorityOptions } from './options.js';
import type { Db } from './store/open.js';

/** A card's fixed facts: set at enrolment, never changed. */
export interface CardInfo {
  id: Uint8Array;
  account: string;
  signKey: Uint8Array;
  currency: string;
  keyObject?: KeyObject;
}

export interface Context {
  readonly db: Db;
  readonly signer: NativeSigner;
  readonly keyId: Uint8Array;
  readonly options: AuthorityOptions;
  /** Card facts by card id (hex). */
  readonly cards: Map<string, CardInfo>;
  /** Certificate allowances by "card hex:serial" (issued certificates never change). */
  readonly allowances: Map<string, number>;
  /** Signed statements rebuilt on change. */
  notes: { epoch?: EpochNote; revocations?: Revocations };
  now(): number;
  /** A prepared statement, prepared once per SQL text. */
  q(sql: string): Statement;
}

export function makeContext(db: Db, signer: NativeSigner, keyId: Uint8Array, options: AuthorityOptions): Context {
  const statements = new Map<string, Statement>();
  return {
    db,
    signer,
    keyId,
    options,
    cards: new Map(),
    allowances: new Map(),
    notes: {},
    now: () => Date.now(),
    q(sql: string): Statement {
      let s = statements.get(sql);
      if (!s) statements.set(sql, (s = db.prepare(sql)));
      return s;
    },
  };
}
