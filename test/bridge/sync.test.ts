// The bridge for real: virtual card processes on socat pseudo-terminals, the
// bridge on `serialport`, the authority as its own process on 127.0.0.1.
import { strict as assert } from 'node:assert';
import { toHex } from '../../firmware/core/index.js';
import { provisionCard, syncCard } from '../../host/bridge/index.js';
import { World, fillLedger, pay, type WorldCard } from './helpers/world.js';

describe('bridge: provision, pay, sync, settle', function () {
  this.timeout(60_000);
  const w = new World();
  let alice: WorldCard;
  let bob: WorldCard;
  let aliceId = '';
  let bobId = '';

  before(async () => {
    await w.start();
    await w.authority.post('/accounts', { id: 'alice', deposit: 100_000 });
    await w.authority.post('/accounts', { id: 'bob' });
    [alice, bob] = await Promise.all([w.card('alice'), w.card('bob')]);
  });
  after(() => w.stop());

  it('provisions two blank cards: keys made on the card, certificate from the authority', async () => {
    for (const [c, account] of [[alice, 'alice'], [bob, 'bob']] as const) {
      const card = await w.open(c);
      const before = await card.info();
      assert.equal(before.provisioned, false);
      const p = await provisionCard(card, w.client, account);
      assert.equal(p.account, account);
      assert.equal(p.installed, true);
      const i = await card.info();
      assert.ok(i.provisioned && i.cardId && toHex(i.cardId) === p.card);
      if (account === 'alice') aliceId = p.card;
      else bobId = p.card;
      await card.link.close();
    }
    const v = await w.authority.get(`/cards/${aliceId}`);
    assert.equal(v.account, 'alice');
  });

  it('loads an allowance through a sync, pays offline, syncs both cards and the authority settles', async () => {
    await w.authority.post(`/cards/${aliceId}/loads`, { amount: 5000 });
    const a = await w.open(alice);
    const s1 = await syncCard(a, w.client);
    assert.equal(s1.applied.loads, 1);
    assert.equal((await a.info()).certificate !== undefined, true);
    await a.link.close();

    const outcomes = await w.inHand2(alice, bob, (ha, hb) => [pay(ha, hb, 1250), pay(ha, hb, 250)]);
    for (const o of outcomes) {
      assert.equal(o.payer?.status, 'done');
      assert.equal(o.payee?.status, 'done');
    }

    const b = await w.open(bob);
    const sb = await syncCard(b, w.client);
    assert.ok(sb.accepted >= 2, `bob uploaded ${sb.accepted}`);
    await b.link.close();
    const a2 = await w.open(alice);
    const sa = await syncCard(a2, w.client);
    assert.ok(sa.accepted >= 4);
    assert.ok(sa.applied.ack);
    const settled = sa.payments.filter((p) => p.state === 'settled');
    assert.equal(settled.length, 2, JSON.stringify(sa.payments));
    await a2.link.close();

    assert.equal((await w.authority.get('/accounts/bob')).balance, 1500);
    assert.equal((await w.authority.get('/accounts/alice')).balance, 95_000);
    const av = await w.authority.get(`/cards/${aliceId}`);
    assert.equal(av.settledSpent, 1500);
    const hist = await w.history(bobId);
    assert.deepEqual(hist.map((p) => [p.role, p.amount, p.state]), [['payee', 1250, 'settled'], ['payee', 250, 'settled']]);
  });
});
