// Noise SymmetricState (revision 34, section 5.2) with SHA-256 (HASHLEN 32).
import { activePrimitives, sha256 } from '../primitives.js';
import { CipherState } from './cipher-state.js';

export const HASHLEN = 32;

const EMPTY = new Uint8Array(0);

/**
 * HKDF(chaining_key, ikm, n) from section 4.3, n = 2 or 3. The keyed HMAC
 * is set up once and cloned per output, saving two compressions per output.
 */
export function hkdf(ck: Uint8Array, ikm: Uint8Array, n: 2 | 3): Uint8Array[] {
  return activePrimitives().noiseHkdf(ck, ikm, n);
}

export class SymmetricState {
  readonly cipher = new CipherState();
  private ck: Uint8Array;
  private h: Uint8Array;

  /** InitializeSymmetric(protocol_name), protocol name as bytes. */
  constructor(protocolName: Uint8Array) {
    if (protocolName.length <= HASHLEN) {
      this.h = new Uint8Array(HASHLEN);
      this.h.set(protocolName);
    } else {
      this.h = sha256(protocolName);
    }
    this.ck = this.h;
  }

  /** The current handshake hash h (the state's own array: callers must not change it). */
  get hash(): Uint8Array {
    return this.h;
  }

  mixKey(ikm: Uint8Array): void {
    const [ck, k] = hkdf(this.ck, ikm, 2) as [Uint8Array, Uint8Array];
    this.ck = ck;
    this.cipher.initializeKey(k);
  }

  mixHash(data: Uint8Array): void {
    this.h = sha256(this.h, data);
  }

  mixKeyAndHash(ikm: Uint8Array): void {
    const [ck, th, k] = hkdf(this.ck, ikm, 3) as [Uint8Array, Uint8Array, Uint8Array];
    this.ck = ck;
    this.mixHash(th);
    this.cipher.initializeKey(k);
  }

  encryptAndHash(plaintext: Uint8Array): Uint8Array {
    const ct = this.cipher.encryptWithAd(this.h, plaintext);
    this.mixHash(ct);
    return ct;
  }

  /** Throws 3002 (and changes nothing) when the ciphertext does not authenticate. */
  decryptAndHash(ciphertext: Uint8Array): Uint8Array {
    const pt = this.cipher.decryptWithAd(this.h, ciphertext);
    this.mixHash(ciphertext);
    return pt;
  }

  /** Split(): the two transport CipherStates, initiator-to-responder first. */
  split(): [CipherState, CipherState] {
    const [k1, k2] = hkdf(this.ck, EMPTY, 2) as [Uint8Array, Uint8Array];
    return [new CipherState(k1), new CipherState(k2)];
  }
}
