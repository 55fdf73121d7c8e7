// `npm start` / `tally sim demo`: a newcomer's first run. Everything runs in
// this process, simulated down to the radio: the authority (its SQLite file
// in the data folder), two cards running the card firmware's app, and a
// phone. A café card asks for 3.50 EUR with a QR code that Bob's phone reads
// from the e-ink pixels; then Ana taps her card on the café's to pay 12.50
// EUR; then all three sync through the bridge and the authority settles.
// Each step's e-ink screens are written as PNG files.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { activePrimitives, fromHex, tallyError, usePrimitives } from '../firmware/core/index.js';
import { formatMoney } from '../firmware/ui/index.js';
import type { CardClient } from '../host/bridge/index.js';
import { accountView } from '../host/authority/accounts.js';
import { AppDevice } from './device/app-device.js';
import { Phone } from './device/phone.js';
import { BleMedium, DEFAULT_RADIO } from './radio/ble.js';
import { Clock } from './radio/clock.js';
import { Rng } from './random.js';
import { EmbeddedAuthority } from './world/authority.js';
import { simCrypto } from './world/crypto.js';
import { UsbCable } from './world/usb.js';

export interface DemoOptions {
  /** The data folder (the authority's database and the screens go there). */
  dir: string;
  out: (line: string) => void;
  /** PNG scale (the screen is 200x200; 2 by default). */
  scale?: number;
}

export interface DemoResult {
  screens: string[];
  balances: Record<string, number>;
  settled: number;
}

const DEMO_FILES = /^(authority\.db(-wal|-shm|\.key)?)$/;

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const out = o.out;
  const screensDir = join(o.dir, 'screens');
  try {
    mkdirSync(o.dir, { recursive: true });
    // A fresh demo each run: only the demo's own files are replaced.
    for (const f of readdirSync(o.dir)) if (DEMO_FILES.test(f)) rmSync(join(o.dir, f), { force: true });
    rmSync(screensDir, { recursive: true, force: true });
    mkdirSync(screensDir, { recursive: true });
  } catch (e) {
    throw tallyError(8003, `${o.dir}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const previous = activePrimitives();
  usePrimitives(simCrypto().primitives);
  const auth = EmbeddedAuthority.open({ dir: o.dir, workers: 0 });
  const files: string[] = [];
  try {
    const clock = new Clock(0);
    const rng = new Rng('demo');
    const medium = new BleMedium(clock, rng.fork('radio'), DEFAULT_RADIO);
    const authorities = [auth.publicKey];
    const cafe = new AppDevice({ name: 'cafe', clock, medium, seed: 'demo/cafe', authorities, address: rng.bytes(6), x: 0, y: 0 });
    const ana = new AppDevice({ name: 'ana', clock, medium, seed: 'demo/ana', authorities, address: rng.bytes(6), x: 2, y: 0 });
    const bob = new Phone('bob-phone', clock, medium, { seed: 'demo/bob', authorities, address: rng.bytes(6), x: 3, y: 1 });
    let shot = 0;
    const snap = (d: AppDevice, what: string): void => {
      const name = `${String(++shot).padStart(2, '0')}-${d.name}-${what}.png`;
      writeFileSync(join(screensDir, name), d.screen.png(o.scale ?? 2));
      files.push(name);
    };

    out('Tally demo: an authority, two cards and a phone, all simulated in this process (radio, e-ink, flash, USB).');
    out('');
    out(`1. The authority opened its ledger: ${join(o.dir, 'authority.db')} (SQLite) and its signing key ${join(o.dir, 'authority.db.key')}.`);

    // ---- provisioning ---------------------------------------------------------
    const people = [
      { who: 'the café', account: 'cafe', deposit: 0, load: 0, usb: (b: Uint8Array) => cafe.usb(b) },
      { who: "Ana's card", account: 'ana', deposit: 100_00, load: 40_00, usb: (b: Uint8Array) => ana.usb(b) },
      { who: "Bob's phone", account: 'bob', deposit: 50_00, load: 20_00, usb: (b: Uint8Array) => bob.usb(b) },
    ];
    const clients: CardClient[] = [];
    for (const p of people) {
      auth.authority.openAccount(p.account, 'EUR', p.deposit || undefined);
      const client = new UsbCable(p.usb).client();
      clients.push(client);
      const r = await auth.provision(client, p.account);
      if (p.load) auth.authority.load(fromHex(r.card), p.load);
      await auth.sync(client);
      out(`   ${p.who}: provisioned over USB by the bridge (keys made on the device, card ${r.card.slice(0, 8)}), ${p.load ? `loaded ${formatMoney(p.load, 'EUR')} from account '${p.account}'` : `account '${p.account}'`}`);
    }
    clock.runSync(clock.now + 1000);
    out(`2. Three devices were provisioned and synced once (the loads became their offline allowance).`);
    snap(cafe, 'home');
    snap(ana, 'home');

    // ---- a QR payment ---------------------------------------------------------
    cafe.open('Receive (QR)');
    snap(cafe, 'amount');
    cafe.enterAmount(350);
    if (cafe.state !== 'offer') throw new Error(`the café card did not show its offer (${cafe.state})`);
    snap(cafe, 'offer-qr');
    clock.runSync(clock.now + 2000); // the full e-paper refresh
    const t0 = clock.now;
    const uri = bob.payByQr(cafe.screen);
    for (let i = 0; i < 300 && !bob.outcome; i++) clock.runSync(clock.now + 50);
    const qrMs = clock.now - t0;
    clock.runSync(clock.now + 500);
    const qrDone = bob.outcome;
    if (qrDone?.status !== 'done') throw new Error(`the QR payment failed: ${JSON.stringify(qrDone)}`);
    snap(cafe, 'received');
    out(`3. QR payment: the café card asked 3.50 EUR and showed a QR code (${uri.length} characters, ${uri.slice(0, 16)}...).`);
    out(`   Bob's phone camera decoded it from the screen's pixels, connected over BLE and paid in ${(qrMs / 1000).toFixed(1)} s (simulated).`);
    cafe.press('select'); // back home

    // ---- a tap payment --------------------------------------------------------
    cafe.open('Receive (tap)');
    cafe.enterAmount(1250);
    snap(cafe, 'offer-tap');
    ana.open('Pay by tap');
    snap(ana, 'scan');
    medium.move('ana', 0.03, 0); // Ana holds her card against the café's
    const tapAt = clock.now;
    const stateOf = (d: AppDevice): string => d.state;
    let guard = 0;
    while (stateOf(ana) !== 'confirm' && guard++ < 100) clock.runSync(clock.now + 100);
    if (stateOf(ana) !== 'confirm') throw new Error(`Ana's card did not ask to confirm (${stateOf(ana)})`);
    const toConfirm = clock.now - tapAt;
    const code = ana.screen.current?.kind === 'confirm' ? ana.screen.current.code : undefined;
    const cafeCode = cafe.screen.current?.kind === 'confirm' ? cafe.screen.current.code : undefined;
    snap(cafe, 'code');
    snap(ana, 'confirm');
    ana.press('select');
    guard = 0;
    while (stateOf(ana) !== 'result' && guard++ < 100) clock.runSync(clock.now + 100);
    snap(ana, 'paid');
    snap(cafe, 'received');
    const paid = ana.screen.current?.kind === 'result' && ana.screen.current.ok;
    if (!paid) throw new Error("Ana's tap payment failed");
    out(`4. Tap payment: the café card advertised a 12.50 EUR offer; Ana held her card against it (RSSI above -50 dBm, three times in a row),`);
    out(`   within ${(toConfirm / 1000).toFixed(1)} s both screens showed the code ${code ?? '?'}${code === cafeCode ? ' (the same: no one in the middle)' : ' (DIFFERENT)'}; Ana pressed the button and her card paid.`);
    medium.move('ana', 2, 0);
    ana.press('select');
    cafe.press('select');

    // ---- sync -----------------------------------------------------------------
    const before = auth.authority.ctx.db.prepare('SELECT count(*) AS n FROM settlements WHERE state = 1').get() as { n: number };
    for (const c of clients) await auth.sync(c);
    clock.runSync(clock.now + 1000);
    const settled = (auth.authority.ctx.db.prepare('SELECT count(*) AS n FROM settlements WHERE state = 1').get() as { n: number }).n - before.n;
    snap(cafe, 'home-after-sync');
    snap(ana, 'home-after-sync');
    out(`5. Sync: each device's ledger went up through the bridge; the authority checked every signature, settled ${settled} payments and acknowledged them.`);

    // ---- balances ---------------------------------------------------------------
    const balances: Record<string, number> = {};
    out('');
    out('Final balances (the authority\'s accounts, and what each device may still spend offline):');
    const devices = [
      { who: 'café', account: 'cafe', status: () => cafe.app.card.status().available },
      { who: 'Ana', account: 'ana', status: () => ana.app.card.status().available },
      { who: 'Bob', account: 'bob', status: () => bob.host.status()?.available },
    ];
    for (const d of devices) {
      const a = accountView(auth.authority.ctx, d.account);
      balances[d.account] = a.balance;
      const avail = d.status();
      out(`   ${d.who.padEnd(5)} account ${formatMoney(a.balance, 'EUR').padStart(12)}   device allowance left ${avail === undefined ? '-' : formatMoney(avail, 'EUR')}`);
    }
    out('');
    out(`The e-ink screens of each step: ${screensDir} (${files.length} PNG files, 200x200 drawn at ${o.scale ?? 2}x).`);
    out(`Next: 'node bin/tally.js sim --cards 50 --payments 500 --clones 2 --faults power-cut=0.02,radio-loss=0.05' runs a whole world.`);
    return { screens: files, balances, settled };
  } finally {
    await auth.close();
    usePrimitives(previous);
  }
}
