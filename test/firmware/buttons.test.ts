// Button handling (firmware/app/buttons.ts): raw, bouncing pin edges in,
// presses, long presses and repeats out.
import { strict as assert } from 'node:assert';
import { ButtonDecoder, type ButtonEvent } from '../../firmware/app/buttons.js';
import { ManualClock } from './fakes.js';

function decoder(options = {}) {
  const clock = new ManualClock();
  const events: string[] = [];
  const d = new ButtonDecoder(clock, (e: ButtonEvent) => events.push(`${e.button}:${e.action}`), options);
  return { clock, events, d };
}

describe('firmware: buttons', () => {
  it('turns a bouncing press and release into one press', () => {
    const { clock, events, d } = decoder();
    // contact bounce: down, up, down within a few ms
    d.edge('select', true);
    clock.advance(2);
    d.edge('select', false);
    clock.advance(3);
    d.edge('select', true);
    clock.advance(100);
    assert.deepEqual(events, [], 'nothing until the release');
    d.edge('select', false);
    clock.advance(1);
    d.edge('select', true);
    clock.advance(1);
    d.edge('select', false);
    clock.advance(40);
    assert.deepEqual(events, ['select:press']);
  });

  it('ignores a glitch shorter than the debounce time', () => {
    const { clock, events, d } = decoder();
    d.edge('up', true);
    clock.advance(10);
    d.edge('up', false);
    clock.advance(200);
    assert.deepEqual(events, []);
  });

  it('reports a long press while still held, and no press after it', () => {
    const { clock, events, d } = decoder({ longMs: 800 });
    d.edge('select', true);
    clock.advance(829);
    assert.deepEqual(events, []);
    clock.advance(1);
    assert.deepEqual(events, ['select:long']);
    clock.advance(2000);
    d.edge('select', false);
    clock.advance(50);
    assert.deepEqual(events, ['select:long']);
  });

  it('repeats the listed buttons while held', () => {
    const { clock, events, d } = decoder({ repeat: ['up'], repeatDelayMs: 500, repeatEveryMs: 100 });
    d.edge('up', true);
    clock.advance(30);
    assert.deepEqual(events, ['up:press']);
    clock.advance(500 + 3 * 100);
    assert.deepEqual(events, ['up:press', 'up:repeat', 'up:repeat', 'up:repeat', 'up:repeat']);
    d.edge('up', false);
    clock.advance(1000);
    assert.equal(events.length, 5, 'no press on release, no more repeats');
  });

  it('keeps buttons apart, ignores unknown ids, and forgets held buttons on reset', () => {
    const { clock, events, d } = decoder();
    d.edge('up', true);
    d.edge('down', true);
    clock.advance(40);
    d.edge('down', false);
    clock.advance(40);
    assert.deepEqual(events, ['down:press']);
    d.edge('power' as never, true);
    d.reset();
    clock.advance(2000);
    d.edge('up', false);
    clock.advance(40);
    assert.deepEqual(events, ['down:press'], 'the held up button was forgotten');
    assert.equal(clock.count, 0, 'no timers left running');
  });
});
