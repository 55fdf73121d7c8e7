// Checks a fraud proof on its own: no database, no network, only the
// authority's public key. Uses the core's portable verification, so a card,
// a phone or another authority can run the same checks. Throws 7025 (or the
// core's 1xxx/2xxx for malformed bytes and bad signatures) when the proof
// does not prove what it claims.
import {
  decodeCertificate,
  decodeRecordBody,
  decodeSealedRecord,
  equalBytes,
  HASH_BYTES,
  keyIdOf,
  openSignedRecord,
  recordHash,
  verifySignature,
  type PaymentBody,
  type RecordBody,
} from '../../../firmware/core/index.js';
import { parseB64, parseHex } from '../codec.js';
import { refuse } from '../fail.js';
import { FRAUD_FORMAT, type FraudKind } from './proof.js';

const SEALED_MAX_BYTES = 1200;
const LINK_MAX = 100_000;

export interface ProvenFraud {
  kind: FraudKind;
  card: Uint8Array;
}

export function verifyFraudProof(proof: unknown, authorityPublicKey: Uint8Array): ProvenFraud {
  if (typeof proof !== 'object' || proof === null) refuse(7025, 'a proof is a JSON object');
  const p = proof as Record<string, unknown>;
  if (p.format !== FRAUD_FORMAT) refuse(7025, `format must be ${FRAUD_FORMAT}`);
  const card = parseHex(p.card, 16) ?? refuse(7025, 'card must be 32 hex digits');
  const cert = decodeCertificate(parseB64(p.certificate, 512) ?? refuse(7025, 'certificate must be base64url'));
  if (!equalBytes(cert.issuerKeyId, keyIdOf(authorityPublicKey))) refuse(7025, 'the certificate was not issued by this authority');
  if (!verifySignature('cert', cert.body, cert.signature, authorityPublicKey)) refuse(2001, 'certificate');
  if (!equalBytes(cert.cardId, card)) refuse(7025, 'the certificate is for another card');
  const signed = (field: string): { body: RecordBody; bytes: Uint8Array } => {
    const raw = parseB64(p[field], SEALED_MAX_BYTES) ?? refuse(7025, `${field} must be a base64url sealed record`);
    const rec = decodeSealedRecord(raw);
    const body = openSignedRecord(rec, cert.signKey);
    if (!equalBytes(body.card, card)) refuse(7025, `${field} belongs to another card`);
    return { body, bytes: rec.body };
  };
  const link = (): RecordBody[] | undefined => {
    if (p.link === undefined) return undefined;
    if (!Array.isArray(p.link) || p.link.length > LINK_MAX) refuse(7025, 'link must be an array of record bodies');
    return p.link.map((s, i) => {
      const body = decodeRecordBody(parseB64(s, 1024) ?? refuse(7025, `link[${i}] must be base64url`));
      if (!equalBytes(body.card, card)) refuse(7025, `link[${i}] belongs to another card`);
      return body;
    });
  };
  const linkBytes = (): Uint8Array[] => (p.link as string[]).map((s) => parseB64(s, 1024)!);

  switch (p.kind) {
    case 'equivocation': {
      const a = signed('a');
      const b = signed('b');
      const l = link();
      if (!l || l.length === 0) {
        if (a.body.seq !== b.body.seq) refuse(7025, 'the two records have different sequence numbers');
        if (equalBytes(a.bytes, b.bytes)) refuse(7025, 'the two records are the same');
      } else {
        // b's hash chain pins link[0] at a's place, and link[0] is not a.
        chain(linkBytes(), l, b);
        if (l[0]!.seq !== a.body.seq) refuse(7025, 'link does not start at the first record');
        if (equalBytes(linkBytes()[0]!, a.bytes)) refuse(7025, 'the pinned record is the first record');
      }
      return { kind: 'equivocation', card };
    }
    case 'contradiction': {
      const last = payment(signed('last').body);
      const first = p.first === undefined ? undefined : signed('first');
      const l = link();
      if (!l) {
        if (!first) return refuse(7025, 'a contradiction without link needs first and last');
        const f = payment(first.body);
        if (f.seq >= last.seq) refuse(7025, 'first must come before last');
        if (last.spentBefore >= f.spentBefore + f.amount) refuse(7025, 'the two payments are consistent');
        return { kind: 'contradiction', card };
      }
      // The chain from first (or from seq 1) to last, pinned by last's signature.
      const bytes = first ? [first.bytes, ...linkBytes()] : linkBytes();
      const bodies = first ? [first.body, ...l] : l;
      if (bodies.length === 0) {
        if (last.seq !== 1 || last.prev.some((x) => x !== 0)) refuse(7025, 'last is not the first record and no chain is given');
      } else {
        chain(bytes, bodies, { body: last });
        if (!first && (bodies[0]!.seq !== 1 || bodies[0]!.prev.some((x) => x !== 0))) refuse(7025, 'without first, link must start at seq 1');
      }
      if (l.some((r) => r.kind === 'payment')) refuse(7025, 'link must hold no payment (first is the previous one)');
      const expected = first ? payment(first.body).spentBefore + payment(first.body).amount : 0;
      if (last.spentBefore === expected) refuse(7025, 'the payment agrees with its chain');
      return { kind: 'contradiction', card };
    }
    case 'overspend': {
      const pay = payment(signed('payment').body);
      if (pay.certSerial !== cert.serial) refuse(7025, 'the certificate is not the one the payment names');
      if (pay.currency === cert.currency && pay.spentBefore + pay.amount <= cert.allowance) refuse(7025, 'the payment is within its certificate');
      return { kind: 'overspend', card };
    }
    default:
      return refuse(7025, 'kind must be equivocation, contradiction or overspend');
  }
}

function payment(b: RecordBody): PaymentBody {
  if (b.kind !== 'payment') refuse(7025, `a ${b.kind} record where a payment is needed`);
  return b;
}

/** Checks that bodies are consecutive records ending just before `end`, each pinned by the next one's prev hash. */
function chain(bytes: Uint8Array[], bodies: RecordBody[], end: { body: RecordBody }): void {
  for (let i = 0; i < bodies.length; i++) {
    const next = i + 1 < bodies.length ? bodies[i + 1]! : end.body;
    if (next.seq !== bodies[i]!.seq + 1) refuse(7025, `records at seq ${bodies[i]!.seq} and ${next.seq} are not consecutive`);
    const h = recordHash(bytes[i]!);
    if (h.length !== HASH_BYTES || !equalBytes(next.prev, h)) refuse(7025, `the record at seq ${next.seq} does not link to the one before`);
  }
}

