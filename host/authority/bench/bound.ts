// The native verification bound: the benchmark's signatures (two per
// payment) verified with node:crypto on one thread per core, nothing else.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const prefix = Buffer.from('302a300506032b6570032100', 'hex');
const keys = new Map();
const { items } = workerData;
parentPort.once('message', () => {
  let ok = 0;
  for (const it of items) {
    const h = Buffer.from(it.key).toString('latin1');
    let k = keys.get(h);
    if (!k) keys.set(h, (k = createPublicKey({ key: Buffer.concat([prefix, it.key]), format: 'der', type: 'spki' })));
    if (verify(null, it.msg, k, it.sig)) ok++;
  }
  parentPort.postMessage(ok);
});
`;

/** Verifies all signatures across one thread per core; returns seconds and the count that verified. */
export async function nativeBound(sigs: { key: Uint8Array; msg: Uint8Array; sig: Uint8Array }[]): Promise<{ seconds: number; ok: number }> {
  const n = availableParallelism();
  const per = Math.ceil(sigs.length / n);
  const workers = Array.from({ length: n }, (_, i) => new Worker(WORKER, { eval: true, workerData: { items: sigs.slice(i * per, (i + 1) * per) } }));
  await Promise.all(workers.map((w) => new Promise((r) => w.once('online', r))));
  const t0 = performance.now();
  const counts = await Promise.all(
    workers.map(
      (w) =>
        new Promise<number>((resolve) => {
          w.once('message', resolve);
          w.postMessage('go');
        }),
    ),
  );
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(workers.map((w) => w.terminate()));
  return { seconds, ok: counts.reduce((a, b) => a + b, 0) };
}
