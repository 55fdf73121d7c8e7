// Generated cards and ledgers for the benchmark: payer cards whose chains
// hold one load and then payments, payee cards whose chains hold the
// receipts (each with the payer's sealed payment attached). Signed natively.
import { randomBytes } from 'node:crypto';
import {
  CardKeys,
  decodeCertificate,
  decodeLoad,
  DhKey,
  encodeRecordBody,
  encodeSealedRecord,
  recordHash,
  requestEnrolment,
  signedMessage,
  ZERO_HASH,
  type ChainRecord,
  type RecordBody,
} from '../../../firmware/core/index.js';
import { NativeSigner } from '../keys.js';
import type { BenchClient } from './http.js';

const rnd = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64url');

export class BenchCard {
  readonly keys = new CardKeys(new NativeSigner(rnd(32)), new DhKey(rnd(32)));
  readonly chain: ChainRecord[] = [];
  head: Uint8Array = ZERO_HASH;
  spent = 0;
  certSerial = 1;
  get id(): Uint8Array {
    return this.keys.cardId;
  }
  get hex(): string {
    return Buffer.from(this.id).toString('hex');
  }
  append(body: RecordBody): ChainRecord {
    const bytes = encodeRecordBody(body);
    const rec: ChainRecord = body.kind === 'payment' || body.kind === 'receipt' ? { body: bytes, signature: this.keys.signer.sign(body.kind, bytes) } : { body: bytes };
    this.chain.push(rec);
    this.head = recordHash(bytes);
    return rec;
  }
}

export interface Workload {
  payers: BenchCard[];
  payees: BenchCard[];
  payments: number;
  total: number;
  /** Sync request bodies, in rounds: every card's chunk r is in round r. */
  rounds: { card: string; body: string }[][];
  /** The two signatures each payment costs (payer's payment, payee's receipt), for the bound. */
  signatures: { key: Uint8Array; msg: Uint8Array; sig: Uint8Array }[];
}

/** Opens accounts, enrols and loads the cards through the API, then generates and signs the ledgers. */
export async function makeWorkload(client: BenchClient, payerCount: number, payeeCount: number, perPayer: number, chunk: number, tag: string): Promise<Workload> {
  const payers = Array.from({ length: payerCount }, () => new BenchCard());
  const payees = Array.from({ length: payeeCount }, () => new BenchCard());
  const amountOf = (k: number): number => 1 + (k % 97);
  let perPayerTotal = 0;
  for (let k = 0; k < perPayer; k++) perPayerTotal += amountOf(k);
  const all = [...payers.map((c, i) => [c, `${tag}p${i}`, perPayerTotal] as const), ...payees.map((c, i) => [c, `${tag}q${i}`, 0] as const)];
  for (const [card, account, deposit] of all) {
    await must(client.post('/accounts', deposit ? { id: account, deposit } : { id: account }));
    const ch = await must(client.post('/enrol/challenge', {}));
    const req = requestEnrolment(card.keys, account, new Uint8Array(Buffer.from(ch.challenge as string, 'base64url')));
    await must(client.post('/cards', { enrolment: b64(req.sealed.bytes) }));
    if (deposit) {
      const l = await must(client.post(`/cards/${card.hex}/loads`, { amount: deposit }));
      const load = decodeLoad(new Uint8Array(Buffer.from(l.load as string, 'base64url')));
      card.certSerial = decodeCertificate(load.cert.bytes).serial;
      card.append({ kind: 'load', card: card.id, seq: 1, prev: ZERO_HASH, evidence: load.sealed.bytes });
    }
  }
  const signatures: Workload['signatures'] = [];
  let total = 0;
  for (let k = 0; k < perPayer; k++) {
    for (let i = 0; i < payers.length; i++) {
      const payer = payers[i]!;
      const payee = payees[(i * 7 + k) % payees.length]!;
      const amount = amountOf(k);
      const pay = payer.append({
        kind: 'payment', card: payer.id, seq: payer.chain.length + 1, prev: payer.head, payee: payee.id, amount, currency: 'EUR',
        spentBefore: payer.spent, nonce: rnd(16), handshakeHash: rnd(32), epoch: 1, certSerial: payer.certSerial,
      });
      payer.spent += amount;
      total += amount;
      const receipt = payee.append({
        kind: 'receipt', card: payee.id, seq: payee.chain.length + 1, prev: payee.head, payer: payer.id, amount, currency: 'EUR',
        paymentHash: recordHash(pay.body), epoch: 1,
      });
      receipt.attachment = encodeSealedRecord(pay);
      signatures.push({ key: payer.keys.signer.publicKey, msg: signedMessage('payment', pay.body), sig: pay.signature! });
      signatures.push({ key: payee.keys.signer.publicKey, msg: signedMessage('receipt', receipt.body), sig: receipt.signature! });
    }
  }
  const rounds: Workload['rounds'] = [];
  for (const card of [...payers, ...payees]) {
    for (let r = 0, at = 0; at < card.chain.length; r++, at += chunk) {
      const records = card.chain.slice(at, at + chunk).map((x) => ({
        body: b64(x.body), ...(x.signature ? { signature: b64(x.signature) } : {}), ...(x.attachment ? { attachment: b64(x.attachment) } : {}),
      }));
      (rounds[r] ??= []).push({ card: card.hex, body: JSON.stringify({ card: card.hex, records }) });
    }
  }
  // Interleave payers and payees inside each round, so both halves arrive in mixed order.
  for (const round of rounds) round.sort((a, b) => (a.card < b.card ? -1 : 1));
  return { payers, payees, payments: perPayer * payers.length, total, rounds, signatures };
}

async function must(p: Promise<{ status: number; json: Record<string, unknown> }>): Promise<Record<string, unknown>> {
  const r = await p;
  if (r.status >= 300) throw new Error(`setup request failed: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

/** Sends every round's requests, `concurrency` at a time; a card's chunks go in order (rounds). */
export async function sendAll(client: BenchClient, rounds: Workload['rounds'], concurrency: number): Promise<void> {
  for (const round of rounds) {
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < round.length) {
        const r = round[next++]!;
        const res = await client.post('/sync', r.body);
        if (res.status !== 200) throw new Error(`sync of ${r.card} failed: ${res.status} ${JSON.stringify(res.json).slice(0, 300)}`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
  }
}
