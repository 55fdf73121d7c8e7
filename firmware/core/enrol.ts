// A card's enrolment request: how a new card proves to the authority that it
// holds both of its keys before the authority certifies them.
//
// The authority hands out a challenge: the public half of a fresh X25519 key
// it keeps for a few minutes. The card answers with a structure sealed by its
// Ed25519 key (tag 'enrol') over its card id, both public keys, the account
// it is for, the challenge, and a proof of its X25519 key: a hash of the
// Diffie-Hellman result between its static key and the challenge, which only
// the holder of the static secret (and the authority) can compute. The
// signature proves the signing key, the proof the static key, and the
// challenge makes the request fresh.
import { concat, equalBytes, utf8 } from './bytes.js';
import { decodeCanonical, type CborValue } from './cbor.js';
import { ACCOUNT_PATTERN } from './cert.js';
import { ArgumentError, fail } from './errors.js';
import { CARD_ID_BYTES, KEY_BYTES, cardIdOf, checkSignature, type CardKeys, type Random } from './identity.js';
import { activePrimitives, sha256 } from './primitives.js';
import { MapReader } from './schema.js';
import { seal, unseal, type Sealed } from './sealed.js';

/** Length of a challenge (an X25519 public key), in bytes. */
export const ENROL_CHALLENGE_BYTES = 32;
/** Bound of a sealed enrolment request, in bytes (a real one is about 250). */
export const ENROL_MAX_BYTES = 512;

const K = { cardId: 1, signKey: 2, dhKey: 3, account: 4, challenge: 5, dhProof: 6 } as const;

export interface EnrolRequest {
  cardId: Uint8Array;
  /** Ed25519 public key; the card id is derived from it. */
  signKey: Uint8Array;
  /** X25519 static public key (the Noise static key). */
  dhKey: Uint8Array;
  account: string;
  challenge: Uint8Array;
  /** SHA-256("tally/v1/enrol-dh" || X25519(static secret, challenge) || card id || challenge). */
  dhProof: Uint8Array;
  sealed: Sealed;
}

/** The authority's side of a challenge: `challenge` goes to the card, `secret` stays with the authority. */
export interface EnrolChallenge {
  challenge: Uint8Array;
  secret: Uint8Array;
}

export function enrolChallenge(random: Random): EnrolChallenge {
  const secret = random(KEY_BYTES);
  return { challenge: activePrimitives().x25519PublicKey(secret), secret };
}

/** The card's side: builds and signs its enrolment request. */
export function requestEnrolment(keys: CardKeys, account: string, challenge: Uint8Array): EnrolRequest {
  if (typeof account !== 'string' || !ACCOUNT_PATTERN.test(account)) throw new ArgumentError('account', `text matching ${ACCOUNT_PATTERN.source}`);
  if (!(challenge instanceof Uint8Array) || challenge.length !== ENROL_CHALLENGE_BYTES) throw new ArgumentError('challenge', `${ENROL_CHALLENGE_BYTES} bytes`);
  const proof = dhProof(dh(keys.dh.keyPair().secretKey, challenge), keys.cardId, challenge);
  const body = new Map<number, CborValue>([
    [K.cardId, keys.cardId],
    [K.signKey, keys.signer.publicKey],
    [K.dhKey, keys.dh.publicKey],
    [K.account, account],
    [K.challenge, challenge],
    [K.dhProof, proof],
  ]);
  return decodeEnrolment(seal('enrol', body, keys.signer).bytes);
}

/** Decodes a request's structure (1xxx) and checks the card id is derived from the signing key (2006). */
export function decodeEnrolment(bytes: Uint8Array): EnrolRequest {
  const s = unseal(bytes, ENROL_MAX_BYTES, 'enrolment');
  const r = new MapReader(decodeCanonical(s.body, { maxBytes: ENROL_MAX_BYTES }), 'enrolment');
  const req: EnrolRequest = {
    cardId: r.bytes(K.cardId, 'cardId', CARD_ID_BYTES),
    signKey: r.bytes(K.signKey, 'signKey', KEY_BYTES),
    dhKey: r.bytes(K.dhKey, 'dhKey', KEY_BYTES),
    account: r.text(K.account, 'account', ACCOUNT_PATTERN),
    challenge: r.bytes(K.challenge, 'challenge', ENROL_CHALLENGE_BYTES),
    dhProof: r.bytes(K.dhProof, 'dhProof', 32),
    sealed: s,
  };
  r.done();
  if (!equalBytes(cardIdOf(req.signKey), req.cardId)) fail(2006, 'card id is not derived from the signing key');
  return req;
}

/**
 * The authority's check, with the secret of the challenge it issued: the
 * signature (2001), a low-order static key (2007), the static-key proof (2001).
 */
export function verifyEnrolment(req: EnrolRequest, challengeSecret: Uint8Array): void {
  checkSignature('enrol', req.sealed.body, req.sealed.signature, req.signKey, 'enrolment');
  const expected = dhProof(dh(challengeSecret, req.dhKey), req.cardId, req.challenge);
  if (!equalBytes(expected, req.dhProof)) fail(2001, 'enrolment static-key proof');
}

function dh(secret: Uint8Array, pub: Uint8Array): Uint8Array {
  let out: Uint8Array;
  try {
    out = activePrimitives().x25519(secret, pub);
  } catch (e) {
    return fail(2007, e instanceof Error ? e.message : String(e));
  }
  if (out.every((b) => b === 0)) fail(2007);
  return out;
}

const dhProof = (shared: Uint8Array, cardId: Uint8Array, challenge: Uint8Array): Uint8Array =>
  sha256(concat(utf8('tally/v1/enrol-dh'), shared, cardId, challenge));
