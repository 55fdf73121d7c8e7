// The serial command protocol between a card and its host bridge: the CBOR
// envelopes that travel inside frames (frame.ts). Both ends use this file:
// the bridge encodes requests and decodes responses, the card the reverse.
//
// Every envelope is a deterministic CBOR map with small integer keys, read
// strictly (unknown, missing or mistyped keys: 1012; out of range: 1013):
//
//   request   { 1: command, 2..: the command's arguments }
//   response  { 1: 0, 2..: the command's result }          (success)
//             { 1: code, 2: message }                      (refusal: a numbered error)
//   notice    { 1: code, 2: message, 3: true }             (a frame the card dropped)
//
// docs/protocol.md, "Serial protocol", lists the commands byte for byte.
import { decodeCanonical, encodeCanonical, type CborValue } from '../cbor.js';
import { ACCOUNT_PATTERN, CERT_MAX_BYTES } from '../cert.js';
import { ENROL_CHALLENGE_BYTES, ENROL_MAX_BYTES } from '../enrol.js';
import { ErrorTable, fail, tallyError, type ErrorCode, type TallyError } from '../errors.js';
import { CARD_ID_BYTES, KEY_BYTES, SIGNATURE_BYTES } from '../identity.js';
import { HASH_BYTES, RECORD_BODY_MAX_BYTES } from '../records.js';
import { MapReader } from '../schema.js';
import { FRAME_PAYLOAD_MAX } from './frame.js';

/** Version of the command set; `info` reports it. */
export const SERIAL_PROTOCOL_VERSION = 1;
/** Largest statement argument (load, ack, revocation list, epoch note, certificate): what fits a frame. */
export const SERIAL_STATEMENT_MAX = FRAME_PAYLOAD_MAX - 16;
/** Bounds of a dump chunk's encoded response, in bytes (the host may ask for less than the default). */
export const DUMP_CHUNK_MIN = 2560;
export const DUMP_CHUNK_MAX = FRAME_PAYLOAD_MAX;
/** Most records one dump chunk holds. */
export const DUMP_RECORDS_MAX = 64;
/** Longest error message carried, in UTF-16 units (longer ones are cut). */
export const SERIAL_MESSAGE_MAX = 300;
const U32 = 0xffffffff;
const ATTACHMENT_MAX = RECORD_BODY_MAX_BYTES + 80;

export const Command = {
  info: 1,
  dump: 2,
  applyAck: 3,
  applyLoad: 4,
  applyCert: 5,
  applyRevocations: 6,
  applyEpoch: 7,
  provision: 8,
} as const;
export type CommandName = keyof typeof Command;
const commandNames = Object.fromEntries(Object.entries(Command).map(([k, v]) => [v, k])) as Record<number, CommandName>;
export type ApplyCommand = 'applyAck' | 'applyLoad' | 'applyCert' | 'applyRevocations' | 'applyEpoch';
export const applyCommands: readonly ApplyCommand[] = ['applyAck', 'applyLoad', 'applyCert', 'applyRevocations', 'applyEpoch'];

export type SerialRequest =
  | { cmd: 'info' }
  /** Ledger records after the one whose hash is `after` (32 zero bytes: from the first record the card holds). */
  | { cmd: 'dump'; after: Uint8Array; maxBytes?: number }
  /** An authority-signed statement (a certificate for applyCert). */
  | { cmd: ApplyCommand; statement: Uint8Array }
  /** The card makes its keys (if it has none) and answers an enrolment request for `challenge`. */
  | { cmd: 'provision'; account: string; challenge: Uint8Array };

export interface InfoResult {
  protocol: number;
  firmware: string;
  provisioned: boolean;
  /** Present once the card has keys. */
  cardId?: Uint8Array;
  signKey?: Uint8Array;
  dhKey?: Uint8Array;
  /** The card's current certificate (sealed), once it has one. */
  certificate?: Uint8Array;
  /** Chain head. */
  seq: number;
  head: Uint8Array;
  /** Seq of the last record the authority acknowledged (0: none). */
  ackedSeq: number;
  /** Seq of the oldest record the ledger still holds (seq + 1 when it holds none). */
  firstSeq: number;
  /** Ledger region: bytes still free for records, and its size. */
  freeBytes: number;
  totalBytes: number;
  epoch: number;
  revocationVersion: number;
  /** Payments still waiting for their receipt. */
  pending: number;
}

/** One ledger record as it is uploaded: body, owner's signature (payment, receipt), attachment (receipt). */
export interface DumpRecord {
  body: Uint8Array;
  signature?: Uint8Array;
  attachment?: Uint8Array;
}

export interface DumpResult {
  records: DumpRecord[];
  /** More records follow the last one of this chunk. */
  more: boolean;
  /** The card's head when the chunk was made. */
  seq: number;
  head: Uint8Array;
}

export interface ApplyResult {
  /** False when the card already held this statement or a newer one (nothing changed). */
  applied: boolean;
  seq: number;
  head: Uint8Array;
  ackedSeq: number;
  freeBytes: number;
}

export interface ProvisionResult {
  cardId: Uint8Array;
  signKey: Uint8Array;
  dhKey: Uint8Array;
  /** The sealed enrolment request (firmware/core/enrol.ts) to forward to the authority. */
  enrolment: Uint8Array;
}

export interface ResultOf {
  info: InfoResult;
  dump: DumpResult;
  applyAck: ApplyResult;
  applyLoad: ApplyResult;
  applyCert: ApplyResult;
  applyRevocations: ApplyResult;
  applyEpoch: ApplyResult;
  provision: ProvisionResult;
}

export interface SerialErrorReply {
  code: ErrorCode;
  message: string;
  /** True for a notice about a dropped frame (not an answer to any request). */
  notice: boolean;
}

// ---- requests ----------------------------------------------------------------

export function encodeRequest(req: SerialRequest): Uint8Array {
  const m = new Map<number, CborValue>([[1, Command[req.cmd]]]);
  switch (req.cmd) {
    case 'info':
      break;
    case 'dump':
      m.set(2, req.after);
      if (req.maxBytes !== undefined) m.set(3, req.maxBytes);
      break;
    case 'provision':
      m.set(2, req.account).set(3, req.challenge);
      break;
    default:
      m.set(2, req.statement);
  }
  return encodeCanonical(m);
}

/** The command number of a request, or undefined when the bytes are not a request map with one. */
export function peekCommand(payload: Uint8Array): number | undefined {
  try {
    const v = decodeCanonical(payload, { maxBytes: FRAME_PAYLOAD_MAX, maxDepth: 2 });
    const c = v instanceof Map ? v.get(1) : undefined;
    return typeof c === 'number' ? c : undefined;
  } catch {
    return undefined;
  }
}

/** Strict request decoder: 1xxx for bytes or schema, 6004 for a command the card does not know. */
export function decodeRequest(payload: Uint8Array): SerialRequest {
  const r = new MapReader(decodeCanonical(payload, { maxBytes: FRAME_PAYLOAD_MAX, maxDepth: 1 }), 'request');
  const n = r.uint(1, 'command', 255);
  const cmd = commandNames[n];
  if (!cmd) return fail(6004, `command ${n}`);
  let req: SerialRequest;
  switch (cmd) {
    case 'info':
      req = { cmd };
      break;
    case 'dump': {
      const after = r.bytes(2, 'after', HASH_BYTES);
      const maxBytes = r.optUint(3, 'maxBytes', DUMP_CHUNK_MAX);
      if (maxBytes !== undefined && maxBytes < DUMP_CHUNK_MIN) fail(1013, `request.maxBytes = ${maxBytes} is below ${DUMP_CHUNK_MIN}`);
      req = maxBytes === undefined ? { cmd, after } : { cmd, after, maxBytes };
      break;
    }
    case 'provision':
      req = { cmd, account: r.text(2, 'account', ACCOUNT_PATTERN), challenge: r.bytes(3, 'challenge', ENROL_CHALLENGE_BYTES) };
      break;
    default:
      req = { cmd, statement: r.bytes(2, 'statement', undefined, SERIAL_STATEMENT_MAX) };
  }
  r.done();
  return req;
}

// ---- responses ---------------------------------------------------------------

export function encodeResult<C extends CommandName>(cmd: C, result: ResultOf[C]): Uint8Array {
  const m = new Map<number, CborValue>([[1, 0]]);
  switch (cmd) {
    case 'info': {
      const i = result as InfoResult;
      m.set(2, i.protocol).set(3, i.firmware).set(4, i.provisioned);
      if (i.cardId) m.set(5, i.cardId);
      if (i.signKey) m.set(6, i.signKey);
      if (i.dhKey) m.set(7, i.dhKey);
      if (i.certificate) m.set(8, i.certificate);
      m.set(9, i.seq).set(10, i.head).set(11, i.ackedSeq).set(12, i.firstSeq).set(13, i.freeBytes).set(14, i.totalBytes);
      m.set(15, i.epoch).set(16, i.revocationVersion).set(17, i.pending);
      break;
    }
    case 'dump': {
      const d = result as DumpResult;
      m.set(2, d.records.map(encodeDumpRecord)).set(3, d.more).set(4, d.seq).set(5, d.head);
      break;
    }
    case 'provision': {
      const p = result as ProvisionResult;
      m.set(2, p.cardId).set(3, p.signKey).set(4, p.dhKey).set(5, p.enrolment);
      break;
    }
    default: {
      const a = result as ApplyResult;
      m.set(2, a.applied).set(3, a.seq).set(4, a.head).set(5, a.ackedSeq).set(6, a.freeBytes);
    }
  }
  return encodeCanonical(m);
}

export function encodeDumpRecord(r: DumpRecord): CborValue {
  const m = new Map<number, CborValue>([[1, r.body]]);
  if (r.signature) m.set(2, r.signature);
  if (r.attachment) m.set(3, r.attachment);
  return m;
}

/** Encoded size of a record inside a dump chunk (for chunking without encoding twice). */
export function dumpRecordBytes(r: DumpRecord): number {
  const head = (n: number): number => (n < 24 ? 1 : n < 256 ? 2 : n < 65536 ? 3 : 5);
  let n = 1 + 1 + head(r.body.length) + r.body.length;
  if (r.signature) n += 1 + head(r.signature.length) + r.signature.length;
  if (r.attachment) n += 1 + head(r.attachment.length) + r.attachment.length;
  return n;
}

export function encodeError(code: ErrorCode, message: string, notice = false): Uint8Array {
  const m = new Map<number, CborValue>([[1, code], [2, message.length > SERIAL_MESSAGE_MAX ? message.slice(0, SERIAL_MESSAGE_MAX) : message]]);
  if (notice) m.set(3, true);
  return encodeCanonical(m);
}

export type DecodedResponse<C extends CommandName> = { ok: true; result: ResultOf[C] } | { ok: false; error: SerialErrorReply };

/** Whether a response payload is a notice about a dropped frame (never throws). */
export function isNotice(payload: Uint8Array): boolean {
  try {
    const v = decodeCanonical(payload, { maxBytes: FRAME_PAYLOAD_MAX, maxDepth: 1 });
    return v instanceof Map && v.get(3) === true;
  } catch {
    return false;
  }
}

/** Strict response decoder for the answer to `cmd`: a result, or the card's coded refusal. */
export function decodeResponse<C extends CommandName>(cmd: C, payload: Uint8Array): DecodedResponse<C> {
  const v = decodeCanonical(payload, { maxBytes: FRAME_PAYLOAD_MAX, maxDepth: 3 });
  const r = new MapReader(v, 'response');
  const status = r.uint(1, 'status', 9999);
  if (status !== 0) {
    if (!(status in ErrorTable)) fail(1013, `response.status ${status} is not a known error code`);
    const message = r.text(2, 'message', /^[\s\S]{0,300}$/);
    const notice = (v as Map<unknown, unknown>).has(3) ? r.bool(3, 'notice') : undefined;
    if (notice === false) fail(1012, 'response.notice is true when present');
    r.done();
    return { ok: false, error: { code: status as ErrorCode, message, notice: notice === true } };
  }
  let out: ResultOf[CommandName];
  switch (cmd) {
    case 'info': {
      const i: InfoResult = {
        protocol: r.uint(2, 'protocol', 255),
        firmware: r.text(3, 'firmware', /^[\x20-\x7e]{1,64}$/),
        provisioned: r.bool(4, 'provisioned'),
        seq: 0, head: new Uint8Array(HASH_BYTES), ackedSeq: 0, firstSeq: 0, freeBytes: 0, totalBytes: 0, epoch: 0, revocationVersion: 0, pending: 0,
      };
      const cardId = r.optBytes(5, 'cardId', CARD_ID_BYTES);
      const signKey = r.optBytes(6, 'signKey', KEY_BYTES);
      const dhKey = r.optBytes(7, 'dhKey', KEY_BYTES);
      const certificate = r.optBytes(8, 'certificate', undefined, CERT_MAX_BYTES);
      if (cardId) i.cardId = cardId;
      if (signKey) i.signKey = signKey;
      if (dhKey) i.dhKey = dhKey;
      if (certificate) i.certificate = certificate;
      if ((cardId === undefined) !== (signKey === undefined) || (cardId === undefined) !== (dhKey === undefined)) fail(1012, 'response: card id and keys come together');
      if (i.provisioned && !certificate) fail(1012, 'response: a provisioned card has a certificate');
      i.seq = r.uint(9, 'seq', U32);
      i.head = r.bytes(10, 'head', HASH_BYTES);
      i.ackedSeq = r.uint(11, 'ackedSeq', U32);
      i.firstSeq = r.uint(12, 'firstSeq', U32);
      i.freeBytes = r.uint(13, 'freeBytes', U32);
      i.totalBytes = r.uint(14, 'totalBytes', U32);
      i.epoch = r.uint(15, 'epoch', U32);
      i.revocationVersion = r.uint(16, 'revocationVersion', U32);
      i.pending = r.uint(17, 'pending', U32);
      if (i.ackedSeq > i.seq || i.firstSeq > i.seq + 1) fail(1013, 'response: acknowledged or first seq beyond the head');
      out = i;
      break;
    }
    case 'dump': {
      const list = r.array(2, 'records', DUMP_RECORDS_MAX);
      const d: DumpResult = { records: list.map((x) => decodeDumpRecord(x)), more: r.bool(3, 'more'), seq: r.uint(4, 'seq', U32), head: r.bytes(5, 'head', HASH_BYTES) };
      if (d.more && d.records.length === 0) fail(1012, 'response: a chunk with more to come holds records');
      out = d;
      break;
    }
    case 'provision':
      out = {
        cardId: r.bytes(2, 'cardId', CARD_ID_BYTES),
        signKey: r.bytes(3, 'signKey', KEY_BYTES),
        dhKey: r.bytes(4, 'dhKey', KEY_BYTES),
        enrolment: r.bytes(5, 'enrolment', undefined, ENROL_MAX_BYTES),
      };
      break;
    default:
      out = { applied: r.bool(2, 'applied'), seq: r.uint(3, 'seq', U32), head: r.bytes(4, 'head', HASH_BYTES), ackedSeq: r.uint(5, 'ackedSeq', U32), freeBytes: r.uint(6, 'freeBytes', U32) };
  }
  r.done();
  return { ok: true, result: out as ResultOf[C] };
}

function decodeDumpRecord(v: CborValue): DumpRecord {
  const r = new MapReader(v, 'response.records[]');
  const rec: DumpRecord = { body: r.bytes(1, 'body', undefined, RECORD_BODY_MAX_BYTES) };
  const signature = r.optBytes(2, 'signature', SIGNATURE_BYTES);
  const attachment = r.optBytes(3, 'attachment', undefined, ATTACHMENT_MAX);
  if (signature) rec.signature = signature;
  if (attachment) rec.attachment = attachment;
  r.done();
  return rec;
}

/** The coded error a refusal stands for (the card's message kept as the detail). */
export function replyError(e: SerialErrorReply): TallyError {
  // The card sends the full message ('E5005 LEDGER_ACK: text (detail)'); keep only its detail.
  const [name, text] = ErrorTable[e.code];
  const prefix = `E${e.code} ${name}: ${text}`;
  let detail = e.message;
  if (detail.startsWith(prefix)) detail = detail.slice(prefix.length).replace(/^ \(([\s\S]*)\)$/, '$1');
  return tallyError(e.code, detail ? `card: ${detail}` : 'card');
}
