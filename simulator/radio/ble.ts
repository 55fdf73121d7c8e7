// The BLE radio between simulated devices. It models what matters to a
// payment, all from a seeded random stream:
//
//   advertising  every advIntervalMs plus the 0..10 ms advDelay the spec adds;
//                each scanner in range hears a packet unless it is lost
//   RSSI         log-distance path loss: txPower(1 m) - 10 n log10(d) plus
//                Gaussian shadowing; a tap is RSSI at or above the tap
//                threshold (firmware/app's TapSelector decides, unchanged)
//   set-up       the connection request follows an advertisement; the first
//                connection event comes 1.25 ms + a transmit window later;
//                then the MTU exchange, service discovery (3 round trips:
//                service, characteristics, notifications on) and, for a tap,
//                reading the offer characteristic (more round trips at a small
//                MTU: long reads)
//   GATT MTU     23..247, drawn per connection; the fragment layer
//                (firmware/app/fragment.ts) cuts messages to it
//   latency      data moves only at connection events (every connection
//                interval), packetsPerEvent per direction per event
//   loss         a GATT value (write without response / notification) is
//                dropped with probability `loss`; the fragment layer recovers
//   disconnects  with probability `disconnect` per connection, the link drops
//                at a random moment; both ends learn it a supervision timeout
//                later. A device that loses power goes silent the same way.
//
// Devices get firmware/app's Radio interface (SimRadio), so the card app runs
// on this model unchanged.
import type { AdvertisementSpec, BleConnection, ConnectionEvents, Radio, TapCandidate } from '../../firmware/app/radio.js';
import { Rng } from '../random.js';
import type { Clock } from './clock.js';

export interface RadioParams {
  advIntervalMs: number;
  /** Connection intervals the central picks, with weights. */
  connIntervals: readonly (readonly [number, number])[];
  /** ATT MTUs negotiated, with weights. */
  mtus: readonly (readonly [number, number])[];
  packetsPerEvent: number;
  /** Probability that one GATT value is lost. */
  loss: number;
  /** Probability that a connection drops during the payment. */
  disconnect: number;
  /** How long after a drop both ends notice it. */
  supervisionTimeoutMs: number;
  /** RSSI at 1 m, dBm. */
  txPowerDbm: number;
  pathLossExponent: number;
  shadowingDb: number;
}

export const DEFAULT_RADIO: RadioParams = {
  advIntervalMs: 100,
  connIntervals: [
    [15, 0.3],
    [30, 0.5],
    [45, 0.2],
  ],
  mtus: [
    [23, 0.1],
    [185, 0.25],
    [247, 0.65],
  ],
  packetsPerEvent: 4,
  loss: 0,
  disconnect: 0,
  supervisionTimeoutMs: 2000,
  txPowerDbm: -59,
  pathLossExponent: 2,
  shadowingDb: 4,
};

/** On-air time of one data packet (1M PHY: 8 µs a byte, 14 bytes of headers and MIC), ms. */
export const airMs = (valueBytes: number): number => ((valueBytes + 3 + 14) * 8) / 1000;

export function rssiAt(p: RadioParams, distanceM: number, rng: Rng): number {
  const d = Math.max(0.005, distanceM);
  const r = p.txPowerDbm - 10 * p.pathLossExponent * Math.log10(d) + p.shadowingDb * rng.normal();
  return Math.round(Math.max(-105, Math.min(-15, r)));
}

/** Radio statistics of one medium (for the report). */
export interface RadioStats {
  connections: number;
  packets: number;
  lost: number;
  drops: number;
  mtuSum: number;
}

interface Device {
  id: string;
  address: string;
  x: number;
  y: number;
  advertising: { ad: AdvertisementSpec; offerUri: string; events: ConnectionEvents; timer: number } | null;
  scanning: ((c: TapCandidate) => void) | null;
  ends: Set<End>;
  silent: boolean;
}

/** One side of a connection, as the firmware app sees it. */
class End implements BleConnection {
  peer!: End;
  open = true;
  constructor(
    readonly link: Link,
    readonly dir: 0 | 1,
    readonly device: Device,
    readonly events: ConnectionEvents,
  ) {}
  write(value: Uint8Array): void {
    if (this.open) this.link.transmit(this, value);
  }
  close(): void {
    if (!this.open) return;
    this.link.terminate(this);
  }
}

/** A connection: two ends, the connection interval, the MTU, per-direction slot accounting. */
class Link {
  readonly ends: [End, End];
  private readonly slot = [0, 0];
  private readonly used = [0, 0];
  up = true;

  constructor(
    private readonly m: BleMedium,
    readonly t0: number,
    readonly ci: number,
    readonly mtu: number,
    central: { device: Device; events: ConnectionEvents },
    peripheral: { device: Device; events: ConnectionEvents },
  ) {
    const c = new End(this, 0, central.device, central.events);
    const p = new End(this, 1, peripheral.device, peripheral.events);
    c.peer = p;
    p.peer = c;
    this.ends = [c, p];
    central.device.ends.add(c);
    peripheral.device.ends.add(p);
  }

  /** The connection event at or after `t` where direction `dir` still has room. */
  private nextSlot(dir: 0 | 1, t: number): number {
    let k = Math.max(Math.ceil((t - this.t0) / this.ci), this.slot[dir]!);
    if (k !== this.slot[dir]) {
      this.slot[dir] = k;
      this.used[dir] = 0;
    }
    if (this.used[dir]! >= this.m.params.packetsPerEvent) {
      k++;
      this.slot[dir] = k;
      this.used[dir] = 0;
    }
    this.used[dir]!++;
    return this.t0 + k * this.ci;
  }

  /** Time of the next connection event after `t`. */
  nextEvent(t: number): number {
    return this.t0 + Math.ceil((t - this.t0) / this.ci + 1e-9) * this.ci;
  }

  transmit(from: End, value: Uint8Array): void {
    const m = this.m;
    if (!this.up || from.device.silent) return;
    const at = this.nextSlot(from.dir, m.clock.now) + airMs(value.length);
    m.stats.packets++;
    if (m.rng.chance(m.params.loss)) {
      m.stats.lost++;
      return;
    }
    const bytes = value.slice();
    const to = from.peer;
    m.clock.at(at, () => {
      if (this.up && to.open && !from.device.silent) to.events.value(bytes);
    });
  }

  /** One end hangs up: the other learns it at the next connection event. */
  terminate(from: End): void {
    if (!this.up) return;
    this.close();
    const to = from.peer;
    this.m.clock.at(this.nextEvent(this.m.clock.now), () => to.events.disconnected());
  }

  /** The link is lost (supervision timeout): both ends learn it `afterMs` from now. */
  drop(afterMs: number): void {
    if (!this.up) return;
    this.close();
    this.m.stats.drops++;
    for (const e of this.ends) this.m.clock.after(afterMs, () => e.events.disconnected());
  }

  private close(): void {
    this.up = false;
    for (const e of this.ends) {
      e.open = false;
      e.device.ends.delete(e);
    }
  }
}

export class BleMedium {
  readonly stats: RadioStats = { connections: 0, packets: 0, lost: 0, drops: 0, mtuSum: 0 };
  private readonly devices = new Map<string, Device>();
  readonly rng: Rng;
  /** Connection interval of the last connection made, ms. */
  lastConnInterval = 0;

  constructor(
    readonly clock: Clock,
    rng: Rng,
    readonly params: RadioParams = DEFAULT_RADIO,
  ) {
    this.rng = rng;
  }

  /** A device at (x, y) metres with a 6-byte BLE address. */
  device(id: string, address: Uint8Array, x = 0, y = 0): SimRadio {
    const d: Device = { id, address: hex(address), x, y, advertising: null, scanning: null, ends: new Set(), silent: false };
    this.devices.set(id, d);
    return new SimRadio(this, d);
  }

  move(id: string, x: number, y: number): void {
    const d = this.devices.get(id);
    if (d) {
      d.x = x;
      d.y = y;
    }
  }

  distance(a: Device, b: Device): number {
    return Math.hypot(a.x - b.x, a.y - b.y);
  }

  /** The device lost power: its radio goes silent, its links drop. */
  silence(id: string, silent = true): void {
    const d = this.devices.get(id);
    if (!d) return;
    d.silent = silent;
    if (silent) {
      this.stopAdvertising(d);
      d.scanning = null;
      for (const e of [...d.ends]) e.link.drop(this.params.supervisionTimeoutMs);
    }
  }

  // ---- used by SimRadio -------------------------------------------------------

  advertise(d: Device, ad: AdvertisementSpec, offerUri: string, events: ConnectionEvents): void {
    this.stopAdvertising(d);
    const adv = { ad, offerUri, events, timer: 0 };
    d.advertising = adv;
    const tick = (): void => {
      if (d.advertising !== adv || d.silent) return;
      for (const s of this.devices.values()) {
        if (s === d || !s.scanning || s.silent) continue;
        if (this.rng.chance(this.params.loss)) continue;
        const rssi = rssiAt(this.params, this.distance(s, d), this.rng);
        s.scanning({ id: d.id, rssi });
      }
      adv.timer = this.clock.after(this.params.advIntervalMs + this.rng.next() * 10, tick);
    };
    adv.timer = this.clock.after(this.rng.next() * this.params.advIntervalMs, tick);
  }

  stopAdvertising(d: Device): void {
    if (d.advertising) this.clock.clear(d.advertising.timer);
    d.advertising = null;
  }

  /** A central connects to the advertiser `targetId` (after its next advertisement). */
  connect(central: Device, targetId: string, events: ConnectionEvents, opts: { readOffer: boolean }): void {
    const target = this.devices.get(targetId);
    const adv = target?.advertising;
    if (!target || !adv || target.silent) {
      // Nobody answers: the connection attempt times out.
      this.clock.after(this.params.supervisionTimeoutMs, () => events.disconnected());
      return;
    }
    const rng = this.rng;
    const p = this.params;
    const ci = rng.weighted(p.connIntervals);
    const mtu = rng.weighted(p.mtus);
    // The CONNECT_IND follows the target's next advertisement.
    const connectAt = this.clock.now + rng.next() * p.advIntervalMs;
    const t0 = connectAt + 1.25 + rng.next() * ci;
    this.stats.connections++;
    this.stats.mtuSum += mtu;
    this.lastConnInterval = ci;
    this.clock.at(t0, () => {
      if (!target.advertising || target.silent || central.silent) {
        events.disconnected();
        return;
      }
      this.stopAdvertising(target);
      const link = new Link(this, t0, ci, mtu, { device: central, events }, { device: target, events: adv.events });
      const [c, per] = link.ends;
      per.events.connected(per);
      // GATT set-up, a round trip (two connection events) each: MTU exchange,
      // service discovery (3), then the offer read (long reads at small MTUs).
      const rtt = 2 * ci;
      const reads = opts.readOffer ? Math.max(1, Math.ceil(adv.offerUri.length / (mtu - 1))) : 0;
      const mtuAt = t0 + rtt;
      const readyAt = mtuAt + (3 + reads) * rtt;
      this.clock.at(mtuAt, () => {
        if (!link.up) return;
        per.events.mtu(mtu);
      });
      this.clock.at(readyAt, () => {
        if (!link.up) return;
        c.events.connected(c, opts.readOffer ? adv.offerUri : undefined);
        c.events.mtu(mtu);
      });
      if (rng.chance(p.disconnect)) {
        // A supervision timeout somewhere in the payment's first few seconds.
        const at = readyAt + rng.next() * 3000;
        this.clock.at(at, () => link.drop(p.supervisionTimeoutMs));
      }
    });
  }

  /**
   * The advertiser whose BLE address is `address` (12 hex digits, as in a
   * tally: URI). An offer with the all-zero address (a card whose firmware
   * does not know its own address) leaves the phone to connect to the
   * nearest advertiser instead.
   */
  findByAddress(address: string, near?: string): string | undefined {
    const a = address.toLowerCase();
    for (const d of this.devices.values()) if (d.address === a && d.advertising && !d.silent) return d.id;
    if (/^0+$/.test(a) && near !== undefined) {
      const me = this.devices.get(near);
      let best: Device | undefined;
      for (const d of this.devices.values()) {
        if (d === me || !d.advertising || d.silent || !me) continue;
        if (!best || this.distance(me, d) < this.distance(me, best)) best = d;
      }
      return best?.id;
    }
    return undefined;
  }

  /** Ends everything a device does on the radio. */
  stopAll(d: Device): void {
    this.stopAdvertising(d);
    d.scanning = null;
    for (const e of [...d.ends]) e.close();
  }
}

/** firmware/app's Radio on the simulated medium. */
export class SimRadio implements Radio {
  constructor(
    readonly medium: BleMedium,
    private readonly d: Device,
  ) {}

  get id(): string {
    return this.d.id;
  }

  startPeripheral(ad: AdvertisementSpec, offerUri: string, events: ConnectionEvents): void {
    this.medium.advertise(this.d, ad, offerUri, events);
  }

  startScan(onCandidate: (c: TapCandidate) => void): void {
    this.d.scanning = onCandidate;
  }

  connect(candidate: TapCandidate, events: ConnectionEvents): void {
    this.d.scanning = null;
    this.medium.connect(this.d, candidate.id, events, { readOffer: true });
  }

  /** A phone that read the offer from the QR code connects to the BLE address in it (no offer read). */
  connectToAddress(address: string, events: ConnectionEvents): void {
    this.d.scanning = null;
    const id = this.medium.findByAddress(address, this.d.id);
    if (id === undefined) {
      this.medium.clock.after(this.medium.params.supervisionTimeoutMs, () => events.disconnected());
      return;
    }
    this.medium.connect(this.d, id, events, { readOffer: false });
  }

  stop(): void {
    this.medium.stopAll(this.d);
  }
}

function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}
