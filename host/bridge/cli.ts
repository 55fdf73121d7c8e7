// `tally bridge ...`: the command group (registered in host/cli/groups.ts).
// Thin: parse options, call host/bridge, print. Coded errors are printed by
// host/cli/main.ts as "tally bridge: E6012 SERIAL_PORT_BUSY: ...".
import { existsSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ArgumentError, decodeCertificate, toHex, type InfoResult } from '../../firmware/core/index.js';
import type { CommandGroup } from '../cli/main.js';
import { AuthorityClient } from './authority-client.js';
import { CardClient } from './card-client.js';
import { listPorts } from './list.js';
import { SerialLink, type LinkOptions } from './port.js';
import { ProgressBar } from './progress.js';
import { provisionCard } from './provision.js';
import { isLinkError, syncCard, type SyncSummary } from './sync.js';

const usage = [
  'list [--json]',
  'info --port P [--json]',
  'sync --port P --authority URL [--progress] [--wait SECONDS] [--batch N] [--json]',
  'provision --port P --authority URL --account A [--json]',
];
const usageText = usage.map((u) => `tally bridge ${u}`);

type Options = NonNullable<ParseArgsConfig['options']>;
const common: Options = { port: { type: 'string' }, json: { type: 'boolean' }, baud: { type: 'string' }, 'timeout-ms': { type: 'string' } };

function parse(args: string[], options: Options): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (e) {
    throw new ArgumentError('options', `${e instanceof Error ? e.message : String(e)}; usage: ${usageText.join(' | ')}`);
  }
}

function need(v: string | boolean | undefined, name: string): string {
  if (typeof v !== 'string' || v === '') throw new ArgumentError(`--${name}`, 'a value');
  return v;
}

function int(v: string | boolean | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^\d{1,9}$/.test(v) || Number(v) < min || Number(v) > max) throw new ArgumentError(`--${name}`, `a whole number in ${min}..${max}`);
  return Number(v);
}

function linkOptions(v: Record<string, string | boolean | undefined>): LinkOptions {
  const o: LinkOptions = {};
  const baud = int(v.baud, 'baud', 300, 4_000_000);
  const timeout = int(v['timeout-ms'], 'timeout-ms', 50, 600_000);
  if (baud !== undefined) o.baudRate = baud;
  if (timeout !== undefined) o.timeoutMs = timeout;
  return o;
}

async function withCard<T>(path: string, o: LinkOptions, fn: (c: CardClient) => Promise<T>): Promise<T> {
  const link = await SerialLink.open(path, o);
  try {
    return await fn(new CardClient(link));
  } finally {
    await link.close();
  }
}

const print = (json: boolean | string | undefined, value: unknown, lines: string[]): void => {
  console.log(json ? JSON.stringify(value, null, 2) : lines.join('\n'));
};

async function list(args: string[]): Promise<number> {
  const v = parse(args, { json: { type: 'boolean' } });
  const ports = await listPorts();
  print(v.json, ports, ports.length ? ports.map((p) => [p.path, p.manufacturer, p.serialNumber].filter(Boolean).join('  ')) : ['no serial ports found']);
  return 0;
}

function infoView(i: InfoResult): Record<string, unknown> {
  const cert = i.certificate ? decodeCertificate(i.certificate) : undefined;
  return {
    card: i.cardId ? toHex(i.cardId) : null,
    provisioned: i.provisioned,
    firmware: i.firmware,
    account: cert?.account ?? null,
    currency: cert?.currency ?? null,
    allowance: cert?.allowance ?? null,
    certSerial: cert?.serial ?? null,
    validEpochs: cert ? [cert.epochFrom, cert.epochTo] : null,
    head: { seq: i.seq, hash: toHex(i.head) },
    ackedSeq: i.ackedSeq,
    firstSeq: i.firstSeq,
    freeBytes: i.freeBytes,
    totalBytes: i.totalBytes,
    epoch: i.epoch,
    revocationVersion: i.revocationVersion,
    pendingPayments: i.pending,
  };
}

async function info(args: string[]): Promise<number> {
  const v = parse(args, common);
  const i = await withCard(need(v.port, 'port'), linkOptions(v), (c) => c.info());
  const o = infoView(i);
  print(v.json, o, Object.entries(o).map(([k, x]) => `${k}: ${typeof x === 'object' && x !== null ? JSON.stringify(x) : String(x)}`));
  return 0;
}

async function sync(args: string[]): Promise<number> {
  const v = parse(args, { ...common, authority: { type: 'string' }, progress: { type: 'boolean' }, wait: { type: 'string' }, batch: { type: 'string' } });
  const port = need(v.port, 'port');
  const authority = new AuthorityClient(need(v.authority, 'authority'));
  const waitMs = (int(v.wait, 'wait', 0, 86_400) ?? 0) * 1000;
  const batch = int(v.batch, 'batch', 1, 20_000);
  const bar = v.progress || process.stderr.isTTY ? new ProgressBar(process.stderr) : undefined;
  const deadline = Date.now() + waitMs;
  let s: SyncSummary;
  for (;;) {
    try {
      s = await withCard(port, linkOptions(v), (c) => syncCard(c, authority, { ...(batch ? { batchRecords: batch } : {}), ...(bar ? { onProgress: (p) => bar.update(p) } : {}) }));
      bar?.end();
      break;
    } catch (e) {
      bar?.end();
      if (!isLinkError(e) || Date.now() >= deadline) throw e;
      // The cable was pulled: wait for the card to come back and resume (the authority keeps what arrived).
      console.error(`tally bridge: ${(e as Error).message}; waiting for ${port} to come back`);
      while (!existsSync(port) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const settled = s.payments.filter((p) => p.state === 'settled').length;
  const got = Object.entries(s.applied).filter(([, x]) => x).map(([k, x]) => (k === 'loads' ? `${x} load(s)` : k));
  print(v.json, s, [
    `synced card ${s.card}: ${s.uploaded} records uploaded (${s.accepted} new), head seq ${s.head.seq}, acknowledged through ${s.ackedSeq}`,
    `card took: ${got.length ? got.join(', ') : 'nothing new'}; ${s.freeBytes} bytes free`,
    `payments: ${settled} settled, ${s.payments.length - settled} not yet`,
  ]);
  return 0;
}

async function provision(args: string[]): Promise<number> {
  const v = parse(args, { ...common, authority: { type: 'string' }, account: { type: 'string' } });
  const authority = new AuthorityClient(need(v.authority, 'authority'));
  const account = need(v.account, 'account');
  const p = await withCard(need(v.port, 'port'), linkOptions(v), (c) => provisionCard(c, authority, account));
  print(v.json, p, [`provisioned card ${p.card} for account ${p.account} (certificate ${p.certSerial})`]);
  return 0;
}

const group: CommandGroup = {
  usage,
  async run(args: string[]): Promise<number> {
    const [cmd, ...rest] = args;
    switch (cmd) {
      case 'list':
        return list(rest);
      case 'info':
        return info(rest);
      case 'sync':
        return sync(rest);
      case 'provision':
        return provision(rest);
      default:
        console.error(`usage:\n  ${usageText.join('\n  ')}`);
        return 2;
    }
  },
};
export default group;
