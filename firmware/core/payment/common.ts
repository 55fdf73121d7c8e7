// What the payer and payee sessions share: the Noise suite, the 4-digit
// comparison code, the verified-certificate cache, revocation lookups and the
// payee's self-authenticating offer nonces.
import { hmacSha256, sha256 } from '../primitives.js';
import { compareBytes, concat, equalBytes, toHex, utf8 } from '../bytes.js';
import { decodeCertificate, verifyCertificate, type Certificate, type TrustedAuthorities } from '../cert.js';
import { fail } from '../errors.js';
import { defineHiddenMethods } from '../hidden.js';
import type { NoiseProtocol } from '../noise/index.js';
import { NONCE_BYTES, type Revocations } from '../records.js';

export const PAYMENT_PROTOCOL: NoiseProtocol = 'Noise_IKpsk2_25519_ChaChaPoly_SHA256';
/** Noise prologue of every payment session. */
// ASCII, converted without TextEncoder: under preload this runs in the XS
// linker, before the firmware installs the TextEncoder global (device/main.ts).
export const PAYMENT_PROLOGUE = Uint8Array.from('tally/v1/payment', (c) => c.charCodeAt(0));

/** The 4-digit code both screens show for tap pairing: SHA-256("tally/v1/code" || h), first 4 bytes big-endian, mod 10000. */
export function comparisonCode(handshakeHash: Uint8Array): string {
  const d = sha256(concat(utf8('tally/v1/code'), handshakeHash));
  const n = ((d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!) >>> 0;
  return String(n % 10000).padStart(4, '0');
}

/**
 * Certificates whose signature this card has verified, by signature. A hit
 * requires the very same bytes, so only the Ed25519 verification is skipped:
 * issuer trust, epoch range and card checks run every time.
 */
export class CertCache {
  private readonly map = new Map<string, Certificate>();
  constructor(private readonly size = 16) {}

  /** Decodes and verifies `bytes` (2xxx on failure), from the cache when it can. */
  verify(bytes: Uint8Array, trusted: TrustedAuthorities, epoch: number): Certificate {
    const cert = this.lookup(bytes) ?? decodeCertificate(bytes);
    if (this.map.has(toHex(cert.signature))) {
      if (!trusted.has(toHex(cert.issuerKeyId))) fail(2003, `issuer ${toHex(cert.issuerKeyId)}`);
      if (epoch > cert.epochTo) fail(2004, `epoch ${epoch} > ${cert.epochTo}`);
      if (epoch < cert.epochFrom) fail(2005, `epoch ${epoch} < ${cert.epochFrom}`);
      return cert;
    }
    verifyCertificate(cert, trusted, { epoch });
    this.map.set(toHex(cert.signature), cert);
    if (this.map.size > this.size) this.map.delete(this.map.keys().next().value!);
    return cert;
  }

  private lookup(bytes: Uint8Array): Certificate | undefined {
    // The signature is the last 64 bytes of the sealed encoding.
    if (bytes.length < 64) return undefined;
    const c = this.map.get(toHex(bytes.subarray(bytes.length - 64)));
    return c && equalBytes(c.bytes, bytes) ? c : undefined;
  }

  clear(): void {
    this.map.clear();
  }
}

/** Whether `card` is on the list (ids are sorted: binary search). */
export function isRevoked(list: Revocations | undefined, card: Uint8Array): boolean {
  if (!list) return false;
  let lo = 0;
  let hi = list.revoked.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = compareBytes(list.revoked[mid]!, card);
    if (c === 0) return true;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * Offer nonces. The payee needs to recognise, after a power cut, a payment
 * answering an offer it made in an earlier session, without writing every
 * offer to flash. So a nonce authenticates itself:
 *
 *   nonce = issuedAt (u32 BE) || salt (4 random bytes) || MAC[0..8]
 *   MAC   = HMAC-SHA256(nonceKey, "tally/v1/nonce" || issuedAt || salt || payer card id || amount (u64 BE) || currency)
 *
 * issuedAt is the payee's chain seq when it made the offer. nonceKey is
 * derived from the card's signing secret and never leaves the card.
 */
export class NonceIssuer {
  /** A nonce for this payer, amount and currency, issued at chain seq `issuedAt`. */
  declare readonly make: (issuedAt: number, salt: Uint8Array, payer: Uint8Array, amount: number, currency: string) => Uint8Array;
  constructor(signingSecret: Uint8Array) {
    // The key lives in this closure only (hidden.ts).
    const key = sha256(concat(utf8('tally/v1/nonce-key'), signingSecret));
    defineHiddenMethods(this, {
      make(issuedAt: number, salt: Uint8Array, payer: Uint8Array, amount: number, currency: string): Uint8Array {
        const head = new Uint8Array(8);
        head[0] = issuedAt >>> 24;
        head[1] = (issuedAt >>> 16) & 255;
        head[2] = (issuedAt >>> 8) & 255;
        head[3] = issuedAt & 255;
        head.set(salt.subarray(0, 4), 4);
        const mac = hmacSha256(key, utf8('tally/v1/nonce'), head, payer, u64(amount), utf8(currency));
        return concat(head, mac.subarray(0, NONCE_BYTES - 8));
      },
    });
  }

  /** The issuedAt of a nonce this card made for exactly this payer, amount and currency; undefined otherwise. */
  check(nonce: Uint8Array, payer: Uint8Array, amount: number, currency: string): number | undefined {
    if (nonce.length !== NONCE_BYTES) return undefined;
    const issuedAt = ((nonce[0]! << 24) | (nonce[1]! << 16) | (nonce[2]! << 8) | nonce[3]!) >>> 0;
    const expect = this.make(issuedAt, nonce.subarray(4, 8), payer, amount, currency);
    return equalBytes(expect, nonce) ? issuedAt : undefined;
  }

  toJSON(): string {
    return '(nonce key)';
  }
}

function u64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  let x = n;
  for (let i = 7; i >= 0; i--) {
    out[i] = x % 256;
    x = Math.floor(x / 256);
  }
  return out;
}
