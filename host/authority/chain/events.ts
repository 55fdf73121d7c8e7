// Settled events: what the authority's chain records. Each is a deterministic
// CBOR map (key 1: the type); its hash is SHA-256 of those bytes. Events
// carry the signed statements they rest on (a card's certificate, a sealed
// load, the payer's sealed payment), so an exported chain can be audited
// without the authority's database.
import {
  decodeCanonical,
  decodeRecordBody,
  decodeSealedRecord,
  encodeCanonical,
  recordHash,
  type CborValue,
} from '../../../firmware/core/index.js';
import { b64, hex } from '../codec.js';
import { refuse } from '../fail.js';
import type { Context } from '../context.js';
import { sha256 } from './hash.js';

export type ChainEvent =
  | { type: 'account'; account: string; currency: string }
  | { type: 'deposit'; account: string; amount: number }
  | { type: 'enrol'; account: string; card: Uint8Array; certificate: Uint8Array }
  | { type: 'load'; account: string; card: Uint8Array; amount: number; load: Uint8Array }
  | { type: 'settle'; account: string; payment: Uint8Array }
  | { type: 'revoke'; card: Uint8Array; fraudKind: string; proof: Uint8Array; version: number }
  | { type: 'epoch'; epoch: number };

/** Map keys of an event. */
export const E = { type: 1, account: 2, currency: 3, amount: 4, card: 5, certificate: 6, load: 7, payment: 8, fraudKind: 9, proof: 10, version: 11, epoch: 12 } as const;
/** Largest encoded event, in bytes. */
export const EVENT_MAX_BYTES = 4096;

export function encodeEvent(ev: ChainEvent): Uint8Array {
  const m = new Map<number, CborValue>([[E.type, ev.type]]);
  for (const [name, v] of Object.entries(ev)) if (name !== 'type') m.set(E[name as keyof typeof E], v as CborValue);
  return encodeCanonical(m);
}

/** Appends an event to the pending ones (inside the caller's transaction). */
export function appendEvent(ctx: Context, ev: ChainEvent): void {
  const cbor = encodeEvent(ev);
  ctx.q('INSERT INTO events (hash, cbor) VALUES (?, ?)').run(sha256(cbor), cbor);
}

/**
 * The readable form of an event's bytes, as exported: every field, bytes as
 * hex (ids, hashes) or base64url (statements), and for a settlement the
 * payment's payer, payee, amount and hash read from the sealed payment.
 * Decoding is strict, so one byte string has exactly one view.
 */
export function eventView(cbor: Uint8Array): Record<string, unknown> {
  const m = decodeCanonical(cbor, { maxBytes: EVENT_MAX_BYTES, maxDepth: 2 });
  if (!(m instanceof Map)) return refuse(7031, 'an event is not a map');
  const out: Record<string, unknown> = {};
  for (const [k, v] of m) {
    const name = typeof k === 'number' ? keyNames[k] : undefined;
    if (!name) return refuse(7031, `an event has an unknown key ${String(k)}`);
    out[name] = v instanceof Uint8Array ? (name === 'card' || name === 'proof' ? hex(v) : b64(v)) : v;
  }
  const payment = m.get(E.payment);
  if (payment instanceof Uint8Array) {
    const rec = decodeSealedRecord(payment);
    const body = decodeRecordBody(rec.body);
    if (body.kind !== 'payment') return refuse(7031, 'a settle event holds no payment');
    Object.assign(out, { paymentHash: hex(recordHash(rec.body)), payer: hex(body.card), payee: hex(body.payee), payerSeq: body.seq, amount: body.amount });
  }
  return out;
}

const keyNames = Object.fromEntries(Object.entries(E).map(([k, v]) => [v, k])) as Record<number, string>;
