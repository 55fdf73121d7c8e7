// A whole simulated card running the card firmware's app (firmware/app:
// startApp) on simulated hardware: the e-ink screen (firmware/ui layouts into
// a 200x200 framebuffer), buttons pressed by the holder, NOR flash, the key
// store, a seeded random source, the BLE radio model and the USB serial port.
// Time is the simulator's clock: button debouncing, the app's timeouts and
// the radio all run on it. Used by `npm start` (the demo) and `tally sim screens`.
import { startApp, type RunningApp } from '../../firmware/app/app.js';
import type { ButtonId } from '../../firmware/app/buttons.js';
import type { ByteStream } from '../../firmware/app/serial.js';
import { NorFlash } from '../card/nor-flash.js';
import type { BleMedium, SimRadio } from '../radio/ble.js';
import type { Clock } from '../radio/clock.js';
import { Rng } from '../random.js';
import { EinkScreen } from '../screen/eink.js';
import { simQr } from '../screen/qr.js';

export interface AppDeviceOptions {
  name: string;
  clock: Clock;
  medium: BleMedium;
  /** Seeds the card's random source. */
  seed: string;
  authorities: Uint8Array[];
  address: Uint8Array;
  x?: number;
  y?: number;
  sectors?: number;
}

export class AppDevice {
  readonly name: string;
  readonly screen = new EinkScreen({ record: true });
  readonly flash: NorFlash;
  readonly radio: SimRadio;
  readonly app: RunningApp;
  private secrets: Uint8Array | null = null;
  private readonly serial: ByteStream & { out: Uint8Array[] };
  private readonly clock: Clock;

  constructor(o: AppDeviceOptions) {
    this.name = o.name;
    this.clock = o.clock;
    this.flash = new NorFlash(o.sectors ?? 64);
    this.radio = o.medium.device(o.name, o.address, o.x ?? 0, o.y ?? 0);
    const rng = new Rng(`device/${o.seed}`);
    const serial = { out: [] as Uint8Array[], onReceive: null as ((b: Uint8Array) => void) | null, write: (b: Uint8Array) => void serial.out.push(b.slice()) };
    this.serial = serial;
    this.app = startApp({
      screen: this.screen,
      radio: this.radio,
      timers: o.clock,
      tick: o.clock,
      random: (n) => rng.bytes(n),
      qr: simQr,
      flash: this.flash,
      keyStore: { load: () => this.secrets, save: (s) => void (this.secrets = s.slice()) },
      authorities: o.authorities,
      firmware: 'tally-sim-app 0.1.0',
      serial,
    });
  }

  /** The flow's state (home, amount, offer, scan, working, code, confirm, pin, result, history, error). */
  get state(): string {
    return this.app.flow.stateName;
  }

  /** Bytes over the USB cable; returns what the card wrote back. */
  usb(bytes: Uint8Array): Promise<Uint8Array> {
    this.serial.out = [];
    this.serial.onReceive?.(bytes);
    const out = this.serial.out;
    this.serial.out = [];
    let n = 0;
    for (const p of out) n += p.length;
    const all = new Uint8Array(n);
    let o = 0;
    for (const p of out) {
      all.set(p, o);
      o += p.length;
    }
    return Promise.resolve(all);
  }

  /** The holder presses a button (a long press when `long`); the clock runs through the debounce. */
  press(button: ButtonId, long = false): void {
    this.app.edge(button, true);
    this.clock.runSync(this.clock.now + (long ? 1000 : 60));
    this.app.edge(button, false);
    this.clock.runSync(this.clock.now + 60);
  }

  /** Moves the menu to `item` (its label) and opens it. */
  open(item: string): void {
    const view = this.screen.current;
    if (view?.kind !== 'home') throw new Error(`${this.name}: not on the home screen (${view?.kind ?? 'nothing'})`);
    const i = view.menu.indexOf(item);
    if (i < 0) throw new Error(`${this.name}: no menu item '${item}'`);
    let guard = 0;
    while (this.screen.current?.kind === 'home' && this.screen.current.selected !== i && guard++ < 10) this.press('down');
    this.press('select');
  }

  /** Types an amount (minor units) into the amount editor, digit by digit, and confirms it. */
  enterAmount(minor: number): void {
    const view = this.screen.current;
    if (view?.kind !== 'amount') throw new Error(`${this.name}: not on the amount screen`);
    const digits = String(minor).padStart(view.digits.length, '0');
    for (let i = 0; i < digits.length; i++) {
      const v = this.screen.current;
      if (v?.kind !== 'amount') throw new Error(`${this.name}: left the amount screen`);
      const want = Number(digits[i]);
      const have = Number(v.digits[i]);
      // Up counts up, down counts down (the editor wraps): take the shorter way.
      const upSteps = (want - have + 10) % 10;
      for (let k = 0; k < Math.min(upSteps, 10 - upSteps); k++) this.press(upSteps <= 5 ? 'up' : 'down');
      this.press('select');
    }
  }
}
