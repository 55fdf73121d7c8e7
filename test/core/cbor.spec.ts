// Deterministic CBOR: RFC 8949 Appendix A vectors, strictness, and fuzzing.
// Portable: runs under mocha on V8 and inside XS (test/xs).
import { decodeCanonical, encodeCanonical, fromHex, toHex, validateCanonical, type CborValue } from '../../firmware/core/index.js';
import { assert, describe, fuzzRng, host, it } from '../portable/spec.js';

interface Vector {
  hex: string;
  diagnostic: string;
  deterministic: boolean;
  value: unknown;
  signedError: number | null;
}
const vectors = (): Vector[] => (JSON.parse(host().vector('cbor/rfc8949-appendix-a.json')) as { vectors: Vector[] }).vectors;

// The vector file's JSON form of a decoded value: {hex} for bytes, {map: [[k, v]]} for maps.
function fromJson(v: unknown): CborValue {
  if (Array.isArray(v)) return v.map(fromJson);
  if (v && typeof v === 'object') {
    const o = v as { hex?: string; map?: [unknown, unknown][] };
    if (o.hex !== undefined) return fromHex(o.hex);
    return new Map(o.map!.map(([k, x]) => [k as number | string, fromJson(x)]));
  }
  return v as CborValue;
}

function codeOf(fn: () => unknown): number | null {
  try {
    fn();
    return null;
  } catch (e) {
    const c = (e as { code?: unknown }).code;
    if (typeof c !== 'number') throw e;
    return c;
  }
}

describe('cbor: RFC 8949 Appendix A', () => {
  it('has every example of Appendix A', () => {
    assert.equal(vectors().length, 81);
  });

  it('the general profile accepts exactly the deterministic examples (§4.2.1)', () => {
    for (const v of vectors()) {
      const code = codeOf(() => validateCanonical(fromHex(v.hex), { maxBytes: 64, profile: 'general' }));
      if (v.deterministic) assert.equal(code, null, `${v.diagnostic} should be accepted`);
      else assert.ok(code === 1004 || code === 1005, `${v.diagnostic}: expected 1004/1005, got ${code}`);
    }
  });

  it('the signed profile decodes its data model and refuses the rest with the listed code', () => {
    for (const v of vectors()) {
      const bytes = fromHex(v.hex);
      const code = codeOf(() => decodeCanonical(bytes, { maxBytes: 64 }));
      assert.equal(code, v.signedError, `${v.diagnostic}`);
      if (v.signedError === null) {
        assert.deepEqual(decodeCanonical(bytes, { maxBytes: 64 }), fromJson(v.value), v.diagnostic);
      }
    }
  });

  it('re-encodes every signed-profile example to the same bytes', () => {
    for (const v of vectors()) {
      if (v.signedError !== null) continue;
      assert.equal(toHex(encodeCanonical(fromJson(v.value))), v.hex, v.diagnostic);
    }
  });
});

describe('cbor: strict decoding', () => {
  const bad: [string, number, string][] = [
    ['1817', 1004, 'integer 23 in two bytes'],
    ['190017', 1004, 'integer in three bytes'],
    ['1a0000ffff', 1004, '16-bit value in five bytes'],
    ['1b00000000ffffffff', 1004, '32-bit value in nine bytes'],
    ['5801aa', 1004, 'one-byte string with a long head'],
    ['a202010101', 1006, 'keys out of order'],
    ['a201010102', 1007, 'duplicate key'],
    ['a2616201616102', 1006, 'text keys out of order'],
    ['a21864010a01', 1006, 'key 100 before key 10'],
    ['0000', 1003, 'trailing byte'],
    ['83010203ff', 1003, 'trailing break'],
    ['830102', 1002, 'truncated array'],
    ['5818aa', 1002, 'string longer than the input'],
    ['9a7fffffff', 1002, 'array claiming 2^31 items'],
    ['1c', 1011, 'reserved additional information'],
    ['62c328', 1010, 'invalid UTF-8'],
    ['c100', 1008, 'tag'],
    ['f97e00', 1008, 'float'],
    ['a1f401', 1012, 'boolean map key'],
    ['', 1002, 'empty input'],
  ];
  for (const [hex, code, what] of bad) {
    it(`refuses ${what} with ${code}`, () => {
      assert.throwsCode(() => decodeCanonical(fromHex(hex), { maxBytes: 64 }), code);
    });
  }

  it('enforces the stated length bound before decoding', () => {
    const b = encodeCanonical(new Uint8Array(100));
    assert.throwsCode(() => decodeCanonical(b, { maxBytes: 64 }), 1001);
    assert.equal((decodeCanonical(b, { maxBytes: 102 }) as Uint8Array).length, 100);
  });

  it('enforces the depth bound', () => {
    let v: CborValue = 1;
    for (let i = 0; i < 9; i++) v = [v];
    const b = encodeCanonical(v);
    assert.throwsCode(() => decodeCanonical(b, { maxBytes: 64 }), 1009);
    assert.equal(codeOf(() => decodeCanonical(b, { maxBytes: 64, maxDepth: 9 })), null);
  });

  it('encodes integers at every width boundary in shortest form', () => {
    const cases: [number, string][] = [
      [23, '17'], [24, '1818'], [255, '18ff'], [256, '190100'], [65535, '19ffff'], [65536, '1a00010000'],
      [4294967295, '1affffffff'], [4294967296, '1b0000000100000000'], [Number.MAX_SAFE_INTEGER, '1b001fffffffffffff'],
      [-24, '37'], [-25, '3818'], [-4294967296, '3affffffff'], [-4294967297, '3b0000000100000000'],
    ];
    for (const [n, hex] of cases) {
      assert.equal(toHex(encodeCanonical(n)), hex, String(n));
      assert.equal(decodeCanonical(fromHex(hex), { maxBytes: 16 }), n);
    }
  });

  it('sorts map keys by their encoded bytes whatever the insertion order', () => {
    const m = new Map<number | string, CborValue>([['b', 1], [100, 2], [-1, 3], [10, 4], ['a', 5]]);
    assert.equal(toHex(encodeCanonical(m)), 'a50a0418640220036161056162' + '01');
  });

  it('refuses floats and unsafe integers when encoding', () => {
    assert.throwsCode(() => encodeCanonical(1.5), 1008);
    assert.throwsCode(() => encodeCanonical(2 ** 53), 1013);
  });
});

describe('cbor: fuzz', () => {
  it('answers 10,000 random and mutated inputs with a value or a coded error', () => {
    const rng = fuzzRng(0xc0ffee);
    const seeds = vectors().map((v) => fromHex(v.hex));
    seeds.push(encodeCanonical(new Map<number, CborValue>([[1, 1], [2, new Uint8Array(32)], [3, 'EUR'], [4, [1, 2, 3]]])));
    let accepted = 0;
    for (let i = 0; i < 10000; i++) {
      let input: Uint8Array;
      if (i % 2 === 0) input = rng.bytes(rng.below(24));
      else {
        input = Uint8Array.from(seeds[rng.below(seeds.length)]!);
        const flips = 1 + rng.below(3);
        for (let f = 0; f < flips && input.length > 0; f++) { const at = rng.below(input.length); input[at] = input[at]! ^ (1 << rng.below(8)); }
        if (rng.below(4) === 0) input = input.subarray(0, rng.below(input.length + 1));
      }
      let out: CborValue | undefined;
      try {
        out = decodeCanonical(input, { maxBytes: 64 });
      } catch (e) {
        assert.equal(typeof (e as { code?: unknown }).code, 'number', `uncoded error for ${toHex(input)}: ${String(e)}`);
        continue;
      }
      accepted++;
      // Whatever is accepted is canonical: it re-encodes to the same bytes.
      assert.equal(toHex(encodeCanonical(out)), toHex(input), 'accepted input re-encodes identically');
    }
    assert.ok(accepted > 100, `only ${accepted} inputs decoded`);
  });
});
