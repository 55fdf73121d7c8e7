// One simulated card's insides: the card core (the Card facade and its serial
// command end, SerialCard) on simulated hardware: NOR flash that can lose
// power, a key store (the ESP32's NVS), a seeded "hardware" random source and
// a tick. Portable: it runs in V8 in the simulator's process, and bundled
// into an XS worker (engine/xs-entry.ts) for `--engine xs`.
//
// The world reaches the card only through calls, as on the device: serial
// bytes from USB, radio messages from BLE, the holder's answer. Everything the
// card does to the world in one call comes back as that call's Effects: link
// messages to send, the link closed, views for the e-ink screen, a question
// for the holder, the session's outcome, refused messages, a power cut.
import {
  Card,
  KEY_STORE_BYTES,
  LINK_MESSAGE_MAX,
  SerialCard,
  TallyError,
  decodeKeyStore,
  encodeKeyStore,
  toHex,
  type CardKeys,
  type CardStatus,
  type CardView,
  type ConfirmRequest,
  type HistoryItem,
  type Link,
  type SessionOutcome,
} from '../../firmware/core/index.js';
import { Rng } from '../random.js';
import { NorFlash, PowerCut, type CutPlan } from './nor-flash.js';

export interface HostOptions {
  /** Seeds the card's random source (keys, tokens, nonces): the same seed, the same card. */
  seed: string;
  /** Ledger region, in 4 KiB sectors. */
  sectors: number;
  /** Ed25519 public keys of the authorities the card trusts (its firmware's). */
  authorities: Uint8Array[];
  /** Reported by the serial `info` command. */
  firmware: string;
  /** Written into the card's offers (6 bytes). */
  bleAddress?: Uint8Array;
  pin?: string;
}

export interface Effects {
  /** Link messages the card sent, in order. */
  sent: Uint8Array[];
  /** The card closed its link. */
  closed: boolean;
  /** Views the card asked its screen to show, in order. */
  views: CardView[];
  /** The card asks its holder to confirm. */
  confirm?: ConfirmRequest;
  /** The session ended. */
  outcome?: Outcome;
  /** Codes of messages refused without changing the session. */
  refused: number[];
  /** The power went during the call: the card is off until rebooted. */
  dead: boolean;
  /** A coded refusal thrown by pay() or receive(): nothing was sent. */
  error?: { code: number; message: string };
  /** Flash work done in the call (the time model charges it). */
  flash: { writes: number; bytes: number; erases: number };
}

/** A session's outcome with its byte fields as hex (the same on both engines). */
export type Outcome =
  | { status: 'done'; role: 'payer' | 'payee'; amount: number; currency: string; peer: string; paymentHash: string; recovered: boolean }
  | { status: 'failed'; role: 'payer' | 'payee'; code: number; message: string; peerCode?: number };

export function outcomeOf(o: SessionOutcome): Outcome {
  if (o.status === 'done') {
    return { status: 'done', role: o.role, amount: o.amount, currency: o.currency, peer: toHex(o.peer), paymentHash: toHex(o.paymentHash), recovered: o.recovered };
  }
  return { status: 'failed', role: o.role, code: o.code, message: o.message, ...(o.peerCode !== undefined ? { peerCode: o.peerCode } : {}) };
}

export interface HostStatus extends CardStatus {
  /** Whether the card has keys and a certificate. */
  provisioned: boolean;
}

export interface Snapshot {
  /** The key store's 64 bytes (a cloner reads them out of NVS). */
  keys: Uint8Array;
  flash: NorFlash;
}

export class CardHost {
  readonly flash: NorFlash;
  private keyStore: Uint8Array | undefined;
  private card: Card | undefined;
  private serialCard!: SerialCard;
  private readonly rng: Rng;
  private now = 0;
  private fx: Effects = blank();
  private serialOut: Uint8Array[] = [];
  /** Set when the power went; cleared by reboot(). */
  dead = false;

  constructor(
    private readonly o: HostOptions,
    from?: Snapshot,
  ) {
    this.rng = new Rng(`card/${o.seed}`);
    this.flash = from ? from.flash : new NorFlash(o.sectors);
    if (from) this.keyStore = from.keys.slice();
    this.boot();
  }

  get cardId(): Uint8Array | undefined {
    return this.card?.cardId;
  }

  // ---- USB serial (the bridge) ------------------------------------------------

  /** Bytes from the USB serial line; returns what the card writes back. */
  serial(now: number, bytes: Uint8Array): Uint8Array {
    this.now = now;
    if (this.dead) return new Uint8Array(0);
    this.serialOut = [];
    try {
      this.serialCard.receive(bytes);
    } catch (e) {
      this.cut(e);
    }
    // A command that hit a power cut answered 6013 (SerialCard catches it); the card is off now.
    if (this.flash.dead) this.cut(new PowerCut());
    const out = this.serialOut;
    this.serialOut = [];
    return out.length === 1 ? out[0]! : concatAll(out);
  }

  // ---- payments ---------------------------------------------------------------

  /** Payee: a new one-time offer; `uri` is the QR code / advertisement payload. */
  receive(now: number, req: { amount?: number; mode: 'qr' | 'tap' }): { uri?: string; effects: Effects } {
    let uri: string | undefined;
    const effects = this.call(now, (card) => {
      const s = card.receive({ ...(req.amount !== undefined ? { amount: req.amount } : {}), mode: req.mode, link: this.link() });
      uri = s.uri;
    });
    return uri !== undefined ? { uri, effects } : { effects };
  }

  /** Payer: starts paying an offer (its tally: URI); Noise message 1 goes out. */
  pay(now: number, uri: string, req: { amount?: number; mode: 'qr' | 'tap' }): Effects {
    return this.call(now, (card) => void card.pay(uri, { ...(req.amount !== undefined ? { amount: req.amount } : {}), mode: req.mode, link: this.link() }));
  }

  deliver(now: number, bytes: Uint8Array): Effects {
    return this.call(now, (card) => card.deliver(bytes));
  }

  confirm(now: number, answer: { accept: boolean; pin?: string }): Effects {
    return this.call(now, (card) => {
      if (card.session) card.confirm(answer);
    });
  }

  linkClosed(now: number): Effects {
    return this.call(now, (card) => card.linkClosed());
  }

  cancel(now: number): Effects {
    return this.call(now, (card) => card.cancel());
  }

  /** Shows the resting screen (after a sync, say). */
  home(now: number): Effects {
    return this.call(now, (card) => card.home());
  }

  // ---- state ------------------------------------------------------------------

  status(): HostStatus | undefined {
    const c = this.card;
    if (!c) return undefined;
    const s = c.status();
    return { ...s, provisioned: s.currency !== undefined };
  }

  history(offset: number, limit: number): { entries: HistoryItem[]; total: number } {
    return this.card ? this.card.history(offset, limit) : { entries: [], total: 0 };
  }

  /** Arms a power cut at a later flash write or erase. */
  armCut(plan: CutPlan): void {
    this.flash.armCut(plan);
  }

  disarm(): void {
    this.flash.disarm();
  }

  /** Power on after a cut (or a plain power cycle): RAM is lost, the ledger is recovered from flash. */
  reboot(now: number): void {
    this.now = now;
    this.flash.powerOn();
    this.dead = false;
    this.boot();
  }

  /** What a cloner copies: the key store and the whole flash. */
  snapshot(): Snapshot | undefined {
    if (!this.keyStore) return undefined;
    return { keys: this.keyStore.slice(), flash: this.flash.copy() };
  }

  // ---- internals --------------------------------------------------------------

  private boot(): void {
    this.card = undefined;
    if (this.keyStore) this.card = this.open(decodeKeyStore(this.keyStore));
    this.serialCard = new SerialCard({
      random: (n) => this.rng.bytes(n),
      firmware: this.o.firmware,
      host: {
        card: () => this.card,
        provision: (keys) => {
          this.keyStore = encodeKeyStore(keys);
          Card.format(this.flash);
          this.card = this.open(keys);
          return this.card;
        },
        send: (b) => void this.serialOut.push(b.slice()),
      },
    });
  }

  private open(keys: CardKeys): Card {
    return Card.open({
      keys,
      flash: this.flash,
      random: (n) => this.rng.bytes(n),
      tick: { nowMs: () => this.now },
      authorities: this.o.authorities,
      ...(this.o.bleAddress ? { bleAddress: this.o.bleAddress } : {}),
      ...(this.o.pin !== undefined ? { pin: this.o.pin } : {}),
      screen: { show: (v) => void this.fx.views.push(v) },
      confirm: { request: (r) => void (this.fx.confirm = r) },
      onEvent: (e) => {
        if (e.type === 'outcome') this.fx.outcome = outcomeOf(e.outcome);
        else this.fx.refused.push(e.code);
      },
    });
  }

  /** The link a session sends on: what it sends becomes the call's effects. */
  private link(): Link {
    return {
      maxMessageBytes: LINK_MESSAGE_MAX,
      send: (m) => void this.fx.sent.push(m.slice()),
      close: () => void (this.fx.closed = true),
    };
  }

  private call(now: number, fn: (card: Card) => void): Effects {
    this.now = now;
    const fx = (this.fx = blank());
    if (this.dead) {
      fx.dead = true;
      return fx;
    }
    const card = this.card;
    if (!card) {
      fx.error = { code: 6007, message: 'the card has no keys or certificate yet; provision it first' };
      return fx;
    }
    const before = { ...this.flash.stats };
    try {
      fn(card);
    } catch (e) {
      if (e instanceof TallyError) fx.error = { code: e.code, message: e.message };
      else this.cut(e);
    }
    if (this.flash.dead && !this.dead) this.cut(new PowerCut());
    fx.dead = this.dead;
    const after = this.flash.stats;
    fx.flash = { writes: after.writes - before.writes, bytes: after.bytesWritten - before.bytesWritten, erases: after.erases - before.erases };
    return fx;
  }

  /** The power went (anything but a coded error escaping the core is a dead device). */
  private cut(e: unknown): void {
    if (!(e instanceof PowerCut) && !this.flash.dead) throw e;
    this.dead = true;
    this.card = undefined;
  }
}

function blank(): Effects {
  return { sent: [], closed: false, views: [], refused: [], dead: false, flash: { writes: 0, bytes: 0, erases: 0 } };
}

function concatAll(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export { KEY_STORE_BYTES };
