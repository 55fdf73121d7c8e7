// Byte helpers the core needs on both V8 and XS (XS has no Buffer, atob or btoa).
import { ArgumentError, fail } from './errors.js';

export type Bytes = Uint8Array;

const HEX = '0123456789abcdef';

export function toHex(b: Bytes): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]! >> 4]! + HEX[b[i]! & 15]!;
  return s;
}

/** Strict lower- or upper-case hex; throws ArgumentError (the field is named). */
export function fromHex(s: string, field = 'hex'): Bytes {
  if (typeof s !== 'string' || s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) {
    throw new ArgumentError(field, 'an even-length hex string');
  }
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function concat(...parts: Bytes[]): Bytes {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Constant-time comparison for secrets and MACs. */
export function equalBytes(a: Bytes, b: Bytes): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/** Bytewise lexicographic order, shorter first on a common prefix. */
export function compareBytes(a: Bytes, b: Bytes): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

// Made on first use, not at module load: on a Moddable device the core can
// then be preloaded into flash, where host objects cannot be created.
let enc: TextEncoder | undefined;
let dec: TextDecoder | undefined;

export const utf8 = (s: string): Bytes => (enc ??= new TextEncoder()).encode(s);

/** Decodes UTF-8, rejecting invalid sequences with code 1010. */
export function fromUtf8(b: Bytes): string {
  try {
    return (dec ??= new TextDecoder('utf-8', { fatal: true })).decode(b);
  } catch {
    return fail(1010);
  }
}

export function isBytes(x: unknown, length?: number): x is Bytes {
  return x instanceof Uint8Array && (length === undefined || x.length === length);
}

/** Argument check that names the field. */
export function checkBytes(x: unknown, field: string, length?: number): Bytes {
  if (!isBytes(x, length)) throw new ArgumentError(field, length === undefined ? 'bytes' : `${length} bytes`);
  return x;
}

// RFC 4648 base32 without padding, upper case: the QR alphanumeric mode holds it.
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function toBase32(b: Bytes): string {
  let s = '';
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < b.length; i++) {
    acc = (acc << 8) | b[i]!;
    bits += 8;
    while (bits >= 5) {
      s += B32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) s += B32[(acc << (5 - bits)) & 31];
  return s;
}

/** Strict: upper case, no padding, unused trailing bits zero (one spelling per value). Returns null when invalid. */
export function fromBase32(s: string): Bytes | null {
  const rem = s.length % 8;
  if (rem === 1 || rem === 3 || rem === 6) return null;
  const out = new Uint8Array(Math.floor((s.length * 5) / 8));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const v = B32.indexOf(s[i]!);
    if (v < 0) return null;
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out[o++] = (acc >>> (bits - 8)) & 255;
      bits -= 8;
    }
    acc &= (1 << bits) - 1;
  }
  if (acc !== 0) return null;
  return out;
}
