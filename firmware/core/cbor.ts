// Deterministic CBOR (RFC 8949 §4.2.1) for every signed structure, on cbor-x.
//
// cbor-x encodes and decodes; what it does not do is refuse input that is
// well-formed but not deterministic. `validate` walks the bytes once and
// rejects non-shortest heads, indefinite lengths, unsorted or duplicate map
// keys, trailing bytes, excessive length or depth, and (in the signed
// profile) every type a signed structure never uses. Only then does cbor-x
// decode. So two different byte strings never decode to the same signed value.
import { Decoder, Encoder } from 'cbor-x';
import { compareBytes, fromUtf8 } from './bytes.js';
import { ArgumentError, coded, fail } from './errors.js';

/** Values a signed structure may hold. Integers stay within ±(2^53 - 1). */
export type CborValue = number | string | Uint8Array | boolean | null | CborValue[] | CborMap;
export type CborKey = number | string;
export type CborMap = Map<CborKey, CborValue>;

export interface DecodeOptions {
  /** Largest accepted input, in bytes. Required: every structure states its bound. */
  maxBytes: number;
  /** Deepest nesting of arrays and maps (default 8). */
  maxDepth?: number;
  /**
   * 'signed' (default) admits integers, byte and text strings, arrays, maps
   * with integer or text keys, booleans and null. 'general' admits all of
   * RFC 8949 that has a deterministic form (floats, tags, simple values, big
   * integers), for interoperability tests.
   */
  profile?: 'signed' | 'general';
}

// cbor-x keeps state in its encoder and decoder, so they are made on first
// use rather than at module load (a preloaded module's objects are frozen).
let encoderInstance: Encoder | undefined;
const encoder = (): Encoder =>
  (encoderInstance ??= new Encoder({
    useRecords: false,
    mapsAsObjects: false,
    variableMapSize: true,
    tagUint8Array: false,
    pack: false,
    structuredClone: false,
  }));
// cbor-x returns BigInt for 64-bit heads; normalize() brings safe ones back to Number.
let decoderInstance: Decoder | undefined;
const decoder = (): Decoder => (decoderInstance ??= new Decoder({ useRecords: false, mapsAsObjects: false }));

const U32_MAX = 0xffffffff;

/** Encodes a signed structure deterministically. Throws 1008/1013 for values outside the data model. */
export function encodeCanonical(value: CborValue): Uint8Array {
  return coded(1011, () => {
    const out = encoder().encode(prepare(value, 0)) as Uint8Array;
    // cbor-x hands back a Buffer on Node; a plain view keeps both engines identical.
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  });
}

// Rewrites a value into what cbor-x encodes in shortest form: integers beyond
// 32 bits become BigInt (cbor-x writes large Numbers as float64) and map
// entries are put in bytewise order of their encoded keys.
function prepare(v: CborValue, depth: number): unknown {
  if (depth > 16) fail(1009, 'encode');
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) fail(1008, 'floats are not allowed in signed structures');
    if (!Number.isSafeInteger(v)) fail(1013, `${v} is beyond ±(2^53 - 1)`);
    if (v === 0) return 0; // never -0
    return v > U32_MAX || v < -U32_MAX - 1 ? BigInt(v) : v;
  }
  if (typeof v === 'string' || typeof v === 'boolean' || v === null || v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return v.map((x) => prepare(x, depth + 1));
  if (v instanceof Map) {
    const entries: [Uint8Array, unknown, unknown][] = [];
    for (const [k, x] of v) {
      if (typeof k !== 'string' && !(typeof k === 'number' && Number.isSafeInteger(k))) fail(1012, 'map keys are integers or text');
      entries.push([keyBytes(k), prepare(k, depth + 1), prepare(x, depth + 1)]);
    }
    entries.sort((a, b) => compareBytes(a[0], b[0]));
    return new Map(entries.map((e) => [e[1], e[2]]));
  }
  return fail(1008, `cannot encode ${typeof v}`);
}

// Small non-negative integer keys (the usual case) encode in one byte; skip cbor-x for them.
function keyBytes(k: CborKey): Uint8Array {
  if (typeof k === 'number' && k >= 0 && k < 24) return Uint8Array.of(k);
  return encoder().encode(prepare(k, 0)) as Uint8Array;
}

/** Decodes a signed structure, refusing anything non-deterministic with a coded error. */
export function decodeCanonical(bytes: Uint8Array, options: DecodeOptions): CborValue {
  validate(bytes, options);
  const v = coded(1011, () => decoder().decode(bytes) as unknown);
  return normalize(v) as CborValue;
}

// cbor-x returns Buffers on Node and bigint for 64-bit heads; signed values
// are plain Uint8Array and safe Numbers (validate already bounded them).
function normalize(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Uint8Array) return v.constructor === Uint8Array ? v : new Uint8Array(v.buffer, v.byteOffset, v.length);
  if (Array.isArray(v)) return v.map(normalize);
  if (v instanceof Map) {
    const m = new Map<unknown, unknown>();
    for (const [k, x] of v) m.set(normalize(k), normalize(x));
    return m;
  }
  return v;
}

/**
 * Checks that `bytes` is exactly one deterministically encoded item within
 * the limits. Throws the coded EncodingError for the first problem found.
 */
export function validate(bytes: Uint8Array, options: DecodeOptions): void {
  if (!(bytes instanceof Uint8Array)) throw new ArgumentError('bytes', 'Uint8Array');
  if (!(options.maxBytes > 0)) throw new ArgumentError('maxBytes', 'a positive bound');
  if (bytes.length > options.maxBytes) fail(1001, `${bytes.length} > ${options.maxBytes} bytes`);
  if (bytes.length === 0) fail(1002, 'empty input');
  const w = new Walker(bytes, options.maxDepth ?? 8, (options.profile ?? 'signed') === 'general');
  w.item(0);
  if (w.pos !== bytes.length) fail(1003, `${bytes.length - w.pos} bytes after the item`);
}

class Walker {
  pos = 0;
  constructor(
    private readonly b: Uint8Array,
    private readonly maxDepth: number,
    private readonly general: boolean,
  ) {}

  private byte(): number {
    if (this.pos >= this.b.length) fail(1002);
    return this.b[this.pos++]!;
  }

  // Reads the head's argument and checks it is in its shortest form.
  private argument(info: number): number {
    if (info < 24) return info;
    if (info === 24) {
      const v = this.byte();
      if (v < 24) fail(1004, `head argument ${v} at byte ${this.pos - 2}`);
      return v;
    }
    if (info === 25 || info === 26 || info === 27) {
      const n = info === 25 ? 2 : info === 26 ? 4 : 8;
      if (this.pos + n > this.b.length) fail(1002);
      let v = 0;
      for (let i = 0; i < n; i++) v = v * 256 + this.b[this.pos++]!;
      const min = info === 25 ? 0x100 : info === 26 ? 0x10000 : 0x100000000;
      if (v < min) fail(1004, `head argument at byte ${this.pos - n - 1}`);
      // v may be inexact above 2^53: callers treat those as out of range.
      return v;
    }
    if (info === 31) return fail(1005, `at byte ${this.pos - 1}`);
    return fail(1011, `reserved additional information ${info} at byte ${this.pos - 1}`);
  }

  item(depth: number): void {
    if (depth > this.maxDepth) fail(1009, `more than ${this.maxDepth} levels`);
    const start = this.pos;
    const ib = this.byte();
    const major = ib >> 5;
    const info = ib & 31;
    if (major === 7) return this.simple(info, start);
    const arg = this.argument(info);
    switch (major) {
      case 0:
      case 1:
        if (!this.general && arg > Number.MAX_SAFE_INTEGER - (major === 1 ? 1 : 0)) fail(1013, `integer at byte ${start}`);
        return;
      case 2:
      case 3: {
        if (arg > this.b.length - this.pos) fail(1002, `string of ${arg} bytes at byte ${start}`);
        if (major === 3) fromUtf8(this.b.subarray(this.pos, this.pos + arg));
        this.pos += arg;
        return;
      }
      case 4:
        if (arg > this.b.length - this.pos) fail(1002, `array of ${arg} items at byte ${start}`);
        for (let i = 0; i < arg; i++) this.item(depth + 1);
        return;
      case 5: {
        if (arg * 2 > this.b.length - this.pos) fail(1002, `map of ${arg} pairs at byte ${start}`);
        let prev: Uint8Array | null = null;
        for (let i = 0; i < arg; i++) {
          const k0 = this.pos;
          this.key(depth + 1);
          const key = this.b.subarray(k0, this.pos);
          if (prev) {
            const c = compareBytes(prev, key);
            if (c === 0) fail(1007, `at byte ${k0}`);
            if (c > 0) fail(1006, `at byte ${k0}`);
          }
          prev = key;
          this.item(depth + 1);
        }
        return;
      }
      default: // 6: tag
        if (!this.general) fail(1008, `tag at byte ${start}`);
        this.item(depth + 1);
    }
  }

  private key(depth: number): void {
    const ib = this.b[this.pos];
    const major = ib === undefined ? -1 : ib >> 5;
    if (!this.general && major !== 0 && major !== 1 && major !== 3) fail(1012, `map key at byte ${this.pos} is not an integer or text`);
    this.item(depth);
  }

  private simple(info: number, start: number): void {
    if (info === 20 || info === 21 || info === 22) return; // false, true, null
    if (!this.general) fail(1008, `simple value or float at byte ${start}`);
    if (info < 20 || info === 23) return; // simple 0..19, undefined
    if (info === 24) {
      if (this.byte() < 32) fail(1004, `simple value at byte ${start}`);
      return;
    }
    if (info === 31) fail(1005, `break outside an indefinite item at byte ${start}`);
    if (info > 27) fail(1011, `reserved additional information at byte ${start}`);
    const n = info === 25 ? 2 : info === 26 ? 4 : 8;
    if (this.pos + n > this.b.length) fail(1002);
    const raw = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    if (n > 2 && fitsShorterFloat(raw)) fail(1004, `float at byte ${start}`);
  }
}

// RFC 8949 §4.2.1 / §4.2.2: a float is encoded in the shortest of 16/32/64
// bits that preserves its value; NaN is always the half-precision 0x7e00.
function fitsShorterFloat(raw: Uint8Array): boolean {
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.length);
  const x = raw.length === 4 ? dv.getFloat32(0) : dv.getFloat64(0);
  if (Number.isNaN(x)) return true;
  if (raw.length === 8 && Math.fround(x) === x) return true;
  return halfExact(x);
}

function halfExact(x: number): boolean {
  if (!Number.isFinite(x) || x === 0) return true;
  const a = Math.abs(x);
  if (a > 65504) return false;
  // Subnormal halves are multiples of 2^-24; normal ones carry 11 significant bits.
  if (a < 6.103515625e-5) return Number.isInteger(a * 2 ** 24);
  const e = Math.floor(Math.log2(a));
  return Number.isInteger(a * 2 ** (10 - e));
}
