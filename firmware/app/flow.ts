// The card's screen flow: what the holder sees and what the buttons do.
//
//   home ─ Receive (QR) ──> amount ─> offer: QR code + advertising ─ a payer connects ─> working ─> result
//        ─ Receive (tap) ─> amount ─> offer ─ a card connects ─> code (both screens) ─> working ─> result
//        ─ Pay by tap ────> scan ─ a payee close by ─> working ─> confirm (code) [─> PIN] ─> working ─> result
//        ─ History ───────> history
//
// Buttons: up/down move or change a digit; a press of select goes on; a long
// select, or the back button, goes back. During a payment the card core
// drives the screen through its Screen port (CardScreen views) and asks the
// holder through its Confirm port; this class is both. Everything that waits
// has a timeout, and the flow always comes back home.
import { ErrorTable, type ConfirmRequest, type Screen, type TallyError, type Tick } from '../core/index.js';
import type { QrMatrix } from '../ui/qr.js';
import { errorText } from '../ui/format.js';
import { HISTORY_PAGE_SIZE, type View } from '../ui/views.js';
import type { ButtonEvent } from './buttons.js';
import type { CardListener, CardPort, CardScreen } from './card-port.js';
import { SessionBinding, TapSelector, type BleConnection, type ConnectionEvents, type Radio, type TapOptions } from './radio.js';
import { Timeout, type Timers } from './timers.js';

/** Encodes text as a QR matrix: Moddable's native `qrcode` on the device, qrcode-generator in the simulator. */
export interface QrEncoder {
  encode(text: string): QrMatrix;
}

export interface FlowPorts {
  screen: Screen<View>;
  card: CardPort;
  radio: Radio;
  timers: Timers;
  tick: Tick;
  qr: QrEncoder;
  /** Diagnostics; never given keys, tokens or offer URIs. */
  log?: (line: string) => void;
}

export interface FlowConfig {
  /** BLE device name while advertising. */
  deviceName?: string;
  /** Digits in the amount editor (default 7: up to 99999.99 in a 2-decimal currency). */
  amountDigits?: number;
  /** Digits of a PIN (default 4). */
  pinDigits?: number;
  offerTimeoutMs?: number;
  scanTimeoutMs?: number;
  confirmTimeoutMs?: number;
  /** How long a payment may run once connected before the screen gives up on it. */
  paymentTimeoutMs?: number;
  resultTimeoutMs?: number;
  tap?: TapOptions;
}

/** Codes (docs/protocol.md) the flow itself reports. */
export const FlowCode = {
  NOT_PROVISIONED: 6007,
  /** The payment did not end in time: PAYMENT_ABORTED. */
  TIMEOUT: 4015,
  LOCKED: 4011,
} as const;

export const MENU = ['Receive (QR)', 'Receive (tap)', 'Pay by tap', 'History'] as const;

interface Ask {
  amount: number;
  currency: string;
  code?: string;
  pin: boolean;
  payee?: string;
  attemptsLeft?: number;
}

type State =
  | { name: 'home'; selected: number }
  | { name: 'amount'; digits: string; cursor: number; mode: 'qr' | 'tap' }
  | { name: 'offer'; amount: number | undefined; qr: QrMatrix; mode: 'qr' | 'tap' }
  | { name: 'scan' }
  | { name: 'working'; title: string; text: string; step: number; steps: number }
  | { name: 'code'; code: string; amount: number; currency: string }
  | { name: 'confirm'; ask: Ask; deadline: number }
  | { name: 'pin'; ask: Ask; digits: string; cursor: number; deadline: number }
  | { name: 'result'; ok: boolean; title: string; amount?: number; currency?: string; text?: string }
  | { name: 'history'; page: number }
  | { name: 'error'; code: number; message: string };

export type StateName = State['name'];

const WORKING: Record<string, [string, number]> = {
  connecting: ['Connecting...', 1],
  paying: ['Paying...', 2],
  retrying: ['Finishing an earlier payment...', 2],
  crediting: ['Receiving...', 3],
};

export class AppFlow implements CardListener {
  private state: State = { name: 'home', selected: 0 };
  private readonly stateTimer: Timeout;
  private readonly tickTimer: Timeout;
  private binding: SessionBinding | null = null;
  private readonly tap: TapSelector;
  private readonly cfg: Required<Omit<FlowConfig, 'tap'>>;
  /** Our side of the payment under way. */
  private role: 'payee' | 'payer' = 'payee';
  /** A finished payment's connection still getting its last message through; the radio stops when it is done. */
  private draining: SessionBinding | null = null;
  /** The last home figures the core showed (available, currency). */
  private home: Extract<CardScreen, { screen: 'home' }> | null = null;

  constructor(
    private readonly ports: FlowPorts,
    config: FlowConfig = {},
  ) {
    this.cfg = {
      deviceName: config.deviceName ?? 'Tally',
      amountDigits: clampInt(config.amountDigits ?? 7, 1, 12),
      pinDigits: clampInt(config.pinDigits ?? 4, 4, 8),
      offerTimeoutMs: config.offerTimeoutMs ?? 120_000,
      scanTimeoutMs: config.scanTimeoutMs ?? 30_000,
      confirmTimeoutMs: config.confirmTimeoutMs ?? 30_000,
      paymentTimeoutMs: config.paymentTimeoutMs ?? 60_000,
      resultTimeoutMs: config.resultTimeoutMs ?? 15_000,
    };
    this.tap = new TapSelector(config.tap);
    this.stateTimer = new Timeout(ports.timers);
    this.tickTimer = new Timeout(ports.timers);
  }

  /** Shows the first screen. */
  start(): void {
    this.goHome();
  }

  get stateName(): StateName {
    return this.state.name;
  }

  // ---- buttons --------------------------------------------------------------

  button(e: ButtonEvent): void {
    const s = this.state;
    const back = e.button === 'back' || (e.button === 'select' && e.action === 'long');
    const next = e.button === 'select' && e.action === 'press';
    const step = e.button === 'up' ? 1 : e.button === 'down' ? -1 : 0;
    switch (s.name) {
      case 'home':
        if (step) {
          s.selected = (s.selected - step + MENU.length) % MENU.length;
          this.render();
        } else if (next) this.activate(s.selected);
        return;
      case 'amount':
        if (back) return this.goHome();
        if (step) {
          s.digits = bump(s.digits, s.cursor, step);
          this.render();
        } else if (next) {
          if (s.cursor < s.digits.length - 1) {
            s.cursor++;
            this.render();
          } else this.startOffer(Number(s.digits) || undefined, s.mode);
        }
        return;
      case 'offer':
        if (back) {
          this.ports.card.cancelOffer();
          this.goHome();
        }
        return;
      case 'scan':
        if (back) this.goHome();
        return;
      case 'confirm':
        if (next) {
          if (s.ask.pin) {
            this.state = { name: 'pin', ask: s.ask, digits: '0'.repeat(this.cfg.pinDigits), cursor: 0, deadline: s.deadline };
            this.render();
          } else this.answer(true);
        } else if (back || e.button === 'down') this.answer(false);
        return;
      case 'pin':
        if (back) return this.answer(false);
        if (step) {
          s.digits = bump(s.digits, s.cursor, step);
          this.render();
        } else if (next) {
          if (s.cursor < s.digits.length - 1) {
            s.cursor++;
            this.render();
          } else this.answer(true, s.digits);
        }
        return;
      case 'history':
        if (back || next) return this.goHome();
        if (step) {
          s.page = Math.max(0, Math.min(this.historyPages() - 1, s.page - step));
          this.render();
        }
        return;
      case 'result':
      case 'error':
        if (e.action !== 'repeat') this.goHome();
        return;
      case 'working':
      case 'code':
        // A running payment is not cancelled from the buttons: it ends by
        // itself (done, failed or timed out), and both ledgers stay consistent.
        return;
    }
  }

  // ---- the core's Screen and Confirm ports -----------------------------------

  show(view: CardScreen): void {
    switch (view.screen) {
      case 'home':
        this.home = view;
        if (this.state.name === 'home') this.render();
        return;
      case 'offer':
        // The flow drew this offer when it asked for it (startOffer).
        return;
      case 'code':
        this.state = { name: 'code', code: view.code, amount: view.amount, currency: view.currency };
        this.render();
        return;
      case 'confirm':
        return this.confirm({
          amount: view.amount,
          currency: view.currency,
          pin: view.pin,
          payee: view.payee,
          ...(view.code !== undefined ? { code: view.code } : {}),
          ...(view.attemptsLeft !== undefined ? { attemptsLeft: view.attemptsLeft } : {}),
        });
      case 'working': {
        const [text, step] = WORKING[view.step] ?? ['Working...', 0];
        const title = this.role === 'payee' ? 'Receive' : 'Pay';
        this.state = { name: 'working', title, text, step, steps: 4 };
        this.render();
        return;
      }
      case 'done':
        if (!this.inPayment()) return;
        return this.result({
          ok: true,
          title: view.role === 'payee' ? 'Received' : 'Paid',
          amount: view.amount,
          currency: view.currency,
          text: `${view.role === 'payee' ? 'from' : 'to'} card ${view.peer.slice(0, 8)}${view.recovered ? ' (earlier payment completed)' : ''}`,
        });
      case 'failed':
        // A session cancelled from the screen (the holder left an offer) also
        // ends as 'failed': only a payment under way shows it.
        if (!this.inPayment()) return;
        return this.result({ ok: false, title: 'Not paid', text: failureText(view) });
      case 'locked':
        this.stopTimers();
        this.state = { name: 'error', code: FlowCode.LOCKED, message: `Too many attempts: wait ${Math.ceil(view.waitMs / 1000)} s` };
        this.stateTimer.start(Math.max(1000, view.waitMs), () => this.goHome());
        this.render();
        return;
    }
  }

  request(req: ConfirmRequest): void {
    this.confirm({ amount: req.amount, currency: req.currency, pin: req.pin === true, ...(req.code !== undefined ? { code: req.code } : {}) });
  }

  /** Shows a coded error (a device adapter failed, the BLE stack is missing). */
  fail(e: { code: number; message: string }): void {
    this.stopTimers();
    this.endRadio();
    this.state = { name: 'error', code: e.code, message: e.message };
    this.render();
  }

  // ---- transitions ------------------------------------------------------------

  private activate(item: number): void {
    if (item !== 3 && !this.ports.card.status().provisioned) {
      return this.fail({ code: FlowCode.NOT_PROVISIONED, message: 'Not set up: plug in USB and run tally bridge provision' });
    }
    if (item === 0 || item === 1) {
      this.state = { name: 'amount', digits: '0'.repeat(this.cfg.amountDigits), cursor: 0, mode: item === 0 ? 'qr' : 'tap' };
      this.render();
    } else if (item === 2) this.startScan();
    else {
      this.state = { name: 'history', page: 0 };
      this.render();
    }
  }

  private goHome(): void {
    this.stopTimers();
    this.endRadio();
    const selected = this.state.name === 'home' ? this.state.selected : 0;
    this.state = { name: 'home', selected };
    this.render();
  }

  private startOffer(amount: number | undefined, mode: 'qr' | 'tap'): void {
    let offer;
    let qr: QrMatrix;
    try {
      offer = this.ports.card.createOffer(amount, mode);
      qr = this.ports.qr.encode(offer.uri);
    } catch (e) {
      this.safely(() => this.ports.card.cancelOffer());
      return this.fail(asCoded(e));
    }
    this.role = 'payee';
    this.draining = null; // a new use of the radio: the device closes the old connection
    this.state = { name: 'offer', amount, qr, mode };
    this.render();
    this.stateTimer.start(this.cfg.offerTimeoutMs, () => {
      this.safely(() => this.ports.card.cancelOffer());
      this.goHome();
    });
    const ad = offer.advertisement ? { name: this.cfg.deviceName, data: offer.advertisement } : { name: this.cfg.deviceName };
    try {
      this.ports.radio.startPeripheral(ad, offer.uri, this.connectionEvents('payee'));
    } catch (e) {
      this.safely(() => this.ports.card.cancelOffer());
      this.fail(asCoded(e));
    }
  }

  private startScan(): void {
    this.tap.reset();
    this.draining = null;
    this.role = 'payer';
    this.state = { name: 'scan' };
    this.render();
    this.stateTimer.start(this.cfg.scanTimeoutMs, () => this.goHome());
    try {
      this.ports.radio.startScan((c) => {
        if (this.state.name !== 'scan' || !this.tap.offer(c)) return;
        this.stateTimer.stop();
        this.state = { name: 'working', title: 'Pay', text: 'Connecting...', step: 1, steps: 4 };
        this.render();
        this.stateTimer.start(this.cfg.paymentTimeoutMs, () => this.timedOut());
        try {
          this.ports.radio.connect(c, this.connectionEvents('payer'));
        } catch (e) {
          this.fail(asCoded(e));
        }
      });
    } catch (e) {
      this.fail(asCoded(e));
    }
  }

  /** BLE connection events for a payment in `role`. */
  private connectionEvents(role: 'payee' | 'payer'): ConnectionEvents {
    let binding: SessionBinding | null = null;
    return {
      connected: (conn: BleConnection, offerUri?: string) => {
        if (this.binding || (role === 'payee' ? this.state.name !== 'offer' : this.state.name !== 'working')) {
          conn.close(); // one payment at a time, and only when we wait for one
          return;
        }
        const b = new SessionBinding(conn, this.ports.timers, (error) => this.linkEnded(b, error));
        binding = b;
        this.binding = b;
        if (role === 'payee') {
          this.stateTimer.stop();
          this.state = { name: 'working', title: 'Receive', text: 'Connected...', step: 1, steps: 4 };
          this.render();
          this.stateTimer.start(this.cfg.paymentTimeoutMs, () => this.timedOut());
        }
        try {
          b.attach(this.ports.card.openSession(role, b.cardLink, role === 'payer' ? offerUri : undefined));
        } catch (e) {
          this.fail(asCoded(e));
        }
      },
      value: (bytes) => binding?.value(bytes),
      mtu: (mtu) => binding?.mtu(mtu),
      disconnected: () => {
        if (binding) binding.disconnected();
        else if (role === 'payer' && this.state.name === 'working') {
          // The payee went away (or had no Tally service) before the link was up.
          this.result({ ok: false, title: 'Not paid', text: `E${FlowCode.TIMEOUT} the payee went away before the payment started` });
        }
      },
    };
  }

  private linkEnded(binding: SessionBinding, error?: TallyError): void {
    if (this.binding === binding) this.binding = null;
    this.ports.log?.(`link ended${error ? `: E${error.code}` : ''}`);
    if (this.draining === binding) {
      this.draining = null;
      this.safely(() => this.ports.radio.stop());
    }
    // The card decides what a lost link means and shows it; if it stays
    // silent, the payment timeout brings the screen home.
  }

  private timedOut(): void {
    this.result({ ok: false, title: 'Not paid', text: `E${FlowCode.TIMEOUT} the payment did not finish in time` });
  }

  private confirm(ask: Ask): void {
    if (!Number.isSafeInteger(ask.amount) || ask.amount < 1) {
      this.ports.card.answerConfirm({ accept: false });
      return;
    }
    const s = this.state;
    if (s.name === 'confirm' || s.name === 'pin') {
      // The same request from both ports (show and request): merge what each knows.
      s.ask = { ...s.ask, ...ask, pin: s.ask.pin || ask.pin };
      if (s.name === 'confirm') this.render();
      return;
    }
    this.stopTimers();
    const deadline = this.ports.tick.nowMs() + this.cfg.confirmTimeoutMs;
    this.state = { name: 'confirm', ask, deadline };
    this.stateTimer.start(this.cfg.confirmTimeoutMs, () => this.answer(false));
    this.startCountdown();
    this.render();
  }

  private answer(accept: boolean, pin?: string): void {
    if (this.state.name !== 'confirm' && this.state.name !== 'pin') return;
    this.stopTimers();
    this.state = { name: 'working', title: 'Pay', text: accept ? 'Paying...' : 'Cancelling...', step: 2, steps: 4 };
    this.render();
    this.stateTimer.start(this.cfg.paymentTimeoutMs, () => this.timedOut());
    try {
      this.ports.card.answerConfirm(pin !== undefined ? { accept, pin } : { accept });
    } catch (e) {
      this.fail(asCoded(e));
    }
  }

  private result(r: { ok: boolean; title: string; amount?: number; currency?: string; text?: string }): void {
    this.stopTimers();
    this.endRadio();
    this.state = { name: 'result', ...r };
    this.stateTimer.start(this.cfg.resultTimeoutMs, () => this.goHome());
    this.render();
  }

  private startCountdown(): void {
    // Redraw the seconds left every 5 s: one partial e-paper refresh each time.
    this.tickTimer.start(5000, () => {
      if (this.state.name !== 'confirm') return;
      this.render();
      this.startCountdown();
    });
  }

  private stopTimers(): void {
    this.stateTimer.stop();
    this.tickTimer.stop();
  }

  private endRadio(): void {
    const b = this.binding;
    this.binding = null;
    if (b && !b.isEnded) b.cardLink.close();
    if (b && b.isDraining) this.draining = b;
    // The card's last message (a receipt) may still be on its way: then the
    // radio stops once it is through (linkEnded).
    if (this.draining) return;
    this.safely(() => this.ports.radio.stop());
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.ports.log?.(`ignored E${asCoded(e).code}`);
    }
  }

  /** States in which the card's payment outcome is what the screen should show. */
  private inPayment(): boolean {
    const n = this.state.name;
    return n === 'offer' || n === 'scan' || n === 'working' || n === 'code' || n === 'confirm' || n === 'pin';
  }

  private historyPages(): number {
    const total = this.ports.card.history(0, 0).total;
    return Math.max(1, Math.ceil(total / HISTORY_PAGE_SIZE));
  }

  // ---- views --------------------------------------------------------------------

  private render(): void {
    let view: View;
    try {
      view = this.view();
    } catch (e) {
      const c = asCoded(e);
      view = { kind: 'error', code: c.code, message: c.message, hint: 'Press: home' };
    }
    this.ports.screen.show(view);
  }

  /** The view for the current state. */
  private view(): View {
    const s = this.state;
    switch (s.name) {
      case 'home': {
        const status = this.ports.card.status();
        const available = this.home && status.provisioned ? this.home.available : status.available;
        const currency = this.home?.currency ?? status.currency;
        return {
          kind: 'home',
          title: status.label || 'Tally',
          provisioned: status.provisioned,
          ...(status.provisioned && available !== undefined ? { available: { amount: available, currency } } : {}),
          menu: [...MENU],
          selected: s.selected,
          hint: 'Up/Down: choose  Press: open',
        };
      }
      case 'amount':
        return {
          kind: 'amount',
          title: s.mode === 'tap' ? 'Request (tap)' : 'Request',
          digits: s.digits,
          cursor: s.cursor,
          currency: this.ports.card.status().currency,
          hint: s.cursor < s.digits.length - 1 ? 'Up/Down: digit  Press: next' : 'Press: done  Hold: back',
        };
      case 'offer': {
        const currency = this.ports.card.status().currency;
        if (s.amount !== undefined) return { kind: 'offer', qr: s.qr, amount: s.amount, currency };
        return { kind: 'offer', qr: s.qr, caption: s.mode === 'tap' ? 'Tap a card to pay' : 'Any amount' };
      }
      case 'scan':
        return { kind: 'progress', title: 'Pay by tap', text: 'Hold the card against the payee', hint: 'Hold: cancel' };
      case 'working':
        return { kind: 'progress', title: s.title, text: s.text, step: s.step, steps: s.steps };
      case 'code':
        return { kind: 'confirm', amount: s.amount, currency: s.currency, code: s.code, hint: 'The payer checks this code' };
      case 'confirm':
        return {
          kind: 'confirm',
          amount: s.ask.amount,
          currency: s.ask.currency,
          ...(s.ask.code !== undefined ? { code: s.ask.code } : {}),
          ...(s.ask.payee !== undefined ? { counterparty: `card ${s.ask.payee.slice(0, 8)}` } : {}),
          secondsLeft: Math.max(0, Math.ceil((s.deadline - this.ports.tick.nowMs()) / 1000)),
          hint: s.ask.pin ? 'Press: enter PIN  Hold: cancel' : 'Press: pay   Hold: cancel',
        };
      case 'pin':
        return {
          kind: 'amount',
          title: s.ask.attemptsLeft !== undefined ? `PIN (${s.ask.attemptsLeft} left)` : 'PIN',
          digits: s.digits,
          cursor: s.cursor,
          currency: '',
          decimals: 0,
          mask: true,
          hint: s.cursor < s.digits.length - 1 ? 'Up/Down: digit  Press: next' : 'Press: pay  Hold: cancel',
        };
      case 'result':
        return {
          kind: 'result',
          ok: s.ok,
          title: s.title,
          ...(s.amount !== undefined && s.currency !== undefined ? { amount: s.amount, currency: s.currency } : {}),
          ...(s.text !== undefined ? { text: s.text } : {}),
          hint: 'Press: home',
        };
      case 'history': {
        const pages = this.historyPages();
        const page = Math.min(s.page, pages - 1);
        const { entries } = this.ports.card.history(page * HISTORY_PAGE_SIZE, HISTORY_PAGE_SIZE);
        return { kind: 'history', entries, page, pages, hint: 'Up/Down: page  Press: home' };
      }
      case 'error':
        return { kind: 'error', code: s.code, message: s.message, hint: 'Press: home' };
    }
  }
}

function bump(digits: string, at: number, step: number): string {
  const d = (Number(digits[at]) + step + 10) % 10;
  return digits.slice(0, at) + d + digits.slice(at + 1);
}

function clampInt(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, Math.trunc(n)));
}

/** Any thrown value as { code, message }: coded errors keep theirs, anything else is 9001. */
export function asCoded(e: unknown): { code: number; message: string } {
  if (e && typeof e === 'object' && 'code' in e && typeof (e as { code: unknown }).code === 'number') {
    const msg = (e as { message?: unknown }).message;
    return { code: (e as { code: number }).code, message: typeof msg === 'string' ? msg : String(msg) };
  }
  return { code: 9001, message: e instanceof Error ? e.message : String(e) };
}

/**
 * What a failed payment says on screen. When the peer refused, its code is
 * shown with this card's own text for it: the peer's message is not displayed,
 * since a hostile peer could write anything there.
 */
function failureText(view: { code: number; message: string; peerCode?: number }): string {
  const peer = view.peerCode === undefined ? undefined : (ErrorTable as Record<number, readonly [string, string]>)[view.peerCode];
  if (peer) return `The other card refused: E${view.peerCode} ${peer[1]}`;
  return `E${view.code} ${errorText(view.message)}`;
}
