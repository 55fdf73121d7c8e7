// RFC 4648 §5 base64url without padding, strict: one spelling per value
// (unused trailing bits must be zero). The ledger's JSON keeps signed bytes in
// this form; XS has no atob/btoa and the core has no Buffer.
import { fail } from '../errors.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
let reverse: Int16Array | undefined;

export function toBase64url(b: Uint8Array): string {
  let s = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    s += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = b.length - i;
  if (rest === 1) {
    const n = b[i]! << 16;
    s += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8);
    s += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return s;
}

/** Strict decoding; anything else is refused with `code` (default 5001, a corrupt ledger entry). */
export function fromBase64url(s: string, what = 'base64url', code: 1012 | 5001 = 5001): Uint8Array {
  if (typeof s !== 'string') return fail(code, `${what}: expected base64url text`);
  const r = (reverse ??= makeReverse());
  const len = s.length;
  if (len % 4 === 1) return fail(code, `${what}: impossible base64url length ${len}`);
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? r[c]! : -1;
    if (v < 0) return fail(code, `${what}: not base64url at character ${i}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 255;
    }
    acc &= (1 << bits) - 1;
  }
  if (acc !== 0) return fail(code, `${what}: non-zero trailing bits`);
  return out;
}

function makeReverse(): Int16Array {
  const r = new Int16Array(128).fill(-1);
  for (let i = 0; i < 64; i++) r[ALPHABET.charCodeAt(i)] = i;
  return r;
}
