// Fraud proofs: self-contained JSON that anyone holding the authority's
// public key can check (the card's key comes inside, in its certificate).
//
//   equivocation   two different records signed by the card for the same
//                  sequence number: { a, b } sealed records. When the card's
//                  other statement at that place is an unsigned record, it is
//                  pinned by the card's next signed record through the hash
//                  chain: { a, link, b } where link holds the bodies from
//                  a's seq up to b's, and link[0] differs from a.
//   contradiction  a payment whose "spent before" disagrees with the card's
//                  own chain: { first?, link, last } (the chain from the
//                  previous payment, or from seq 1, to the payment; the total
//                  it implies differs from last's), or without link two
//                  payments { first, last } whose totals cannot both be true
//                  (last comes later but claims less spent than first's end).
//   overspend      a payment beyond what its certificate grants (allowance or
//                  currency): { payment } with the certificate it names.
import { encodeSealedRecord, type ChainRecord } from '../../../firmware/core/index.js';
import { b64, hex } from '../codec.js';
import { sha256 } from '../chain/hash.js';

export const FRAUD_FORMAT = 'tally-fraud/1';
export type FraudKind = 'equivocation' | 'contradiction' | 'overspend';

export interface FraudProof {
  format: typeof FRAUD_FORMAT;
  kind: FraudKind;
  /** The cheating card (hex). */
  card: string;
  /** A certificate of the card (base64url): for overspend, the one the payment names. */
  certificate: string;
  /** Sealed records (base64url of [body, signature]). */
  a?: string;
  b?: string;
  first?: string;
  last?: string;
  payment?: string;
  /** Unsigned record bodies (base64url), pinned by a signed record's hash chain. */
  link?: string[];
}

const sealed = (r: ChainRecord): string => b64(encodeSealedRecord(r));

interface Base {
  card: Uint8Array;
  certificate: Uint8Array;
}

export function equivocationProof(p: Base & { a: ChainRecord; b: ChainRecord; link?: Uint8Array[] }): FraudProof {
  return {
    format: FRAUD_FORMAT, kind: 'equivocation', card: hex(p.card), certificate: b64(p.certificate),
    a: sealed(p.a), b: sealed(p.b), ...(p.link ? { link: p.link.map(b64) } : {}),
  };
}

export function contradictionProof(p: Base & { first?: ChainRecord; last: ChainRecord; link?: Uint8Array[] }): FraudProof {
  return {
    format: FRAUD_FORMAT, kind: 'contradiction', card: hex(p.card), certificate: b64(p.certificate),
    ...(p.first ? { first: sealed(p.first) } : {}), ...(p.link ? { link: p.link.map(b64) } : {}), last: sealed(p.last),
  };
}

export function overspendProof(p: Base & { payment: ChainRecord }): FraudProof {
  return { format: FRAUD_FORMAT, kind: 'overspend', card: hex(p.card), certificate: b64(p.certificate), payment: sealed(p.payment) };
}

/** The proof's identity: SHA-256 of its JSON text as stored. */
export const proofText = (p: FraudProof): string => JSON.stringify(p);
export const proofHash = (p: FraudProof): Uint8Array => sha256(Buffer.from(proofText(p), 'utf8'));
