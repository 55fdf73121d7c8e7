// The QR step: the payer reads the payee's offer from the e-ink pixels.
import { strict as assert } from 'node:assert';
import { encodePairing, TallyError } from '../../firmware/core/index.js';
import { Framebuffer, renderView } from '../../firmware/ui/index.js';
import { readQr, simQr } from '../../simulator/screen/qr.js';
import { runScenario } from '../../simulator/world/scenario.js';
import { failedChecks, small } from './helpers.js';

const offer = (n: number) =>
  encodePairing({
    cardId: new Uint8Array(16).fill(n),
    staticKey: new Uint8Array(32).fill(n + 1),
    bleAddress: Uint8Array.of(0x24, 0x6f, 0x28, n, 0x10, 0x20),
    token: new Uint8Array(16).fill(n + 2),
    amount: 123456 + n,
    currency: 'EUR',
  });

describe('simulator: QR codes from screen pixels', function () {
  this.timeout(60_000);

  it('decodes the largest offers from the firmware-drawn framebuffer', () => {
    for (let n = 0; n < 5; n++) {
      const uri = offer(n);
      const fb = new Framebuffer();
      renderView(fb, { kind: 'offer', qr: simQr.encode(uri), amount: 123456 + n, currency: 'EUR' });
      assert.equal(fb.clipped, 0);
      assert.equal(readQr(fb), uri);
    }
  });

  it('a blank or damaged screen cannot be read (8005)', () => {
    const fb = new Framebuffer();
    assert.throws(() => readQr(fb), (e: unknown) => e instanceof TallyError && e.code === 8005);
    renderView(fb, { kind: 'offer', qr: simQr.encode(offer(9)), currency: 'EUR' });
    fb.fillRect(20, 20, 160, 160, false); // most of the code wiped
    assert.throws(() => readQr(fb), (e: unknown) => e instanceof TallyError && e.code === 8005);
  });

  it('every QR payment of a run decodes its offer from the payee screen', async () => {
    const r = await runScenario(small({ seed: 'qr', cards: 6, payments: 20, qrShare: 1 }));
    assert.equal(r.payments.qr.attempted, 20);
    assert.equal(r.payments.tap.attempted, 0);
    assert.ok(r.payments.qr.decodedFromPixels >= r.payments.qr.completed);
    assert.ok(r.payments.qr.completed >= 18);
    assert.ok(r.conservation.ok, failedChecks(r));
  });
});
