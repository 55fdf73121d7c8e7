// Timers, as a port: Moddable's `timer` module on the device, a manual clock
// in tests and the simulator. The app never reads wall time; durations come
// from the core's Tick port (a monotonic millisecond count).
export type TimerId = number;

export interface Timers {
  /** Calls `fn` once, `ms` milliseconds from now. */
  set(fn: () => void, ms: number): TimerId;
  /** Cancels a pending timer; clearing one that already fired is harmless. */
  clear(id: TimerId): void;
}

/** A single restartable timeout on top of Timers. */
export class Timeout {
  private id: TimerId | undefined;

  constructor(private readonly timers: Timers) {}

  start(ms: number, fn: () => void): void {
    this.stop();
    const id = this.timers.set(() => {
      if (this.id === id) this.id = undefined;
      fn();
    }, ms);
    this.id = id;
  }

  stop(): void {
    if (this.id !== undefined) {
      this.timers.clear(this.id);
      this.id = undefined;
    }
  }

  get pending(): boolean {
    return this.id !== undefined;
  }
}
