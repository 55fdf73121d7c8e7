// A test card: real keys, a real hash chain of signed records, built with the
// core's encoders (signing natively for speed: same bytes as noble).
import { randomBytes } from 'node:crypto';
import {
  CardKeys,
  DhKey,
  decodeCertificate,
  decodeLoad,
  encodeRecordBody,
  encodeSealedRecord,
  recordHash,
  requestEnrolment,
  ZERO_HASH,
  type ChainRecord,
  type RecordBody,
} from '../../../firmware/core/index.js';
import { NativeSigner } from '../../../host/authority/index.js';
import type { Client } from './client.js';

const rnd = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
export const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unb64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64url'));

export interface RecordJson {
  body: string;
  signature?: string;
  attachment?: string;
}

export const toJson = (r: ChainRecord): RecordJson => ({
  body: b64(r.body),
  ...(r.signature ? { signature: b64(r.signature) } : {}),
  ...(r.attachment ? { attachment: b64(r.attachment) } : {}),
});

export class TestCard {
  readonly keys: CardKeys;
  readonly chain: ChainRecord[] = [];
  spent = 0;
  received = 0;
  certSerial = 1;
  epoch = 1;
  loadsSeen = 0;

  constructor(seed: Uint8Array = rnd(32)) {
    this.keys = new CardKeys(new NativeSigner(seed), new DhKey(rnd(32)));
  }
  get id(): Uint8Array {
    return this.keys.cardId;
  }
  get idHex(): string {
    return hex(this.id);
  }
  get seq(): number {
    return this.chain.length;
  }
  get head(): Uint8Array {
    const last = this.chain[this.chain.length - 1];
    return last ? recordHash(last.body) : ZERO_HASH;
  }

  /** Enrols through the API (challenge, signed request); returns the HTTP status. */
  async enrol(client: Client, account: string): Promise<void> {
    const ch = await client.post('/enrol/challenge', {});
    const req = requestEnrolment(this.keys, account, unb64(ch.json.challenge as string));
    const r = await client.post('/cards', { enrolment: b64(req.sealed.bytes) });
    if (r.status !== 201) throw new Error(`enrol: ${r.status} ${JSON.stringify(r.json)}`);
  }

  /** Loads through the API and records the load in the chain (as the card does at its next sync). */
  async load(client: Client, amount: number): Promise<void> {
    const r = await client.post(`/cards/${this.idHex}/loads`, { amount });
    if (r.status !== 201) throw new Error(`load: ${r.status} ${JSON.stringify(r.json)}`);
    this.recordLoad(unb64(r.json.load as string));
  }

  recordLoad(sealedLoad: Uint8Array): ChainRecord {
    const l = decodeLoad(sealedLoad);
    this.certSerial = decodeCertificate(l.cert.bytes).serial;
    this.loadsSeen = l.serial;
    return this.append({ kind: 'load', card: this.id, seq: this.seq + 1, prev: this.head, evidence: sealedLoad });
  }

  recordAck(sealedAck: Uint8Array): ChainRecord {
    return this.append({ kind: 'ack', card: this.id, seq: this.seq + 1, prev: this.head, evidence: sealedAck });
  }

  /** A payment record signed by this card; the payer's chain moves on. */
  pay(payee: TestCard | Uint8Array, amount: number, over: Partial<{ spentBefore: number; certSerial: number; currency: string }> = {}): ChainRecord {
    const body: RecordBody = {
      kind: 'payment', card: this.id, seq: this.seq + 1, prev: this.head,
      payee: payee instanceof TestCard ? payee.id : payee, amount, currency: over.currency ?? 'EUR',
      spentBefore: over.spentBefore ?? this.spent, nonce: rnd(16), handshakeHash: rnd(32), epoch: this.epoch,
      certSerial: over.certSerial ?? this.certSerial,
    };
    this.spent += amount;
    return this.append(body);
  }

  /** A payment this card signs at a given place without recording it (a clone's payment, for fraud tests). */
  forge(payee: TestCard, amount: number, seq: number, prev: Uint8Array, spentBefore: number): ChainRecord {
    const body = encodeRecordBody({
      kind: 'payment', card: this.id, seq, prev, payee: payee.id, amount, currency: 'EUR', spentBefore,
      nonce: rnd(16), handshakeHash: rnd(32), epoch: this.epoch, certSerial: this.certSerial,
    });
    return { body, signature: this.keys.signer.sign('payment', body) };
  }

  /** The payee's receipt for a payment, with the sealed payment attached. */
  receive(payment: ChainRecord, amount: number, payer: TestCard): ChainRecord {
    const rec = this.append({
      kind: 'receipt', card: this.id, seq: this.seq + 1, prev: this.head, payer: payer.id, amount, currency: 'EUR',
      paymentHash: recordHash(payment.body), epoch: this.epoch,
    });
    rec.attachment = encodeSealedRecord(payment);
    this.received += amount;
    return rec;
  }

  /** The payer notes the payee's receipt. */
  receiptIn(receipt: ChainRecord, payment: ChainRecord): ChainRecord {
    return this.append({ kind: 'receiptIn', card: this.id, seq: this.seq + 1, prev: this.head, paymentHash: recordHash(payment.body), evidence: encodeSealedRecord(receipt) });
  }

  append(body: RecordBody): ChainRecord {
    const bytes = encodeRecordBody(body);
    const rec: ChainRecord =
      body.kind === 'payment' || body.kind === 'receipt'
        ? { body: bytes, signature: this.keys.signer.sign(body.kind, bytes) }
        : { body: bytes };
    this.chain.push(rec);
    return rec;
  }

  /** Records from seq `from` (1-based) as sync JSON. */
  records(from = 1, to = this.seq): RecordJson[] {
    return this.chain.slice(from - 1, to).map(toJson);
  }
}
