// A verification thread: checks the range of a packed batch it is given and
// answers with the batch id; results are written into shared memory.
import { parentPort } from 'node:worker_threads';
import type { PackedJobs } from './jobs.js';
import { KeyCache, verifyRange } from './native.js';

const cache = new KeyCache();
parentPort!.on('message', (m: { id: number; lo: number; hi: number; jobs: PackedJobs }) => {
  verifyRange(m.jobs, m.lo, m.hi, cache);
  parentPort!.postMessage(m.id);
});
