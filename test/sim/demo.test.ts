// npm start's story: an authority, two cards and a phone, a QR and a tap
// payment, a sync; the screens as PNG files.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo } from '../../simulator/demo.js';

describe('simulator: the demo (npm start)', function () {
  this.timeout(60_000);

  it('tells the story and writes the screens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-demo-'));
    try {
      const lines: string[] = [];
      const r = await runDemo({ dir, out: (l) => lines.push(l) });
      const text = lines.join('\n');
      assert.match(text, /QR payment/);
      assert.match(text, /Tap payment/);
      assert.match(text, /\(the same: no one in the middle\)/);
      assert.equal(r.settled, 2);
      assert.equal(r.balances.cafe, 3_50 + 12_50);
      assert.ok(existsSync(join(dir, 'authority.db')));
      assert.ok(r.screens.length >= 10);
      for (const f of r.screens) assert.deepEqual([...readFileSync(join(dir, 'screens', f)).subarray(1, 4)], [0x50, 0x4e, 0x47]);
      // Run again in the same folder: a fresh demo.
      const again = await runDemo({ dir, out: () => {} });
      assert.equal(again.settled, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
