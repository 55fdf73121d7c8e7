// A payment's status line in a sync answer.
import { hex } from '../codec.js';
import type { PaymentStatus } from './reply.js';
import { PENDING } from './settle.js';

export const status = (hash: Uint8Array, role: 'payer' | 'payee', amount: number, state: number, payerHalf: boolean, payeeHalf: boolean): PaymentStatus => ({
  hash: hex(hash), role, amount, state: state === PENDING ? 'pending' : 'settled', payerHalf, payeeHalf,
});
export const rejected = (hash: Uint8Array, role: 'payer' | 'payee', amount: number, reason: string): PaymentStatus => ({ hash: hex(hash), role, amount, state: 'rejected', reason });
