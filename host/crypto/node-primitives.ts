// The card core's primitives on node:crypto (OpenSSL): the same results as
// @noble, several times faster on V8. Hosts and the simulator install them
// with usePrimitives(nodePrimitives); the card firmware never sees this file.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import type { Primitives } from '../../firmware/core/index.js';

// DER prefixes that wrap a raw 32-byte key as PKCS#8 (private) or SPKI (public).
const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SPKI = Buffer.from('302a300506032b6570032100', 'hex');
const X25519_PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI = Buffer.from('302a300506032b656e032100', 'hex');

const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.length);

// Key objects are cached: parsing DER costs more than a verification.
const CACHE_MAX = 4096;
function cached(cache: Map<string, KeyObject>, key: Uint8Array, make: () => KeyObject): KeyObject {
  const id = Buffer.from(key).toString('base64');
  let k = cache.get(id);
  if (!k) {
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(id, (k = make()));
  }
  return k;
}
const edPublic = new Map<string, KeyObject>();
const edPrivate = new Map<string, KeyObject>();

const edPriv = (seed: Uint8Array): KeyObject =>
  cached(edPrivate, seed, () => createPrivateKey({ key: Buffer.concat([ED25519_PKCS8, seed]), format: 'der', type: 'pkcs8' }));
const edPub = (pub: Uint8Array): KeyObject =>
  cached(edPublic, pub, () => createPublicKey({ key: Buffer.concat([ED25519_SPKI, pub]), format: 'der', type: 'spki' }));
const xPrivate = new Map<string, KeyObject>();
const xPriv = (secret: Uint8Array): KeyObject =>
  cached(xPrivate, secret, () => createPrivateKey({ key: Buffer.concat([X25519_PKCS8, secret]), format: 'der', type: 'pkcs8' }));
const xPub = (pub: Uint8Array): KeyObject => createPublicKey({ key: Buffer.concat([X25519_SPKI, pub]), format: 'der', type: 'spki' });

const rawPublic = (k: KeyObject, prefix: Buffer): Uint8Array => u8(k.export({ format: 'der', type: 'spki' }).subarray(prefix.length));

export const nodePrimitives: Primitives = {
  name: 'node:crypto',
  sha256(...parts) {
    const h = createHash('sha256');
    for (const p of parts) h.update(p);
    return u8(h.digest());
  },
  hmacSha256(key, ...parts) {
    const h = createHmac('sha256', key);
    for (const p of parts) h.update(p);
    return u8(h.digest());
  },
  noiseHkdf(ck, ikm, n) {
    const prk = createHmac('sha256', ck).update(ikm).digest();
    const out1 = createHmac('sha256', prk).update(Uint8Array.of(1)).digest();
    const out2 = createHmac('sha256', prk).update(out1).update(Uint8Array.of(2)).digest();
    if (n === 2) return [u8(out1), u8(out2)];
    return [u8(out1), u8(out2), u8(createHmac('sha256', prk).update(out2).update(Uint8Array.of(3)).digest())];
  },
  ed25519PublicKey: (seed) => rawPublic(createPublicKey(edPriv(seed)), ED25519_SPKI),
  ed25519Sign: (message, seed) => u8(sign(null, message, edPriv(seed))),
  ed25519Verify(signature, message, publicKey) {
    if (signature.length !== 64 || publicKey.length !== 32) return false;
    try {
      return verify(null, message, edPub(publicKey), signature);
    } catch {
      return false;
    }
  },
  ed25519IsPoint(publicKey) {
    if (publicKey.length !== 32) return false;
    try {
      edPub(publicKey);
      return true;
    } catch {
      return false;
    }
  },
  x25519PublicKey: (secret) => rawPublic(createPublicKey(xPriv(secret)), X25519_SPKI),
  x25519(secret, publicKey) {
    const out = u8(diffieHellman({ privateKey: xPriv(secret), publicKey: xPub(publicKey) }));
    if (out.every((b) => b === 0)) throw new Error('low-order X25519 public key');
    return out;
  },
  aeadEncrypt(key, nonce, ad, plaintext) {
    const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    c.setAAD(ad, { plaintextLength: plaintext.length });
    return u8(Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]));
  },
  aeadDecrypt(key, nonce, ad, ciphertext) {
    if (ciphertext.length < 16) return null;
    try {
      const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
      d.setAAD(ad, { plaintextLength: ciphertext.length - 16 });
      d.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
      return u8(Buffer.concat([d.update(ciphertext.subarray(0, ciphertext.length - 16)), d.final()]));
    } catch {
      return null;
    }
  },
};
