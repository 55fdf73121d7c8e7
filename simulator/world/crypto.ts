// The simulator's cryptographic primitives: node:crypto (host/crypto's
// nodePrimitives) with three additions that change no result, only the
// simulator's speed and what it can count.
//
// 1. X25519 keys are imported as JWK. node:crypto's DER (PKCS#8) import of an
//    X25519 private key costs about 0.7 ms on this machine (OpenSSL 3's
//    decoder lookup), the JWK import about 0.05 ms; an exported public key is
//    read back as JWK too. Same keys, same shared secrets.
// 2. Memos of pure functions, valid because every card of the world lives in
//    this one process (`memo`, on by default):
//    - X25519 by the unordered pair of public keys: DH(a, B) = DH(b, A), so
//      the payee reuses what the payer computed (and a pair of cards reuses
//      its static-static secret);
//    - the Noise HKDF by its inputs (both ends of a handshake derive the same
//      chaining keys);
//    - ChaCha20-Poly1305 decryption of a ciphertext this process just
//      encrypted with the same key, nonce and data: the plaintext it came from;
//    - Ed25519 verification of a signature this process made, or already
//      verified, over the same message and key: true (a certificate that
//      every peer of a card checks, an authority statement every card checks).
//    Anything else, and every input that differs by one bit, is computed.
//    A memo hit returns exactly the bytes the computation would; the tests
//    run the same seed with the memos off and compare the reports.
// 3. Operation counts per card (`meter`): the card compute model
//    (compute-model.ts) turns them into ESP32 time. Counted at the call, so a
//    memo hit costs the card what the computation would.
import { createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import type { Primitives } from '../../firmware/core/index.js';
import { nodePrimitives } from '../../host/crypto/node-primitives.js';

/** Primitive calls made by one card (or by nobody, when the meter is off). */
export interface OpCounts {
  x25519: number;
  x25519Keygen: number;
  ed25519Sign: number;
  ed25519Verify: number;
  ed25519Keygen: number;
  /** SHA-256 calls and 64-byte blocks hashed (with padding). */
  sha256: number;
  shaBlocks: number;
  /** HMAC-SHA256 calls and their message blocks. */
  hmac: number;
  hmacBlocks: number;
  /** Noise HKDF calls and HMACs inside them. */
  hkdf: number;
  hkdfOutputs: number;
  /** ChaCha20-Poly1305 calls and bytes. */
  aead: number;
  aeadBytes: number;
}

export const zeroOps = (): OpCounts => ({
  x25519: 0, x25519Keygen: 0, ed25519Sign: 0, ed25519Verify: 0, ed25519Keygen: 0,
  sha256: 0, shaBlocks: 0, hmac: 0, hmacBlocks: 0, hkdf: 0, hkdfOutputs: 0, aead: 0, aeadBytes: 0,
});

export function addOps(into: OpCounts, x: OpCounts): void {
  for (const k of Object.keys(into) as (keyof OpCounts)[]) into[k] += x[k];
}

export interface SimCrypto {
  primitives: Primitives;
  /** Where counts go now (set around each call into a card); undefined: not counted. */
  meter: OpCounts | undefined;
  /** Memo hits and misses, for the bench's breakdown. */
  readonly stats: { hits: number; computed: number };
}

/** Entries per memo generation: a memo holds the last two generations (hits within a session or two of payments, and the certificates of a card's usual peers). */
const MEMO_MAX = 4096;
const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.length);
const key = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64url');
const DUMMY_X = b64(new Uint8Array(32).fill(9));
const blocks = (n: number): number => Math.floor((n + 8) / 64) + 1;
const sum = (parts: Uint8Array[]): number => {
  let n = 0;
  for (const p of parts) n += p.length;
  return n;
};

/** A bounded map: two generations, the older one dropped when the newer is full (recent entries survive). */
class Memo<V> {
  private now = new Map<string, V>();
  private old = new Map<string, V>();
  get(k: string): V | undefined {
    const v = this.now.get(k);
    if (v !== undefined) return v;
    const o = this.old.get(k);
    if (o !== undefined) this.set(k, o);
    return o;
  }
  set(k: string, v: V): void {
    if (this.now.size >= MEMO_MAX) {
      this.old = this.now;
      this.now = new Map();
    }
    this.now.set(k, v);
  }
}

export function simCrypto(options: { memo?: boolean } = {}): SimCrypto {
  const memo = options.memo !== false;
  const base = nodePrimitives;
  const xPrivs = new Memo<{ key: KeyObject; pub: Uint8Array; pubKey: string }>();
  const xPubs = new Memo<KeyObject>();
  const dh = new Memo<Uint8Array>();
  const hkdf = new Memo<Uint8Array[]>();
  const sealed = new Memo<{ key: string; nonce: string; ad: string; ct: Uint8Array; plain: Uint8Array }>();
  /** A ciphertext's memo key: its 16-byte tag and length (the full bytes are compared on a hit). */
  const tagOf = (ct: Uint8Array): string => `${ct.length}:${key(ct.subarray(ct.length - 16))}`;
  const signed = new Memo<{ message: string; publicKey: string }>();
  const edPubs = new Memo<Uint8Array>();
  const state: SimCrypto = { primitives: base, meter: undefined, stats: { hits: 0, computed: 0 } };
  const hit = <T>(v: T): T => {
    state.stats.hits++;
    return v;
  };

  const xPriv = (secret: Uint8Array) => {
    const id = key(secret);
    let e = xPrivs.get(id);
    if (!e) {
      const k = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: b64(secret), x: DUMMY_X }, format: 'jwk' });
      const x = createPublicKey(k).export({ format: 'jwk' }).x!;
      const pub = u8(Buffer.from(x, 'base64url'));
      e = { key: k, pub, pubKey: key(pub) };
      xPrivs.set(id, e);
    }
    return e;
  };
  /** Ed25519 public key of a seed (cached; not metered: only the card's own calls are). */
  const edPublic = (seed: Uint8Array): Uint8Array => {
    const id = key(seed);
    let pub = edPubs.get(id);
    if (!pub) {
      pub = base.ed25519PublicKey(seed);
      edPubs.set(id, pub);
    }
    return pub;
  };
  const xPub = (pub: Uint8Array): KeyObject => {
    const id = key(pub);
    let k = xPubs.get(id);
    if (!k) {
      k = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64(pub) }, format: 'jwk' });
      xPubs.set(id, k);
    }
    return k;
  };

  const p: Primitives = {
    name: memo ? 'node:crypto (simulator: JWK keys, memos)' : 'node:crypto (simulator: JWK keys)',
    sha256(...parts) {
      const m = state.meter;
      if (m) {
        m.sha256++;
        m.shaBlocks += blocks(sum(parts));
      }
      return base.sha256(...parts);
    },
    hmacSha256(k, ...parts) {
      const m = state.meter;
      if (m) {
        m.hmac++;
        m.hmacBlocks += blocks(sum(parts) + 64);
      }
      return base.hmacSha256(k, ...parts);
    },
    noiseHkdf(ck, ikm, n) {
      const m = state.meter;
      if (m) {
        m.hkdf++;
        m.hkdfOutputs += n;
      }
      if (!memo) return base.noiseHkdf(ck, ikm, n);
      const id = `${n}${key(ck)}${key(ikm)}`;
      const got = hkdf.get(id);
      if (got) return hit(got.map((x) => x.slice()));
      state.stats.computed++;
      const out = base.noiseHkdf(ck, ikm, n);
      hkdf.set(id, out.map((x) => x.slice()));
      return out;
    },
    ed25519PublicKey(seed) {
      const m = state.meter;
      if (m) m.ed25519Keygen++;
      return edPublic(seed).slice();
    },
    ed25519Sign(message, seed) {
      const m = state.meter;
      if (m) m.ed25519Sign++;
      state.stats.computed++;
      const sig = base.ed25519Sign(message, seed);
      if (memo) signed.set(key(sig), { message: key(message), publicKey: key(edPublic(seed)) });
      return sig;
    },
    ed25519Verify(signature, message, publicKey) {
      const m = state.meter;
      if (m) m.ed25519Verify++;
      if (!memo || signature.length !== 64) return base.ed25519Verify(signature, message, publicKey);
      // Made here, or verified here before (a certificate every peer checks, an authority statement).
      const id = key(signature);
      const s = signed.get(id);
      if (s && s.publicKey === key(publicKey) && s.message === key(message)) return hit(true);
      state.stats.computed++;
      const ok = base.ed25519Verify(signature, message, publicKey);
      if (ok) signed.set(id, { message: key(message), publicKey: key(publicKey) });
      return ok;
    },
    ed25519IsPoint: (publicKey) => base.ed25519IsPoint(publicKey),
    x25519PublicKey(secret) {
      const m = state.meter;
      if (m) m.x25519Keygen++;
      return xPriv(secret).pub.slice();
    },
    x25519(secret, publicKey) {
      const m = state.meter;
      if (m) m.x25519++;
      const me = xPriv(secret);
      const them = key(publicKey);
      const id = me.pubKey < them ? me.pubKey + them : them + me.pubKey;
      if (memo) {
        const got = dh.get(id);
        if (got) return hit(got.slice());
      }
      state.stats.computed++;
      const out = u8(diffieHellman({ privateKey: me.key, publicKey: xPub(publicKey) }));
      let zero = true;
      for (let i = 0; i < out.length && zero; i++) zero = out[i] === 0;
      if (zero) throw new Error('low-order X25519 public key');
      if (memo) dh.set(id, out.slice());
      return out;
    },
    aeadEncrypt(k, nonce, ad, plaintext) {
      const m = state.meter;
      if (m) {
        m.aead++;
        m.aeadBytes += plaintext.length + ad.length;
      }
      const out = base.aeadEncrypt(k, nonce, ad, plaintext);
      if (memo) sealed.set(tagOf(out), { key: key(k), nonce: key(nonce), ad: key(ad), ct: out.slice(), plain: plaintext.slice() });
      return out;
    },
    aeadDecrypt(k, nonce, ad, ciphertext) {
      const m = state.meter;
      if (m) {
        m.aead++;
        m.aeadBytes += Math.max(0, ciphertext.length - 16) + ad.length;
      }
      if (memo && ciphertext.length >= 16) {
        const s = sealed.get(tagOf(ciphertext));
        if (s && s.key === key(k) && s.nonce === key(nonce) && s.ad === key(ad) && Buffer.compare(s.ct, ciphertext) === 0) return hit(s.plain.slice());
      }
      return base.aeadDecrypt(k, nonce, ad, ciphertext);
    },
  };
  state.primitives = p;
  return state;
}
