// Ledger entries: the JSON documents inside flash frames (docs/protocol.md,
// "Ledger entries"). One line of ASCII JSON each, keys in a fixed order, byte
// strings in base64url. Decoding is strict: exactly the keys of the entry's
// type, each of its type and within its bound; anything else is 5001.
import { fail } from '../errors.js';
import { SIGNATURE_BYTES } from '../identity.js';
import { HASH_BYTES, RECORD_BODY_MAX_BYTES, STATEMENT_MAX_BYTES } from '../records.js';
import { fromBase64url, toBase64url } from './base64url.js';

/** The entry types; the first four are chain records, the rest are notes. */
export type Entry =
  /** A payment this card made: the exact signed body and its signature. */
  | { t: 'pay'; b: Uint8Array; s: Uint8Array }
  /**
   * A credit: the payer's payment (exact body and signature) and this card's
   * receipt for it, kept as its epoch and signature (the receipt body is
   * fully determined by the payment and the chain position).
   */
  | { t: 'rcv'; b: Uint8Array; s: Uint8Array; e: number; r: Uint8Array }
  /**
   * A receipt for one of this card's payments (chain kind receipt-in), in
   * the same sector as the payment: the payee's seq, prev, epoch and
   * signature; `p` names the payment by its seq when it is not the chain
   * record just before.
   */
  | { t: 'rin'; p?: number; q: number; v: Uint8Array; e: number; s: Uint8Array }
  /** A receipt-in written in another sector than its payment: the payee's exact receipt body and signature. */
  | { t: 'rix'; b: Uint8Array; s: Uint8Array }
  /** Chain records carrying an authority statement (sealed bytes). */
  | { t: 'load' | 'ack'; x: Uint8Array }
  /** Notes (not in the chain): the current certificate, revocation list, epoch note. */
  | { t: 'cert' | 'rev' | 'epoch'; x: Uint8Array }
  /** Note: consecutive failed PIN or confirmation attempts. */
  | { t: 'pin'; n: number };

export type EntryType = Entry['t'];
export const chainEntryTypes: ReadonlySet<EntryType> = new Set<EntryType>(['pay', 'rcv', 'rin', 'rix', 'load', 'ack']);

const U32 = 0xffffffff;
const b64 = toBase64url;

export function encodeEntry(e: Entry): string {
  switch (e.t) {
    case 'pay':
      return `{"t":"pay","b":"${b64(e.b)}","s":"${b64(e.s)}"}`;
    case 'rcv':
      return `{"t":"rcv","b":"${b64(e.b)}","s":"${b64(e.s)}","e":${uint(e.e)},"r":"${b64(e.r)}"}`;
    case 'rin':
      return `{"t":"rin",${e.p === undefined ? '' : `"p":${uint(e.p)},`}"q":${uint(e.q)},"v":"${b64(e.v)}","e":${uint(e.e)},"s":"${b64(e.s)}"}`;
    case 'rix':
      return `{"t":"rix","b":"${b64(e.b)}","s":"${b64(e.s)}"}`;
    case 'pin':
      return `{"t":"pin","n":${uint(e.n)}}`;
    default:
      return `{"t":"${e.t}","x":"${b64(e.x)}"}`;
  }
}

function uint(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) fail(5001, `entry integer ${String(n)}`);
  return String(n);
}

const KEYS: Record<EntryType, string[]> = {
  pay: ['t', 'b', 's'],
  rcv: ['t', 'b', 's', 'e', 'r'],
  rin: ['t', 'p', 'q', 'v', 'e', 's'],
  rix: ['t', 'b', 's'],
  load: ['t', 'x'],
  ack: ['t', 'x'],
  cert: ['t', 'x'],
  rev: ['t', 'x'],
  epoch: ['t', 'x'],
  pin: ['t', 'n'],
};

/** Decodes an entry's JSON; 5001 for anything that is not exactly an entry. */
export function decodeEntry(text: string): Entry {
  if (typeof text !== 'string' || text.length > 65535) return fail(5001, 'entry is not text');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return fail(5001, 'entry is not JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(5001, 'entry is not a JSON object');
  const o = v as Record<string, unknown>;
  const t = o.t;
  if (typeof t !== 'string' || !Object.prototype.hasOwnProperty.call(KEYS, t)) return fail(5001, 'entry type');
  const allowed = KEYS[t as EntryType];
  for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(5001, `entry ${t} has an unknown key ${k.slice(0, 8)}`);
  const bytes = (k: string, len?: number, max = RECORD_BODY_MAX_BYTES): Uint8Array => {
    const b = fromBase64url(o[k] as string, `entry ${t}.${k}`);
    if (len !== undefined ? b.length !== len : b.length === 0 || b.length > max) fail(5001, `entry ${t}.${k} has ${b.length} bytes`);
    return b;
  };
  const num = (k: string, max = U32): number => {
    const n = o[k];
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || n > max) return fail(5001, `entry ${t}.${k} must be an integer 0..${max}`);
    return n;
  };
  switch (t as EntryType) {
    case 'pay':
      return { t: 'pay', b: bytes('b'), s: bytes('s', SIGNATURE_BYTES) };
    case 'rcv':
      return { t: 'rcv', b: bytes('b'), s: bytes('s', SIGNATURE_BYTES), e: num('e'), r: bytes('r', SIGNATURE_BYTES) };
    case 'rin': {
      const e: Entry = { t: 'rin', q: num('q'), v: bytes('v', HASH_BYTES), e: num('e'), s: bytes('s', SIGNATURE_BYTES) };
      if (o.p !== undefined) e.p = num('p');
      if (e.q < 1 || (e.p !== undefined && e.p < 1)) fail(5001, 'entry rin: sequence numbers start at 1');
      return e;
    }
    case 'rix':
      return { t: 'rix', b: bytes('b'), s: bytes('s', SIGNATURE_BYTES) };
    case 'pin':
      return { t: 'pin', n: num('n', 1_000_000) };
    default:
      return { t: t as 'load', x: bytes('x', undefined, STATEMENT_MAX_BYTES) };
  }
}
