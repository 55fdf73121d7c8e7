// Buttons: raw pin edges in, debounced presses out.
//
// The device adapter reports every edge it sees (pin interrupts bounce) with
// the level it read. A change counts once the pin has held its new level for
// `debounceMs`. A release before `longMs` is a press; holding past `longMs` is
// a long press (reported while still held, so the screen reacts at once, and
// not followed by a press). Buttons listed in `repeat` also repeat while held
// (fast amount entry).
import { Timeout, type Timers } from './timers.js';

export type ButtonId = 'up' | 'down' | 'select' | 'back';
export type ButtonAction = 'press' | 'long' | 'repeat';

export interface ButtonEvent {
  button: ButtonId;
  action: ButtonAction;
}

export interface ButtonOptions {
  debounceMs?: number;
  longMs?: number;
  /** Buttons that auto-repeat while held (instead of a long press). */
  repeat?: ButtonId[];
  repeatDelayMs?: number;
  repeatEveryMs?: number;
}

interface ButtonState {
  /** Level after debouncing. */
  stable: boolean;
  /** Last level an edge reported. */
  raw: boolean;
  settle: Timeout;
  hold: Timeout;
  longFired: boolean;
}

export const BUTTON_IDS: readonly ButtonId[] = ['up', 'down', 'select', 'back'];

export class ButtonDecoder {
  private readonly states = new Map<ButtonId, ButtonState>();
  private readonly debounceMs: number;
  private readonly longMs: number;
  private readonly repeat: Set<ButtonId>;
  private readonly repeatDelayMs: number;
  private readonly repeatEveryMs: number;

  constructor(
    private readonly timers: Timers,
    private readonly onEvent: (e: ButtonEvent) => void,
    options: ButtonOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? 30;
    this.longMs = options.longMs ?? 800;
    this.repeat = new Set(options.repeat ?? []);
    this.repeatDelayMs = options.repeatDelayMs ?? 500;
    this.repeatEveryMs = options.repeatEveryMs ?? 150;
  }

  /** A pin edge: `pressed` is the level read in the interrupt (after inverting active-low pins). */
  edge(button: ButtonId, pressed: boolean): void {
    if (!BUTTON_IDS.includes(button)) return;
    const s = this.state(button);
    s.raw = pressed;
    s.settle.start(this.debounceMs, () => this.settled(button, s));
  }

  /** Forgets held buttons (the screen changed under them, or the app sleeps). */
  reset(): void {
    for (const s of this.states.values()) {
      s.settle.stop();
      s.hold.stop();
      s.stable = false;
      s.raw = false;
      s.longFired = false;
    }
  }

  private state(button: ButtonId): ButtonState {
    let s = this.states.get(button);
    if (!s) {
      s = { stable: false, raw: false, settle: new Timeout(this.timers), hold: new Timeout(this.timers), longFired: false };
      this.states.set(button, s);
    }
    return s;
  }

  private settled(button: ButtonId, s: ButtonState): void {
    if (s.raw === s.stable) return; // bounced back
    s.stable = s.raw;
    if (s.stable) {
      s.longFired = false;
      if (this.repeat.has(button)) {
        this.onEvent({ button, action: 'press' });
        s.longFired = true; // the press is already reported
        const again = (): void => {
          this.onEvent({ button, action: 'repeat' });
          s.hold.start(this.repeatEveryMs, again);
        };
        s.hold.start(this.repeatDelayMs, again);
      } else {
        s.hold.start(this.longMs, () => {
          s.longFired = true;
          this.onEvent({ button, action: 'long' });
        });
      }
    } else {
      s.hold.stop();
      if (!s.longFired) this.onEvent({ button, action: 'press' });
    }
  }
}
