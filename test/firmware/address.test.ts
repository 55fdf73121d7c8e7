// The payee's offer carries this card's BLE address (so a phone can connect to
// the right advertiser): the radio reports it, the app writes it into the
// pairing URI, and the stack's byte order is turned into the URI's.
import { strict as assert } from 'node:assert';
import { addressForOffer } from '../../firmware/app/ble-ids.js';
import { startApp } from '../../firmware/app/app.js';
import type { DeviceCard } from '../../firmware/app/card-wiring.js';
import { NorEmulation } from '../../firmware/app/flash-region.js';
import { CardKeys, decodePairing, encodeKeyStore } from '../../firmware/core/index.js';
import { World, seededRandom } from '../core/card-fixture.js';
import { FakeRadio, ManualClock, RecordingScreen, simulatorQr } from './fakes.js';

function app(radio: FakeRadio) {
  const world = new World();
  const random = seededRandom(7);
  const keys = CardKeys.generate(random);
  const clock = new ManualClock();
  const data = new Uint8Array(world.sectors * world.sectorBytes).fill(0xff);
  let saved: Uint8Array | null = encodeKeyStore(keys);
  const running = startApp({
    screen: new RecordingScreen(),
    radio,
    timers: clock,
    tick: clock,
    random,
    qr: simulatorQr,
    flash: new NorEmulation({ byteLength: data.length, read: (o, n) => data.slice(o, o + n), overwrite: (o, d) => data.set(d, o) }),
    keyStore: { load: () => saved, save: (b) => (saved = Uint8Array.from(b)) },
    authorities: [world.authority.publicKey],
    firmware: 'test',
    serial: null,
  });
  const card = (running.card as DeviceCard).booted;
  assert.ok(card, 'booted from its key store');
  card.installCertificate(world.certificate(keys, 10_000).bytes);
  return running;
}

describe('firmware: BLE address in offers', () => {
  it('turns the stack address (least significant byte first) into URI order, and refuses unknown ones', () => {
    const raw = Uint8Array.of(0x66, 0x55, 0x44, 0x33, 0x22, 0x11);
    assert.deepEqual([...addressForOffer(raw.buffer)!], [0x11, 0x22, 0x33, 0x44, 0x55, 0x66]);
    assert.deepEqual([...addressForOffer(raw, false)!], [...raw]);
    assert.equal(addressForOffer(new Uint8Array(6).buffer), null, 'all zeros: not known');
    assert.equal(addressForOffer(new Uint8Array(5)), null);
    assert.equal(addressForOffer(undefined), null);
    assert.deepEqual([...raw], [0x66, 0x55, 0x44, 0x33, 0x22, 0x11], 'the input is not changed');
  });

  it('writes the radio\'s address into the offer, and the zero address while it is unknown', () => {
    const radio = new FakeRadio();
    const running = app(radio);
    const before = decodePairing(running.card.createOffer(500, 'tap').uri);
    assert.deepEqual([...before.bleAddress], [0, 0, 0, 0, 0, 0]);
    running.card.cancelOffer();
    radio.address = Uint8Array.of(0xc0, 0xff, 0xee, 0x01, 0x02, 0x03);
    const offer = running.card.createOffer(500, 'tap');
    assert.deepEqual([...decodePairing(offer.uri).bleAddress], [0xc0, 0xff, 0xee, 0x01, 0x02, 0x03]);
    assert.match(offer.uri, /\/C0FFEE010203\//);
  });
});
