// Deterministic outputs of the card core, computed on both engines and
// compared by test/xs/xs.test.ts ('xs and v8 agree'). The core is passed in:
// on V8 it is the tsc build of firmware/core, on XS the shipped bundle
// (globalThis.TallyCore). Keep every input fixed (no host randomness) and
// every output a string.
type Core = typeof import('../../firmware/core/index.js');

/** Fixed pseudo-random bytes (xorshift32), identical on both engines. */
function fixedBytes(seed: number, n: number): Uint8Array {
  let s = seed >>> 0 || 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s & 255;
  }
  return out;
}

export function goldenOutputs(core: Core): Record<string, string> {
  const out: Record<string, string> = {};
  const sizes = [0, 1, 2, 3, 4, 5, 31, 32, 33, 64, 100];
  for (const n of sizes) {
    const b = fixedBytes(0x7a11 + n, n);
    out[`hex/${n}`] = core.toHex(b);
    out[`base32/${n}`] = core.toBase32(b);
    const back = core.fromBase32(core.toBase32(b));
    out[`base32-roundtrip/${n}`] = back ? core.toHex(back) : 'null';
  }
  out['utf8'] = core.toHex(core.utf8('Tally: 12,50 € → ✓ 𝄞'));
  out['concat'] = core.toHex(core.concat(fixedBytes(1, 3), fixedBytes(2, 0), fixedBytes(3, 5)));
  out['compare'] = [core.compareBytes(fixedBytes(4, 4), fixedBytes(5, 4)), core.compareBytes(fixedBytes(6, 3), fixedBytes(6, 4))]
    .map((x) => Math.sign(x))
    .join(',');
  out['error'] = JSON.stringify(core.tallyError(3002, 'golden').toJSON());
  return out;
}
