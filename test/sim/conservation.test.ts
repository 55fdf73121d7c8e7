// Value is conserved across every card's ledger and the authority, under
// every kind of fault the simulator injects.
import { strict as assert } from 'node:assert';
import { runScenario } from '../../simulator/world/scenario.js';
import { failedChecks, small } from './helpers.js';

const cases = [
  { name: 'no faults', faults: {} },
  { name: 'power cuts in payments and syncs', faults: { powerCut: 0.3 } },
  { name: 'radio loss', faults: { radioLoss: 0.1 } },
  { name: 'heavy radio loss', faults: { radioLoss: 0.3 } },
  { name: 'disconnects', faults: { disconnect: 0.3 } },
  { name: 'every fault and clones', faults: { powerCut: 0.15, radioLoss: 0.08, disconnect: 0.15 }, clones: 3 },
];

describe('simulator: value conservation under faults', function () {
  this.timeout(120_000);
  for (const c of cases) {
    it(c.name, async () => {
      const r = await runScenario(small({ seed: `cons-${c.name.replace(/[^a-z]+/g, '-')}`, cards: 14, payments: 160, clones: c.clones ?? 0, faults: { powerCut: 0, radioLoss: 0, disconnect: 0, ...c.faults } }));
      assert.ok(r.conservation.ok, failedChecks(r));
      assert.ok(r.conservation.checks.length >= 7);
      assert.ok(r.payments.completed > r.payments.attempted / 2, `completed ${r.payments.completed} of ${r.payments.attempted}`);
      assert.equal(r.conservation.deposits, r.conservation.accountBalances + r.conservation.cardHeadroom);
      if (c.faults.powerCut) assert.ok(Object.keys(r.payments.failedByReason).length > 0 || r.payments.retried > 0, 'power cuts happened');
      if (c.faults.radioLoss) assert.ok(r.radio.lost > 0);
      if (c.faults.disconnect) assert.ok(r.radio.drops > 0);
    });
  }

  it('at the smallest MTU (23 bytes: messages in 16-byte fragments)', async () => {
    const r = await runScenario(small({ seed: 'mtu23', cards: 6, payments: 30, radio: { mtus: [[23, 1]] }, faults: { powerCut: 0, radioLoss: 0.05, disconnect: 0 } }));
    assert.equal(r.radio.meanMtu, 23);
    assert.ok(r.payments.completed >= 28, JSON.stringify(r.payments.failedByReason));
    assert.ok(r.conservation.ok, failedChecks(r));
  });

  it('over many seeds with every fault', async () => {
    for (let i = 0; i < 6; i++) {
      const r = await runScenario(small({ seed: `sweep-${i}`, cards: 8, payments: 50, clones: 1, faults: { powerCut: 0.2, radioLoss: 0.1, disconnect: 0.2 } }));
      assert.ok(r.conservation.ok, `seed sweep-${i}: ${failedChecks(r)}`);
      assert.equal(r.frauds.detected, r.frauds.injected, `seed sweep-${i}`);
    }
  });
});
