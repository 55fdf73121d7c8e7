// The cable pulled (socat killed) or the card's power cut (its process
// killed) at random moments of a sync, again and again; then one clean
// resync. The authority and the card must agree, with every payment there
// exactly once.
import { strict as assert } from 'node:assert';
import { TallyError, fromHex, toHex } from '../../firmware/core/index.js';
import { provisionCard, syncCard } from '../../host/bridge/index.js';
import { sleep } from './helpers/procs.js';
import { World, fillLedger, type WorldCard } from './helpers/world.js';

/** Deterministic choices (xorshift32) so a failure can be replayed. */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

describe('bridge: a sync cut at random points resumes', function () {
  this.timeout(120_000);
  const w = new World();
  let alice: WorldCard;
  let bob: WorldCard;
  let aliceId = '';
  let bobId = '';

  before(async () => {
    await w.start();
    await w.authority.post('/accounts', { id: 'alice', deposit: 1_000_000 });
    await w.authority.post('/accounts', { id: 'bob' });
    [alice, bob] = await Promise.all([w.card('alice', 512), w.card('bob')]);
    for (const [c, account] of [[alice, 'alice'], [bob, 'bob']] as const) {
      const card = await w.open(c);
      const p = await provisionCard(card, w.client, account);
      if (account === 'alice') aliceId = p.card;
      else bobId = p.card;
      await card.link.close();
    }
    await w.authority.post(`/cards/${aliceId}/loads`, { amount: 500_000 });
    const a = await w.open(alice);
    await syncCard(a, w.client);
    await a.link.close();
  });
  after(() => w.stop());

  it('survives 20+ cuts (pty closed or card killed) and a resync loses and duplicates nothing', async () => {
    const pick = rng(0x5eed);
    const seed = process.env.TALLY_CUT_SEED;
    if (seed) for (let i = Number(seed); i > 0; i--) pick(2);
    let made = 0;
    let cuts = 0;
    let completed = 0;
    let full = 0;
    let lastCompleted = false;
    const codes = new Map<number, number>();
    for (let attempt = 0; cuts < 20 && attempt < 80; attempt++) {
      // New records every few attempts (or when the last sync got through), uploaded 40 at a time.
      if (attempt % 4 === 0 || lastCompleted) {
        const n = 100 + pick(200);
        const amount = 1 + (attempt % 3);
        made += await w.inHand(alice, (card) => fillLedger(card, fromHex(bobId), n, amount) * amount);
      }
      const card = await w.open(alice, { timeoutMs: 400, retries: 2 });
      // Where the cut lands: at a random serial request of the sync (info, a dump chunk per ~17 records, the ack, info, the tail).
      const pending = (await card.info()).seq - (await w.authority.get(`/cards/${aliceId}`)).head.seq;
      const target = card.link.requests + 1 + pick(Math.ceil(pending / 17) + 4);
      const t0 = Date.now();
      const run = syncCard(card, w.client, { batchRecords: 40 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (attempt === 0) {
        // The first sync runs to the end: it calibrates where the cuts land.
        assert.equal(await run, undefined);
        full = Date.now() - t0;
        await card.link.close();
        completed++;
        continue;
      }
      let finished = false;
      void run.then(() => (finished = true));
      while (!finished && card.link.requests < target) await sleep(1);
      await sleep(pick(4));
      const power = pick(4) === 0;
      if (power) await alice.proc.kill();
      else await alice.pty.cut();
      const r = await run;
      await card.link.close();
      if (power) {
        // The card came back from its power cut (socat may have gone with it: then the cable too).
        if (!alice.pty.proc?.running) {
          await alice.pty.cut();
          await alice.pty.start();
        }
        await alice.proc.start();
      }
      else {
        const seen = alice.proc.readyCount();
        await alice.pty.start();
        await alice.proc.ready(seen + 1);
      }
      lastCompleted = r === undefined;
      if (r === undefined) {
        completed++;
        continue;
      }
      assert.ok(r instanceof TallyError, String(r));
      assert.ok([6006, 6014].includes(r.code), r.message);
      codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
      cuts++;
    }
    assert.ok(cuts >= 20, `only ${cuts} cuts landed during a sync`);

    // The resync.
    const card = await w.open(alice);
    const s = await syncCard(card, w.client);
    const info = await card.info();
    await card.link.close();
    assert.equal(s.head.seq, info.seq);
    const view = await w.authority.get(`/cards/${aliceId}`);
    assert.equal(view.head.seq, info.seq, 'the authority holds the whole chain');
    assert.equal(view.head.hash, toHex(info.head));
    assert.equal(view.chainSpent, made, 'spent totals agree');
    assert.equal(view.settledSpent, made);

    // Every payment settled exactly once.
    const hashes = new Set<string>();
    let total = 0;
    let count = 0;
    for (const p of await w.history(aliceId)) {
      assert.ok(!hashes.has(p.hash), 'a payment recorded twice');
      hashes.add(p.hash);
      assert.equal(p.role, 'payer');
      assert.equal(p.state, 'settled');
      total += p.amount;
      count++;
    }
    assert.equal(total, made);
    assert.equal((await w.authority.get('/accounts/bob')).balance, made);
    // The card's own chain is whole and verifies.
    await w.inHand(alice, (c) => c.verifyLedger());
    console.log(`      ${cuts} cuts (${[...codes].map(([c, k]) => `${k}×E${c}`).join(', ')}), ${completed} syncs finished first, ${count} payments, full sync ${full} ms`);
  });
});
