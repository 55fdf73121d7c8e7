// A small world for end-to-end tests: accounts, enrolled cards, loads, and
// helpers to sync a card's chain and read totals.
import { strict as assert } from 'node:assert';
import type { Client, Answer } from './client.js';
import { TestCard, type RecordJson } from './card.js';

export interface World {
  client: Client;
  card(account: string, deposit?: number, load?: number): Promise<TestCard>;
  sync(card: TestCard, from?: number, to?: number, extra?: Record<string, unknown>): Promise<Answer>;
  syncRecords(card: TestCard, records: RecordJson[]): Promise<Answer>;
  totals(): Promise<Record<string, number | boolean>>;
  balance(account: string): Promise<number>;
}

export function world(client: Client): World {
  return {
    client,
    async card(account, deposit, load) {
      const opened = await client.post('/accounts', deposit === undefined ? { id: account } : { id: account, deposit });
      assert.equal(opened.status, 201, JSON.stringify(opened.json));
      const c = new TestCard();
      await c.enrol(client, account);
      if (load) await c.load(client, load);
      return c;
    },
    sync: (card, from = 1, to = card.seq, extra = {}) => client.post('/sync', { card: card.idHex, records: card.records(from, to), ...extra }),
    syncRecords: (card, records) => client.post('/sync', { card: card.idHex, records }),
    async totals() {
      return (await client.get('/totals')).json as Record<string, number | boolean>;
    },
    async balance(account) {
      return (await client.get(`/accounts/${account}`)).json.balance as number;
    },
  };
}

/** Expects a coded error answer. */
export function expectError(a: Answer, status: number, code: number): void {
  assert.equal(a.status, status, `expected ${status}/${code}, got ${a.status} ${JSON.stringify(a.json).slice(0, 300)}`);
  assert.equal(a.json.error?.code, code, JSON.stringify(a.json).slice(0, 300));
  assert.equal(typeof a.json.error?.message, 'string');
  assert.match(a.json.error.message as string, new RegExp(`^E${code} `));
}
