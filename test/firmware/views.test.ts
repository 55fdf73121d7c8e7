// Screen layouts (firmware/ui): every view, including the worst cases, stays
// inside the 200x200 screen; the offer's QR code reads back with a real QR
// decoder; refresh planning; the panel screen.
import { strict as assert } from 'node:assert';
import jsQRModule from 'jsqr';
import { AMOUNT_MAX, encodePairing } from '../../firmware/core/index.js';
import { Framebuffer, SCREEN_HEIGHT, SCREEN_WIDTH, type Rect } from '../../firmware/ui/framebuffer.js';
import { ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyphRows, textWidth, wrapText } from '../../firmware/ui/font.js';
import { currencyExponent, formatAmount, formatMoney } from '../../firmware/ui/format.js';
import { PanelScreen, type Panel } from '../../firmware/ui/panel-screen.js';
import { matrixFromModules, qrScale, type QrMatrix } from '../../firmware/ui/qr.js';
import { RefreshPolicy } from '../../firmware/ui/refresh.js';
import { HISTORY_PAGE_SIZE, renderView, type View } from '../../firmware/ui/views.js';
import { simulatorQr } from './fakes.js';

type Decode = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
// jsqr is CommonJS: Node hands its function over as the default export, TypeScript expects it one level down.
const jsQR = ((jsQRModule as unknown as { default?: Decode }).default ?? jsQRModule) as unknown as Decode;

const LONG = 'W'.repeat(80);
const uri = encodePairing({
  cardId: new Uint8Array(16).fill(0xab),
  staticKey: new Uint8Array(32).fill(0xcd),
  bleAddress: Uint8Array.of(0xc0, 0x11, 0x22, 0x33, 0x44, 0x55),
  token: new Uint8Array(16).fill(0x5a),
  amount: AMOUNT_MAX,
  currency: 'EUR',
});
const qr = simulatorQr.encode(uri);

/** Every kind of view, with the longest texts and largest numbers they can get. */
const views: [string, View][] = [
  ['home', { kind: 'home', title: 'alice', provisioned: true, available: { amount: 1234567, currency: 'EUR' }, menu: ['Receive (QR)', 'Receive (tap)', 'Pay by tap', 'History'], selected: 2, hint: 'Up/Down: choose  Press: open' }],
  ['home, worst', { kind: 'home', title: LONG, provisioned: true, available: { amount: Number.MAX_SAFE_INTEGER, currency: 'KWD' }, menu: [LONG, LONG, LONG, LONG, LONG, LONG], selected: 5, hint: LONG }],
  ['home, not provisioned', { kind: 'home', title: 'Tally', provisioned: false, menu: ['History'], selected: 0 }],
  ['amount', { kind: 'amount', title: 'Request', digits: '0001250', cursor: 3, currency: 'EUR', hint: 'Up/Down: digit  Press: next' }],
  ['amount, worst', { kind: 'amount', title: LONG, digits: '999999999999', cursor: 11, currency: 'BHD', hint: LONG }],
  ['pin', { kind: 'amount', title: 'PIN (2 left)', digits: '12345678', cursor: 7, currency: '', decimals: 0, mask: true }],
  ['offer', { kind: 'offer', qr, amount: AMOUNT_MAX, currency: 'EUR' }],
  ['offer, any amount', { kind: 'offer', qr, caption: LONG }],
  ['confirm', { kind: 'confirm', amount: 250, currency: 'EUR', code: '4821', counterparty: 'card ab12cd34', secondsLeft: 30, hint: 'Press: pay   Hold: cancel' }],
  ['confirm, worst', { kind: 'confirm', amount: Number.MAX_SAFE_INTEGER, currency: 'JPY', code: '99999999', counterparty: LONG, secondsLeft: 99999, hint: LONG }],
  ['progress', { kind: 'progress', title: 'Pay', text: 'Connecting...', step: 1, steps: 4 }],
  ['progress, worst', { kind: 'progress', title: LONG, text: `${LONG} ${LONG} ${LONG}`, step: 9, steps: 4, hint: LONG }],
  ['result', { kind: 'result', ok: true, title: 'Received', amount: 500, currency: 'EUR', text: 'from card c0ffee00', hint: 'Press: home' }],
  ['result, worst', { kind: 'result', ok: false, title: LONG, amount: -Number.MAX_SAFE_INTEGER, currency: 'EUR', text: `E4015 ${LONG} ${LONG}`, hint: LONG }],
  ['history', { kind: 'history', entries: Array.from({ length: HISTORY_PAGE_SIZE }, (_, i) => ({ direction: i % 2 ? 'in' : 'out', amount: 100 * i, currency: 'EUR', seq: i + 1 }) as const), page: 0, pages: 3, hint: 'Up/Down: page' }],
  ['history, worst', { kind: 'history', entries: Array.from({ length: 30 }, (_, i) => ({ direction: 'out', amount: Number.MAX_SAFE_INTEGER, currency: 'XXX', seq: 2 ** 40 + i }) as const), page: 999, pages: 1000, hint: LONG }],
  ['history, empty', { kind: 'history', entries: [], page: 0, pages: 1 }],
  ['error', { kind: 'error', code: 6007, message: 'Not set up: plug in USB and run tally bridge provision', hint: 'Press: home' }],
  ['error, worst', { kind: 'error', code: 2 ** 40, message: `${LONG} ${LONG} ${LONG} ${LONG}`, hint: LONG }],
  ['message', { kind: 'message', title: 'Provisioning', lines: ['Keep the card', 'plugged in'] }],
  ['message, worst', { kind: 'message', title: LONG, lines: Array.from({ length: 40 }, () => LONG), hint: LONG }],
  ['bad amount', { kind: 'confirm', amount: 1.5, currency: 'EUR' }],
  ['bad digits', { kind: 'amount', title: 'x', digits: '12a', cursor: 9, currency: 'EUR' }],
  ['huge QR', { kind: 'offer', qr: { size: 177, isDark: () => true } }],
];

/** The framebuffer as RGBA for jsQR. */
function rgba(fb: Framebuffer): Uint8ClampedArray {
  const out = new Uint8ClampedArray(fb.width * fb.height * 4);
  for (let y = 0; y < fb.height; y++) {
    for (let x = 0; x < fb.width; x++) {
      const v = fb.get(x, y) ? 0 : 255;
      const i = (y * fb.width + x) * 4;
      out[i] = out[i + 1] = out[i + 2] = v;
      out[i + 3] = 255;
    }
  }
  return out;
}

describe('firmware: screen layouts', () => {
  for (const [name, view] of views) {
    it(`draws '${name}' inside the 200x200 screen`, () => {
      const fb = new Framebuffer(SCREEN_WIDTH, SCREEN_HEIGHT);
      renderView(fb, view);
      assert.equal(fb.clipped, 0, `${fb.clipped} pixels fell outside the screen`);
      const ink = fb.inkBounds();
      assert.ok(ink, 'something is drawn');
      assert.ok(ink.x >= 0 && ink.y >= 0 && ink.x + ink.w <= SCREEN_WIDTH && ink.y + ink.h <= SCREEN_HEIGHT);
    });
  }

  it('draws views it cannot show as a coded error instead of throwing', () => {
    const fb = new Framebuffer();
    const plain = new Framebuffer();
    renderView(plain, { kind: 'error', code: 1001, message: 'the payment QR code is too large for this screen' });
    renderView(fb, { kind: 'offer', qr: { size: 177, isDark: () => true } });
    assert.equal(fb.diff(plain), null, 'the too-large QR code shows error 1001');
    renderView(fb, { kind: 'confirm', amount: 1.5, currency: 'EUR' });
    renderView(plain, { kind: 'error', code: 9001, message: 'confirm amount' });
    assert.equal(fb.diff(plain), null);
  });

  it('shows the largest pairing offer as a QR code a camera reads back', () => {
    assert.ok(qrScale(qr.size, SCREEN_WIDTH) >= 4, `version ${(qr.size - 17) / 4} fits with 4-pixel modules`);
    for (const view of [{ kind: 'offer', qr, amount: AMOUNT_MAX, currency: 'EUR' }, { kind: 'offer', qr, caption: 'Any amount' }] as View[]) {
      const fb = new Framebuffer();
      renderView(fb, view);
      const read = jsQR(rgba(fb), fb.width, fb.height);
      assert.ok(read, 'jsQR found the code');
      assert.equal(read.data, uri);
    }
  });

  it('draws the same QR pixels from the device encoder layout (one byte per module) as from the simulator', () => {
    const modules = new Uint8Array(qr.size * qr.size);
    for (let y = 0; y < qr.size; y++) for (let x = 0; x < qr.size; x++) modules[y * qr.size + x] = qr.isDark(x, y) ? 1 : 0;
    const device: QrMatrix = matrixFromModules(qr.size, modules);
    const a = new Framebuffer();
    const b = new Framebuffer();
    renderView(a, { kind: 'offer', qr, amount: 5, currency: 'EUR' });
    renderView(b, { kind: 'offer', qr: device, amount: 5, currency: 'EUR' });
    assert.equal(a.diff(b), null);
    assert.throws(() => matrixFromModules(22, modules), RangeError);
    assert.throws(() => matrixFromModules(qr.size, new Uint8Array(3)), RangeError);
  });

  it('has a 5x7 glyph for every printable ASCII character, and ? for the rest', () => {
    for (let c = 32; c < 127; c++) {
      const rows = glyphRows(String.fromCharCode(c));
      assert.equal(rows.length, GLYPH_HEIGHT);
      assert.ok(rows.every((r) => r >= 0 && r < 1 << GLYPH_WIDTH));
      if (c !== 32) assert.ok(rows.some((r) => r !== 0), `'${String.fromCharCode(c)}' has ink`);
    }
    assert.deepEqual(glyphRows('é'), glyphRows('?'));
    assert.equal(textWidth('abc', 2), (3 * ADVANCE - 1) * 2);
    assert.deepEqual(wrapText('pay the card next to you', 10), ['pay the', 'card next', 'to you']);
    assert.deepEqual(wrapText('abcdefghijklmnop', 5, 2), ['abcde', 'fg...']);
  });

  it('formats minor units without floating point, per currency exponent', () => {
    assert.equal(formatMoney(1250, 'EUR'), '12.50 EUR');
    assert.equal(formatAmount(5, 'EUR'), '0.05');
    assert.equal(formatAmount(5, 'JPY'), '5');
    assert.equal(formatAmount(1234, 'KWD'), '1.234');
    assert.equal(formatAmount(-7, 'EUR'), '-0.07');
    assert.equal(formatAmount(Number.MAX_SAFE_INTEGER, 'EUR'), '90071992547409.91');
    assert.equal(formatAmount(0.5, 'EUR'), '?');
    assert.equal(currencyExponent('eur'), 2);
  });
});

describe('firmware: e-paper refresh', () => {
  const fbWith = (r?: Rect): Framebuffer => {
    const fb = new Framebuffer();
    if (r) fb.fillRect(r.x, r.y, r.w, r.h, true);
    return fb;
  };

  it('refreshes fully at power-up, for QR codes, for big changes and after a run of partial ones', () => {
    const p = new RefreshPolicy({ maxPartials: 3, fullAreaFraction: 0.5 });
    const blank = fbWith();
    assert.equal(p.plan(null, blank).kind, 'full');
    assert.equal(p.plan(blank, fbWith()).kind, 'none');
    const small = p.plan(blank, fbWith({ x: 10, y: 10, w: 5, h: 5 }));
    assert.equal(small.kind, 'partial');
    assert.ok(small.area && small.area.x <= 10 && small.area.x + small.area.w >= 15 && small.area.y === 10 && small.area.h === 5);
    assert.equal(p.plan(blank, fbWith({ x: 10, y: 10, w: 5, h: 5 }), true).kind, 'full', 'crisp (a QR code)');
    assert.equal(p.plan(blank, fbWith({ x: 0, y: 0, w: 200, h: 150 })).kind, 'full', 'most of the screen');
    for (let i = 0; i < 3; i++) assert.equal(p.plan(blank, fbWith({ x: i, y: 0, w: 1, h: 1 })).kind, 'partial');
    assert.equal(p.plan(blank, fbWith({ x: 9, y: 0, w: 1, h: 1 })).kind, 'full', 'ghosting builds up: clean it');
    assert.equal(p.partialCount, 0);
  });

  it('the panel screen sends each change once, and recovers from a failing panel with a full refresh', () => {
    const pushes: { kind: string; area: Rect }[] = [];
    let fail = false;
    const panel: Panel = {
      push(_fb, kind, area) {
        if (fail) throw new Error('busy');
        pushes.push({ kind, area });
      },
    };
    const faults: unknown[] = [];
    const screen = new PanelScreen(panel, { onFault: (e) => faults.push(e) });
    const progress = (text: string): View => ({ kind: 'progress', title: 'Pay', text });
    screen.show(progress('a'));
    screen.show(progress('a'));
    screen.show(progress('b'));
    assert.deepEqual(pushes.map((p) => p.kind), ['full', 'partial']);
    fail = true;
    screen.show(progress('c'));
    assert.equal(faults.length, 1);
    fail = false;
    screen.show(progress('c'));
    assert.deepEqual(pushes.map((p) => p.kind), ['full', 'partial', 'full']);
    screen.show({ kind: 'offer', qr, amount: 1, currency: 'EUR' });
    assert.equal(pushes[pushes.length - 1]!.kind, 'full', 'QR codes always get a full refresh');
    assert.ok(screen.picture);
  });
});
