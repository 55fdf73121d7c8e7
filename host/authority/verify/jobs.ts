// A batch of signatures to check, packed into shared memory so worker
// threads read it without copies: the distinct public keys, and for each
// signature its key's index, its signed message (domain tag + body) and the
// 64 signature bytes. Results come back in the same shared memory.
import { signedMessage, type SignTag } from '../../../firmware/core/index.js';

export interface SigJob {
  key: Uint8Array;
  tag: SignTag;
  body: Uint8Array;
  signature: Uint8Array;
}

export interface PackedJobs {
  count: number;
  keys: Uint8Array;
  keyIndex: Uint32Array;
  /** Message i is msgs[offsets[i] .. offsets[i + 1]). */
  offsets: Uint32Array;
  msgs: Uint8Array;
  sigs: Uint8Array;
  /** 1 where the signature verifies. */
  results: Uint8Array;
}

const prefixes = new Map<SignTag, Uint8Array>();
const prefixOf = (tag: SignTag): Uint8Array => {
  let p = prefixes.get(tag);
  if (!p) prefixes.set(tag, (p = signedMessage(tag, new Uint8Array())));
  return p;
};

const shared = (bytes: number): SharedArrayBuffer => new SharedArrayBuffer(Math.max(bytes, 1));

export function packJobs(jobs: readonly SigJob[]): PackedJobs {
  const n = jobs.length;
  const keyAt = new Map<string, number>();
  const keyIndex = new Uint32Array(shared(4 * n));
  const offsets = new Uint32Array(shared(4 * (n + 1)));
  const sigs = new Uint8Array(shared(64 * n));
  let total = 0;
  const keyList: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const j = jobs[i]!;
    const k = Buffer.from(j.key.buffer, j.key.byteOffset, j.key.length).toString('latin1');
    let at = keyAt.get(k);
    if (at === undefined) {
      keyAt.set(k, (at = keyList.length));
      keyList.push(j.key);
    }
    keyIndex[i] = at;
    offsets[i] = total;
    total += prefixOf(j.tag).length + j.body.length;
    if (j.signature.length === 64) sigs.set(j.signature, 64 * i);
  }
  offsets[n] = total;
  const msgs = new Uint8Array(shared(total));
  for (let i = 0; i < n; i++) {
    const j = jobs[i]!;
    const p = prefixOf(j.tag);
    msgs.set(p, offsets[i]!);
    msgs.set(j.body, offsets[i]! + p.length);
  }
  const keys = new Uint8Array(shared(32 * keyList.length));
  keyList.forEach((k, i) => k.length === 32 && keys.set(k, 32 * i));
  return { count: n, keys, keyIndex, offsets, msgs, sigs, results: new Uint8Array(shared(n)) };
}
