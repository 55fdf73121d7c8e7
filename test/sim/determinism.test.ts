// The same seed gives the same report; the crypto memos change nothing.
import { strict as assert } from 'node:assert';
import { runScenario } from '../../simulator/world/scenario.js';
import { portable, small } from './helpers.js';

describe('simulator: determinism', function () {
  this.timeout(60_000);

  it('the same seed gives the same report (faults, clones, QR and tap)', async () => {
    const o = small({ seed: 'det', cards: 10, payments: 70, clones: 1, faults: { powerCut: 0.05, radioLoss: 0.03, disconnect: 0.03 } });
    const a = await runScenario(o);
    const b = await runScenario(o);
    assert.deepEqual(portable(a), portable(b));
    assert.ok(a.payments.completed > 0);
    assert.ok(a.payments.qr.attempted > 0 && a.payments.tap.attempted > 0);
  });

  it('another seed gives another run', async () => {
    const a = await runScenario(small({ seed: 'one', payments: 30 }));
    const b = await runScenario(small({ seed: 'two', payments: 30 }));
    assert.notDeepEqual(portable(a).latencyMs, portable(b).latencyMs);
  });

  it('the crypto memos give the very same report as computing everything', async () => {
    const o = small({ seed: 'memo', cards: 6, payments: 30, faults: { powerCut: 0.05, radioLoss: 0.02, disconnect: 0 } });
    const withMemo = await runScenario(o);
    const without = await runScenario({ ...o, memo: false });
    assert.deepEqual(portable(withMemo), portable(without));
    assert.ok(withMemo.host.memo.hits > 0);
    assert.equal(without.host.memo.hits, 0);
  });
});
