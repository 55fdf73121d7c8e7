// Reading decoded CBOR maps into typed structures. Every structure is a map
// with small integer keys; unknown keys, missing keys and wrong types are
// refused with code 1012 (1013 for an integer out of its field's range),
// naming the structure and the field so the message says what to fix.
import type { TextPattern } from './pattern.js';
import type { CborKey, CborMap, CborValue } from './cbor.js';
import { fail } from './errors.js';

export class MapReader {
  private readonly seen = new Set<CborKey>();
  private readonly m: CborMap;
  constructor(
    value: CborValue,
    private readonly what: string,
  ) {
    if (!(value instanceof Map)) fail(1012, `${what}: expected a map`);
    this.m = value;
  }

  private get(key: number, field: string, optional: boolean): CborValue | undefined {
    this.seen.add(key);
    const v = this.m.get(key);
    if (v === undefined && !optional) fail(1012, `${this.what}.${field} (key ${key}) is missing`);
    return v;
  }

  uint(key: number, field: string, max = Number.MAX_SAFE_INTEGER): number {
    return this.checkUint(this.get(key, field, false), field, max);
  }
  optUint(key: number, field: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const v = this.get(key, field, true);
    return v === undefined ? undefined : this.checkUint(v, field, max);
  }
  private checkUint(v: CborValue | undefined, field: string, max: number): number {
    if (typeof v !== 'number' || !Number.isInteger(v)) return fail(1012, `${this.what}.${field} must be an unsigned integer`);
    if (v < 0 || v > max) return fail(1013, `${this.what}.${field} = ${v} is outside 0..${max}`);
    return v;
  }

  bytes(key: number, field: string, length?: number, maxLength = 4096): Uint8Array {
    return this.checkBytes(this.get(key, field, false), field, length, maxLength);
  }
  optBytes(key: number, field: string, length?: number, maxLength = 4096): Uint8Array | undefined {
    const v = this.get(key, field, true);
    return v === undefined ? undefined : this.checkBytes(v, field, length, maxLength);
  }
  private checkBytes(v: CborValue | undefined, field: string, length: number | undefined, maxLength: number): Uint8Array {
    if (!(v instanceof Uint8Array)) return fail(1012, `${this.what}.${field} must be a byte string`);
    if (length !== undefined ? v.length !== length : v.length > maxLength) {
      return fail(1012, `${this.what}.${field} must be ${length ?? `at most ${maxLength}`} bytes, got ${v.length}`);
    }
    return v;
  }

  text(key: number, field: string, pattern: TextPattern): string {
    const v = this.get(key, field, false);
    if (typeof v !== 'string' || !pattern.test(v)) return fail(1012, `${this.what}.${field} must be text matching ${pattern.source}`);
    return v;
  }

  bool(key: number, field: string): boolean {
    const v = this.get(key, field, false);
    if (typeof v !== 'boolean') return fail(1012, `${this.what}.${field} must be true or false`);
    return v;
  }

  array(key: number, field: string, maxItems: number): CborValue[] {
    const v = this.get(key, field, false);
    if (!Array.isArray(v)) return fail(1012, `${this.what}.${field} must be an array`);
    if (v.length > maxItems) return fail(1001, `${this.what}.${field} holds ${v.length} items, at most ${maxItems}`);
    return v;
  }

  value(key: number, field: string): CborValue {
    return this.get(key, field, false)!;
  }

  /** Refuses keys the reader did not ask for: a signed structure has no extras. */
  done(): void {
    for (const k of this.m.keys()) if (!this.seen.has(k)) fail(1012, `${this.what} has an unknown key ${String(k)}`);
  }
}
