// --engine xs: each card's core runs in its own XS worker (xsnap), metered.
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { runScenario } from '../../simulator/world/scenario.js';
import { failedChecks, small } from './helpers.js';

function xsnapBuilt(): boolean {
  try {
    const dir = dirname(createRequire(import.meta.url).resolve('@agoric/xsnap/package.json'));
    return existsSync(join(dir, 'xsnap-native/xsnap/build/bin/lin/release/xsnap-worker'));
  } catch {
    return false;
  }
}

describe('simulator: XS engine', function () {
  this.timeout(120_000);

  it('runs the cards in XS workers and reports computrons per payment', async function () {
    if (!xsnapBuilt()) this.skip();
    const r = await runScenario(small({ seed: 'xs', cards: 3, payments: 4, engine: 'xs', clones: 0, qrShare: 0.5 }));
    assert.equal(r.engine, 'xs');
    assert.equal(r.payments.completed, 4);
    assert.ok(r.conservation.ok, failedChecks(r));
    const c = r.xs!.computronsPerPayment;
    // bench:card measures about 12.5 M per side for a repeat payment, 14.5 M for a first one.
    assert.ok(c.payer.p50! > 8e6 && c.payer.p50! < 30e6, `payer ${c.payer.p50}`);
    assert.ok(c.payee.p50! > 8e6 && c.payee.p50! < 30e6, `payee ${c.payee.p50}`);
    assert.ok(Math.abs(c.total.mean! - (c.payer.mean! + c.payee.mean!)) <= 1);
  });

  it('metered runs repeat exactly', async function () {
    if (!xsnapBuilt()) this.skip();
    const o = small({ seed: 'xs-again', cards: 2, payments: 2, engine: 'xs', qrShare: 0 });
    const a = await runScenario(o);
    const b = await runScenario(o);
    assert.deepEqual(a.xs, b.xs);
    assert.deepEqual(a.latencyMs, b.latencyMs);
  });

  it('the XS run and the V8 run agree on everything but the cost figures', async function () {
    if (!xsnapBuilt()) this.skip();
    const o = small({ seed: 'xs-v8', cards: 3, payments: 3, qrShare: 0 });
    const xs = await runScenario({ ...o, engine: 'xs' });
    const v8 = await runScenario(o);
    assert.deepEqual(xs.payments, v8.payments);
    assert.deepEqual(xs.conservation.settled, v8.conservation.settled);
    assert.equal(xs.conservation.accountBalances, v8.conservation.accountBalances);
  });
});
