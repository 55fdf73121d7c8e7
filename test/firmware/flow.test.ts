// The card's screen flow (firmware/app/flow.ts) with a fake card, radio,
// clock and screen: menus, amount entry, offers, tap-to-pay, confirmation
// and PIN, timeouts, and errors.
import { strict as assert } from 'node:assert';
import { tallyError } from '../../firmware/core/index.js';
import type { ButtonAction, ButtonId } from '../../firmware/app/buttons.js';
import { FragmentLink } from '../../firmware/app/fragment.js';
import { AppFlow, FlowCode, MENU, type FlowConfig } from '../../firmware/app/flow.js';
import type { View } from '../../firmware/ui/views.js';
import { FakeCard, FakeConnection, FakeRadio, ManualClock, RecordingScreen, bytes, simulatorQr } from './fakes.js';

function setup(config: FlowConfig = {}) {
  const clock = new ManualClock();
  const screen = new RecordingScreen();
  const card = new FakeCard();
  const radio = new FakeRadio();
  const log: string[] = [];
  const flow = new AppFlow({ screen, card, radio, timers: clock, tick: clock, qr: simulatorQr, log: (l) => log.push(l) }, config);
  flow.start();
  const press = (button: ButtonId, action: ButtonAction = 'press'): void => flow.button({ button, action });
  const view = <K extends View['kind']>(kind: K): Extract<View, { kind: K }> => {
    const v = screen.last;
    assert.equal(v.kind, kind, `showing ${v.kind}, expected ${kind}`);
    return v as Extract<View, { kind: K }>;
  };
  /** Moves the home menu to `item` and opens it. */
  const open = (item: number): void => {
    while ((screen.last as { selected?: number }).selected !== item) press('down');
    press('select');
  };
  return { clock, screen, card, radio, flow, press, view, open, log };
}

/** The radio's connection (read through a call, so assertions do not narrow it). */
const connection = (radio: FakeRadio): FakeRadio['connected'] => radio.connected;

/** Types an amount into the amount editor: one digit per position, most significant first. */
function typeDigits(press: (b: ButtonId) => void, digits: string): void {
  for (const d of digits) {
    for (let i = 0; i < Number(d); i++) press('up');
    press('select');
  }
}

describe('firmware: screen flow', () => {
  it('starts at home with the balance and a menu that wraps around', () => {
    const { view, press } = setup();
    const home = view('home');
    assert.deepEqual(home.menu, [...MENU]);
    assert.equal(home.selected, 0);
    assert.deepEqual(home.available, { amount: 12_345, currency: 'EUR' });
    press('down');
    assert.equal(view('home').selected, 1);
    press('up');
    press('up');
    assert.equal(view('home').selected, MENU.length - 1);
  });

  it('Receive (QR): amount entry, offer with a QR code and advertising, then back cancels the offer', () => {
    const { view, press, open, card, radio } = setup({ deviceName: 'Tally-7' });
    open(0);
    const amount = view('amount');
    assert.equal(amount.digits, '0000000');
    assert.equal(amount.currency, 'EUR');
    typeDigits(press, '0001250');
    const offer = view('offer');
    assert.equal(offer.amount, 1250);
    assert.ok(offer.qr.size >= 21);
    assert.deepEqual(card.offers, [{ amount: 1250, mode: 'qr' }]);
    assert.equal(radio.peripheral?.name, 'Tally-7');
    assert.deepEqual(radio.peripheral?.data, Uint8Array.of(1, 2, 3));
    assert.ok(radio.peripheral?.offerUri.startsWith('TALLY:PAY/1/'));
    press('back');
    view('home');
    assert.equal(card.cancelled, 1);
    assert.equal(radio.peripheral, null, 'advertising stopped');
  });

  it('an amount of zero asks for any amount; a long select leaves the editor', () => {
    const { view, press, open, card } = setup();
    open(1);
    assert.equal(view('amount').title, 'Request (tap)');
    press('select', 'long');
    view('home');
    open(1);
    for (let i = 0; i < 7; i++) press('select');
    const offer = view('offer');
    assert.equal(offer.amount, undefined);
    assert.equal(offer.caption, 'Tap a card to pay');
    assert.deepEqual(card.offers, [{ amount: undefined, mode: 'tap' }]);
  });

  it('an unanswered offer times out home and is withdrawn', () => {
    const { view, open, press, clock, card } = setup({ offerTimeoutMs: 60_000 });
    open(0);
    typeDigits(press, '0000100');
    view('offer');
    clock.advance(59_999);
    view('offer');
    clock.advance(1);
    view('home');
    assert.equal(card.cancelled, 1);
  });

  it('payee: a connection carries whole messages both ways through the fragment layer, then shows the result', () => {
    const { view, open, press, radio, card, clock, flow } = setup({ resultTimeoutMs: 10_000 });
    open(0);
    typeDigits(press, '0000500');
    const conn = new FakeConnection();
    const events = radio.peripheral!.events;
    events.connected(conn);
    events.mtu(185);
    assert.equal(view('progress').title, 'Receive');
    const s = card.sessions[0]!;
    assert.equal(s.role, 'payee');
    // The payer's side of the link, fed from what our connection writes.
    const got: Uint8Array[] = [];
    const peer = new FragmentLink({ write: (f) => events.value(f) }, clock, { message: (m) => got.push(m), error: (e) => assert.fail(e) });
    peer.setMtu(185);
    const hello = bytes(700, 9);
    peer.send(hello);
    assert.deepEqual(s.session.received, [hello]);
    const reply = bytes(400, 10);
    s.link.send(reply);
    for (const f of conn.written.splice(0)) peer.receive(f);
    assert.deepEqual(got, [reply]);
    flow.show({ screen: 'working', step: 'crediting' });
    assert.equal(view('progress').text, 'Receiving...');
    flow.show({ screen: 'done', role: 'payee', amount: 500, currency: 'EUR', peer: 'c0ffee00c0ffee00', recovered: false });
    const result = view('result');
    assert.ok(result.ok);
    assert.equal(result.title, 'Received');
    assert.equal(result.amount, 500);
    assert.ok(conn.closed, 'the connection is closed once the payment is over');
    clock.advance(10_000);
    view('home');
  });

  it('a second central is refused while a payment runs', () => {
    const { open, press, radio, card } = setup();
    open(0);
    typeDigits(press, '0000500');
    const events = radio.peripheral!.events;
    events.connected(new FakeConnection());
    const second = new FakeConnection();
    events.connected(second);
    assert.ok(second.closed);
    assert.equal(card.sessions.length, 1);
  });

  it('ignores the card\'s failed and done views when no payment is under way', () => {
    const { view, flow, screen } = setup();
    const before = screen.views.length;
    flow.show({ screen: 'failed', code: 4015, message: 'cancelled' });
    flow.show({ screen: 'done', role: 'payer', amount: 1, currency: 'EUR', peer: 'x', recovered: false });
    assert.equal(screen.views.length, before);
    view('home');
  });

  it('Pay by tap: connects only to a payee held close, then confirms with the comparison code', () => {
    const { view, open, press, radio, card, flow } = setup({ tap: { minRssi: -50, sightings: 3 } });
    open(2);
    assert.equal(view('progress').title, 'Pay by tap');
    const scan = radio.scan!;
    scan({ id: 'far', rssi: -80 });
    scan({ id: 'p1', rssi: -40 });
    scan({ id: 'p1', rssi: -42 });
    assert.equal(connection(radio), null, 'two sightings are not enough');
    scan({ id: 'p1', rssi: -45 });
    assert.equal(connection(radio)?.candidate.id, 'p1');
    const conn = new FakeConnection();
    connection(radio)!.events.connected(conn, 'TALLY:PAY/1/OFFER');
    assert.equal(card.sessions[0]?.role, 'payer');
    assert.equal(card.sessions[0]?.offerUri, 'TALLY:PAY/1/OFFER');
    flow.request({ amount: 250, currency: 'EUR', code: '4821' });
    flow.show({ screen: 'confirm', amount: 250, currency: 'EUR', payee: 'ab12cd34ef', code: '4821', pin: false });
    const confirm = view('confirm');
    assert.equal(confirm.code, '4821');
    assert.equal(confirm.counterparty, 'card ab12cd34');
    assert.equal(confirm.secondsLeft, 30);
    press('select');
    assert.deepEqual(card.answers, [{ accept: true }]);
    assert.equal(view('progress').text, 'Paying...');
  });

  it('refuses to guess between two payees held close at once', () => {
    const { open, radio } = setup({ tap: { sightings: 2 } });
    open(2);
    const scan = radio.scan!;
    scan({ id: 'a', rssi: -30 });
    scan({ id: 'b', rssi: -30 });
    scan({ id: 'b', rssi: -30 });
    assert.equal(connection(radio), null);
    scan({ id: 'b', rssi: -30 });
    scan({ id: 'b', rssi: -30 });
    assert.equal(connection(radio)?.candidate.id, 'b', 'a clean run after the doubt');
  });

  it('asks for a PIN when the card wants one, masked, and sends it', () => {
    const { view, flow, press, card } = setup();
    flow.request({ amount: 5000, currency: 'EUR', pin: true });
    assert.equal(view('confirm').hint, 'Press: enter PIN  Hold: cancel');
    press('select');
    const pin = view('amount');
    assert.equal(pin.mask, true);
    assert.equal(pin.decimals, 0);
    typeDigits(press, '1209');
    assert.deepEqual(card.answers, [{ accept: true, pin: '1209' }]);
  });

  it('declines on down or back, and on silence when the confirmation times out', () => {
    const a = setup();
    a.flow.request({ amount: 100, currency: 'EUR' });
    a.press('down');
    assert.deepEqual(a.card.answers, [{ accept: false }]);
    const b = setup({ confirmTimeoutMs: 20_000 });
    b.flow.request({ amount: 100, currency: 'EUR' });
    b.clock.advance(10_000);
    assert.equal(b.view('confirm').secondsLeft, 10, 'the countdown redraws');
    b.clock.advance(10_000);
    assert.deepEqual(b.card.answers, [{ accept: false }]);
    const c = setup();
    c.flow.request({ amount: -5, currency: 'EUR' });
    assert.deepEqual(c.card.answers, [{ accept: false }], 'a nonsensical request is declined at once');
  });

  it('a payment that does not finish in time ends as not paid (4015) and goes home', () => {
    const { view, open, press, radio, clock } = setup({ paymentTimeoutMs: 30_000, resultTimeoutMs: 5_000 });
    open(0);
    typeDigits(press, '0000500');
    radio.peripheral!.events.connected(new FakeConnection());
    clock.advance(30_000);
    const r = view('result');
    assert.equal(r.ok, false);
    assert.ok(r.text?.startsWith(`E${FlowCode.TIMEOUT}`));
    press('select');
    view('home');
  });

  it('a payee that goes away before the link is up is reported', () => {
    const { view, open, radio } = setup({ tap: { sightings: 1 } });
    open(2);
    radio.scan!({ id: 'p', rssi: -20 });
    radio.connected!.events.disconnected();
    assert.equal(view('result').ok, false);
  });

  it('an unprovisioned card says how to set it up (6007) but still shows its history', () => {
    const { view, open, press, card } = setup();
    card.provisioned = false;
    open(0);
    const e = view('error');
    assert.equal(e.code, FlowCode.NOT_PROVISIONED);
    assert.match(e.message, /tally bridge provision/);
    press('select');
    open(3);
    view('history');
  });

  it('pages through the history', () => {
    const { view, open, press, card } = setup();
    card.entries = Array.from({ length: 16 }, (_, i) => ({ direction: i % 2 ? 'in' : 'out', amount: 100 + i, currency: 'EUR', seq: 16 - i }) as const);
    open(3);
    let h = view('history');
    assert.equal(h.pages, 3);
    assert.equal(h.entries.length, 7);
    press('down');
    press('down');
    press('down');
    h = view('history');
    assert.equal(h.page, 2);
    assert.equal(h.entries.length, 2);
    press('back');
    view('home');
  });

  it('shows coded errors from the card and the radio, and comes back home', () => {
    const { view, open, press, card, radio } = setup();
    card.offerError = tallyError(5002, 'ledger full');
    open(0);
    typeDigits(press, '0000001');
    assert.equal(view('error').code, 5002);
    assert.equal(card.cancelled, 1);
    press('select');
    view('home');
    card.offerError = null;
    radio.failNext = tallyError(9001, 'no BLE');
    open(0);
    typeDigits(press, '0000001');
    assert.equal(view('error').code, 9001);
    press('select');
    view('home');
  });

  it('a locked card shows how long to wait, then goes home by itself', () => {
    const { view, flow, clock } = setup();
    flow.show({ screen: 'locked', waitMs: 30_000 });
    const e = view('error');
    assert.equal(e.code, FlowCode.LOCKED);
    assert.match(e.message, /30 s/);
    clock.advance(30_000);
    view('home');
  });
});
