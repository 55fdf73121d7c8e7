// A sync request: { card, records: [{ body, signature?, attachment? }], status? }.
// Everything that can be checked without the database is checked here:
// field types, the strict decoding of every body, attachment and evidence,
// that the records are the card's own, consecutive and hash-linked, and that
// receipts match the payments attached to them. A failure names the record.
import {
  decodeAck,
  decodeLoad,
  decodeRecordBody,
  decodeSealedRecord,
  equalBytes,
  RECORD_BODY_MAX_BYTES,
  TallyError,
  tallyError,
  type Ack,
  type ChainRecord,
  type Load,
  type PaymentBody,
  type ReceiptBody,
  type RecordBody,
} from '../../../firmware/core/index.js';
import { CARD_HEX, Fields, hex } from '../codec.js';
import { refuse } from '../fail.js';
import { sha256 } from '../chain/hash.js';
import { STATUS_QUERY_MAX, SYNC_RECORDS_MAX } from '../options.js';

/** A signed record with its decoded body and hash. */
export interface Sealed<B extends RecordBody = RecordBody> {
  rec: ChainRecord;
  body: B;
  hash: Uint8Array;
}

export interface Upload extends Sealed {
  index: number;
  /** receipt: the payer's sealed payment it answers. */
  payment?: Sealed<PaymentBody>;
  /** receiptIn: the payee's sealed receipt. */
  receipt?: Sealed<ReceiptBody>;
  /** load / ack: the authority's statement. */
  load?: Load;
  ack?: Ack;
}

export interface SyncRequest {
  card: Uint8Array;
  uploads: Upload[];
  /** Payments (payer, payer seq) whose settlement status the card asks for. */
  status: { payer: Uint8Array; seq: number }[];
}

const SEALED_RECORD_MAX_BYTES = RECORD_BODY_MAX_BYTES + 80;

export function parseSyncRequest(json: unknown): SyncRequest {
  const f = new Fields(json, 'sync');
  const card = f.hex('card', CARD_HEX);
  const records = f.array('records', SYNC_RECORDS_MAX, 7022);
  const status = (f.optArray('status', STATUS_QUERY_MAX) ?? []).map((s, i) => {
    const q = new Fields(s, `sync.status[${i}]`);
    const payment = { payer: q.hex('payer', CARD_HEX), seq: q.int('seq', 1, 0xffffffff) };
    q.done();
    return payment;
  });
  f.done();
  const uploads = records.map((r, i) => at(i, () => parseRecord(r, i, card)));
  for (let i = 1; i < uploads.length; i++) {
    const u = uploads[i]!;
    const p = uploads[i - 1]!;
    if (u.body.seq !== p.body.seq + 1) refuse(7014, `records[${i}] has seq ${u.body.seq} after ${p.body.seq}`);
    if (!equalBytes(u.body.prev, p.hash)) refuse(7014, `records[${i}].prev is not the hash of records[${i - 1}]`);
  }
  return { card, uploads, status };
}

// Puts the record's index in front of whatever coded error its checks raise.
function at<T>(i: number, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TallyError) throw tallyError(e.code, `records[${i}]: ${e.detail}`);
    throw e;
  }
}

function parseRecord(json: unknown, index: number, card: Uint8Array): Upload {
  const f = new Fields(json, `records[${index}]`);
  const bodyBytes = f.b64('body', RECORD_BODY_MAX_BYTES);
  const signature = f.optB64('signature', 64);
  const attachment = f.optB64('attachment', SEALED_RECORD_MAX_BYTES);
  f.done();
  const body = decodeRecordBody(bodyBytes);
  if (!equalBytes(body.card, card)) refuse(7016, `owner ${hex(body.card)}`);
  const signedKind = body.kind === 'payment' || body.kind === 'receipt';
  if (signedKind && signature?.length !== 64) refuse(7002, `a ${body.kind} record needs its 64-byte signature`);
  if (!signedKind && signature) refuse(7002, `${body.kind} records carry no signature of their own`);
  if (body.kind !== 'receipt' && attachment) refuse(7002, 'only receipt records carry an attachment');
  if ((body.kind === 'payment' && equalBytes(body.payee, card)) || (body.kind === 'receipt' && equalBytes(body.payer, card))) refuse(7002, 'a card cannot pay itself');
  const rec: ChainRecord = signature ? { body: bodyBytes, signature } : { body: bodyBytes };
  const u: Upload = { index, rec, body, hash: sha256(bodyBytes) };
  switch (body.kind) {
    case 'receipt': {
      if (!attachment) return refuse(7002, "a receipt record needs the payer's sealed payment as attachment");
      rec.attachment = attachment;
      const p = sealedRecord(attachment);
      if (p.body.kind !== 'payment') return refuse(7020, 'the attachment is not a payment');
      const pay = p as Sealed<PaymentBody>;
      if (!equalBytes(pay.hash, body.paymentHash)) refuse(7020, "the attachment's hash is not the receipt's payment hash");
      if (!equalBytes(pay.body.payee, card) || !equalBytes(pay.body.card, body.payer)) refuse(7020, 'payer or payee differ');
      if (pay.body.amount !== body.amount || pay.body.currency !== body.currency) refuse(7020, 'amount or currency differ');
      u.payment = pay;
      break;
    }
    case 'receiptIn': {
      const r = sealedRecord(body.evidence);
      if (r.body.kind !== 'receipt') return refuse(7017, 'the evidence of a receipt-in record is a sealed receipt');
      const rc = r as Sealed<ReceiptBody>;
      if (!equalBytes(rc.body.paymentHash, body.paymentHash) || !equalBytes(rc.body.payer, card)) refuse(7017, 'the receipt is for another payment');
      u.receipt = rc;
      break;
    }
    case 'load': {
      const l = decodeLoad(body.evidence);
      if (!equalBytes(l.card, card)) refuse(7017, 'the load is for another card');
      u.load = l;
      break;
    }
    case 'ack': {
      const a = decodeAck(body.evidence);
      if (!equalBytes(a.card, card)) refuse(7017, 'the acknowledgement is for another card');
      if (a.seq >= body.seq) refuse(7017, 'an acknowledgement can only follow the records it acknowledges');
      u.ack = a;
      break;
    }
    default:
  }
  return u;
}

function sealedRecord(bytes: Uint8Array): Sealed {
  const rec = decodeSealedRecord(bytes);
  return { rec, body: decodeRecordBody(rec.body), hash: sha256(rec.body) };
}
