// Fakes of the device for the firmware app tests: a manual clock (the Timers
// and Tick ports), a recording screen, a scripted radio, a fake card, and a
// seeded random source for lossy pipes.
import type { ConfirmRequest, Link, Tick } from '../../firmware/core/index.js';
import type { CardPort, CardSession, CardStatus, HolderAnswer, Offer } from '../../firmware/app/card-port.js';
import type { QrEncoder } from '../../firmware/app/flow.js';
import type { BleConnection, ConnectionEvents, Radio, TapCandidate } from '../../firmware/app/radio.js';
import type { TimerId, Timers } from '../../firmware/app/timers.js';
import type { QrMatrix } from '../../firmware/ui/qr.js';
import type { HistoryEntry, View } from '../../firmware/ui/views.js';
import qrcode from 'qrcode-generator';

/** Timers and a tick on a clock that only moves when the test says so. */
export class ManualClock implements Timers, Tick {
  private now = 0;
  private nextId = 1;
  private readonly pending = new Map<TimerId, { at: number; fn: () => void; seq: number }>();
  private seq = 0;

  set(fn: () => void, ms: number): TimerId {
    const id = this.nextId++;
    this.pending.set(id, { at: this.now + Math.max(0, ms), fn, seq: this.seq++ });
    return id;
  }

  clear(id: TimerId): void {
    this.pending.delete(id);
  }

  nowMs(): number {
    return this.now;
  }

  /** Moves time forward, firing due timers in order (timers they set fire too, if due). */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      let next: [TimerId, { at: number; fn: () => void; seq: number }] | undefined;
      for (const e of this.pending) {
        if (e[1].at <= end && (!next || e[1].at < next[1].at || (e[1].at === next[1].at && e[1].seq < next[1].seq))) next = e;
      }
      if (!next) break;
      this.pending.delete(next[0]);
      this.now = Math.max(this.now, next[1].at);
      next[1].fn();
    }
    this.now = end;
  }

  /** Timers waiting to fire. */
  get count(): number {
    return this.pending.size;
  }
}

/** xorshift32: reproducible "random" loss for pipes. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

export function bytes(n: number, seed = 1): Uint8Array {
  const r = seeded(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(r() * 256);
  return out;
}

/** QR matrices the way the simulator makes them (qrcode-generator, level M). */
export const simulatorQr: QrEncoder = {
  encode(text: string): QrMatrix {
    const qr = qrcode(0, 'M');
    qr.addData(text, /^[0-9A-Z $%*+\-./:]*$/.test(text) ? 'Alphanumeric' : 'Byte');
    qr.make();
    const size = qr.getModuleCount();
    return { size, isDark: (x, y) => x >= 0 && y >= 0 && x < size && y < size && qr.isDark(y, x) };
  },
};

export class RecordingScreen {
  readonly views: View[] = [];
  show(view: View): void {
    this.views.push(view);
  }
  get last(): View {
    const v = this.views[this.views.length - 1];
    if (!v) throw new Error('nothing shown yet');
    return v;
  }
}

export class FakeConnection implements BleConnection {
  readonly written: Uint8Array[] = [];
  closed = false;
  write(value: Uint8Array): void {
    this.written.push(Uint8Array.from(value));
  }
  close(): void {
    this.closed = true;
  }
}

/** A radio the test drives: it remembers what the app asked for and hands back the callbacks. */
export class FakeRadio implements Radio {
  peripheral: { name: string; data?: Uint8Array; offerUri: string; events: ConnectionEvents } | null = null;
  scan: ((c: TapCandidate) => void) | null = null;
  connected: { candidate: TapCandidate; events: ConnectionEvents } | null = null;
  stops = 0;
  failNext: Error | null = null;
  /** What localAddress() answers (most significant byte first); null: not known yet. */
  address: Uint8Array | null = null;

  localAddress(): Uint8Array | null {
    return this.address;
  }

  startPeripheral(ad: { name: string; data?: Uint8Array }, offerUri: string, events: ConnectionEvents): void {
    this.throwIfAsked();
    this.peripheral = { ...ad, offerUri, events };
  }
  startScan(onCandidate: (c: TapCandidate) => void): void {
    this.throwIfAsked();
    this.scan = onCandidate;
  }
  connect(candidate: TapCandidate, events: ConnectionEvents): void {
    this.scan = null;
    this.connected = { candidate, events };
  }
  stop(): void {
    this.stops++;
    this.peripheral = null;
    this.scan = null;
    this.connected = null;
  }
  private throwIfAsked(): void {
    const e = this.failNext;
    this.failNext = null;
    if (e) throw e;
  }
}

export class FakeSession implements CardSession {
  readonly received: Uint8Array[] = [];
  lost = 0;
  receive(message: Uint8Array): void {
    this.received.push(message);
  }
  linkLost(): void {
    this.lost++;
  }
}

/** The card as the app sees it, scripted by the test. */
export class FakeCard implements CardPort {
  provisioned = true;
  currency = 'EUR';
  available = 12_345;
  offers: { amount: number | undefined; mode: 'qr' | 'tap' }[] = [];
  cancelled = 0;
  sessions: { role: 'payee' | 'payer'; link: Link; offerUri: string | undefined; session: FakeSession }[] = [];
  answers: HolderAnswer[] = [];
  entries: HistoryEntry[] = [];
  offerError: Error | null = null;

  status(): CardStatus {
    return this.provisioned
      ? { provisioned: true, label: 'alice', currency: this.currency, available: this.available }
      : { provisioned: false, label: 'new card', currency: this.currency };
  }
  history(offset: number, limit: number): { entries: HistoryEntry[]; total: number } {
    return { entries: this.entries.slice(offset, offset + limit), total: this.entries.length };
  }
  createOffer(amount: number | undefined, mode: 'qr' | 'tap'): Offer {
    if (this.offerError) throw this.offerError;
    this.offers.push({ amount, mode });
    return { uri: `TALLY:PAY/1/${'A'.repeat(120)}${this.offers.length}`, advertisement: Uint8Array.of(1, 2, 3) };
  }
  cancelOffer(): void {
    this.cancelled++;
  }
  openSession(role: 'payee' | 'payer', link: Link, offerUri?: string): CardSession {
    const session = new FakeSession();
    this.sessions.push({ role, link, offerUri, session });
    return session;
  }
  answerConfirm(answer: HolderAnswer): void {
    this.answers.push(answer);
  }
}

export type { ConfirmRequest };
