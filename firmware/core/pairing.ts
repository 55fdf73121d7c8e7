// The pairing payload: what the payee's screen shows as a QR code, and also a
// deep link a phone app can open. Everything after the scheme is upper case
// from the QR alphanumeric alphabet (base32, hex, digits, '/'), so the largest
// offer fits a version 6 code at level M: 41 modules, 4 pixels each plus the
// quiet zone, on a 200x200 screen.
//
//   TALLY:PAY/1/<card id, base32>/<X25519 static key, base32>/<BLE address, hex>/<token, base32>[/<amount>[/<currency>]]
import { sha256 } from './primitives.js';
import { concat, fromBase32, fromHex, toBase32, toHex, utf8 } from './bytes.js';
import { AMOUNT_MAX, CURRENCY_PATTERN } from './cert.js';
import { ArgumentError, fail } from './errors.js';
import { CARD_ID_BYTES, KEY_BYTES } from './identity.js';

export const PAIRING_VERSION = 1;
export const TOKEN_BYTES = 16;
export const BLE_ADDRESS_BYTES = 6;
/** Longer input is refused before any parsing (the largest valid payload is 150 characters). */
export const PAIRING_MAX_CHARS = 200;

export interface PairingOffer {
  cardId: Uint8Array;
  /** The payee's X25519 static key: the payer's Noise `rs`. */
  staticKey: Uint8Array;
  bleAddress: Uint8Array;
  /** One-time secret; the Noise PSK is derived from it. */
  token: Uint8Array;
  /** Minor units; absent when the payer enters it. */
  amount?: number;
  /** ISO 4217 code; only with an amount. */
  currency?: string;
}

const PREFIX = `PAY/${PAIRING_VERSION}/`;

export function encodePairing(o: PairingOffer): string {
  const fixed: [keyof PairingOffer, number][] = [
    ['cardId', CARD_ID_BYTES],
    ['staticKey', KEY_BYTES],
    ['bleAddress', BLE_ADDRESS_BYTES],
    ['token', TOKEN_BYTES],
  ];
  for (const [k, n] of fixed) {
    const v = o[k];
    if (!(v instanceof Uint8Array) || v.length !== n) throw new ArgumentError(k, `${n} bytes`);
  }
  let s = `TALLY:${PREFIX}${toBase32(o.cardId)}/${toBase32(o.staticKey)}/${toHex(o.bleAddress).toUpperCase()}/${toBase32(o.token)}`;
  if (o.amount !== undefined) {
    if (!Number.isSafeInteger(o.amount) || o.amount < 1 || o.amount > AMOUNT_MAX) throw new ArgumentError('amount', `an integer 1..${AMOUNT_MAX}`);
    s += `/${o.amount}`;
    if (o.currency !== undefined) {
      if (!CURRENCY_PATTERN.test(o.currency)) throw new ArgumentError('currency', 'three letters A-Z');
      s += `/${o.currency}`;
    }
  } else if (o.currency !== undefined) {
    throw new ArgumentError('currency', 'absent when there is no amount');
  }
  return s;
}

/** Strict decoding: exactly one spelling is accepted for each offer. Throws 11xx codes. */
export function decodePairing(uri: string): PairingOffer {
  if (typeof uri !== 'string') return fail(1101, 'not text');
  if (uri.length > PAIRING_MAX_CHARS) return fail(1001, `${uri.length} > ${PAIRING_MAX_CHARS} characters`);
  // The scheme is case-insensitive (RFC 3986 §3.1); the rest is not.
  if (uri.slice(0, 6).toUpperCase() !== 'TALLY:') return fail(1101);
  const rest = uri.slice(6);
  if (!rest.startsWith('PAY/')) return fail(1101, 'expected PAY/');
  const parts = rest.split('/');
  if (parts[1] !== String(PAIRING_VERSION)) return fail(1103, `version ${parts[1] ?? '(none)'}`);
  if (parts.length < 6 || parts.length > 8) return fail(1102, `${parts.length - 2} fields`);
  const offer: PairingOffer = {
    cardId: b32(parts[2]!, CARD_ID_BYTES, 'card id'),
    staticKey: b32(parts[3]!, KEY_BYTES, 'static key'),
    bleAddress: hex(parts[4]!, BLE_ADDRESS_BYTES, 'BLE address'),
    token: b32(parts[5]!, TOKEN_BYTES, 'token'),
  };
  if (parts[6] !== undefined) {
    const a = parts[6];
    if (!/^[1-9][0-9]{0,14}$/.test(a)) return fail(1104, 'amount must be digits without leading zeros');
    const amount = Number(a);
    if (amount > AMOUNT_MAX) return fail(1104, `amount above ${AMOUNT_MAX}`);
    offer.amount = amount;
  }
  if (parts[7] !== undefined) {
    if (!CURRENCY_PATTERN.test(parts[7])) return fail(1105, parts[7].slice(0, 8));
    offer.currency = parts[7];
  }
  return offer;
}

function b32(s: string, n: number, what: string): Uint8Array {
  const b = fromBase32(s);
  if (!b || b.length !== n) return fail(1102, `${what}: ${n} bytes in upper-case base32`);
  return b;
}

function hex(s: string, n: number, what: string): Uint8Array {
  if (!/^[0-9A-F]*$/.test(s) || s.length !== 2 * n) return fail(1102, `${what}: ${n} bytes in upper-case hex`);
  return fromHex(s);
}

/** The Noise PSK for a pairing: SHA-256("tally/v1/psk" || token). */
export function pskFromToken(token: Uint8Array): Uint8Array {
  if (!(token instanceof Uint8Array) || token.length !== TOKEN_BYTES) throw new ArgumentError('token', `${TOKEN_BYTES} bytes`);
  return sha256(concat(utf8('tally/v1/psk'), token));
}
