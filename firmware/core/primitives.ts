// The cryptographic primitives the core uses, behind one small interface so
// each platform can supply the fastest faithful implementation: @noble (the
// default, on every engine), node:crypto in the simulator and on hosts, and
// on a device whatever native modules its manifest provides. The protocol
// code above never imports a crypto library itself.
import { eddsa, type EdDSA } from '@noble/curves/abstract/edwards.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';

export interface Primitives {
  readonly name: string;
  /** SHA-256 of the concatenation of parts. */
  sha256(...parts: Uint8Array[]): Uint8Array;
  /** HMAC-SHA256 of the concatenation of parts. */
  hmacSha256(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array;
  /** The Noise HKDF (section 4.3): n outputs of 32 bytes. */
  noiseHkdf(chainingKey: Uint8Array, ikm: Uint8Array, n: 2 | 3): Uint8Array[];
  ed25519PublicKey(seed: Uint8Array): Uint8Array;
  ed25519Sign(message: Uint8Array, seed: Uint8Array): Uint8Array;
  /** False for any invalid input; never throws. */
  ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  /** Whether 32 bytes decode to a point on the curve. */
  ed25519IsPoint(publicKey: Uint8Array): boolean;
  x25519PublicKey(secret: Uint8Array): Uint8Array;
  /** Throws on a low-order public key (all-zero result); callers map it to 2007. */
  x25519(secret: Uint8Array, publicKey: Uint8Array): Uint8Array;
  /** ChaCha20-Poly1305 (RFC 8439) with a 12-byte nonce: ciphertext || tag. */
  aeadEncrypt(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** Null when authentication fails. */
  aeadDecrypt(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null;
}

const ONE = Uint8Array.of(1);
const TWO = Uint8Array.of(2);
const THREE = Uint8Array.of(3);

/** What a platform may hand @noble instead of its own pure-JS code. */
export interface NobleOptions {
  /** A faithful SHA-512 (e.g. a native digest): Ed25519 then hashes with it (3 hashes per signature, 1 per verification). */
  sha512?: (message: Uint8Array) => Uint8Array;
}

// RFC 8032 5.1.5 clamping, as @noble/curves' ed25519 does it.
function clampEd25519(bytes: Uint8Array): Uint8Array {
  bytes[0] = bytes[0]! & 248;
  bytes[31] = (bytes[31]! & 127) | 64;
  return bytes;
}

/**
 * Ed25519 over the same curve and rules as @noble's `ed25519` (ZIP-215
 * verification), hashing with the given SHA-512.
 */
function ed25519With(sha512: (message: Uint8Array) => Uint8Array): EdDSA {
  return eddsa(ed25519.Point, sha512, { adjustScalarBytes: clampEd25519, zip215: true });
}

/**
 * The @noble primitives, optionally with some pieces supplied by the
 * platform (the device provider passes the native SHA-512).
 */
export function noblePrimitivesWith(options: NobleOptions = {}, name = 'noble'): Primitives {
  const ed = options.sha512 ? ed25519With(options.sha512) : ed25519;
  return {
    name,
    sha256(...parts) {
      if (parts.length === 1) return nobleSha256(parts[0]!);
      const h = nobleSha256.create();
      for (const p of parts) h.update(p);
      return h.digest();
    },
    hmacSha256(key, ...parts) {
      const h = hmac.create(nobleSha256, key);
      for (const p of parts) h.update(p);
      return h.digest();
    },
    noiseHkdf(ck, ikm, n) {
      // The keyed HMAC is set up once and cloned per output: two compressions saved each.
      const keyed = hmac.create(nobleSha256, hmac(nobleSha256, ck, ikm));
      const out1 = keyed.clone().update(ONE).digest();
      const out2 = keyed.clone().update(out1).update(TWO).digest();
      if (n === 2) return [out1, out2];
      return [out1, out2, keyed.update(out2).update(THREE).digest()];
    },
    ed25519PublicKey: (seed) => ed.getPublicKey(seed),
    ed25519Sign: (message, seed) => ed.sign(message, seed),
    ed25519Verify(signature, message, publicKey) {
      try {
        return ed.verify(signature, message, publicKey);
      } catch {
        return false;
      }
    },
    ed25519IsPoint(publicKey) {
      try {
        ed.Point.fromBytes(publicKey);
        return true;
      } catch {
        return false;
      }
    },
    x25519PublicKey: (secret) => x25519.getPublicKey(secret),
    x25519: (secret, publicKey) => x25519.getSharedSecret(secret, publicKey),
    aeadEncrypt: (key, nonce, ad, plaintext) => chacha20poly1305(key, nonce, ad).encrypt(plaintext),
    aeadDecrypt(key, nonce, ad, ciphertext) {
      try {
        return chacha20poly1305(key, nonce, ad).decrypt(ciphertext);
      } catch {
        return null;
      }
    },
  };
}

export const noblePrimitives: Primitives = noblePrimitivesWith();

let current: Primitives = noblePrimitives;

/**
 * Installs the platform's primitives; call once at start-up, before any
 * keys are made. A program that never calls it runs on @noble.
 */
export function usePrimitives(p: Primitives): void {
  current = p;
}

export const activePrimitives = (): Primitives => current;

// Short names for the core's own use: each call goes to the active provider.
export const sha256 = (...parts: Uint8Array[]): Uint8Array => current.sha256(...parts);
export const hmacSha256 = (key: Uint8Array, ...parts: Uint8Array[]): Uint8Array => current.hmacSha256(key, ...parts);

/**
 * Builds noble's Ed25519 base-point tables (window 6, set by noble) now rather
 * than at the first key operation. The firmware bundle calls it at module
 * evaluation (scripts/build-core.mjs), so under XS preload the tables are made
 * on the build machine and live in flash; and noble's table cache, a WeakMap
 * that preload makes read-only, never needs a write at run time. noble keeps
 * up to two tables for the base point: one of the scalar's width
 * (verification, multiplyUnsafe; and signing when no random source for
 * blinding exists, as on XS) and, where globalThis.crypto exists (V8), a wider
 * one for the blinded multiply of signing. Both calls below make sure each
 * table a later operation needs exists already.
 */
export function precomputeBaseTable(): void {
  ed25519.Point.BASE.multiply(2n);
  ed25519.Point.BASE.multiplyUnsafe(2n);
}
