// The verifier gives the same answers on the main thread and on worker
// threads, for valid, forged and malformed signatures alike.
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { Signer } from '../../firmware/core/index.js';
import { NativeSigner } from '../../host/authority/index.js';
import { Verifier } from '../../host/authority/verify/pool.js';
import type { SigJob } from '../../host/authority/verify/jobs.js';

describe('authority: signature verification', () => {
  it('workers, main thread and noble agree on 300 mixed signatures', async () => {
    const signers = Array.from({ length: 5 }, () => new NativeSigner(new Uint8Array(randomBytes(32))));
    const jobs: SigJob[] = [];
    const expected: boolean[] = [];
    for (let i = 0; i < 300; i++) {
      const s = signers[i % 5]!;
      const body = new Uint8Array(randomBytes(20 + (i % 200)));
      let signature = s.sign('payment', body);
      let key = s.publicKey;
      let ok = true;
      if (i % 7 === 0) {
        signature = Uint8Array.from(signature);
        signature[i % 64]! ^= 1;
        ok = false;
      } else if (i % 11 === 0) {
        key = signers[(i + 1) % 5]!.publicKey;
        ok = false;
      } else if (i % 13 === 0) {
        key = new Uint8Array(32).fill(0xff); // not a point
        ok = false;
      } else if (i % 17 === 0) {
        signature = signature.subarray(0, 10);
        ok = false;
      }
      jobs.push({ key, tag: i % 3 ? 'payment' : 'receipt', body, signature });
      expected.push(ok && i % 3 !== 0 ? true : false);
      if (i % 3 === 0) jobs[i] = { key, tag: 'receipt', body, signature: ok ? (s as Signer).sign('receipt', body) : signature };
      expected[i] = ok;
    }
    for (const options of [
      { workers: 2, parallelThreshold: 1, engine: 'native' as const },
      { workers: 0, parallelThreshold: 1, engine: 'native' as const },
      { workers: 0, parallelThreshold: 1, engine: 'noble' as const },
    ]) {
      const v = new Verifier(options);
      try {
        assert.deepEqual(await v.verify(jobs), expected, JSON.stringify(options));
      } finally {
        await v.close();
      }
    }
  });
});
