// Noise CipherState (revision 34, section 5.1) for ChaChaPoly.
//
// The nonce is a 64-bit counter in the spec. We keep it as a plain number and
// stop at Number.MAX_SAFE_INTEGER (2^53 - 1), far below 2^64 - 1: every value
// the counter can take is then exact, so a nonce can never repeat through
// floating-point rounding. Using the last safe value throws 3005 instead.
// ChaChaPoly's 96-bit nonce is 4 zero bytes then the counter, little-endian.
import { activePrimitives } from '../primitives.js';
import { fail } from '../errors.js';

/** Length of the Poly1305 tag that every encrypted Noise message carries. */
export const TAG_LEN = 16;
/** Noise's limit for any message (handshake or transport). */
export const MAX_MESSAGE = 65535;
/** Nonces 0 .. MAX_NONCE - 1 are usable; reaching MAX_NONCE throws 3005. */
export const MAX_NONCE = Number.MAX_SAFE_INTEGER;

const EMPTY = new Uint8Array(0);
const TWO32 = 4294967296;

function chachaNonce(n: number): Uint8Array {
  const out = new Uint8Array(12);
  const lo = n >>> 0; // n % 2^32 (exact: n is a safe integer)
  const hi = (n - lo) / TWO32;
  out[4] = lo & 255;
  out[5] = (lo >>> 8) & 255;
  out[6] = (lo >>> 16) & 255;
  out[7] = lo >>> 24;
  out[8] = hi & 255;
  out[9] = (hi >>> 8) & 255;
  out[10] = (hi >>> 16) & 255;
  out[11] = hi >>> 24;
  return out;
}

export class CipherState {
  private k: Uint8Array | undefined;
  private n = 0;

  constructor(key?: Uint8Array) {
    if (key) this.initializeKey(key);
  }

  /** InitializeKey(key): sets k and resets the nonce to 0. */
  initializeKey(key: Uint8Array): void {
    if (!(key instanceof Uint8Array) || key.length !== 32) fail(2002, 'cipher key must be 32 bytes');
    this.k = key;
    this.n = 0;
  }

  hasKey(): boolean {
    return this.k !== undefined;
  }

  /** The next nonce this state will use. */
  get nonce(): number {
    return this.n;
  }

  /** SetNonce(n). Only forward moves are allowed, so a nonce is never reused. */
  setNonce(n: number): void {
    if (!Number.isSafeInteger(n) || n < this.n) fail(3001, 'nonce may only move forward');
    this.n = n;
  }

  /** EncryptWithAd(ad, plaintext). Without a key the plaintext is returned as is. */
  encryptWithAd(ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    const k = this.k;
    if (k === undefined) return plaintext;
    const n = this.n;
    if (n >= MAX_NONCE) fail(3005);
    const out = activePrimitives().aeadEncrypt(k, chachaNonce(n), ad, plaintext);
    this.n = n + 1;
    return out;
  }

  /**
   * DecryptWithAd(ad, ciphertext). A failed authentication throws 3002 and
   * leaves the nonce where it was, as the spec requires.
   */
  decryptWithAd(ad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    const k = this.k;
    if (k === undefined) return ciphertext;
    const n = this.n;
    if (n >= MAX_NONCE) fail(3005);
    if (ciphertext.length < TAG_LEN) fail(3002, 'ciphertext shorter than its tag');
    const out = activePrimitives().aeadDecrypt(k, chachaNonce(n), ad, ciphertext);
    if (out === null) return fail(3002, 'authentication tag mismatch');
    this.n = n + 1;
    return out;
  }

  /** Rekey(): k = first 32 bytes of ENCRYPT(k, 2^64 - 1, zerolen, 32 zero bytes). The nonce is kept. */
  rekey(): void {
    const k = this.k;
    if (k === undefined) fail(3001, 'rekey without a key');
    const max = new Uint8Array(12).fill(255, 4);
    this.k = activePrimitives().aeadEncrypt(k, max, EMPTY, new Uint8Array(32)).slice(0, 32);
  }
}
