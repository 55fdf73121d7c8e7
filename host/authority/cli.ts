// `tally authority ...`: parses options and calls the authority (thin CLI).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ArgumentError, KEY_BYTES, usePrimitives } from '../../firmware/core/index.js';
import { nodePrimitives } from '../crypto/node-primitives.js';
import type { CommandGroup } from '../cli/main.js';
import { Authority } from './authority.js';
import { writeChain } from './chain/export.js';
import { verifyChain } from './chain/verify.js';
import { parseHex } from './codec.js';
import { refuse } from './fail.js';
import { listen } from './http/server.js';
import { DEFAULT_DB_PATH, type AuthorityOptions } from './options.js';
import { openStore } from './store/open.js';
import { authorityStatus } from './status.js';

// Each line follows 'tally authority ' (main.ts prefixes the group name).
const usage = [
  'start [--db PATH] [--port N] [--host H] [--key PATH] [--workers N] [--block-events N] [--block-interval-ms N] [--epoch-interval-ms N]',
  'status [--db PATH]',
  'export --json [--db PATH]',
  'verify FILE [--key HEX ...] [--quorum N]',
];

type Opts = Record<string, string | boolean | string[] | undefined>;

function parse(args: string[], options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>): { values: Opts; positionals: string[] } {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true }) as { values: Opts; positionals: string[] };
  } catch (e) {
    throw new ArgumentError('options', `${e instanceof Error ? e.message : String(e)}; usage: tally authority ${usage.join(' | tally authority ')}`);
  }
}

function int(v: unknown, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v) || n < min || n > max) throw new ArgumentError(name, `a whole number in ${min}..${max}`);
  return n;
}

function choice<T extends string>(v: unknown, name: string, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) throw new ArgumentError(name, allowed.join(' or '));
  return v as T;
}

async function start(args: string[]): Promise<number> {
  const { values } = parse(args, {
    db: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, key: { type: 'string' }, workers: { type: 'string' },
    'block-events': { type: 'string' }, 'block-interval-ms': { type: 'string' }, 'epoch-interval-ms': { type: 'string' },
    'parallel-threshold': { type: 'string' }, verifier: { type: 'string' }, transaction: { type: 'string' },
  });
  const o: Partial<AuthorityOptions> = { dbPath: (values.db as string | undefined) ?? DEFAULT_DB_PATH, log: (l) => console.error(`tally authority: ${l}`) };
  if (values.key) o.keyPath = values.key as string;
  const set = <K extends keyof AuthorityOptions>(k: K, v: AuthorityOptions[K] | undefined): void => {
    if (v !== undefined) o[k] = v;
  };
  set('workers', int(values.workers, '--workers', 0, 64));
  set('blockEvents', int(values['block-events'], '--block-events', 1, 1_000_000));
  set('blockIntervalMs', int(values['block-interval-ms'], '--block-interval-ms', 0, 86_400_000));
  set('epochIntervalMs', int(values['epoch-interval-ms'], '--epoch-interval-ms', 0, 2 ** 31 - 1));
  set('parallelThreshold', int(values['parallel-threshold'], '--parallel-threshold', 0, 1_000_000));
  // Benchmark knobs (the naive baseline): --verifier noble --transaction record.
  set('verifier', choice(values.verifier, '--verifier', ['native', 'noble'] as const));
  set('transaction', choice(values.transaction, '--transaction', ['batch', 'record'] as const));
  // This process is a host: the core's hashing, signing and key agreement run on node:crypto.
  usePrimitives(nodePrimitives);
  const authority = Authority.open(o);
  let server;
  try {
    server = await listen(authority, { host: (values.host as string | undefined) ?? '127.0.0.1', port: int(values.port, '--port', 0, 65535) ?? 8787 });
  } catch (e) {
    await authority.close();
    throw e;
  }
  authority.startTimers();
  console.log(`tally authority: listening on ${server.url} (key id ${Buffer.from(authority.ctx.keyId).toString('hex')}, db ${o.dbPath})`);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await authority.close();
  console.log('tally authority: stopped');
  return 0;
}

function status(args: string[]): number {
  const { values } = parse(args, { db: { type: 'string' } });
  const db = openStore((values.db as string | undefined) ?? DEFAULT_DB_PATH, { readonly: true });
  try {
    for (const [k, v] of Object.entries(authorityStatus(db))) console.log(`${k}: ${v}`);
  } finally {
    db.close();
  }
  return 0;
}

function exportChain(args: string[]): number {
  const { values } = parse(args, { db: { type: 'string' }, json: { type: 'boolean' } });
  if (!values.json) throw new ArgumentError('--json', 'the export format (JSON is the only one)');
  const db = openStore((values.db as string | undefined) ?? DEFAULT_DB_PATH, { readonly: true });
  try {
    writeChain(db, (s) => process.stdout.write(s));
  } finally {
    db.close();
  }
  return 0;
}

function verify(args: string[]): number {
  const { values, positionals } = parse(args, { key: { type: 'string', multiple: true }, quorum: { type: 'string' } });
  if (positionals.length !== 1) throw new ArgumentError('FILE', 'one exported chain file');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(positionals[0]!, 'utf8'));
  } catch (e) {
    refuse(7026, `${positionals[0]}: ${e instanceof Error ? e.message.slice(0, 200) : String(e)}`);
  }
  const keys = ((values.key as string[] | undefined) ?? []).map((k) => parseHex(k, KEY_BYTES) ?? refuse(7026, '--key takes 64 hex digits'));
  const r = verifyChain(json, { ...(keys.length ? { keys } : {}), ...(values.quorum !== undefined ? { quorum: int(values.quorum, '--quorum', 1, 1000)! } : {}) });
  console.log(`ok: ${r.blocks} blocks, ${r.events} events, ${r.settlements} settlements, head ${r.head ?? '(empty)'}, signed by ${r.authorities.join(', ')}${keys.length ? '' : ' (keys listed in the file)'}`);
  return 0;
}

const group: CommandGroup = {
  usage,
  async run([cmd, ...rest]) {
    switch (cmd) {
      case 'start':
        return start(rest);
      case 'status':
        return status(rest);
      case 'export':
        return exportChain(rest);
      case 'verify':
        return verify(rest);
      default:
        console.error(`usage:\n  tally authority ${usage.join('\n  tally authority ')}`);
        return 2;
    }
  },
};
export default group;
