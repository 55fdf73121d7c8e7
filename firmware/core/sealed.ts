// A sealed structure: the exact signed body bytes beside their signature,
// encoded as the CBOR array [body: bstr, signature: bstr(64)]. Keeping the
// body as bytes means anyone can re-verify it later (ledger, authority,
// fraud proofs) without re-encoding anything.
import { decodeCanonical, encodeCanonical, type CborValue } from './cbor.js';
import { fail } from './errors.js';
import { SIGNATURE_BYTES, type SignTag, type Signer } from './identity.js';

export interface Sealed {
  /** Deterministic CBOR of the body map: exactly the bytes that were signed. */
  readonly body: Uint8Array;
  readonly signature: Uint8Array;
  /** The whole sealed encoding. */
  readonly bytes: Uint8Array;
}

export function seal(tag: SignTag, body: CborValue, signer: Signer): Sealed {
  const b = encodeCanonical(body);
  const signature = signer.sign(tag, b);
  return { body: b, signature, bytes: encodeCanonical([b, signature]) };
}

/** Splits sealed bytes; the caller decodes the body and checks the signature. */
export function unseal(bytes: Uint8Array, maxBytes: number, what: string): Sealed {
  const v = decodeCanonical(bytes, { maxBytes, maxDepth: 1 });
  if (!Array.isArray(v) || v.length !== 2 || !(v[0] instanceof Uint8Array) || !(v[1] instanceof Uint8Array)) {
    return fail(1012, `${what}: expected [body, signature]`);
  }
  if (v[1].length !== SIGNATURE_BYTES) fail(1012, `${what}: signature must be ${SIGNATURE_BYTES} bytes`);
  return { body: v[0], signature: v[1], bytes };
}
