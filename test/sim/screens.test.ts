// Every screen the firmware can show stays inside the 200x200 panel, and
// looks as it did (snapshot hashes in test/sim/snapshots/screens.json; run
// with TALLY_UPDATE_SNAPSHOTS=1 to accept new pictures after a layout change).
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { Framebuffer, renderView } from '../../firmware/ui/index.js';
import { collectScreens, drawScreens, writeScreens, type Drawn } from '../../simulator/screens.js';
import { decodePng, framebufferPng } from '../../simulator/screen/png.js';

// Runs as build/test/sim/screens.test.js; the snapshots are in the sources.
const snapshots = fileURLToPath(new URL('../../../test/sim/snapshots/screens.json', import.meta.url));
const inflate = (b: Uint8Array): Uint8Array => new Uint8Array(inflateSync(b));

describe('simulator: e-ink screens', function () {
  this.timeout(60_000);
  let drawn: Drawn[];

  before(async () => {
    drawn = drawScreens(await collectScreens());
  });

  it('covers every kind of screen of the firmware', () => {
    const names = drawn.map((d) => d.name).join(' ');
    for (const k of ['home-blank', 'error-6007', 'home', 'amount', 'offer-amount', 'offer-any-amount', 'code', 'confirm-tap', 'progress-pay-connecting', 'result-ok-paid', 'result-ok-received', 'result-failed', 'history', 'error-4011']) {
      assert.ok(names.includes(k), `no ${k} screen in: ${names}`);
    }
  });

  it('no screen draws outside 200x200', () => {
    for (const d of drawn) {
      assert.equal(d.clipped, 0, `${d.name} clips ${d.clipped} pixels`);
      const png = decodePng(d.png, inflate);
      assert.equal(png.width, 200, d.name);
      assert.equal(png.height, 200, d.name);
      assert.equal(png.bitDepth, 1, d.name);
    }
  });

  it('match the snapshots', () => {
    const now = Object.fromEntries(drawn.map((d) => [d.name, d.hash]));
    if (process.env.TALLY_UPDATE_SNAPSHOTS === '1' || !existsSync(snapshots)) {
      writeFileSync(snapshots, JSON.stringify(now, null, 2) + '\n');
      return;
    }
    const before = JSON.parse(readFileSync(snapshots, 'utf8')) as Record<string, string>;
    const changed = Object.keys({ ...before, ...now }).filter((k) => before[k] !== now[k]);
    assert.deepEqual(changed, [], `screens changed: ${changed.join(', ')} (check them with 'tally sim screens --out DIR', then TALLY_UPDATE_SNAPSHOTS=1)`);
  });

  it('PNG files hold exactly the framebuffer pixels', () => {
    const fb = new Framebuffer();
    renderView(fb, { kind: 'message', title: 'PNG', lines: ['round trip'] });
    const png = decodePng(framebufferPng(fb), inflate);
    for (let y = 0; y < 200; y++) {
      for (let x = 0; x < 200; x++) {
        const white = (png.rows[y]![x >> 3]! & (0x80 >> (x & 7))) !== 0;
        assert.equal(white, !fb.get(x, y), `pixel ${x},${y}`);
      }
    }
    const big = decodePng(framebufferPng(fb, 2), inflate);
    assert.equal(big.width, 400);
  });

  it('tally sim screens writes them all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-screens-'));
    try {
      const files = await writeScreens(dir);
      assert.deepEqual(readdirSync(dir).sort(), [...files].sort());
      assert.equal(files.length, drawn.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
