// The checkpointer thread: its own connection to the database, copying
// committed WAL pages into the main file every few milliseconds (a passive
// checkpoint never blocks the writer). So the thread that settles never
// waits for a checkpoint's writes and fsync.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

const { path, intervalMs } = workerData as { path: string; intervalMs: number };
const db = new Database(path);
db.pragma('busy_timeout = 1000');
db.pragma('synchronous = FULL');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or closing: the next tick tries again.
  }
}, intervalMs);
parentPort!.once('message', () => {
  clearInterval(timer);
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } finally {
    db.close();
    parentPort!.postMessage('closed');
  }
});
