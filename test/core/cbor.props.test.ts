// Property tests for deterministic CBOR (fast-check, V8 only: fast-check is
// a test-time library, not part of the card bundle).
import fc from 'fast-check';
import { strict as assert } from 'node:assert';
import { decodeCanonical, encodeCanonical, toHex, TallyError, type CborValue } from '../../firmware/core/index.js';

const key = fc.oneof(fc.integer({ min: -1000, max: 1_000_000 }), fc.string({ maxLength: 6 }));
const { value } = fc.letrec<{ value: CborValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.maxSafeInteger(),
    fc.integer(),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 10 }),
    fc.uint8Array({ maxLength: 70 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.uniqueArray(fc.tuple(key, tie('value')), { maxLength: 5, selector: (e) => e[0] }).map((es) => new Map(es)),
  ),
}));

const opts = { maxBytes: 1 << 16, maxDepth: 16 };

describe('cbor: properties (fast-check)', () => {
  it('decode(encode(v)) equals v, and re-encoding gives the same bytes', () => {
    fc.assert(
      fc.property(value, (v) => {
        const b = encodeCanonical(v);
        const back = decodeCanonical(b, opts);
        assert.deepEqual(normal(back), normal(v));
        assert.equal(toHex(encodeCanonical(back)), toHex(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('map encoding does not depend on insertion order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(key, value), { maxLength: 8, selector: (e) => e[0] }), (es) => {
        const a = encodeCanonical(new Map(es));
        const b = encodeCanonical(new Map([...es].reverse()));
        assert.equal(toHex(a), toHex(b));
      }),
      { numRuns: 1000 },
    );
  });

  it('any byte string either decodes to a value that re-encodes to it, or fails with a code', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
        try {
          const v = decodeCanonical(b, opts);
          assert.equal(toHex(encodeCanonical(v)), toHex(b));
        } catch (e) {
          assert.ok(e instanceof TallyError, String(e));
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('a widened head (non-shortest form) is always refused with 1004', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), (n) => {
        const wide = new Uint8Array([0x1a, 0, 0, n >> 8, n & 255]); // uint32 head for a 16-bit value
        try {
          decodeCanonical(wide, opts);
          assert.fail('accepted a non-shortest integer');
        } catch (e) {
          assert.equal((e as TallyError).code, 1004);
        }
      }),
    );
  });
});

// Maps compare as sorted entry lists; bytes as hex (Buffer vs Uint8Array must not matter).
function normal(v: CborValue): unknown {
  if (v instanceof Uint8Array) return `h'${toHex(v)}'`;
  if (Array.isArray(v)) return v.map(normal);
  if (v instanceof Map) {
    // The key's type is part of the sort key: 6 and "6" are different keys that stringify alike.
    const sortKey = (k: unknown): string => `${typeof k}:${String(k)}`;
    return [...v.entries()].map(([k, x]) => [k, normal(x)]).sort((a, b) => (sortKey(a[0]) < sortKey(b[0]) ? -1 : sortKey(a[0]) > sortKey(b[0]) ? 1 : 0));
  }
  if (v === 0) return 0; // -0 encodes as 0
  return v;
}
