// Payment messages (docs/protocol.md, "Payment messages").
//
// On the link every message is an envelope: one type byte, then the body.
//   1  Noise handshake message 1 (payer -> payee), payload: hello
//   2  Noise handshake message 2 (payee -> payer), payload: offer or error
//   3  Noise transport message, plaintext: payment, receipt or error
//   4  plaintext error (only before a channel exists: unauthenticated)
// Application messages are deterministic CBOR maps with small integer keys,
// key 1 naming the message; decoders are strict (schema.ts) and bounded.
import { LazyPattern } from '../pattern.js';
import { concat } from '../bytes.js';
import { decodeCanonical, encodeCanonical, type CborValue } from '../cbor.js';
import { AMOUNT_MAX, CERT_MAX_BYTES, CURRENCY_PATTERN } from '../cert.js';
import { ErrorTable, fail, type ErrorCode } from '../errors.js';
import { HASH_BYTES, NONCE_BYTES, RECORD_BODY_MAX_BYTES, STATEMENT_MAX_BYTES } from '../records.js';
import { MapReader } from '../schema.js';

export const Envelope = { handshake1: 1, handshake2: 2, transport: 3, plainError: 4 } as const;
export type EnvelopeType = keyof typeof Envelope;
const envelopeNames: Record<number, EnvelopeType> = { 1: 'handshake1', 2: 'handshake2', 3: 'transport', 4: 'plainError' };

/** Largest application message (an offer or payment carrying a full revocation list and an epoch note). */
export const APP_MESSAGE_MAX = 6144;
/** Largest link message: an application message plus Noise overhead (keys, tags) and the envelope byte. */
export const LINK_MESSAGE_MAX = APP_MESSAGE_MAX + 128;
const SEALED_RECORD_MAX = RECORD_BODY_MAX_BYTES + 80;
const ERROR_TEXT_MAX = 200;
const U32 = 0xffffffff;

export interface EnvelopeMessage {
  type: EnvelopeType;
  body: Uint8Array;
}

export function encodeEnvelope(type: EnvelopeType, body: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(Envelope[type]), body);
}

/** Splits a link message; 4014 when it is too long, 1011 for an unknown type or an empty message. */
export function decodeEnvelope(bytes: Uint8Array, maxBytes = LINK_MESSAGE_MAX): EnvelopeMessage {
  if (!(bytes instanceof Uint8Array)) return fail(1011, 'a link message is bytes');
  if (bytes.length > maxBytes) return fail(4014, `${bytes.length} > ${maxBytes} bytes`);
  const type = bytes.length > 0 ? envelopeNames[bytes[0]!] : undefined;
  if (!type) return fail(1011, bytes.length === 0 ? 'empty link message' : `envelope type ${bytes[0]}`);
  return { type, body: bytes.subarray(1) };
}

// Map keys, shared by every application message.
const K = {
  type: 1, cert: 2, headSeq: 3, headHash: 4, revocationVersion: 5, epoch: 6, amount: 7, currency: 8, nonce: 9,
  revocations: 10, epochNote: 11, payment: 12, receipt: 13, code: 14, message: 15,
} as const;
const T = { hello: 1, offer: 2, payment: 3, receipt: 4, error: 5 } as const;

/** Payer -> payee, in Noise message 1. */
export interface Hello {
  type: 'hello';
  /** The payer's certificate (sealed bytes). */
  cert: Uint8Array;
  /** The payer's chain head: seq and hash of its last record (0 and zero hash when empty). */
  headSeq: number;
  headHash: Uint8Array;
  revocationVersion: number;
  epoch: number;
  /** The amount the payer proposes, when the payee's offer names none. */
  amount?: number;
}
/** Payee -> payer, in Noise message 2. */
export interface Offer {
  type: 'offer';
  cert: Uint8Array;
  revocationVersion: number;
  epoch: number;
  amount: number;
  currency: string;
  /** Fresh 16-byte nonce the payment must answer. */
  nonce: Uint8Array;
  /** The payee's revocation list (sealed), when newer than the payer's. */
  revocations?: Uint8Array;
  /** The payee's epoch note (sealed), when newer than the payer's epoch. */
  epochNote?: Uint8Array;
}
/** Payer -> payee, first transport message. */
export interface PaymentMessage {
  type: 'payment';
  /** The sealed payment record [body, signature]. */
  payment: Uint8Array;
  revocations?: Uint8Array;
  epochNote?: Uint8Array;
}
/** Payee -> payer, first transport message. */
export interface ReceiptMessage {
  type: 'receipt';
  /** The sealed receipt record [body, signature]. */
  receipt: Uint8Array;
}
/** Either way, in a handshake payload, a transport message or a plaintext error envelope. */
export interface ErrorMessage {
  type: 'error';
  code: number;
  message: string;
}
export type AppMessage = Hello | Offer | PaymentMessage | ReceiptMessage | ErrorMessage;

export function encodeMessage(m: AppMessage): Uint8Array {
  const map = new Map<number, CborValue>([[K.type, T[m.type]]]);
  switch (m.type) {
    case 'hello':
      map.set(K.cert, m.cert).set(K.headSeq, m.headSeq).set(K.headHash, m.headHash);
      map.set(K.revocationVersion, m.revocationVersion).set(K.epoch, m.epoch);
      if (m.amount !== undefined) map.set(K.amount, m.amount);
      break;
    case 'offer':
      map.set(K.cert, m.cert).set(K.revocationVersion, m.revocationVersion).set(K.epoch, m.epoch);
      map.set(K.amount, m.amount).set(K.currency, m.currency).set(K.nonce, m.nonce);
      if (m.revocations) map.set(K.revocations, m.revocations);
      if (m.epochNote) map.set(K.epochNote, m.epochNote);
      break;
    case 'payment':
      map.set(K.payment, m.payment);
      if (m.revocations) map.set(K.revocations, m.revocations);
      if (m.epochNote) map.set(K.epochNote, m.epochNote);
      break;
    case 'receipt':
      map.set(K.receipt, m.receipt);
      break;
    case 'error':
      map.set(K.code, m.code).set(K.message, errorText(m.message));
      break;
  }
  const out = encodeCanonical(map);
  if (out.length > APP_MESSAGE_MAX) fail(4014, `${m.type} of ${out.length} bytes`);
  return out;
}

/** Error text as sent: printable, at most 200 characters. */
function errorText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return String(s).replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, ERROR_TEXT_MAX);
}

// Compiled on first use: a preloaded module may hold no RegExp (pattern.ts).
const TEXT_RE = new LazyPattern('^[^\\u0000-\\u001f\\u007f]{0,200}$');

/** Decodes any application message strictly; 1xxx for anything malformed. */
export function decodeMessage(bytes: Uint8Array): AppMessage {
  const r = new MapReader(decodeCanonical(bytes, { maxBytes: APP_MESSAGE_MAX, maxDepth: 2 }), 'message');
  const t = r.uint(K.type, 'type', 255);
  let m: AppMessage;
  switch (t) {
    case T.hello: {
      const h: Hello = {
        type: 'hello',
        cert: r.bytes(K.cert, 'cert', undefined, CERT_MAX_BYTES),
        headSeq: r.uint(K.headSeq, 'headSeq', U32),
        headHash: r.bytes(K.headHash, 'headHash', HASH_BYTES),
        revocationVersion: r.uint(K.revocationVersion, 'revocationVersion', U32),
        epoch: r.uint(K.epoch, 'epoch', U32),
      };
      const amount = r.optUint(K.amount, 'amount', AMOUNT_MAX);
      if (amount !== undefined) h.amount = positive(amount);
      m = h;
      break;
    }
    case T.offer: {
      const o: Offer = {
        type: 'offer',
        cert: r.bytes(K.cert, 'cert', undefined, CERT_MAX_BYTES),
        revocationVersion: r.uint(K.revocationVersion, 'revocationVersion', U32),
        epoch: r.uint(K.epoch, 'epoch', U32),
        amount: positive(r.uint(K.amount, 'amount', AMOUNT_MAX)),
        currency: r.text(K.currency, 'currency', CURRENCY_PATTERN),
        nonce: r.bytes(K.nonce, 'nonce', NONCE_BYTES),
      };
      optional(r, o);
      m = o;
      break;
    }
    case T.payment: {
      const p: PaymentMessage = { type: 'payment', payment: r.bytes(K.payment, 'payment', undefined, SEALED_RECORD_MAX) };
      optional(r, p);
      m = p;
      break;
    }
    case T.receipt:
      m = { type: 'receipt', receipt: r.bytes(K.receipt, 'receipt', undefined, SEALED_RECORD_MAX) };
      break;
    case T.error:
      m = { type: 'error', code: r.uint(K.code, 'code', 9999), message: r.text(K.message, 'message', TEXT_RE) };
      break;
    default:
      return fail(1012, `message type ${t} is unknown`);
  }
  r.done();
  return m;
}

function optional(r: MapReader, m: { revocations?: Uint8Array; epochNote?: Uint8Array }): void {
  const rev = r.optBytes(K.revocations, 'revocations', undefined, STATEMENT_MAX_BYTES);
  if (rev) m.revocations = rev;
  const ep = r.optBytes(K.epochNote, 'epochNote', undefined, 256);
  if (ep) m.epochNote = ep;
}

function positive(n: number): number {
  if (n < 1) fail(1013, 'amount must be at least 1');
  return n;
}

/** An error message for a code (the code's table text plus detail). Never carries secrets: only codes and public details. */
export function errorMessage(code: number, message: string): ErrorMessage {
  return { type: 'error', code, message };
}

/** The code a peer sent, if it is one of the table; else 4016 stands for it. */
export function knownCode(code: number): ErrorCode {
  return Object.prototype.hasOwnProperty.call(ErrorTable, code) ? (code as ErrorCode) : 4016;
}
