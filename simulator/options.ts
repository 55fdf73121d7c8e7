// The scenario runner's options, their defaults and their checks. Bad input
// is refused with E8001 naming the option.
import { tallyError } from '../firmware/core/index.js';
import type { Engine } from './engine/driver.js';
import type { RadioParams } from './radio/ble.js';

export interface Faults {
  /** Probability that a card loses power during a payment (at a random flash write) or a sync (at a write or an erase). */
  powerCut: number;
  /** Probability that one BLE GATT value (and one advertisement) is lost. */
  radioLoss: number;
  /** Probability that a BLE connection drops during a payment. */
  disconnect: number;
}

export interface ScenarioOptions {
  cards: number;
  payments: number;
  seed: string;
  engine: Engine;
  faults: Faults;
  /** Cards cloned during the run; each clone double-spends. */
  clones: number;
  /** Every card syncs through the bridge this often (simulated hours). */
  syncEveryHours: number;
  /** Share of payments made by QR code (the rest by tap). */
  qrShare: number;
  /** Payments each card starts per simulated hour. */
  ratePerCardHour: number;
  /** Ledger region of each card, in 4 KiB sectors. */
  sectors: number;
  /** Where the embedded authority keeps its SQLite file; a temporary folder (removed afterwards) when absent. */
  dataDir?: string;
  /** The simulator's pure-function memos for crypto (world/crypto.ts); results are identical either way. */
  memo: boolean;
  /** Payments the clone of a card attempts. */
  cloneSpree: number;
  /** Progress lines (stderr) every this many payments; 0: none. */
  progressEvery: number;
  /** Radio model overrides (tests: a fixed MTU, say); the faults set loss and disconnects. */
  radio?: Partial<Omit<RadioParams, 'loss' | 'disconnect'>>;
}

export const DEFAULTS: ScenarioOptions = {
  cards: 20,
  payments: 200,
  seed: '1',
  engine: 'v8',
  faults: { powerCut: 0, radioLoss: 0, disconnect: 0 },
  clones: 0,
  syncEveryHours: 6,
  qrShare: 0.25,
  ratePerCardHour: 1,
  sectors: 64,
  memo: true,
  cloneSpree: 4,
  progressEvery: 0,
};

/** Limits of each option. */
export const LIMITS = {
  cards: [2, 100_000],
  xsCards: 64,
  payments: [0, 10_000_000],
  clones: [0, 10_000],
  syncEveryHours: [0.1, 24 * 365],
  sectors: [8, 4096],
} as const;

const bad = (what: string): never => {
  throw tallyError(8001, what);
};

function int(name: string, v: string, lo: number, hi: number): number {
  if (!/^\d{1,12}$/.test(v)) bad(`--${name}: a whole number from ${lo} to ${hi}, not '${v.slice(0, 40)}'`);
  const n = Number(v);
  if (n < lo || n > hi) bad(`--${name}: a whole number from ${lo} to ${hi}, not ${n}`);
  return n;
}

function prob(name: string, v: string): number {
  if (!/^(0|1|0?\.\d{1,9}|1\.0*)$/.test(v)) bad(`--${name}: a probability from 0 to 1, not '${v.slice(0, 40)}'`);
  return Number(v);
}

function num(name: string, v: string, lo: number, hi: number): number {
  if (!/^\d{1,9}(\.\d{1,6})?$/.test(v)) bad(`--${name}: a number from ${lo} to ${hi}, not '${v.slice(0, 40)}'`);
  const n = Number(v);
  if (n < lo || n > hi) bad(`--${name}: a number from ${lo} to ${hi}, not ${n}`);
  return n;
}

/** "power-cut=0.01,radio-loss=0.05" -> Faults. */
export function parseFaults(text: string): Faults {
  const f: Faults = { powerCut: 0, radioLoss: 0, disconnect: 0 };
  if (text.trim() === '' || text === 'none') return f;
  const names: Record<string, keyof Faults> = { 'power-cut': 'powerCut', 'radio-loss': 'radioLoss', disconnect: 'disconnect' };
  for (const part of text.split(',')) {
    const m = /^([a-z-]+)=(.*)$/.exec(part.trim());
    const key = m ? names[m[1]!] : undefined;
    if (!m || !key) bad(`--faults: comma-separated kind=probability with kinds ${Object.keys(names).join(', ')}; not '${part.slice(0, 40)}'`);
    f[key!] = prob(`faults ${m![1]}`, m![2]!);
  }
  return f;
}

/** Checks a whole options object (from the CLI or a program). */
export function checkOptions(o: ScenarioOptions): ScenarioOptions {
  const inRange = (name: string, n: number, lo: number, hi: number, whole = true): void => {
    if (typeof n !== 'number' || !Number.isFinite(n) || n < lo || n > hi || (whole && !Number.isInteger(n))) bad(`${name}: ${whole ? 'a whole number' : 'a number'} from ${lo} to ${hi}`);
  };
  inRange('cards', o.cards, LIMITS.cards[0], LIMITS.cards[1]);
  inRange('payments', o.payments, LIMITS.payments[0], LIMITS.payments[1]);
  inRange('clones', o.clones, LIMITS.clones[0], LIMITS.clones[1]);
  inRange('sync-every', o.syncEveryHours, LIMITS.syncEveryHours[0], LIMITS.syncEveryHours[1], false);
  inRange('sectors', o.sectors, LIMITS.sectors[0], LIMITS.sectors[1]);
  inRange('qr share', o.qrShare, 0, 1, false);
  inRange('rate', o.ratePerCardHour, 0.001, 1000, false);
  inRange('clone spree', o.cloneSpree, 1, 1000);
  for (const [k, v] of Object.entries(o.faults)) inRange(`faults ${k}`, v, 0, 1, false);
  if (o.engine !== 'v8' && o.engine !== 'xs') bad(`--engine: v8 or xs, not '${String(o.engine).slice(0, 20)}'`);
  if (o.engine === 'xs' && o.cards + o.clones > LIMITS.xsCards) bad(`--engine xs runs one XS worker per card: at most ${LIMITS.xsCards} cards and clones`);
  if (o.clones > 0 && o.clones > Math.floor(o.cards / 2)) bad(`--clones: at most half the cards (${Math.floor(o.cards / 2)}): clones pay cards that were not cloned`);
  if (typeof o.seed !== 'string' || !/^[\x21-\x7e]{1,64}$/.test(o.seed)) bad('--seed: 1 to 64 printable characters');
  return o;
}

export interface ParsedArgs {
  options: ScenarioOptions;
  json: boolean;
}

/** `tally sim` arguments -> options. */
export function parseScenarioArgs(args: string[]): ParsedArgs {
  const o: ScenarioOptions = { ...DEFAULTS, faults: { ...DEFAULTS.faults } };
  let json = false;
  const seen = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.indexOf('=');
    const name = a.startsWith('--') ? (eq > 0 ? a.slice(2, eq) : a.slice(2)) : bad(`unexpected argument '${a.slice(0, 40)}'; options start with --`);
    if (seen.has(name)) bad(`--${name} given twice`);
    seen.add(name);
    const value = (): string => {
      if (eq > 0) return a.slice(eq + 1);
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) bad(`--${name} needs a value`);
      return v!;
    };
    switch (name) {
      case 'cards':
        o.cards = int(name, value(), LIMITS.cards[0], LIMITS.cards[1]);
        break;
      case 'payments':
        o.payments = int(name, value(), LIMITS.payments[0], LIMITS.payments[1]);
        break;
      case 'seed': {
        const v = value();
        if (!/^[\x21-\x7e]{1,64}$/.test(v)) bad('--seed: 1 to 64 printable characters');
        o.seed = v;
        break;
      }
      case 'engine': {
        const v = value();
        if (v !== 'v8' && v !== 'xs') bad(`--engine: v8 or xs, not '${v.slice(0, 20)}'`);
        o.engine = v as Engine;
        break;
      }
      case 'faults':
        o.faults = parseFaults(value());
        break;
      case 'clones':
        o.clones = int(name, value(), LIMITS.clones[0], LIMITS.clones[1]);
        break;
      case 'sync-every':
        o.syncEveryHours = num(name, value(), LIMITS.syncEveryHours[0], LIMITS.syncEveryHours[1]);
        break;
      case 'qr':
        o.qrShare = prob(name, value());
        break;
      case 'rate':
        o.ratePerCardHour = num(name, value(), 0.001, 1000);
        break;
      case 'flash-kib': {
        const kib = int(name, value(), LIMITS.sectors[0] * 4, LIMITS.sectors[1] * 4);
        if (kib % 4 !== 0) bad('--flash-kib: a multiple of 4 (4 KiB sectors)');
        o.sectors = kib / 4;
        break;
      }
      case 'data':
        o.dataDir = value();
        if (o.dataDir === '') bad('--data: a folder');
        break;
      case 'no-memo':
        if (eq > 0) bad('--no-memo takes no value');
        o.memo = false;
        break;
      case 'progress':
        o.progressEvery = int(name, value(), 1, 10_000_000);
        break;
      case 'json':
        if (eq > 0) bad('--json takes no value');
        json = true;
        break;
      default:
        bad(`unknown option --${name.slice(0, 40)}; run 'tally help'`);
    }
  }
  return { options: checkOptions(o), json };
}
