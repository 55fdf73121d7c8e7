// Two card apps pay each other by tap: the real card core behind the app's
// card wiring (firmware/app/card-wiring.ts), the screen flow driven by button
// presses, and the BLE link simulated as GATT values through the fragment
// layer, at the minimum MTU and with lost values. Only the radio and the
// clock are fakes.
//
// Portable: it runs on V8 (app-payment.test.ts) and inside the XS engine
// (test/xs/), where the app, screen layouts and fragment layer are bundled
// against the shipped core bundle, as on the card.
import type { ButtonId } from '../../firmware/app/buttons.js';
import { DeviceCard, type KeyStore } from '../../firmware/app/card-wiring.js';
import { AppFlow } from '../../firmware/app/flow.js';
import type { ConnectionEvents } from '../../firmware/app/radio.js';
import type { View } from '../../firmware/ui/views.js';
import { MemFlash, World, seededRandom } from '../core/card-fixture.js';
import { assert, describe, it } from '../portable/spec.js';
import { FakeRadio, ManualClock, RecordingScreen, seeded, simulatorQr } from './fakes.js';
import { CardKeys, encodeKeyStore } from '../../firmware/core/index.js';

export function memoryKeyStore(initial: Uint8Array | null = null): KeyStore & { saved: Uint8Array | null } {
  const ks = {
    saved: initial,
    load: () => ks.saved,
    save: (b: Uint8Array) => {
      ks.saved = Uint8Array.from(b);
    },
  };
  return ks;
}

/** One card: keys in its key store, a formatted ledger, a certificate, and the app on top. */
export function device(world: World, clock: ManualClock, name: string, allowance: number, seed: number) {
  const random = seededRandom(seed);
  const keys = CardKeys.generate(random);
  const flash = new MemFlash(world.sectors, world.sectorBytes);
  const screen = new RecordingScreen();
  const radio = new FakeRadio();
  let flow: AppFlow | null = null;
  const card = new DeviceCard({
    flash,
    keyStore: memoryKeyStore(encodeKeyStore(keys)),
    authorities: [world.authority.publicKey],
    random,
    tick: clock,
    serial: null,
    firmware: 'test',
    listener: { show: (v) => flow?.show(v), request: (r) => flow?.request(r) },
  });
  assert.ok(card.booted, `${name} booted from its key store`);
  card.booted.installCertificate(world.certificate(keys, allowance).bytes);
  flow = new AppFlow({ screen, card, radio, timers: clock, tick: clock, qr: simulatorQr }, { tap: { sightings: 1 } });
  flow.start();
  const press = (b: ButtonId): void => flow!.button({ button: b, action: 'press' });
  return { name, card, flow, screen, radio, press, keys };
}

/**
 * Joins the payer's central to the payee's peripheral; GATT values queue and
 * may be lost. A side whose radio is stopped neither sends nor receives any
 * more (the device drops the connection).
 */
function connect(payee: ReturnType<typeof device>, payer: ReturnType<typeof device>, mtu: number, lose: () => boolean) {
  const queue: [ConnectionEvents, Uint8Array][] = [];
  const payeeEvents = payee.radio.peripheral!.events;
  const payerEvents = payer.radio.connected!.events;
  const stops = { payee: payee.radio.stops, payer: payer.radio.stops };
  const up = (side: 'payee' | 'payer'): boolean => (side === 'payee' ? payee : payer).radio.stops === stops[side];
  const closed = { payee: false, payer: false };
  const deliver = (to: 'payee' | 'payer', v: Uint8Array): void => {
    if (!lose() && up(to === 'payee' ? 'payer' : 'payee')) queue.push([to === 'payee' ? payeeEvents : payerEvents, Uint8Array.from(v)]);
  };
  payeeEvents.connected({ write: (v) => deliver('payer', v), close: () => void (closed.payee = true) });
  payeeEvents.mtu(mtu);
  payerEvents.connected({ write: (v) => deliver('payee', v), close: () => void (closed.payer = true) }, payee.radio.peripheral!.offerUri);
  payerEvents.mtu(mtu);
  const pending = (): [ConnectionEvents, Uint8Array][] => {
    // values for a side whose radio stopped are lost
    for (let i = queue.length - 1; i >= 0; i--) {
      const to = queue[i]![0] === payeeEvents ? 'payee' : 'payer';
      if (!up(to)) queue.splice(i, 1);
    }
    return queue;
  };
  return { queue, pending, closed };
}

function pump(clock: ManualClock, pending: () => [ConnectionEvents, Uint8Array][], until: () => boolean, limit = 2000): void {
  for (let i = 0; i < limit && !until(); i++) {
    const queue = pending();
    if (queue.length) {
      const [to, v] = queue.shift()!;
      to.value(v);
    } else clock.advance(500);
  }
}

const kind = (v: View): string => v.kind;

describe('firmware app: a payment by tap between two card apps', () => {
  for (const { mtu, loss } of [
    { mtu: 185, loss: 0 },
    { mtu: 23, loss: 0.1 },
  ]) {
    it(`pays ${loss ? 'over a lossy link ' : ''}at MTU ${mtu}, and both screens and ledgers agree`, () => {
      const world = new World({ seed: 0x51 + mtu });
      const clock = new ManualClock();
      const payee = device(world, clock, 'payee', 0, 11);
      const payer = device(world, clock, 'payer', 100_00, 22);
      const lose = seeded(mtu);

      // Payee: Receive (tap), 12.50
      payee.press('down');
      payee.press('select');
      for (const d of '0001250') {
        for (let i = 0; i < Number(d); i++) payee.press('up');
        payee.press('select');
      }
      assert.equal(kind(payee.screen.last), 'offer');
      assert.ok(payee.radio.peripheral, 'advertising');

      // Payer: Pay by tap, held close to the payee
      payer.press('down');
      payer.press('down');
      payer.press('select');
      payer.radio.scan!({ id: 'payee', rssi: -30 });
      assert.ok(payer.radio.connected, 'connecting');

      const { pending, closed } = connect(payee, payer, mtu, () => loss > 0 && lose() < loss);
      pump(clock, pending, () => payer.screen.last.kind === 'confirm');
      const ask = payer.screen.last;
      assert.equal(ask.kind, 'confirm', `payer shows ${ask.kind}`);
      assert.equal((ask as { amount: number }).amount, 1250);
      pump(clock, pending, () => payee.screen.last.kind === 'confirm', 50);
      const code = (ask as { code?: string }).code;
      if (code !== undefined && payee.screen.last.kind === 'confirm') {
        assert.equal((payee.screen.last as { code?: string }).code, code, 'both screens show the same comparison code');
      }

      payer.press('select'); // pay
      pump(clock, pending, () => payee.screen.last.kind === 'result', 5000);
      // The payee's holder leaves the result at once; its receipt must still get through.
      payee.press('select');
      assert.equal(payee.screen.last.kind, 'home');
      pump(clock, pending, () => payer.screen.last.kind === 'result', 5000);
      pump(clock, pending, () => closed.payee && closed.payer, 200);
      assert.ok(closed.payee && closed.payer, 'both connections closed in the end');
      const paid = payer.screen.last as Extract<View, { kind: 'result' }>;
      const got = [...payee.screen.views].reverse().find((v) => v.kind === 'result') as Extract<View, { kind: 'result' }>;
      assert.equal(paid.kind, 'result');
      assert.ok(paid.ok, `payer: ${paid.title} ${paid.text ?? ''}`);
      assert.equal(paid.amount, 1250);
      assert.ok(got.ok, `payee: ${got.title} ${got.text ?? ''}`);
      assert.equal(got.title, 'Received');

      assert.equal(payer.card.booted!.status().spent, 1250);
      assert.equal(payee.card.booted!.status().received, 1250);
      assert.deepEqual(payer.card.history(0, 10).entries.map((e) => [e.direction, e.amount]), [['out', 1250]]);
      assert.deepEqual(payee.card.history(0, 10).entries.map((e) => [e.direction, e.amount]), [['in', 1250]]);
    });
  }

});
