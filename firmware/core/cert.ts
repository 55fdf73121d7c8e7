// The authority's certificate for a card: which keys belong to which card
// and account, how much it may spend offline in total, and for which
// authority epochs. Cards have no clock: validity is an epoch range.
import { LazyPattern, type TextPattern } from './pattern.js';
import { decodeCanonical } from './cbor.js';
import { equalBytes, toHex } from './bytes.js';
import { fail } from './errors.js';
import { CARD_ID_BYTES, KEY_BYTES, KEY_ID_BYTES, cardIdOf, checkSignature, keyIdOf, type Signer } from './identity.js';
import { MapReader } from './schema.js';
import { seal, unseal } from './sealed.js';

export const CERT_VERSION = 1;
/** Upper bound of an encoded certificate, in bytes (a real one is about 230). */
export const CERT_MAX_BYTES = 384;
/** Largest amount anywhere in Tally, in minor units (2^48 - 1). */
export const AMOUNT_MAX = 2 ** 48 - 1;
// LazyPattern, not RegExp: a preloaded module may hold no RegExp (pattern.ts).
export const ACCOUNT_PATTERN: TextPattern = new LazyPattern('^[A-Za-z0-9_-]{1,32}$');
export const CURRENCY_PATTERN: TextPattern = new LazyPattern('^[A-Z]{3}$');

export interface CertificateFields {
  cardId: Uint8Array;
  signKey: Uint8Array;
  dhKey: Uint8Array;
  account: string;
  /** Total the card may have spent offline, over its life, in minor units. */
  allowance: number;
  currency: string;
  epochFrom: number;
  epochTo: number;
  /** Certificates of one card are numbered; a higher serial supersedes. */
  serial: number;
}

export interface Certificate extends CertificateFields {
  issuerKeyId: Uint8Array;
  body: Uint8Array;
  signature: Uint8Array;
  bytes: Uint8Array;
}

const K = { version: 1, cardId: 2, signKey: 3, dhKey: 4, account: 5, allowance: 6, currency: 7, epochFrom: 8, epochTo: 9, issuer: 10, serial: 11 } as const;

export function issueCertificate(authority: Signer, f: CertificateFields): Certificate {
  const body = new Map<number, number | string | Uint8Array>([
    [K.version, CERT_VERSION],
    [K.cardId, f.cardId],
    [K.signKey, f.signKey],
    [K.dhKey, f.dhKey],
    [K.account, f.account],
    [K.allowance, f.allowance],
    [K.currency, f.currency],
    [K.epochFrom, f.epochFrom],
    [K.epochTo, f.epochTo],
    [K.issuer, keyIdOf(authority.publicKey)],
    [K.serial, f.serial],
  ]);
  const s = seal('cert', body, authority);
  // Decoding what we just made runs the same field checks as a received one.
  const cert = decodeCertificate(s.bytes);
  return cert;
}

/** Decodes a certificate's structure (not its signature: see verifyCertificate). */
export function decodeCertificate(bytes: Uint8Array): Certificate {
  const s = unseal(bytes, CERT_MAX_BYTES, 'certificate');
  const r = new MapReader(decodeCanonical(s.body, { maxBytes: CERT_MAX_BYTES }), 'certificate');
  const version = r.uint(K.version, 'version');
  if (version !== CERT_VERSION) fail(1012, `certificate.version ${version} is not ${CERT_VERSION}`);
  const cert: Certificate = {
    cardId: r.bytes(K.cardId, 'cardId', CARD_ID_BYTES),
    signKey: r.bytes(K.signKey, 'signKey', KEY_BYTES),
    dhKey: r.bytes(K.dhKey, 'dhKey', KEY_BYTES),
    account: r.text(K.account, 'account', ACCOUNT_PATTERN),
    allowance: r.uint(K.allowance, 'allowance', AMOUNT_MAX),
    currency: r.text(K.currency, 'currency', CURRENCY_PATTERN),
    epochFrom: r.uint(K.epochFrom, 'epochFrom', 0xffffffff),
    epochTo: r.uint(K.epochTo, 'epochTo', 0xffffffff),
    issuerKeyId: r.bytes(K.issuer, 'issuerKeyId', KEY_ID_BYTES),
    serial: r.uint(K.serial, 'serial', 0xffffffff),
    body: s.body,
    signature: s.signature,
    bytes,
  };
  r.done();
  if (cert.epochTo < cert.epochFrom) fail(1013, 'certificate.epochTo is before epochFrom');
  if (!equalBytes(cardIdOf(cert.signKey), cert.cardId)) fail(2006, 'card id is not derived from the signing key');
  return cert;
}

/** The authority keys a card or host trusts, by key id (hex). */
export type TrustedAuthorities = ReadonlyMap<string, Uint8Array>;

export function trustedAuthorities(publicKeys: Uint8Array[]): TrustedAuthorities {
  return new Map(publicKeys.map((k) => [toHex(keyIdOf(k)), k]));
}

export interface CertificateCheck {
  /** The newest authority epoch the checker knows of. */
  epoch: number;
  /** When given, the certificate must be for this card. */
  cardId?: Uint8Array;
}

/**
 * Verifies issuer, signature and epoch range. Throws 2003 (unknown issuer),
 * 2001 (signature), 2004 (expired), 2005 (not yet valid), 2006 (other card).
 */
export function verifyCertificate(cert: Certificate, trusted: TrustedAuthorities, check: CertificateCheck): void {
  const issuer = trusted.get(toHex(cert.issuerKeyId));
  if (!issuer) fail(2003, `issuer ${toHex(cert.issuerKeyId)}`);
  checkSignature('cert', cert.body, cert.signature, issuer, 'certificate');
  if (check.cardId && !equalBytes(check.cardId, cert.cardId)) fail(2006, 'certificate is for another card');
  if (check.epoch > cert.epochTo) fail(2004, `epoch ${check.epoch} > ${cert.epochTo}`);
  if (check.epoch < cert.epochFrom) fail(2005, `epoch ${check.epoch} < ${cert.epochFrom}`);
}
