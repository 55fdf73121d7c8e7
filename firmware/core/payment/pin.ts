// The holder's PIN and the limit on failed attempts.
//
// A wrong PIN, and a declined tap confirmation (the codes differed: maybe a
// man in the middle), count as failed attempts. The count is a ledger note,
// so a power cycle does not reset it. After PIN_ATTEMPTS consecutive
// failures every further attempt waits PIN_BACKOFF_MS * 2^(failures -
// PIN_ATTEMPTS), at most PIN_BACKOFF_MAX_MS, counted on the Tick port from
// the last failure (or from boot, the tick being monotonic only while
// powered). A correct PIN resets the count.
import { sha256 } from '../primitives.js';
import { concat, equalBytes, utf8 } from '../bytes.js';
import type { Ledger } from '../ledger/index.js';
import type { Tick } from '../ports.js';
import { defineHiddenMethods } from '../hidden.js';

export const PIN_ATTEMPTS = 3;
export const PIN_BACKOFF_MS = 30_000;
export const PIN_BACKOFF_MAX_MS = 3_600_000;

const digest = (pin: string): Uint8Array => sha256(concat(utf8('tally/v1/pin'), utf8(pin)));

export class PinGate {
  /** Whether confirmations need the PIN. */
  readonly required: boolean;
  /** Checks a PIN (constant time); with no PIN set, any answer passes. */
  declare readonly matches: (pin: string | undefined) => boolean;
  private lastFailureMs: number;

  constructor(
    pin: string | undefined,
    private readonly ledger: Ledger,
    private readonly tick: Tick,
  ) {
    // The PIN's hash lives in this closure only (hidden.ts).
    const hash = pin === undefined ? undefined : digest(pin);
    this.required = hash !== undefined;
    defineHiddenMethods(this, {
      matches: (given: string | undefined): boolean => hash === undefined || (typeof given === 'string' && given.length <= 64 && equalBytes(digest(given), hash)),
    });
    this.lastFailureMs = tick.nowMs();
  }

  get failures(): number {
    return this.ledger.pinFailures;
  }

  /** Attempts left before the back-off starts. */
  get attemptsLeft(): number {
    return Math.max(0, PIN_ATTEMPTS - this.failures);
  }

  /** Milliseconds to wait before the next attempt (0: an attempt is allowed now). */
  waitMs(): number {
    const f = this.failures;
    if (f < PIN_ATTEMPTS) return 0;
    const backoff = Math.min(PIN_BACKOFF_MS * 2 ** Math.min(f - PIN_ATTEMPTS, 20), PIN_BACKOFF_MAX_MS);
    return Math.max(0, this.lastFailureMs + backoff - this.tick.nowMs());
  }

  /** Records a failed attempt (a ledger note). */
  failed(): void {
    this.ledger.appendPinFailures(this.failures + 1);
    this.lastFailureMs = this.tick.nowMs();
  }

  /** Records a success: resets the count when it was not zero. */
  succeeded(): void {
    if (this.failures > 0) this.ledger.appendPinFailures(0);
  }

  toJSON(): string {
    return '(pin gate)';
  }
}
