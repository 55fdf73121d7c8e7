// One payment session between two simulated cards, event by event on the
// simulated clock: the payee's offer (QR code on its e-ink screen, or a BLE
// advertisement for a tap), the payer finding it (its camera decoding the
// screen's pixels, or the tap selector hearing the payee close by), the BLE
// connection, the fragment layer at the negotiated MTU, each card's compute
// time, the holder's confirmation, and the end. The cards' code is the card
// core; the link code is the firmware app's (SessionBinding, FragmentLink,
// TapSelector), unchanged.
import { decodePairing, toHex } from '../../firmware/core/index.js';
import { SessionBinding, TapSelector, type BleConnection, type ConnectionEvents } from '../../firmware/app/radio.js';
import type { Outcome } from '../card/host.js';
import type { CutPlan } from '../card/nor-flash.js';
import type { CardDriver, Step } from '../engine/driver.js';
import { BleMedium, type RadioParams, type SimRadio } from '../radio/ble.js';
import { Clock } from '../radio/clock.js';
import type { Rng } from '../random.js';
import type { CardScreen } from '../screen/eink.js';
import { readQr } from '../screen/qr.js';
import { callMs, computronsOf } from './compute-model.js';

export interface Party {
  driver: CardDriver;
  screen: CardScreen;
  /** 6-byte BLE address. */
  address: Uint8Array;
}

export interface SessionSpec {
  /** World time the session starts (ms). */
  start: number;
  payer: Party;
  payee: Party;
  amount: number;
  mode: 'qr' | 'tap';
  radio: RadioParams;
  rng: Rng;
  /** A power cut armed on one card for this session. */
  cut?: { side: 'payer' | 'payee'; plan: CutPlan };
  /** Other payees advertising nearby (a tap must not pick them). */
  bystanders: number;
  /** The app gives up a payment after this long (firmware/app/flow.ts: 60 s). */
  timeoutMs?: number;
}

export interface SideResult {
  outcome?: Outcome;
  /** A coded refusal before anything was sent (pay or receive threw). */
  error?: { code: number; message: string };
  /** The power went during the session. */
  dead: boolean;
  /** The card wrote anything to flash in this session. */
  wrote: boolean;
  computrons: number;
  computeMs: number;
}

export interface SessionResult {
  payer: SideResult;
  payee: SideResult;
  /** When the session was over for both cards (world ms). */
  end: number;
  /** Tap (or QR scan) to the payer's done, ms; only for a completed payment. */
  latencyMs?: number;
  /** Of the latency: the cards' compute and flash time (both sides, on the critical path). */
  computeMs?: number;
  mtu?: number;
  connIntervalMs?: number;
  packets: number;
  lost: number;
  drops: number;
  /** QR mode: the payer's camera decoded the payee's screen. */
  qrDecoded?: boolean;
  /** Tap mode: the codes on both screens were the same. */
  codesMatched?: boolean;
}

/** Time the e-ink panel takes to show the QR code (a full refresh) before a camera can read it. */
export const EINK_FULL_REFRESH_MS = 2000;
/** A phone camera's time to find and decode a QR code. */
export const CAMERA_DECODE_MS = 300;
/** Held together: card-to-card distance during a tap, m. */
const TAP_DISTANCE: [number, number] = [0.01, 0.06];

class Proc {
  readonly r: SideResult = { dead: false, wrote: false, computrons: 0, computeMs: 0 };
  binding: SessionBinding | null = null;
  busyUntil: number;
  private readonly queue: ((now: number) => Promise<Step>)[] = [];
  private running = false;
  /** Called with each step's effects, at the time the card finished the call. */
  onStep: (s: Step) => void = () => {};

  constructor(
    private readonly clock: Clock,
    readonly party: Party,
    readonly role: 'payer' | 'payee',
  ) {
    this.busyUntil = clock.now;
  }

  get finished(): boolean {
    return this.r.outcome !== undefined || this.r.error !== undefined || this.r.dead;
  }

  call(fn: (now: number) => Promise<Step>): void {
    if (this.r.dead) return;
    this.queue.push(fn);
    if (!this.running) this.next();
  }

  private next(): void {
    const fn = this.queue.shift();
    if (!fn) {
      this.running = false;
      return;
    }
    this.running = true;
    this.clock.at(Math.max(this.clock.now, this.busyUntil), async () => {
      const t = this.clock.now;
      const step = await fn(t);
      const ms = callMs(step.cost, step.effects);
      this.r.computrons += computronsOf(step.cost);
      this.r.computeMs += ms;
      if (step.effects.flash.writes > 0) this.r.wrote = true;
      this.busyUntil = t + ms;
      this.clock.at(this.busyUntil, () => {
        this.onStep(step);
        if (this.r.dead) {
          this.queue.length = 0;
          this.running = false;
          return;
        }
        this.next();
      });
    });
  }
}

export async function runSession(spec: SessionSpec): Promise<SessionResult> {
  const clock = new Clock(spec.start);
  const rng = spec.rng;
  const medium = new BleMedium(clock, rng.fork('radio'), spec.radio);
  const payeeRadio = medium.device('payee', spec.payee.address, 0, 0);
  const d = TAP_DISTANCE[0] + rng.next() * (TAP_DISTANCE[1] - TAP_DISTANCE[0]);
  const payerRadio = medium.device('payer', spec.payer.address, d, 0);
  for (let i = 0; i < spec.bystanders; i++) {
    const angle = rng.next() * 2 * Math.PI;
    const r = 1 + rng.next() * 4;
    const by = medium.device(`bystander${i}`, rng.bytes(6), r * Math.cos(angle), r * Math.sin(angle));
    by.startPeripheral({ name: 'Tally' }, 'TALLY:PAY/1/BYSTANDER', idleEvents);
  }
  const payer = new Proc(clock, spec.payer, 'payer');
  const payee = new Proc(clock, spec.payee, 'payee');
  spec.payer.screen.role = 'payer';
  spec.payee.screen.role = 'payee';
  const res: SessionResult = { payer: payer.r, payee: payee.r, end: spec.start, packets: 0, lost: 0, drops: 0 };
  const timeout = spec.timeoutMs ?? 60_000;
  let tapAt: number | undefined;
  let uri: string | undefined;
  let done = false;
  const radioOf = (p: Proc): SimRadio => (p === payer ? payerRadio : payeeRadio);

  if (spec.cut) await (spec.cut.side === 'payer' ? spec.payer : spec.payee).driver.armCut(spec.cut.plan);

  const bind = (p: Proc, conn: BleConnection): SessionBinding => {
    const b = new SessionBinding(conn, clock, () => {});
    b.attach({
      receive: (m) => p.call((t) => p.party.driver.deliver(t, m)),
      linkLost: () => p.call((t) => p.party.driver.linkClosed(t)),
    });
    p.binding = b;
    return b;
  };
  const events = (p: Proc, onConnected: (b: SessionBinding, offerUri?: string) => void): ConnectionEvents => ({
    connected: (conn, offerUri) => {
      if (p.binding || p.finished) return conn.close();
      onConnected(bind(p, conn), offerUri);
    },
    value: (bytes) => p.binding?.value(bytes),
    mtu: (m) => {
      res.mtu = m;
      p.binding?.mtu(m);
    },
    disconnected: () => {
      if (p.binding) p.binding.disconnected();
      else if (!p.finished && p === payer) {
        // The connection never came up: the payee went away before the payment started.
        payer.r.error = { code: 4015, message: 'no connection to the payee' };
        settle();
      }
    },
  });

  const apply = (p: Proc, s: Step): void => {
    const e = s.effects;
    for (const v of e.views) p.party.screen.show(v);
    if (e.error && !p.r.outcome) {
      p.r.error = e.error;
      if (p.binding && !p.binding.isEnded) p.binding.cardLink.close();
    }
    for (const m of e.sent) {
      const b = p.binding;
      if (b && !b.isEnded) {
        try {
          b.cardLink.send(m);
        } catch {
          /* the link went; the card learns it from the binding */
        }
      }
    }
    if (e.outcome) {
      p.r.outcome = e.outcome;
      if (p === payer && e.outcome.status === 'done' && tapAt !== undefined) res.latencyMs = clock.now - tapAt;
    }
    if (e.confirm) {
      const code = e.confirm.code;
      let accept = true;
      if (spec.mode === 'tap') {
        // The holder compares the code on both screens.
        const shown = spec.payee.screen.view;
        const theirs = shown?.screen === 'code' ? shown.code : undefined;
        accept = code !== undefined && code === theirs;
        res.codesMatched = accept;
      }
      p.call((t) => p.party.driver.confirm(t, { accept }));
    }
    // The binding keeps the connection until the card's last message is acknowledged (it drains).
    if (e.closed) p.binding?.cardLink.close();
    if (e.dead) {
      p.r.dead = true;
      medium.silence(radioOf(p).id);
    }
    settle();
  };
  payer.onStep = (s) => apply(payer, s);
  payee.onStep = (s) => apply(payee, s);

  /** Ends what is left once one side is over. */
  const settle = (): void => {
    if (payer.finished && payee.finished) {
      done = true;
      return;
    }
    // The payer gave up before reaching the payee: the payee withdraws its offer.
    if (payer.finished && !payee.finished && !payee.binding) payee.call((t) => payee.party.driver.cancel(t));
  };

  // 1. The payee makes its offer.
  payee.call(async (t) => {
    const r = await spec.payee.driver.receive(t, { amount: spec.amount, mode: spec.mode });
    uri = r.uri;
    return r;
  });
  const offerShown = (): void => {
    if (!uri) return; // the payee refused to offer (its step set the error)
    payeeRadio.startPeripheral({ name: 'Tally' }, uri, events(payee, () => {}));
    if (spec.mode === 'tap') {
      // 2a. Tap: the payer's holder brings the card close; the app's tap selector picks the payee.
      tapAt = clock.now;
      const selector = new TapSelector();
      payerRadio.startScan((c) => {
        if (!selector.offer(c)) return;
        payerRadio.connect(c, events(payer, (_b, offerUri) => startPay(offerUri)));
      });
    } else {
      // 2b. QR: the panel shows the code; the payer's camera reads the pixels.
      clock.after(EINK_FULL_REFRESH_MS, () => {
        tapAt = clock.now;
        let read: string;
        try {
          read = readQr(spec.payee.screen.pixels());
          res.qrDecoded = true;
        } catch (e) {
          res.qrDecoded = false;
          payer.r.error = { code: 8005, message: e instanceof Error ? e.message : String(e) };
          settle();
          return;
        }
        clock.after(CAMERA_DECODE_MS, () => {
          let address: string;
          try {
            address = toHex(decodePairing(read).bleAddress);
          } catch (e) {
            payer.r.error = { code: 1102, message: e instanceof Error ? e.message : String(e) };
            settle();
            return;
          }
          payerRadio.connectToAddress(address, events(payer, () => startPay(read)));
        });
      });
    }
  };
  const startPay = (offerUri: string | undefined): void => {
    if (!offerUri) {
      payer.r.error = { code: 1101, message: 'the payee served no offer' };
      payer.binding?.cardLink.close();
      settle();
      return;
    }
    payer.call((t) => spec.payer.driver.pay(t, offerUri, { mode: spec.mode }));
  };
  const firstStep = payee.onStep;
  payee.onStep = (s) => {
    payee.onStep = firstStep;
    firstStep(s);
    offerShown();
  };

  // 3. The app's payment timeout: whoever is still going gives up.
  clock.at(spec.start + timeout, () => {
    for (const p of [payer, payee]) if (!p.finished) p.call((t) => p.party.driver.cancel(t));
  });

  await clock.run(spec.start + timeout + 20_000, () => done);
  res.end = clock.now;
  res.packets = medium.stats.packets;
  res.lost = medium.stats.lost;
  res.drops = medium.stats.drops;
  if (res.mtu === undefined && medium.stats.connections) res.mtu = medium.stats.mtuSum / medium.stats.connections;
  if (res.latencyMs !== undefined) res.computeMs = payer.r.computeMs + payee.r.computeMs;
  if (spec.cut && !(spec.cut.side === 'payer' ? payer : payee).r.dead) await (spec.cut.side === 'payer' ? spec.payer : spec.payee).driver.disarm();
  // Nothing may outlive the session on a card: a side still in it gives up now.
  for (const p of [payer, payee]) {
    if (!p.finished) {
      const step = await p.party.driver.cancel(clock.now);
      if (step.effects.outcome) p.r.outcome = step.effects.outcome;
      if (step.effects.dead) p.r.dead = true;
    }
  }
  res.connIntervalMs = medium.stats.connections ? medium.lastConnInterval : undefined;
  return res;
}

const idleEvents: ConnectionEvents = {
  connected: (conn) => conn.close(),
  value: () => {},
  mtu: () => {},
  disconnected: () => {},
};
