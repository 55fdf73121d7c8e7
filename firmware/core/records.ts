// The chain records every card keeps, and the authority's signed statements.
//
// Each card keeps one hash chain. Every record's body is a deterministic CBOR
// map holding the owner's card id, a sequence number and the hash of the
// previous record; the record's hash is SHA-256 of that body. Records the card
// signs itself (a payment it makes, a receipt it gives) are sealed: the body
// is exactly what was signed, so two different signed bodies with the same
// (card, seq) are a fraud proof. Records the card receives (a receipt for its
// payment, an allowance load, a sync acknowledgement) are not signed by the
// card; they carry the other party's sealed statement as evidence and are
// pinned in place by the hash of the next record.
import { sha256 } from './primitives.js';
import { decodeCanonical, encodeCanonical, type CborValue } from './cbor.js';
import { AMOUNT_MAX, CURRENCY_PATTERN, decodeCertificate, type Certificate } from './cert.js';
import { fail } from './errors.js';
import { CARD_ID_BYTES, checkSignature, type Signer } from './identity.js';
import { MapReader } from './schema.js';
import { seal, unseal, type Sealed } from './sealed.js';

export const HASH_BYTES = 32;
export const NONCE_BYTES = 16;
export const ZERO_HASH = new Uint8Array(HASH_BYTES);
/** Bound of a record body, in bytes. */
export const RECORD_BODY_MAX_BYTES = 1024;
/** Bound of a sealed authority statement, in bytes. */
export const STATEMENT_MAX_BYTES = 4096;
/** Most card ids one revocation list may hold (it travels in a Noise handshake). */
export const REVOCATIONS_MAX = 128;
const U32 = 0xffffffff;

export const Kind = { payment: 1, receipt: 2, receiptIn: 3, load: 4, ack: 5 } as const;
export type KindName = keyof typeof Kind;
const kindNames = Object.fromEntries(Object.entries(Kind).map(([k, v]) => [v, k])) as Record<number, KindName>;

// Map keys of a record body. Shared by every kind so a dump reads the same way.
const F = {
  kind: 1, card: 2, seq: 3, prev: 4, counterparty: 5, amount: 6, currency: 7, spentBefore: 8,
  nonce: 9, handshakeHash: 10, epoch: 11, certSerial: 12, paymentHash: 13, evidence: 14,
} as const;

interface Common {
  /** Owner of the chain. */
  card: Uint8Array;
  seq: number;
  prev: Uint8Array;
}
/** The payer's debit, signed by the payer ('payment'). */
export interface PaymentBody extends Common {
  kind: 'payment';
  payee: Uint8Array;
  amount: number;
  currency: string;
  /** The payer's spent total before this payment; spentBefore + amount <= allowance. */
  spentBefore: number;
  /** The payee's fresh nonce from the handshake. */
  nonce: Uint8Array;
  /** The Noise handshake hash of the session that carried the payment. */
  handshakeHash: Uint8Array;
  epoch: number;
  certSerial: number;
}
/** The payee's credit, signed by the payee ('receipt'); it names the payment by the hash of its body. */
export interface ReceiptBody extends Common {
  kind: 'receipt';
  payer: Uint8Array;
  amount: number;
  currency: string;
  paymentHash: Uint8Array;
  epoch: number;
}
/** The payer's note that the payee's receipt arrived; evidence: the sealed receipt. */
export interface ReceiptInBody extends Common {
  kind: 'receiptIn';
  paymentHash: Uint8Array;
  evidence: Uint8Array;
}
/** An allowance load the authority signed; evidence: the sealed load. */
export interface LoadBody extends Common {
  kind: 'load';
  evidence: Uint8Array;
}
/** A sync acknowledgement the authority signed; evidence: the sealed ack. */
export interface AckBody extends Common {
  kind: 'ack';
  evidence: Uint8Array;
}
export type RecordBody = PaymentBody | ReceiptBody | ReceiptInBody | LoadBody | AckBody;

export function encodeRecordBody(r: RecordBody): Uint8Array {
  const m = new Map<number, CborValue>([
    [F.kind, Kind[r.kind]],
    [F.card, r.card],
    [F.seq, r.seq],
    [F.prev, r.prev],
  ]);
  switch (r.kind) {
    case 'payment':
      m.set(F.counterparty, r.payee).set(F.amount, r.amount).set(F.currency, r.currency).set(F.spentBefore, r.spentBefore);
      m.set(F.nonce, r.nonce).set(F.handshakeHash, r.handshakeHash).set(F.epoch, r.epoch).set(F.certSerial, r.certSerial);
      break;
    case 'receipt':
      m.set(F.counterparty, r.payer).set(F.amount, r.amount).set(F.currency, r.currency);
      m.set(F.paymentHash, r.paymentHash).set(F.epoch, r.epoch);
      break;
    case 'receiptIn':
      m.set(F.paymentHash, r.paymentHash).set(F.evidence, r.evidence);
      break;
    default:
      m.set(F.evidence, r.evidence);
  }
  const body = encodeCanonical(m);
  if (body.length > RECORD_BODY_MAX_BYTES) fail(1001, `record body of ${body.length} bytes`);
  return body;
}

export function decodeRecordBody(body: Uint8Array): RecordBody {
  const r = new MapReader(decodeCanonical(body, { maxBytes: RECORD_BODY_MAX_BYTES, maxDepth: 2 }), 'record');
  const kind = kindNames[r.uint(F.kind, 'kind', 255)];
  if (!kind) return fail(1012, 'record.kind is unknown');
  const common = {
    card: r.bytes(F.card, 'card', CARD_ID_BYTES),
    seq: r.uint(F.seq, 'seq', U32),
    prev: r.bytes(F.prev, 'prev', HASH_BYTES),
  };
  if (common.seq < 1) fail(1013, 'record.seq starts at 1');
  let out: RecordBody;
  switch (kind) {
    case 'payment':
      out = {
        kind, ...common,
        payee: r.bytes(F.counterparty, 'payee', CARD_ID_BYTES),
        amount: amount(r),
        currency: r.text(F.currency, 'currency', CURRENCY_PATTERN),
        spentBefore: r.uint(F.spentBefore, 'spentBefore', AMOUNT_MAX),
        nonce: r.bytes(F.nonce, 'nonce', NONCE_BYTES),
        handshakeHash: r.bytes(F.handshakeHash, 'handshakeHash', HASH_BYTES),
        epoch: r.uint(F.epoch, 'epoch', U32),
        certSerial: r.uint(F.certSerial, 'certSerial', U32),
      };
      break;
    case 'receipt':
      out = {
        kind, ...common,
        payer: r.bytes(F.counterparty, 'payer', CARD_ID_BYTES),
        amount: amount(r),
        currency: r.text(F.currency, 'currency', CURRENCY_PATTERN),
        paymentHash: r.bytes(F.paymentHash, 'paymentHash', HASH_BYTES),
        epoch: r.uint(F.epoch, 'epoch', U32),
      };
      break;
    case 'receiptIn':
      out = { kind, ...common, paymentHash: r.bytes(F.paymentHash, 'paymentHash', HASH_BYTES), evidence: r.bytes(F.evidence, 'evidence', undefined, 512) };
      break;
    default:
      out = { kind, ...common, evidence: r.bytes(F.evidence, 'evidence', undefined, 900) };
  }
  r.done();
  return out;
}

function amount(r: MapReader): number {
  const a = r.uint(F.amount, 'amount', AMOUNT_MAX);
  if (a < 1) fail(1013, 'amount must be at least 1');
  return a;
}

/** Kinds the chain's owner signs; the others carry someone else's signature as evidence. */
export const signedKinds: ReadonlySet<KindName> = new Set<KindName>(['payment', 'receipt']);
export const tagOf = (k: KindName): 'payment' | 'receipt' => (k === 'payment' ? 'payment' : 'receipt');

/** A record as kept in a ledger and uploaded at sync: body, owner's signature if signed, attachment. */
export interface ChainRecord {
  body: Uint8Array;
  /** The owner's signature over body, for signed kinds. */
  signature?: Uint8Array;
  /** For a receipt (credit): the payer's sealed payment it answers. */
  attachment?: Uint8Array;
}

export function signRecord(r: RecordBody, signer: Signer): ChainRecord {
  if (!signedKinds.has(r.kind)) fail(9001, `${r.kind} records are not signed by the card`);
  const body = encodeRecordBody(r);
  return { body, signature: signer.sign(tagOf(r.kind), body) };
}

/** A record's hash: SHA-256 of its body. A payment's hash is its identity everywhere. */
export const recordHash = (body: Uint8Array): Uint8Array => sha256(body);

/** Decodes and checks the owner's signature of a signed record (2001 on failure). */
export function openSignedRecord(rec: ChainRecord, ownerSignKey: Uint8Array): PaymentBody | ReceiptBody {
  const b = decodeRecordBody(rec.body);
  if (b.kind !== 'payment' && b.kind !== 'receipt') return fail(1012, `${b.kind} records are not signed by the card`);
  if (!rec.signature) return fail(1012, `${b.kind} record without its signature`);
  checkSignature(tagOf(b.kind), rec.body, rec.signature, ownerSignKey, `${b.kind} record`);
  return b;
}

/** A sealed record (payment or receipt) as it travels: the CBOR array [body, signature]. */
export function encodeSealedRecord(rec: ChainRecord): Uint8Array {
  if (!rec.signature) fail(9001, 'record has no signature');
  return encodeCanonical([rec.body, rec.signature]);
}

export function decodeSealedRecord(bytes: Uint8Array): ChainRecord {
  const s = unseal(bytes, RECORD_BODY_MAX_BYTES + 80, 'sealed record');
  return { body: s.body, signature: s.signature };
}

// ---------------------------------------------------------------------------
// The authority's signed statements.

const S = { card: 1, serial: 2, amount: 3, currency: 4, allowance: 5, epoch: 6, seq: 7, head: 8, spent: 9, received: 10, version: 11, revoked: 12, cert: 13 } as const;

/** An allowance load: the card may now have spent up to `allowance` in total; `cert` is its new certificate. */
export interface Load {
  card: Uint8Array;
  serial: number;
  amount: number;
  currency: string;
  allowance: number;
  epoch: number;
  cert: Certificate;
  sealed: Sealed;
}

export function issueLoad(authority: Signer, l: Omit<Load, 'sealed'>): Load {
  const body = new Map<number, CborValue>([
    [S.card, l.card], [S.serial, l.serial], [S.amount, l.amount], [S.currency, l.currency],
    [S.allowance, l.allowance], [S.epoch, l.epoch], [S.cert, l.cert.bytes],
  ]);
  return decodeLoad(seal('load', body, authority).bytes);
}

export function decodeLoad(bytes: Uint8Array): Load {
  const s = unseal(bytes, STATEMENT_MAX_BYTES, 'load');
  const r = new MapReader(decodeCanonical(s.body, { maxBytes: STATEMENT_MAX_BYTES }), 'load');
  const l: Load = {
    card: r.bytes(S.card, 'card', CARD_ID_BYTES),
    serial: r.uint(S.serial, 'serial', U32),
    amount: r.uint(S.amount, 'amount', AMOUNT_MAX),
    currency: r.text(S.currency, 'currency', CURRENCY_PATTERN),
    allowance: r.uint(S.allowance, 'allowance', AMOUNT_MAX),
    epoch: r.uint(S.epoch, 'epoch', U32),
    cert: decodeCertificate(r.bytes(S.cert, 'cert', undefined, 512)),
    sealed: s,
  };
  r.done();
  if (l.cert.allowance !== l.allowance) fail(1012, 'load.allowance differs from its certificate');
  return l;
}

/** A sync acknowledgement: the authority holds the card's chain up to `seq`/`head`. */
export interface Ack {
  card: Uint8Array;
  seq: number;
  head: Uint8Array;
  /** Totals of the card's chain up to and including `seq`, so pruned records can be summarised. */
  spent: number;
  received: number;
  epoch: number;
  sealed: Sealed;
}

export function issueAck(authority: Signer, a: Omit<Ack, 'sealed'>): Ack {
  const body = new Map<number, CborValue>([
    [S.card, a.card], [S.seq, a.seq], [S.head, a.head], [S.spent, a.spent], [S.received, a.received], [S.epoch, a.epoch],
  ]);
  return decodeAck(seal('ack', body, authority).bytes);
}

export function decodeAck(bytes: Uint8Array): Ack {
  const s = unseal(bytes, STATEMENT_MAX_BYTES, 'ack');
  const r = new MapReader(decodeCanonical(s.body, { maxBytes: STATEMENT_MAX_BYTES }), 'ack');
  const a: Ack = {
    card: r.bytes(S.card, 'card', CARD_ID_BYTES),
    seq: r.uint(S.seq, 'seq', U32),
    head: r.bytes(S.head, 'head', HASH_BYTES),
    spent: r.uint(S.spent, 'spent', AMOUNT_MAX),
    received: r.uint(S.received, 'received', Number.MAX_SAFE_INTEGER),
    epoch: r.uint(S.epoch, 'epoch', U32),
    sealed: s,
  };
  r.done();
  return a;
}

/** The authority's current epoch; cards learn it at sync and from peers. */
export interface EpochNote {
  epoch: number;
  sealed: Sealed;
}

export function issueEpoch(authority: Signer, epoch: number): EpochNote {
  return decodeEpoch(seal('epoch', new Map([[S.epoch, epoch]]), authority).bytes);
}

export function decodeEpoch(bytes: Uint8Array): EpochNote {
  const s = unseal(bytes, 256, 'epoch');
  const r = new MapReader(decodeCanonical(s.body, { maxBytes: 256 }), 'epoch');
  const e = { epoch: r.uint(S.epoch, 'epoch', U32), sealed: s };
  r.done();
  return e;
}

/** The revocation list: versioned, signed, and passed from card to card. Card ids in ascending byte order. */
export interface Revocations {
  version: number;
  epoch: number;
  revoked: Uint8Array[];
  sealed: Sealed;
}

export function issueRevocations(authority: Signer, version: number, epoch: number, revoked: Uint8Array[]): Revocations {
  const sorted = [...revoked].sort(cmp);
  const body = new Map<number, CborValue>([[S.version, version], [S.epoch, epoch], [S.revoked, sorted]]);
  return decodeRevocations(seal('revocations', body, authority).bytes);
}

export function decodeRevocations(bytes: Uint8Array): Revocations {
  const s = unseal(bytes, STATEMENT_MAX_BYTES, 'revocations');
  const r = new MapReader(decodeCanonical(s.body, { maxBytes: STATEMENT_MAX_BYTES }), 'revocations');
  const list = r.array(S.revoked, 'revoked', REVOCATIONS_MAX);
  const revoked: Uint8Array[] = [];
  for (const id of list) {
    if (!(id instanceof Uint8Array) || id.length !== CARD_ID_BYTES) fail(1012, 'revocations.revoked holds 16-byte card ids');
    if (revoked.length > 0 && cmp(revoked[revoked.length - 1]!, id) >= 0) fail(1006, 'revocations.revoked must be sorted and unique');
    revoked.push(id);
  }
  const out = { version: r.uint(S.version, 'version', U32), epoch: r.uint(S.epoch, 'epoch', U32), revoked, sealed: s };
  r.done();
  return out;
}

function cmp(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length && i < b.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Checks an authority statement's signature against the trusted key (2001 on failure). */
export function checkStatement(tag: 'load' | 'ack' | 'epoch' | 'revocations', sealed: Sealed, authorityKey: Uint8Array): void {
  checkSignature(tag, sealed.body, sealed.signature, authorityKey, tag);
}
