// Timers and the tick, from Moddable's `timer` module and Date.now(). Nothing
// on the card sets the clock, so Date.now() only moves forward here; the app
// uses it only for durations, never as wall time.
import Timer from 'timer';
import type { Tick } from '../core/index.js';
import type { TimerId, Timers } from '../app/timers.js';

export const timers: Timers = {
  set(fn: () => void, ms: number): TimerId {
    return Timer.set(() => fn(), Math.max(0, Math.round(ms)));
  },
  clear(id: TimerId): void {
    Timer.clear(id);
  },
};

export const tick: Tick = {
  nowMs: () => Date.now(),
};
