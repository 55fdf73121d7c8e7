// One virtual card on a serial device: the card core's serial protocol on a
// pseudo-terminal (or any tty), backed by a flash image and a key file.
//
//   node build/simulator/serial-card.js --port /tmp/x/a --flash card.img --keys card.key \
//        --authority-key <hex> [--flash-kib 1024] [--seed S] [--firmware NAME] [--once]
//
// Prints "ready <port>" on stdout each time the port is open. When the device
// goes away (cable pulled: the pty's other end closed) the card keeps its
// state and waits for the device to come back, unless --once is given.
// SIGTERM or SIGINT end it. Logs go to stderr and never hold a secret.
import { existsSync, realpathSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SerialPort } from 'serialport';
import { KEY_BYTES, fromHex } from '../firmware/core/index.js';
import { SECTOR_BYTES } from './serial/file-flash.js';
import { cardRandom } from './serial/random.js';
import { VirtualCard } from './serial/virtual-card.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' }, flash: { type: 'string' }, keys: { type: 'string' }, 'authority-key': { type: 'string', multiple: true },
    'flash-kib': { type: 'string' }, seed: { type: 'string' }, firmware: { type: 'string' }, once: { type: 'boolean' },
  },
  strict: true,
});
const log = (l: string): void => void process.stderr.write(`serial-card: ${l}\n`);
function need(v: string | undefined, name: string): string {
  if (!v) {
    log(`--${name} is required`);
    process.exit(2);
  }
  return v;
}

const port = need(values.port, 'port');
const kib = Number(values['flash-kib'] ?? '1024');
if (!Number.isInteger(kib) || (kib * 1024) % SECTOR_BYTES !== 0 || kib < 16) {
  log('--flash-kib: a multiple of 4, at least 16');
  process.exit(2);
}
const authorities = (values['authority-key'] ?? []).map((h) => fromHex(h, '--authority-key'));
if (authorities.length === 0 || authorities.some((k) => k.length !== KEY_BYTES)) {
  log('--authority-key: the authority public key, 64 hex digits (repeatable)');
  process.exit(2);
}

const vc = new VirtualCard({
  flashPath: need(values.flash, 'flash'),
  flashBytes: kib * 1024,
  keyPath: need(values.keys, 'keys'),
  authorities,
  random: cardRandom(values.seed),
  firmware: values.firmware ?? 'tally-sim 0.1.0',
  log,
});
log(vc.card ? `card ${vc.card.toJSON().cardId}, head seq ${vc.card.ledger.seq}` : 'blank card (no keys yet)');

let current: SerialPort | undefined;
let stopping = false;

function open(): void {
  if (stopping) return;
  if (!existsSync(port)) return void setTimeout(open, 100);
  const device = realpathSync(port);
  const p = new SerialPort({ path: port, baudRate: 115200, autoOpen: false, lock: false });
  p.open((e) => {
    if (e) return void setTimeout(open, 200);
    current = p;
    vc.attach((b) => p.write(Buffer.from(b.buffer, b.byteOffset, b.length)));
    p.on('data', (b: Buffer) => vc.serial.receive(new Uint8Array(b.buffer, b.byteOffset, b.length)));
    let gone = false;
    const lost = (): void => {
      if (gone) return;
      gone = true;
      clearInterval(watch);
      vc.attach(undefined);
      current = undefined;
      if (p.isOpen) p.close(() => undefined);
      if (stopping) return;
      if (values.once) return stop(0);
      log(`${port} went away; waiting for it`);
      setTimeout(open, 100);
    };
    // A pseudo-terminal whose peer died only fails on write: watch the device node too.
    const watch = setInterval(() => {
      let now: string | undefined;
      try {
        now = realpathSync(port);
      } catch {
        now = undefined;
      }
      if (now !== device) lost();
    }, 100);
    p.on('error', lost);
    p.on('close', lost);
    process.stdout.write(`ready ${port}\n`);
  });
}

function stop(code: number): void {
  stopping = true;
  const done = (): void => {
    vc.close();
    process.exit(code);
  };
  if (current?.isOpen) current.drain(() => current!.close(done));
  else done();
}

process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
open();
