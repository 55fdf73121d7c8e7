// Bytes in JSON (hex for ids and hashes, base64url for blobs) and a strict
// reader for request bodies: unknown, missing or mistyped fields are refused
// with 7002, naming the field.
import { AMOUNT_MAX, type TextPattern } from '../../firmware/core/index.js';
import { refuse } from './fail.js';

const buf = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.length);

export const hex = (b: Uint8Array): string => buf(b).toString('hex');
export const b64 = (b: Uint8Array): string => buf(b).toString('base64url');
/** A plain Uint8Array view of a Buffer (the core compares constructors nowhere, but cbor-x does). */
export const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.length);

const HEX = /^(?:[0-9a-f]{2})*$/;
const B64 = /^[A-Za-z0-9_-]*$/;
// The last character of unpadded base64url may only carry zero trailing bits.
const TAIL2 = /[AQgw]$/;
const TAIL3 = /[AEIMQUYcgkosw048]$/;

/** Strict lower-case hex of exactly `bytes` bytes, or null. */
export function parseHex(s: unknown, bytes: number): Uint8Array | null {
  if (typeof s !== 'string' || s.length !== bytes * 2 || !HEX.test(s)) return null;
  return u8(Buffer.from(s, 'hex'));
}

/** Strict unpadded base64url (one spelling per value), or null. */
export function parseB64(s: unknown, maxBytes: number): Uint8Array | null {
  if (typeof s !== 'string' || s.length > Math.ceil((maxBytes * 4) / 3) || !B64.test(s)) return null;
  const r = s.length % 4;
  if (r === 1 || (r === 2 && !TAIL2.test(s)) || (r === 3 && !TAIL3.test(s))) return null;
  return u8(Buffer.from(s, 'base64url'));
}

/** Reads one JSON object of a request. */
export class Fields {
  private readonly o: Record<string, unknown>;
  private readonly seen = new Set<string>();
  constructor(
    value: unknown,
    private readonly what: string,
  ) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) refuse(7002, `${what} must be a JSON object`);
    this.o = value as Record<string, unknown>;
  }
  private get(name: string): unknown {
    this.seen.add(name);
    return Object.prototype.hasOwnProperty.call(this.o, name) ? this.o[name] : undefined;
  }
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }
  private bad(name: string, expected: string): never {
    return refuse(7002, `${this.what}.${name} must be ${expected}`);
  }
  text(name: string, pattern: TextPattern): string {
    const v = this.get(name);
    if (typeof v !== 'string' || !pattern.test(v)) this.bad(name, `text matching ${pattern.source}`);
    return v;
  }
  optText(name: string, pattern: TextPattern): string | undefined {
    return this.has(name) ? this.text(name, pattern) : undefined;
  }
  /** A whole number in min..max (amounts default to 1..2^48-1). */
  int(name: string, min = 1, max = AMOUNT_MAX): number {
    const v = this.get(name);
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) this.bad(name, `a whole number in ${min}..${max}`);
    return v;
  }
  optInt(name: string, min = 1, max = AMOUNT_MAX): number | undefined {
    return this.has(name) ? this.int(name, min, max) : undefined;
  }
  hex(name: string, bytes: number): Uint8Array {
    return parseHex(this.get(name), bytes) ?? this.bad(name, `${bytes * 2} lower-case hex digits`);
  }
  b64(name: string, maxBytes: number): Uint8Array {
    return parseB64(this.get(name), maxBytes) ?? this.bad(name, `base64url (unpadded) of at most ${maxBytes} bytes`);
  }
  optB64(name: string, maxBytes: number): Uint8Array | undefined {
    return this.has(name) ? this.b64(name, maxBytes) : undefined;
  }
  array(name: string, maxItems: number, tooMany: 7002 | 7022 = 7002): unknown[] {
    const v = this.get(name);
    if (!Array.isArray(v)) this.bad(name, 'an array');
    if (v.length > maxItems) refuse(tooMany, `${this.what}.${name} holds ${v.length} items, at most ${maxItems}`);
    return v;
  }
  optArray(name: string, maxItems: number): unknown[] | undefined {
    return this.has(name) ? this.array(name, maxItems) : undefined;
  }
  /** Refuses fields nobody asked for. */
  done(): void {
    for (const k of Object.keys(this.o)) if (!this.seen.has(k)) refuse(7002, `${this.what} has an unknown field '${k.slice(0, 40)}'`);
  }
}

/** Card ids travel as 32 hex digits. */
export const CARD_HEX = 16;
/** Hashes travel as 64 hex digits. */
export const HASH_HEX = 32;
