// Signature verification for the sync path. Small batches are checked on the
// main thread (handing them to a thread costs more than it saves); larger
// ones are split across worker threads, one per core by default, while the
// main thread goes on parsing and storing other requests. The 'noble'
// engine exists only for the naive benchmark baseline.
import { Worker } from 'node:worker_threads';
import { noblePrimitives, signedMessage } from '../../../firmware/core/index.js';
import { packJobs, type SigJob } from './jobs.js';
import { KeyCache, verifyRange } from './native.js';

export interface VerifierOptions {
  workers: number;
  parallelThreshold: number;
  engine: 'native' | 'noble';
}

export class Verifier {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, () => void>();
  private readonly cache = new KeyCache();
  private nextId = 1;
  private closed = false;
  private crashed = false;

  constructor(private readonly options: VerifierOptions) {
    if (options.engine === 'native') {
      for (let i = 0; i < options.workers; i++) {
        const w = new Worker(new URL('./worker.js', import.meta.url));
        w.unref();
        w.on('message', (id: number) => {
          const done = this.waiting.get(id);
          this.waiting.delete(id);
          done?.();
        });
        w.on('error', () => {
          this.crashed = true;
          this.fail();
        });
        this.workers.push(w);
      }
    }
  }

  /** One result per job: true where the signature verifies. */
  async verify(jobs: readonly SigJob[]): Promise<boolean[]> {
    if (this.closed) throw new Error('verifier closed');
    if (jobs.length === 0) return [];
    // Always @noble, whatever primitives the process installed: this is the naive baseline.
    if (this.options.engine === 'noble') return jobs.map((j) => noblePrimitives.ed25519Verify(j.signature, signedMessage(j.tag, j.body), j.key));
    const packed = packJobs(jobs);
    const w = this.workers.length;
    if (w === 0 || jobs.length < this.options.parallelThreshold) {
      verifyRange(packed, 0, packed.count, this.cache);
    } else {
      const chunk = Math.ceil(packed.count / w);
      const parts: Promise<void>[] = [];
      for (let i = 0; i < w && i * chunk < packed.count; i++) {
        const id = this.nextId++;
        parts.push(new Promise<void>((resolve) => this.waiting.set(id, resolve)));
        this.workers[i]!.postMessage({ id, lo: i * chunk, hi: Math.min(packed.count, (i + 1) * chunk), jobs: packed });
      }
      await Promise.all(parts);
      if (this.crashed) throw new Error('a verification thread stopped');
    }
    return Array.from(packed.results, (r) => r === 1);
  }

  // A crashed worker leaves its batches unanswered: answer them (as failures
  // the caller turns into an internal error) rather than hang.
  private fail(): void {
    for (const done of this.waiting.values()) done();
    this.waiting.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.fail();
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
