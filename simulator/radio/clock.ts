// Simulated time: a discrete-event scheduler. Everything that waits in the
// simulator (BLE connection events, the fragment layer's acknowledgement
// timers, button debouncing, a card's compute time) is an event at a time in
// milliseconds; nothing ever reads the wall clock. It is also the firmware
// app's Timers and the core's Tick port, so firmware code runs on it
// unchanged. Events at the same time run in the order they were scheduled.
import type { Tick } from '../../firmware/core/index.js';
import type { TimerId, Timers } from '../../firmware/app/timers.js';

type Handler = () => void | Promise<void>;

interface Ev {
  at: number;
  seq: number;
  fn: Handler;
  id: number;
}

export class Clock implements Timers, Tick {
  private heap: Ev[] = [];
  private seq = 0;
  private nextId = 1;
  private readonly cancelled = new Set<number>();
  now: number;

  constructor(start = 0) {
    this.now = start;
  }

  nowMs(): number {
    return this.now;
  }

  /** Runs `fn` at time `at` (not before now). */
  at(at: number, fn: Handler): TimerId {
    const id = this.nextId++;
    this.push({ at: Math.max(at, this.now), seq: this.seq++, fn, id });
    return id;
  }

  after(ms: number, fn: Handler): TimerId {
    return this.at(this.now + Math.max(0, ms), fn);
  }

  // Timers (firmware/app/timers.ts)
  set(fn: () => void, ms: number): TimerId {
    return this.after(ms, fn);
  }
  clear(id: TimerId): void {
    this.cancelled.add(id);
  }

  get pending(): number {
    return this.heap.length;
  }

  /** Time of the next event, or undefined. */
  peek(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.at;
  }

  /** Runs one event; false when none is left (or the next is after `until`). */
  step(until = Infinity): boolean | Promise<boolean> {
    this.dropCancelled();
    const e = this.heap[0];
    if (!e || e.at > until) return false;
    this.pop();
    this.now = e.at;
    const r = e.fn();
    return r ? r.then(() => true) : true;
  }

  /** Runs events (awaiting asynchronous ones) until none is left, `until` is passed, or `stop()` says so. */
  async run(until = Infinity, stop?: () => boolean): Promise<void> {
    for (;;) {
      if (stop?.()) return;
      const r = this.step(until);
      if (r === false) break;
      if (r !== true) await r;
    }
    if (until !== Infinity && !stop?.()) this.now = Math.max(this.now, until);
  }

  /** Runs synchronous events only (the firmware app, buttons); throws if a handler is asynchronous. */
  runSync(until = Infinity): void {
    for (;;) {
      const r = this.step(until);
      if (r === false) break;
      if (r !== true) throw new Error('Clock.runSync: an event handler is asynchronous');
    }
    if (until !== Infinity) this.now = Math.max(this.now, until);
  }

  /** Forgets every pending event. */
  reset(): void {
    this.heap = [];
    this.cancelled.clear();
  }

  private dropCancelled(): void {
    while (this.heap.length && this.cancelled.has(this.heap[0]!.id)) {
      this.cancelled.delete(this.heap[0]!.id);
      this.pop();
    }
  }

  private push(e: Ev): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(h[p]!, e)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && less(h[r]!, h[l]!) ? r : l;
      if (less(last, h[c]!)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
}

const less = (a: Ev, b: Ev): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);
