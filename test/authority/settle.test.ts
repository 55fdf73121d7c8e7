// Settlement end to end through HTTP and a real SQLite file: both halves of a
// payment, in every order, each batch sent three times, settle exactly once
// and conserve money.
import { strict as assert } from 'node:assert';
import { decodeAck, decodeCertificate, decodeEpoch, decodeRevocations, recordHash } from '../../firmware/core/index.js';
import { hex, unb64, type TestCard } from './helpers/card.js';
import { startAuthority, type Running } from './helpers/authority.js';
import { dbDigest } from './helpers/digest.js';
import { world, type World } from './helpers/world.js';

describe('authority: settlement', function () {
  let run: Running;
  let w: World;
  beforeEach(async () => {
    run = await startAuthority();
    w = world(run.client);
  });
  afterEach(() => run.stop());

  it('settles a payment from the payer half, then marks the payee half; money is conserved', async () => {
    const alice = await w.card('alice', 10_000, 4_000);
    const bob = await w.card('bob');
    const pay = alice.pay(bob, 1_250);
    const r1 = await w.sync(alice);
    assert.equal(r1.status, 200, JSON.stringify(r1.json));
    assert.equal(r1.json.accepted, 2);
    assert.deepEqual(r1.json.head, { seq: 2, hash: hex(alice.head) });
    assert.deepEqual(r1.json.payments, [{ hash: hex(recordHash(pay.body)), role: 'payer', amount: 1250, state: 'settled', payerHalf: true, payeeHalf: false }]);
    const ack = decodeAck(unb64(r1.json.ack));
    assert.equal(ack.seq, 2);
    assert.equal(ack.spent, 1250);
    assert.equal(hex(ack.head), hex(alice.head));
    assert.equal(decodeCertificate(unb64(r1.json.certificate)).allowance, 4000);
    assert.equal(decodeEpoch(unb64(r1.json.epoch)).epoch, 1);
    assert.equal(decodeRevocations(unb64(r1.json.revocations)).version, 0);
    assert.deepEqual(r1.json.loads, []);
    assert.equal(await w.balance('bob'), 1250);
    assert.equal(await w.balance('alice'), 6000);

    bob.receive(pay, 1250, alice);
    const r2 = await w.sync(bob);
    assert.equal(r2.status, 200);
    assert.deepEqual(r2.json.payments, [{ hash: hex(recordHash(pay.body)), role: 'payee', amount: 1250, state: 'settled', payerHalf: true, payeeHalf: true }]);
    assert.equal(await w.balance('bob'), 1250, 'the second half moves no money');
    const t = await w.totals();
    assert.equal(t.settlements, 1);
    assert.equal(t.conserved, true);
    assert.equal((t.balances as number) + (t.headroom as number), 10_000);

    // The payer asks about its payment later: both halves are in.
    const r3 = await w.sync(alice, 1, 0, { status: [{ payer: alice.idHex, seq: 2 }] });
    assert.equal(r3.json.payments[0].payeeHalf, true);
    assert.equal(r3.json.payments[0].state, 'settled');
  });

  it('settles from the payee half first; the payer half then only completes it', async () => {
    const alice = await w.card('alice', 1_000, 1_000);
    const bob = await w.card('bob');
    const p1 = alice.pay(bob, 100);
    const p2 = alice.pay(bob, 200);
    bob.receive(p2, 200, alice);
    bob.receive(p1, 100, alice);
    const rb = await w.sync(bob);
    assert.equal(rb.status, 200, JSON.stringify(rb.json));
    assert.deepEqual(rb.json.payments.map((p: { state: string; payerHalf: boolean }) => [p.state, p.payerHalf]), [['settled', false], ['settled', false]]);
    assert.equal(await w.balance('bob'), 300);
    const ra = await w.sync(alice);
    assert.equal(ra.status, 200, JSON.stringify(ra.json));
    assert.deepEqual(ra.json.payments.map((p: { payeeHalf: boolean }) => p.payeeHalf), [true, true]);
    assert.equal(await w.balance('bob'), 300);
    assert.equal((await w.totals()).conserved, true);
  });

  it('delivers loads not yet recorded, and accepts the card recording them', async () => {
    const alice = await w.card('alice', 1_000);
    const l = await run.client.post(`/cards/${alice.idHex}/loads`, { amount: 300 });
    assert.equal(l.status, 201);
    assert.equal(l.json.allowance, 300);
    const r = await w.sync(alice);
    assert.deepEqual(r.json.loads, [l.json.load]);
    assert.equal(decodeCertificate(unb64(r.json.certificate)).serial, 2);
    alice.recordLoad(unb64(l.json.load));
    const r2 = await w.sync(alice);
    assert.equal(r2.status, 200, JSON.stringify(r2.json));
    assert.deepEqual(r2.json.loads, []);
    // A load with a reference is made once.
    const a = await run.client.post(`/cards/${alice.idHex}/loads`, { amount: 50, reference: 'topup-1' });
    const b = await run.client.post(`/cards/${alice.idHex}/loads`, { amount: 50, reference: 'topup-1' });
    assert.equal(a.json.serial, b.json.serial);
    assert.equal(await w.balance('alice'), 650);
  });

  it('acknowledgements recorded in the chain are accepted once, in order', async () => {
    const alice = await w.card('alice', 1_000, 500);
    const bob = await w.card('bob');
    alice.pay(bob, 10);
    const r = await w.sync(alice);
    alice.recordAck(unb64(r.json.ack));
    alice.pay(bob, 20);
    const r2 = await w.sync(alice, 3);
    assert.equal(r2.status, 200, JSON.stringify(r2.json));
    assert.equal(r2.json.head.seq, 4);
    assert.equal(decodeAck(unb64(r2.json.ack)).spent, 30);
  });

  it('a receipt-in (the payer noting the receipt) is checked and reports the payment', async () => {
    const alice = await w.card('alice', 1_000, 500);
    const bob = await w.card('bob');
    const pay = alice.pay(bob, 10);
    const receipt = bob.receive(pay, 10, alice);
    alice.receiptIn(receipt, pay);
    await w.sync(bob);
    const r = await w.sync(alice);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.payments.length, 2);
    assert.equal(r.json.payments[1].payeeHalf, true);
  });

  it('each side learns the other half arrived; history lists the chain with states', async () => {
    const alice = await w.card('alice', 1_000, 500);
    const bob = await w.card('bob');
    const pay = alice.pay(bob, 10);
    await w.sync(alice);
    bob.receive(pay, 10, alice);
    await w.sync(bob);
    const h = await run.client.get(`/cards/${bob.idHex}/history`);
    assert.equal(h.status, 200);
    assert.deepEqual(
      h.json.records.map((x: Record<string, unknown>) => [x.seq, x.role, x.state, x.payerHalf, x.payeeHalf]),
      [[1, 'payee', 'settled', true, true]],
    );
    const ha = await run.client.get(`/cards/${alice.idHex}/history?after=0&limit=10`);
    assert.deepEqual(ha.json.records.map((x: Record<string, unknown>) => [x.seq, x.role, x.amount]), [[2, 'payer', 10]]);
  });
});

describe('authority: idempotency in every order', function () {
  this.timeout(120_000);

  // Two payers and one payee; each chain is uploaded in two batches. Every
  // interleaving of the four uploads that keeps each card's own order, each
  // batch sent three times, ends in the same settled state.
  async function scenario(order: string[]): Promise<{ state: string; digest: string }> {
    const run = await startAuthority();
    try {
      const w = world(run.client);
      const alice = await w.card('alice', 5_000, 2_000);
      const carol = await w.card('carol', 5_000, 2_000);
      const bob = await w.card('bob');
      const pays: [TestCard, ReturnType<TestCard['pay']>, number][] = [];
      for (let i = 0; i < 6; i++) {
        const payer = i % 2 ? carol : alice;
        const amount = 10 + i;
        pays.push([payer, payer.pay(bob, amount), amount]);
      }
      for (const [payer, p, amount] of [...pays].reverse()) bob.receive(p, amount, payer);
      const batches: Record<string, () => Promise<unknown>> = {
        a1: () => w.sync(alice, 1, 2),
        a2: () => w.sync(alice, 1, alice.seq),
        c1: () => w.sync(carol, 1, 3),
        c2: () => w.sync(carol, 3, carol.seq),
        b1: () => w.sync(bob, 1, 3),
        b2: () => w.sync(bob, 1, bob.seq),
      };
      for (const step of order) {
        for (let k = 0; k < 3; k++) {
          const r = (await batches[step]!()) as { status: number; json: unknown };
          assert.equal(r.status, 200, `${order.join(' ')} at ${step}: ${JSON.stringify(r.json).slice(0, 300)}`);
        }
      }
      const t = await w.totals();
      assert.equal(t.settlements, 6);
      assert.equal(t.conserved, true);
      const state = JSON.stringify([await w.balance('alice'), await w.balance('bob'), await w.balance('carol'), t.balances, t.headroom]);
      // Everything once more: nothing changes at all.
      await run.authority.seal();
      const before = dbDigest(run.dbPath);
      for (const step of Object.keys(batches)) await batches[step]!();
      assert.equal(dbDigest(run.dbPath), before, 'a repeated sync changed the database');
      return { state, digest: before };
    } finally {
      await run.stop();
    }
  }

  function interleavings(seqs: string[][]): string[][] {
    if (seqs.every((s) => s.length === 0)) return [[]];
    const out: string[][] = [];
    seqs.forEach((s, i) => {
      if (!s.length) return;
      const rest = seqs.map((x, j) => (j === i ? x.slice(1) : x));
      for (const tail of interleavings(rest)) out.push([s[0]!, ...tail]);
    });
    return out;
  }

  it('payer and payee batches interleaved in every order, each sent three times, settle the same', async () => {
    const orders = interleavings([['a1', 'a2'], ['c1', 'c2'], ['b1', 'b2']]);
    assert.equal(orders.length, 90);
    // 90 orders x 18 syncs: a sample of 30 spread over the list keeps this quick, plus the extremes.
    const picked = orders.filter((_, i) => i % 3 === 0);
    const states = new Set<string>();
    for (const o of picked) states.add((await scenario(o)).state);
    assert.equal(states.size, 1, [...states].join('\n'));
  });
});
