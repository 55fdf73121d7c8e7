// Crash safety: the authority runs as a child process and is killed with
// SIGKILL at random moments during a large sync, over and over. After every
// restart the bridge re-sends from the last head it saw acknowledged. In the
// end no settlement is lost or applied twice, money is conserved, and the
// exported chain verifies from scratch.
import { strict as assert } from 'node:assert';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnAuthority, type ChildAuthority } from '../../host/authority/bench/child.js';
import { Client } from './helpers/client.js';
import { tally } from './helpers/cli.js';
import { tempDir } from './helpers/authority.js';
import { TestCard } from './helpers/card.js';
import { world } from './helpers/world.js';

const KILLS = 24;
const PAYERS = 4;
const PAYMENTS_PER_PAYER = 250;
const CHUNK = 60;

describe('authority: crash safety', function () {
  this.timeout(240_000);
  const dir = tempDir();
  const dbPath = join(dir, 'authority.db');
  const args = ['--block-events', '40', '--block-interval-ms', '0'];
  let child: ChildAuthority | undefined;
  after(async () => {
    await child?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`loses and doubles nothing across ${KILLS} SIGKILLs during a large sync`, async () => {
    child = await spawnAuthority(dbPath, args);
    const w = world(new Client(child.url));
    const payers: TestCard[] = [];
    const payees: TestCard[] = [];
    for (let i = 0; i < PAYERS; i++) payers.push(await w.card(`payer${i}`, 100_000, 100_000));
    for (let i = 0; i < PAYERS; i++) payees.push(await w.card(`payee${i}`));
    let total = 0;
    const expected = new Map<string, number>();
    for (let k = 0; k < PAYMENTS_PER_PAYER; k++) {
      payers.forEach((payer, i) => {
        const payee = payees[(i + k) % PAYERS]!;
        const amount = 1 + ((k * 7 + i) % 50);
        payee.receive(payer.pay(payee, amount), amount, payer);
        total += amount;
        const acct = `payee${(i + k) % PAYERS}`;
        expected.set(acct, (expected.get(acct) ?? 0) + amount);
      });
    }
    const cards = [...payers, ...payees];
    const acked = new Map(cards.map((c) => [c.idHex, 0]));

    // Syncs every card chunk by chunk, two at a time, until told to stop or done.
    const drive = async (client: Client, stop: { now: boolean }): Promise<void> => {
      const lane = async (mine: TestCard[]): Promise<void> => {
        for (;;) {
          const pending = mine.filter((c) => acked.get(c.idHex)! < c.seq);
          if (stop.now || pending.length === 0) return;
          for (const c of pending) {
            if (stop.now) return;
            const from = acked.get(c.idHex)! + 1;
            let r;
            try {
              r = await client.post('/sync', { card: c.idHex, records: c.records(from, Math.min(c.seq, from + CHUNK - 1)) });
            } catch {
              interrupted++; // the authority died under us, mid-request
              return;
            }
            assert.equal(r.status, 200, JSON.stringify(r.json).slice(0, 300));
            acked.set(c.idHex, r.json.head.seq as number);
          }
        }
      };
      await Promise.all([lane(cards.filter((_, i) => i % 2 === 0)), lane(cards.filter((_, i) => i % 2 === 1))]);
    };

    let kills = 0;
    let interrupted = 0;
    while (kills < KILLS) {
      const client = new Client(child.url);
      const stop = { now: false };
      const driving = drive(client, stop);
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 180));
      await child.kill();
      kills++;
      stop.now = true;
      await driving;
      child = await spawnAuthority(dbPath, args);
      // Half of the time the bridge forgets what it saw acknowledged and re-sends everything.
      if (Math.random() < 0.5) for (const c of cards) acked.set(c.idHex, 0);
      const done = cards.every((c) => acked.get(c.idHex) === c.seq);
      if (done) for (const c of cards) acked.set(c.idHex, Math.floor(c.seq / 2)); // keep the crashes during syncs
    }
    // After the last restart: sync everything to the end.
    for (const c of cards) acked.set(c.idHex, 0);
    await drive(new Client(child.url), { now: false });
    const client = new Client(child.url);
    const t = (await client.get('/totals')).json;
    assert.equal(t.settlements, PAYERS * PAYMENTS_PER_PAYER, 'every payment settled exactly once');
    assert.equal(t.conserved, true);
    for (const [acct, amount] of expected) assert.equal((await client.get(`/accounts/${acct}`)).json.balance, amount, acct);
    let spent = 0;
    for (const p of payers) spent += (await client.get(`/cards/${p.idHex}`)).json.settledSpent as number;
    assert.equal(spent, total);
    await child.stop(); // SIGTERM: seals the pending events into a block
    child = undefined;
    const exported = tally(['authority', 'export', '--json', '--db', dbPath]);
    assert.equal(exported.status, 0, exported.stderr);
    const file = join(dir, 'chain.json');
    writeFileSync(file, exported.stdout);
    const verified = tally(['authority', 'verify', file]);
    assert.equal(verified.status, 0, verified.stderr);
    assert.match(verified.stdout, new RegExp(` ${PAYERS * PAYMENTS_PER_PAYER} settlements`));
    assert.equal(kills, KILLS);
    assert.ok(interrupted >= KILLS / 2, `only ${interrupted} of ${KILLS} kills hit a request in flight`);
  });
});
