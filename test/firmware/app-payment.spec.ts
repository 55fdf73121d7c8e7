// Two card apps pay each other by tap: the real card core behind the app's
// card wiring (firmware/app/card-wiring.ts), the screen flow driven by button
// presses, and the BLE link simulated as GATT values through the fragment
// layer, at the minimum MTU and with lost values. Only the radio and the
// clock are fakes (test/firmware/app-fixture.ts).
//
// Portable: it runs on V8 (app-payment.test.ts) and inside the XS engine
// (test/xs/), where the app, screen layouts and fragment layer are bundled
// against the shipped core bundle, as on the card.
import type { View } from '../../firmware/ui/views.js';
import { World } from '../core/card-fixture.js';
import { assert, describe, it } from '../portable/spec.js';
import { ManualClock, seeded } from './fakes.js';
import { device, payByTap, type ResultView } from './app-fixture.js';

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
      let code: string | undefined;

      const { paid, got, closed } = payByTap(payee, payer, clock, {
        amount: 12_50,
        mtu,
        lose: () => loss > 0 && lose() < loss,
        observe: (stage) => {
          if (stage === 'offer') {
            assert.equal(kind(payee.screen.last), 'offer');
            assert.ok(payee.radio.peripheral, 'advertising');
          } else if (stage === 'connecting') {
            assert.ok(payer.radio.connected, 'connecting');
          } else if (stage === 'payer-confirm') {
            const ask = payer.screen.last;
            assert.equal(ask.kind, 'confirm', `payer shows ${ask.kind}`);
            assert.equal((ask as { amount: number }).amount, 1250);
            code = (ask as { code?: string }).code;
          } else if (stage === 'payee-confirm') {
            if (code !== undefined && payee.screen.last.kind === 'confirm') {
              assert.equal((payee.screen.last as { code?: string }).code, code, 'both screens show the same comparison code');
            }
          } else if (stage === 'payee-left') {
            assert.equal(payee.screen.last.kind, 'home');
          }
        },
      });
      assert.ok(closed.payee && closed.payer, 'both connections closed in the end');
      assert.equal(got?.kind, 'result', 'the payee showed a result');
      const shown = [...payee.screen.views].reverse().find((v) => v.kind === 'result') as ResultView;
      const result = paid as ResultView;
      assert.equal(result.kind, 'result');
      assert.ok(result.ok, `payer: ${result.title} ${result.text ?? ''}`);
      assert.equal(result.amount, 1250);
      assert.ok(shown.ok, `payee: ${shown.title} ${shown.text ?? ''}`);
      assert.equal(shown.title, 'Received');

      assert.equal(payer.card.booted!.status().spent, 1250);
      assert.equal(payee.card.booted!.status().received, 1250);
      assert.deepEqual(payer.card.history(0, 10).entries.map((e) => [e.direction, e.amount]), [['out', 1250]]);
      assert.deepEqual(payee.card.history(0, 10).entries.map((e) => [e.direction, e.amount]), [['in', 1250]]);
    });
  }
});
