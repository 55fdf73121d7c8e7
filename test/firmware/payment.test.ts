// The card wiring without a payment: a blank device, a damaged key store, the
// payee's late link. The tap payment between two card apps is a portable spec
// (app-payment.spec.ts, helpers in app-fixture.ts) that runs on V8 and XS.
import { strict as assert } from 'node:assert';
import type { TallyError } from '../../firmware/core/index.js';
import { DeviceCard, LateLink } from '../../firmware/app/card-wiring.js';
import { MemFlash, World, seededRandom } from '../core/card-fixture.js';
import { ManualClock } from './fakes.js';
import { memoryKeyStore } from './app-fixture.js';

describe('firmware: card wiring', () => {
  it('a blank device boots without keys, asks to be provisioned, and refuses payments with 6007', () => {
    const world = new World();
    const card = new DeviceCard({
      flash: new MemFlash(world.sectors, world.sectorBytes),
      keyStore: memoryKeyStore(),
      authorities: [world.authority.publicKey],
      random: seededRandom(1),
      tick: new ManualClock(),
      serial: null,
      firmware: 'test',
      listener: { show: () => {}, request: () => {} },
    });
    assert.equal(card.booted, undefined);
    assert.equal(card.status().provisioned, false);
    assert.deepEqual(card.history(0, 5), { entries: [], total: 0 });
    assert.throws(() => card.createOffer(100, 'qr'), (e: TallyError) => e.code === 6007);
    const logs: string[] = [];
    const bad = new DeviceCard({
      flash: new MemFlash(world.sectors, world.sectorBytes),
      keyStore: memoryKeyStore(new Uint8Array(10)),
      authorities: [],
      random: seededRandom(2),
      tick: new ManualClock(),
      serial: null,
      firmware: 'test',
      listener: { show: () => {}, request: () => {} },
      log: (l) => logs.push(l),
    });
    assert.equal(bad.booted, undefined, 'a damaged key store is ignored');
    assert.match(logs.join('\n'), /key store/);
  });

  it("the payee's late link refuses to send before a payer connects, and closes one that comes too late", () => {
    const late = new LateLink();
    assert.throws(() => late.send(Uint8Array.of(1)), (e: TallyError) => e.code === 4015);
    late.close();
    let closed = false;
    late.attach({ maxMessageBytes: 100, send: () => {}, close: () => void (closed = true) });
    assert.ok(closed);
  });
});
