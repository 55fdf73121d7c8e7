// The BLE radio as the app sees it, and the portable parts of using it.
//
// A card is either a peripheral (payee: advertises its offer, a phone, a till
// or a paying card connects) or a central (payer, tap-to-pay: scans for a
// payee close by and connects). Moddable's BLE stack runs one role at a time,
// so the device adapter closes one before it opens the other; the app only
// ever asks for one role.
import type { Link, TallyError } from '../core/index.js';
import type { CardSession } from './card-port.js';
import { FragmentLink, type FragmentOptions } from './fragment.js';
import { Timeout, type Timers } from './timers.js';

/** One GATT connection, whichever role we play. */
export interface BleConnection {
  /** One GATT value to the peer (notify as peripheral, write as central). */
  write(value: Uint8Array): void;
  close(): void;
}

export interface ConnectionEvents {
  /** Connected and ready: notifications enabled, services found. `offerUri` is the payee's offer, read by a central. */
  connected(conn: BleConnection, offerUri?: string): void;
  /** A GATT value from the peer. */
  value(bytes: Uint8Array): void;
  /** The ATT MTU was negotiated. */
  mtu(mtu: number): void;
  disconnected(): void;
}

/** A payee heard while scanning. */
export interface TapCandidate {
  /** Opaque handle for connect(). */
  id: string;
  rssi: number;
}

export interface AdvertisementSpec {
  /** Complete local name (kept short: the 31-byte packet also holds the service UUID). */
  name: string;
  /** Manufacturer data (tap pairing data from the offer), at most 20 bytes. */
  data?: Uint8Array;
}

export interface Radio {
  /** Payee: advertise, serve the GATT service (the `offer` characteristic reads `offerUri`), accept one central. */
  startPeripheral(ad: AdvertisementSpec, offerUri: string, events: ConnectionEvents): void;
  /** Payer: scan for payees advertising the Tally service. */
  startScan(onCandidate: (c: TapCandidate) => void): void;
  /** Payer: connect to a candidate found by startScan (scanning stops). */
  connect(candidate: TapCandidate, events: ConnectionEvents): void;
  /** Ends advertising, scanning and any connection; releases the BLE stack. */
  stop(): void;
  /**
   * This device's BLE address, 6 bytes, most significant first (as written in
   * a pairing URI and shown as AA:BB:...), or null while it is not known yet.
   * Offers made without it carry the all-zero address.
   */
  localAddress?(): Uint8Array | null;
}

export interface TapOptions {
  /** Weakest signal that counts as "held together", dBm (default -50). */
  minRssi?: number;
  /** Sightings at or above minRssi in a row before we connect (default 3). */
  sightings?: number;
}

/**
 * Picks the payee to pay by tap: the same device heard `sightings` times in a
 * row at or above `minRssi`, and no other device that close meanwhile (two
 * payees held near the card: refuse to guess).
 */
export class TapSelector {
  private readonly minRssi: number;
  private readonly sightings: number;
  private current: string | null = null;
  private count = 0;
  private ambiguous = false;

  constructor(options: TapOptions = {}) {
    this.minRssi = options.minRssi ?? -50;
    this.sightings = Math.max(1, options.sightings ?? 3);
  }

  /** Feeds a sighting; returns true when `c` is the payee to connect to. */
  offer(c: TapCandidate): boolean {
    if (!Number.isFinite(c.rssi) || c.rssi < this.minRssi) {
      if (c.id === this.current) this.reset();
      return false;
    }
    if (this.current !== null && c.id !== this.current) {
      // Another device this close: start over and remember the doubt.
      this.ambiguous = true;
      this.current = c.id;
      this.count = 1;
      return false;
    }
    if (this.current === null) {
      this.current = c.id;
      this.count = 0;
    }
    this.count++;
    if (this.count >= this.sightings) {
      if (this.ambiguous) {
        // Require a clean run after any doubt.
        this.ambiguous = false;
        this.count = 1;
        return false;
      }
      return true;
    }
    return false;
  }

  reset(): void {
    this.current = null;
    this.count = 0;
    this.ambiguous = false;
  }
}

/** How long a finished session keeps its connection to get its last message through (ms). */
export const DRAIN_MS = 10_000;

/**
 * Binds one BLE connection to one card session: GATT values go through the
 * fragment layer, whole messages to the card, lost messages and disconnects
 * to the card as a lost link.
 *
 * When the card ends its session (it closes its link), its last message, the
 * payee's receipt for instance, may still be on its way: the binding then
 * drains, keeping the connection (and taking ACKs) until that message is
 * acknowledged, given up on, the peer disconnects, or DRAIN_MS pass, and
 * only then closes the connection.
 */
export class SessionBinding {
  readonly link: FragmentLink;
  /** The Link the card session uses: closing it ends the BLE connection too (after draining). */
  readonly cardLink: Link;
  private session: CardSession | null = null;
  private ended = false;
  private finished = false;
  private error: TallyError | undefined;
  private readonly drainTimer: Timeout;
  private readonly pending: Uint8Array[] = [];

  constructor(
    private readonly conn: BleConnection,
    timers: Timers,
    private readonly onEnd: (error?: TallyError) => void,
    options: FragmentOptions & { drainMs?: number } = {},
  ) {
    this.drainTimer = new Timeout(timers);
    const drainMs = options.drainMs ?? DRAIN_MS;
    this.link = new FragmentLink(
      {
        write: (frame) => {
          if (!this.finished) conn.write(frame);
        },
      },
      timers,
      {
        message: (bytes) => {
          if (this.ended) return; // the session is over: nothing to deliver to
          if (this.session) this.session.receive(bytes);
          else this.pending.push(bytes);
        },
        error: (e) => {
          // A message lost for good: the payment protocol recovers by
          // reconnecting (the same payment returns the same receipt), so end
          // this link rather than limp on.
          if (this.ended) this.finish();
          else this.end(e);
        },
      },
      options,
    );
    const link = this.link;
    this.cardLink = {
      maxMessageBytes: link.maxMessageBytes,
      send: (message) => link.send(message),
      close: () => {
        if (this.ended) return;
        this.ended = true;
        this.session = null;
        this.drainTimer.start(drainMs, () => this.finish());
        link.flush(() => this.finish());
      },
    };
  }

  /** Attaches the card's session; messages that arrived before it are delivered now. */
  attach(session: CardSession): void {
    if (this.ended) return;
    this.session = session;
    while (this.pending.length && this.session === session) session.receive(this.pending.shift()!);
  }

  value(bytes: Uint8Array): void {
    if (!this.finished) this.link.receive(bytes);
  }

  mtu(mtu: number): void {
    this.link.setMtu(mtu);
  }

  /** The BLE connection is gone. */
  disconnected(): void {
    if (this.ended) this.finish();
    else this.end();
  }

  /** The session is over (the card closed its link, or the link was lost). */
  get isEnded(): boolean {
    return this.ended;
  }

  /** Over, but still holding the connection for the last message. */
  get isDraining(): boolean {
    return this.ended && !this.finished;
  }

  private end(error?: TallyError): void {
    if (this.ended) return;
    this.ended = true;
    this.error = error;
    const session = this.session;
    this.session = null;
    session?.linkLost(error);
    this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.ended = true;
    this.drainTimer.stop();
    this.link.close();
    this.conn.close();
    this.onEnd(this.error);
  }
}
