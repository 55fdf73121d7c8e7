// A small settlement checker with the authority's rules, for the campaigns:
// every payment found in any ledger (the payer's debit, or the payment a
// payee's credit carries) is verified and settled once, by its hash; value
// is conserved; no card signed two different records with the same seq.
import {
  decodeRecordBody,
  decodeSealedRecord,
  recordHash,
  toHex,
  verifySignature,
  type PaymentBody,
} from '../../firmware/core/index.js';
import type { TestCard } from './card-fixture.js';

export interface Settlement {
  /** Net change per card id (hex): credits minus debits. */
  net: Map<string, number>;
  /** Settled payments by hash (hex). */
  payments: Map<string, PaymentBody>;
}

export function settle(cards: TestCard[]): Settlement {
  const keyOf = new Map(cards.map((c) => [toHex(c.keys.cardId), c.keys.signer.publicKey]));
  const payments = new Map<string, PaymentBody>();
  const signedBySeq = new Map<string, string>();
  const add = (body: Uint8Array, signature: Uint8Array, where: string): void => {
    const p = decodeRecordBody(body) as PaymentBody;
    if (p.kind !== 'payment') throw new Error(`${where}: not a payment`);
    const key = keyOf.get(toHex(p.card));
    if (!key || !verifySignature('payment', body, signature, key)) throw new Error(`${where}: payment signature does not verify`);
    const id = toHex(recordHash(body));
    const slot = `${toHex(p.card)}:${p.seq}`;
    const seen = signedBySeq.get(slot);
    if (seen && seen !== id) throw new Error(`${where}: equivocation at ${slot}`);
    signedBySeq.set(slot, id);
    payments.set(id, p);
  };
  for (const c of cards) {
    for (const r of c.card.records()) {
      if (r.kind === 'payment') add(r.body, r.signature!, `${c.name} seq ${r.seq}`);
      if (r.kind === 'receipt') {
        const sealed = decodeSealedRecord(r.attachment!);
        add(sealed.body, sealed.signature!, `${c.name} credit ${r.seq}`);
      }
    }
  }
  const net = new Map<string, number>();
  const bump = (id: Uint8Array, d: number): void => void net.set(toHex(id), (net.get(toHex(id)) ?? 0) + d);
  for (const p of payments.values()) {
    bump(p.card, -p.amount);
    bump(p.payee, p.amount);
  }
  let sum = 0;
  for (const v of net.values()) sum += v;
  if (sum !== 0) throw new Error(`settlement does not conserve value: ${sum}`);
  return { net, payments };
}
