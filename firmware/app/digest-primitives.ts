// The card core's primitives with the hashing done by a native digest
// (Moddable's `Digest` from the "crypt" module, modules/crypt/digest in the
// SDK): SHA-256, HMAC-SHA256 and the Noise HKDF, and the SHA-512 inside
// Ed25519. On XS a native compression costs a host call instead of ~34k
// computrons of pure JS. The rest stays on @noble: the SDK has no Poly1305
// and no Curve25519/Ed25519 arithmetic.
//
// Portable: the digest class is passed in (the device adapter passes the
// SDK's, the tests a node:crypto fake), so this file imports no Moddable
// module.
import { equalBytes, fromHex, noblePrimitivesWith, tallyError, type Primitives } from '../core/index.js';

/**
 * What this provider uses of the SDK's `Digest` (modules/crypt/digest/crypt.js,
 * modCrypt.c): `write` takes any byte buffer, a Uint8Array view included
 * (resolveBuffer -> xsmcGetBuffer); `close` returns the hash as an
 * ArrayBuffer and ends the computation; `reset` starts a new one.
 */
export interface NativeDigest {
  write(data: Uint8Array): void;
  close(): ArrayBuffer;
  reset(): void;
}
export type NativeDigestClass = new (type: 'SHA256' | 'SHA512') => NativeDigest;

const SHA256_BLOCK_BYTES = 64;
const IPAD = new Uint8Array(SHA256_BLOCK_BYTES).fill(0x36);
const OPAD = new Uint8Array(SHA256_BLOCK_BYTES).fill(0x5c);
const ONE = Uint8Array.of(1);
const TWO = Uint8Array.of(2);
const THREE = Uint8Array.of(3);

// Known answers for "abc" (FIPS 180-2 appendix B.1 and C.1).
const ABC = Uint8Array.of(0x61, 0x62, 0x63);
const SHA256_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const SHA512_ABC =
  'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f';

/**
 * The provider on the given digest class, or null when the digest fails its
 * known-answer test (the caller then stays on @noble). One instance per
 * algorithm is reused: every hash starts with reset(), and nothing here is
 * re-entrant.
 */
export function digestPrimitives(Digest: NativeDigestClass, name = 'native digest'): Primitives | null {
  const d256 = new Digest('SHA256');
  const d512 = new Digest('SHA512');
  const hash = (d: NativeDigest, parts: readonly Uint8Array[]): Uint8Array => {
    d.reset();
    for (const p of parts) d.write(p);
    return new Uint8Array(d.close());
  };
  const sha512 = (message: Uint8Array): Uint8Array => hash(d512, [message]);
  if (!equalBytes(hash(d256, [ABC]), fromHex(SHA256_ABC)) || !equalBytes(sha512(ABC), fromHex(SHA512_ABC))) return null;

  /** The HMAC key blocks (RFC 2104): the key, hashed if longer than a block, XOR ipad and opad. */
  const keyBlocks = (key: Uint8Array): [Uint8Array, Uint8Array] => {
    const k = key.length > SHA256_BLOCK_BYTES ? hash(d256, [key]) : key;
    const ipad = IPAD.slice();
    const opad = OPAD.slice();
    for (let i = 0; i < k.length; i++) {
      ipad[i] = ipad[i]! ^ k[i]!;
      opad[i] = opad[i]! ^ k[i]!;
    }
    return [ipad, opad];
  };
  const hmac = (blocks: [Uint8Array, Uint8Array], parts: readonly Uint8Array[]): Uint8Array => {
    d256.reset();
    d256.write(blocks[0]);
    for (const p of parts) d256.write(p);
    const inner = new Uint8Array(d256.close());
    return hash(d256, [blocks[1], inner]);
  };

  return {
    ...noblePrimitivesWith({ sha512 }),
    name,
    sha256: (...parts) => hash(d256, parts),
    hmacSha256: (key, ...parts) => hmac(keyBlocks(key), parts),
    noiseHkdf(ck, ikm, n) {
      // The key blocks of the pseudorandom key are made once for all outputs.
      const prk = keyBlocks(hmac(keyBlocks(ck), [ikm]));
      const out1 = hmac(prk, [ONE]);
      const out2 = hmac(prk, [out1, TWO]);
      if (n === 2) return [out1, out2];
      return [out1, out2, hmac(prk, [out2, THREE])];
    },
  };
}

/**
 * The provider, or error 2008 when the digest fails its known-answer test.
 * A card whose core is preloaded cannot fall back to @noble's hashing: noble's
 * SHA-2 scratch arrays are module-scope typed arrays, read-only after preload
 * (docs/firmware-memory.md), so the device fails closed instead.
 */
export function requireDigestPrimitives(Digest: NativeDigestClass, name?: string): Primitives {
  const p = digestPrimitives(Digest, name);
  if (!p) throw tallyError(2008, `${name ?? 'native digest'}: SHA-256 or SHA-512 of "abc" gave a wrong answer`);
  return p;
}
