// `tally sim screens --out DIR`: every screen the card firmware can show, as
// PNG files. The screens come from the firmware app itself (firmware/app's
// flow drawn by firmware/ui), driven through its states on simulated
// devices: blank, provisioned, receiving by QR and by tap, paying by tap,
// declining, history. The few screens no two-card script reaches (PIN entry,
// the lock-out, a second history page) are the flow's own views for those
// states, rendered directly.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { activePrimitives, fromHex, tallyError, usePrimitives } from '../firmware/core/index.js';
import { Framebuffer, renderView, type View } from '../firmware/ui/index.js';
import { AppDevice } from './device/app-device.js';
import { Phone } from './device/phone.js';
import { BleMedium, DEFAULT_RADIO } from './radio/ble.js';
import { Clock } from './radio/clock.js';
import { Rng } from './random.js';
import { framebufferPng } from './screen/png.js';
import { EmbeddedAuthority, scratchAuthorityDir } from './world/authority.js';
import { simCrypto } from './world/crypto.js';
import { UsbCable } from './world/usb.js';

export interface Screen {
  name: string;
  view: View;
}

/** A stable text of a view (the QR matrix as its modules), to tell screens apart. */
function keyOf(v: View): string {
  return JSON.stringify(v, (k, x: unknown) => {
    if (k === 'qr' && x && typeof x === 'object' && 'size' in x) {
      const q = x as { size: number; isDark(x: number, y: number): boolean };
      let bits = '';
      for (let y = 0; y < q.size; y++) for (let i = 0; i < q.size; i++) bits += q.isDark(i, y) ? '1' : '0';
      return bits;
    }
    return x;
  });
}

const slug = (t: string): string => t.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');

function nameOf(v: View): string {
  switch (v.kind) {
    case 'home':
      return v.provisioned ? 'home' : 'home-blank';
    case 'offer':
      return v.amount !== undefined ? 'offer-amount' : `offer-${slug(v.caption ?? 'open')}`;
    case 'confirm':
      return v.code !== undefined ? (v.counterparty ? 'confirm-tap' : 'code') : 'confirm';
    case 'progress':
      return `progress-${slug(v.title)}-${slug(v.text)}`;
    case 'result':
      return `result-${v.ok ? 'ok' : 'failed'}-${slug(v.title)}`;
    case 'error':
      return `error-${v.code}`;
    default:
      return v.kind;
  }
}

/** Drives two firmware apps through every state and collects the distinct screens, in order. */
export async function collectScreens(): Promise<Screen[]> {
  const seen = new Map<string, Screen>();
  const add = (v: View | undefined): void => {
    if (!v) return;
    const k = keyOf(v);
    if (!seen.has(k)) seen.set(k, { name: nameOf(v), view: v });
  };
  const previous = activePrimitives();
  usePrimitives(simCrypto().primitives);
  const dir = scratchAuthorityDir();
  const auth = EmbeddedAuthority.open({ dir: dir.path, workers: 0, keySeed: new Rng('screens/authority').bytes(32) });
  try {
    const clock = new Clock(0);
    const rng = new Rng('screens');
    const medium = new BleMedium(clock, rng.fork('radio'), DEFAULT_RADIO);
    const authorities = [auth.publicKey];
    const a = new AppDevice({ name: 'a', clock, medium, seed: 'screens/a', authorities, address: rng.bytes(6), x: 0 });
    const b = new AppDevice({ name: 'b', clock, medium, seed: 'screens/b', authorities, address: rng.bytes(6), x: 3 });
    const run = (ms: number): void => clock.runSync(clock.now + ms);
    const until = (d: AppDevice, state: string): void => {
      for (let i = 0; i < 200 && d.state !== state; i++) run(100);
    };
    // A blank card, and what it says when asked to pay.
    add(a.screen.current);
    a.press('select');
    add(a.screen.current);
    a.press('select');
    // Provisioning and a load through the bridge.
    for (const [d, acct, load] of [[a, 'alice', 80_00], [b, 'bert', 80_00]] as const) {
      auth.authority.openAccount(acct, 'EUR', 200_00);
      const client = new UsbCable((x) => d.usb(x)).client();
      const r = await auth.provision(client, acct);
      auth.authority.load(fromHex(r.card), load);
      await auth.sync(client);
    }
    run(100);
    add(a.screen.current);
    // Receive by QR: the amount editor, the offer with an amount, then without one.
    a.open('Receive (QR)');
    add(a.screen.current);
    a.enterAmount(425);
    add(a.screen.current);
    a.press('back');
    a.open('Receive (QR)');
    a.enterAmount(0);
    add(a.screen.current);
    a.press('back');
    // Receive by QR, paid by a phone whose camera reads the screen.
    const phone = new Phone('phone', clock, medium, { seed: 'screens/phone', authorities, address: rng.bytes(6), x: 1 });
    auth.authority.openAccount('phil', 'EUR', 200_00);
    const pc = new UsbCable((x) => phone.usb(x)).client();
    const pr = await auth.provision(pc, 'phil');
    auth.authority.load(fromHex(pr.card), 50_00);
    await auth.sync(pc);
    a.open('Receive (QR)');
    a.enterAmount(350);
    run(2000);
    const logQ = a.screen.log!.length;
    phone.payByQr(a.screen);
    for (let i = 0; i < 200 && !phone.outcome; i++) run(100);
    run(500);
    for (const v of a.screen.log!.slice(logQ)) add(v);
    a.press('select');
    // Receive by tap, and pay by tap: scan, connecting, code, confirm, paying, results.
    a.open('Receive (tap)');
    a.enterAmount(1999);
    add(a.screen.current);
    b.open('Pay by tap');
    add(b.screen.current);
    medium.move('b', 0.03, 0);
    const logA = a.screen.log!.length;
    const logB = b.screen.log!.length;
    until(b, 'confirm');
    b.press('select');
    until(b, 'result');
    run(500);
    for (const v of a.screen.log!.slice(logA)) add(v);
    for (const v of b.screen.log!.slice(logB)) add(v);
    b.press('select');
    a.press('select');
    // A declined tap: both sides' failure screens.
    a.open('Receive (tap)');
    a.enterAmount(500);
    b.open('Pay by tap');
    const logA2 = a.screen.log!.length;
    const logB2 = b.screen.log!.length;
    until(b, 'confirm');
    b.press('down');
    until(b, 'result');
    run(500);
    for (const v of a.screen.log!.slice(logA2)) add(v);
    for (const v of b.screen.log!.slice(logB2)) add(v);
    b.press('select');
    a.press('select');
    medium.move('b', 3, 0);
    // History.
    b.open('History');
    add(b.screen.current);
    b.press('select');
    // Screens of states a two-card script does not reach, as the flow draws them.
    add({ kind: 'amount', title: 'PIN (2 left)', digits: '1300', cursor: 2, currency: '', decimals: 0, mask: true, hint: 'Up/Down: digit  Press: next' });
    add({ kind: 'error', code: 4011, message: 'Too many attempts: wait 30 s', hint: 'Press: home' });
    add({
      kind: 'history',
      entries: Array.from({ length: 7 }, (_, i) => ({ direction: i % 3 ? 'in' : 'out', amount: 125 * (i + 1) * 7, currency: 'EUR', seq: 40 - i })),
      page: 1,
      pages: 3,
      hint: 'Up/Down: page  Press: home',
    });
    add({ kind: 'progress', title: 'Pay', text: 'Finishing an earlier payment...', step: 2, steps: 4 });
  } finally {
    await auth.close();
    dir.remove();
    usePrimitives(previous);
  }
  const counts = new Map<string, number>();
  return [...seen.values()].map((s) => {
    const n = (counts.get(s.name) ?? 0) + 1;
    counts.set(s.name, n);
    return n > 1 ? { ...s, name: `${s.name}-${n}` } : s;
  });
}

export interface Drawn {
  name: string;
  file: string;
  png: Uint8Array;
  /** SHA-256 of the 1-bit framebuffer. */
  hash: string;
  /** Pixels a layout tried to draw outside the 200x200 screen (must be 0). */
  clipped: number;
}

export function drawScreens(screens: Screen[]): Drawn[] {
  return screens.map((s, i) => {
    const fb = new Framebuffer();
    renderView(fb, s.view);
    const file = `${String(i + 1).padStart(2, '0')}-${s.name}.png`;
    return { name: s.name, file, png: framebufferPng(fb), hash: createHash('sha256').update(fb.bits).digest('hex'), clipped: fb.clipped };
  });
}

export async function writeScreens(dir: string): Promise<string[]> {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw tallyError(8003, `${dir}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const drawn = drawScreens(await collectScreens());
  for (const d of drawn) {
    try {
      writeFileSync(join(dir, d.file), d.png);
    } catch (e) {
      throw tallyError(8003, `${join(dir, d.file)}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return drawn.map((d) => d.file);
}
