// Two card apps that pay each other by tap, for the app payment spec
// (app-payment.spec.ts, on V8 and XS) and the memory benchmark
// (test/xs/bench-memory-app-ops.ts): the real card core behind the app's card
// wiring, the screen flow driven by button presses, and the BLE link as GATT
// values through the fragment layer. Only the radio and the clock are fakes;
// the screen and the QR encoder are the caller's.
import type { Screen } from '../../firmware/core/index.js';
import type { ButtonId } from '../../firmware/app/buttons.js';
import { DeviceCard, type KeyStore } from '../../firmware/app/card-wiring.js';
import { AppFlow, type QrEncoder } from '../../firmware/app/flow.js';
import type { ConnectionEvents } from '../../firmware/app/radio.js';
import type { View } from '../../firmware/ui/views.js';
import { MemFlash, World, seededRandom } from '../core/card-fixture.js';
import { FakeRadio, ManualClock, RecordingScreen, simulatorQr } from './fakes.js';
import { CardKeys, encodeKeyStore } from '../../firmware/core/index.js';

export function memoryKeyStore(initial: Uint8Array | null = null): KeyStore & { saved: Uint8Array | null } {
  const ks = {
    saved: initial,
    load: () => ks.saved,
    save: (b: Uint8Array) => {
      ks.saved = Uint8Array.from(b);
    },
  };
  return ks;
}

/** What the fixture needs of a screen: the port, and the view it shows now. */
export interface WatchedScreen extends Screen<View> {
  readonly last: View;
}

/** Keeps only the view shown now and hands every view on (to a PanelScreen, say). */
export class LastViewScreen implements WatchedScreen {
  private view: View | null = null;
  constructor(private readonly inner: Screen<View>) {}
  show(view: View): void {
    this.view = view;
    this.inner.show(view);
  }
  get last(): View {
    if (!this.view) throw new Error('nothing shown yet');
    return this.view;
  }
}

export interface DeviceOptions<S extends WatchedScreen> {
  screen?: S;
  qr?: QrEncoder;
}

/** One card: keys in its key store, a formatted ledger, a certificate, and the app on top. */
export function device<S extends WatchedScreen = RecordingScreen>(world: World, clock: ManualClock, name: string, allowance: number, seed: number, options: DeviceOptions<S> = {}) {
  const random = seededRandom(seed);
  const keys = CardKeys.generate(random);
  const flash = new MemFlash(world.sectors, world.sectorBytes);
  const screen = options.screen ?? (new RecordingScreen() as unknown as S);
  const radio = new FakeRadio();
  let flow: AppFlow | null = null;
  const card = new DeviceCard({
    flash,
    keyStore: memoryKeyStore(encodeKeyStore(keys)),
    authorities: [world.authority.publicKey],
    random,
    tick: clock,
    serial: null,
    firmware: 'test',
    listener: { show: (v) => flow?.show(v), request: (r) => flow?.request(r) },
  });
  if (!card.booted) throw new Error(`${name} did not boot from its key store`);
  card.booted.installCertificate(world.certificate(keys, allowance).bytes);
  flow = new AppFlow({ screen, card, radio, timers: clock, tick: clock, qr: options.qr ?? simulatorQr }, { tap: { sightings: 1 } });
  flow.start();
  const press = (b: ButtonId): void => flow!.button({ button: b, action: 'press' });
  return { name, card, flow, screen, radio, press, keys };
}

export type Device = ReturnType<typeof device<WatchedScreen>>;

/**
 * Joins the payer's central to the payee's peripheral; GATT values queue and
 * may be lost. A side whose radio is stopped neither sends nor receives any
 * more (the device drops the connection).
 */
export function connect(payee: Device, payer: Device, mtu: number, lose: () => boolean) {
  const queue: [ConnectionEvents, Uint8Array][] = [];
  const payeeEvents = payee.radio.peripheral!.events;
  const payerEvents = payer.radio.connected!.events;
  const stops = { payee: payee.radio.stops, payer: payer.radio.stops };
  const up = (side: 'payee' | 'payer'): boolean => (side === 'payee' ? payee : payer).radio.stops === stops[side];
  const closed = { payee: false, payer: false };
  const deliver = (to: 'payee' | 'payer', v: Uint8Array): void => {
    if (!lose() && up(to === 'payee' ? 'payer' : 'payee')) queue.push([to === 'payee' ? payeeEvents : payerEvents, Uint8Array.from(v)]);
  };
  payeeEvents.connected({ write: (v) => deliver('payer', v), close: () => void (closed.payee = true) });
  payeeEvents.mtu(mtu);
  payerEvents.connected({ write: (v) => deliver('payee', v), close: () => void (closed.payer = true) }, payee.radio.peripheral!.offerUri);
  payerEvents.mtu(mtu);
  const pending = (): [ConnectionEvents, Uint8Array][] => {
    // values for a side whose radio stopped are lost
    for (let i = queue.length - 1; i >= 0; i--) {
      const to = queue[i]![0] === payeeEvents ? 'payee' : 'payer';
      if (!up(to)) queue.splice(i, 1);
    }
    return queue;
  };
  return { queue, pending, closed };
}

export function pump(clock: ManualClock, pending: () => [ConnectionEvents, Uint8Array][], until: () => boolean, limit = 2000): void {
  for (let i = 0; i < limit && !until(); i++) {
    const queue = pending();
    if (queue.length) {
      const [to, v] = queue.shift()!;
      to.value(v);
    } else clock.advance(500);
  }
}

export interface TapOptions {
  /** Minor units, typed digit by digit on the payee's amount screen (7 digits). */
  amount: number;
  mtu: number;
  /** True when a GATT value is lost. */
  lose?: () => boolean;
  /** Called at each stage, for checks of what the screens and radios show then. */
  observe?: (stage: 'offer' | 'connecting' | 'payer-confirm' | 'payee-confirm' | 'payee-left') => void;
}

export type ResultView = Extract<View, { kind: 'result' }>;

/** Leaves a result screen (a press) so the holder starts from home; throws if the card shows anything else. */
export function goHome(d: Device): void {
  if (d.screen.last.kind === 'result') d.press('select');
  if (d.screen.last.kind !== 'home') throw new Error(`${d.name} shows ${d.screen.last.kind}, not home`);
}

/** The payee's holder asks for `amount` (Receive, tap): the offer is shown and advertised. */
export function askByTap(payee: Device, amount: number): void {
  goHome(payee);
  payee.press('down');
  payee.press('select');
  for (const d of String(amount).padStart(7, '0')) {
    for (let i = 0; i < Number(d); i++) payee.press('up');
    payee.press('select');
  }
  if (!payee.radio.peripheral) throw new Error(`${payee.name} is not advertising (it shows ${payee.screen.last.kind})`);
}

/** The payer's holder chooses Pay by tap and holds the card close to `payeeId`: the card connects. */
export function payByTapNear(payer: Device, payeeId: string): void {
  goHome(payer);
  payer.press('down');
  payer.press('down');
  payer.press('select');
  if (!payer.radio.scan) throw new Error(`${payer.name} is not scanning (it shows ${payer.screen.last.kind})`);
  payer.radio.scan({ id: payeeId, rssi: -30 });
  if (!payer.radio.connected) throw new Error(`${payer.name} did not connect (it shows ${payer.screen.last.kind})`);
}

/**
 * One end of a link whose other end runs elsewhere (another XS machine, in
 * the memory benchmark): what the card writes queues in `out`, nothing is
 * sent or received once its radio stopped.
 */
export function linkEnd(d: Device, mtu: number, offerUri?: string): { out: Uint8Array[]; closed: () => boolean; receive: (v: Uint8Array) => void } {
  const events = d.radio.peripheral?.events ?? d.radio.connected?.events;
  if (!events) throw new Error(`${d.name} has no radio link`);
  const stops = d.radio.stops;
  const up = (): boolean => d.radio.stops === stops;
  const out: Uint8Array[] = [];
  let closed = false;
  events.connected({ write: (v) => void (up() && out.push(Uint8Array.from(v))), close: () => void (closed = true) }, offerUri);
  events.mtu(mtu);
  return { out, closed: () => closed, receive: (v) => void (up() && events.value(v)) };
}

/**
 * A payment by tap from the holders' side: the payee's holder asks for the
 * amount (Receive, tap), the payer's holds the card close (Pay by tap) and
 * confirms; the payee's holder leaves the result at once. Returns what both
 * screens said in the end and whether both links closed.
 */
export function payByTap(payee: Device, payer: Device, clock: ManualClock, o: TapOptions): { paid: View; got: View | undefined; closed: { payee: boolean; payer: boolean } } {
  let got: View | undefined;
  const watch = (): void => {
    if (payee.screen.last.kind === 'result') got = payee.screen.last;
  };
  askByTap(payee, o.amount);
  o.observe?.('offer');
  payByTapNear(payer, payee.name);
  o.observe?.('connecting');
  const { pending, closed } = connect(payee, payer, o.mtu, o.lose ?? (() => false));
  pump(clock, pending, () => payer.screen.last.kind === 'confirm');
  o.observe?.('payer-confirm');
  pump(clock, pending, () => payee.screen.last.kind === 'confirm', 50);
  o.observe?.('payee-confirm');
  payer.press('select'); // pay
  pump(clock, pending, () => (watch(), payee.screen.last.kind === 'result'), 5000);
  watch();
  // The payee's holder leaves the result at once; its receipt must still get through.
  payee.press('select');
  o.observe?.('payee-left');
  pump(clock, pending, () => payer.screen.last.kind === 'result', 5000);
  pump(clock, pending, () => closed.payee && closed.payer, 200);
  return { paid: payer.screen.last, got, closed };
}
