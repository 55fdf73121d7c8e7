// A cloned card's double spends are always detected, and cost honest cards
// at most what the clone got accepted offline.
import { strict as assert } from 'node:assert';
import { runScenario } from '../../simulator/world/scenario.js';
import { failedChecks, small } from './helpers.js';

describe('simulator: clones', function () {
  this.timeout(90_000);
  for (const seed of ['c1', 'c2', 'c3', 'c4', 'c5']) {
    it(`every double spend is detected (seed ${seed})`, async () => {
      const r = await runScenario(small({ seed, cards: 10, payments: 80, clones: 2, cloneSpree: 3, syncEveryHours: 3 }));
      assert.ok(r.frauds.injected >= 1, `no double spend happened: ${JSON.stringify(r.clonePayments)}`);
      assert.equal(r.frauds.detected, r.frauds.injected);
      assert.deepEqual(r.frauds.undetected, []);
      assert.ok(r.frauds.revokedCards >= r.frauds.detected);
      assert.ok(r.frauds.timeToDetectionHours.max !== null && r.frauds.timeToDetectionHours.max >= 0);
      assert.ok(r.conservation.ok, failedChecks(r));
      assert.ok(r.conservation.fraudLoss <= r.conservation.rejected.amount);
    });
  }
});
