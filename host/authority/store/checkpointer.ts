// Runs checkpoints on a worker thread (see checkpoint-worker.ts); the main
// connection's automatic checkpoints are turned off while it runs.
import { Worker } from 'node:worker_threads';
import type { Db } from './open.js';

/** How often committed WAL pages are copied into the database file. */
const CHECKPOINT_INTERVAL_MS = 50;
/** The WAL file is truncated back to this size after a checkpoint lets it restart. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

export class Checkpointer {
  private readonly worker: Worker;
  constructor(private readonly db: Db) {
    db.pragma('wal_autocheckpoint = 0');
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    this.worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), { workerData: { path: db.name, intervalMs: CHECKPOINT_INTERVAL_MS } });
    this.worker.unref();
    // A checkpointer that dies leaves the main connection to checkpoint itself.
    this.worker.on('error', () => db.open && db.pragma('wal_autocheckpoint = 1000'));
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      this.worker.once('message', () => resolve());
      this.worker.once('exit', () => resolve());
    });
    this.worker.postMessage('close');
    await closed;
    await this.worker.terminate();
    if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
  }
}
