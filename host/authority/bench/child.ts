// Runs `tally authority start` as a child process on an ephemeral loopback
// port and waits for its "listening on" line. Used by the benchmark and the
// crash-safety test. A child still running when the parent exits is killed.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const TALLY_BIN = fileURLToPath(new URL('../../../../bin/tally.js', import.meta.url));
/** How long a child may take to print its address. */
const START_TIMEOUT_MS = 20_000;

export interface ChildAuthority {
  url: string;
  proc: ChildProcess;
  /** SIGKILL, no goodbye. */
  kill(): Promise<void>;
  /** SIGTERM: the authority seals pending events and closes its database. */
  stop(): Promise<void>;
  stderr(): string;
}

export function spawnAuthority(dbPath: string, extraArgs: string[] = [], nodeArgs: string[] = []): Promise<ChildAuthority> {
  const proc = spawn(process.execPath, [...nodeArgs, TALLY_BIN, 'authority', 'start', '--db', dbPath, '--port', '0', '--host', '127.0.0.1', ...extraArgs], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const reap = (): void => void proc.kill('SIGKILL');
  process.once('exit', reap);
  proc.once('exit', () => process.off('exit', reap));
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`authority did not start in ${START_TIMEOUT_MS} ms: ${err}`));
    }, START_TIMEOUT_MS);
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, proc, kill: () => end('SIGKILL'), stop: () => end('SIGTERM'), stderr: () => err });
      }
    });
    proc.once('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`authority exited (${code ?? sig}) before listening: ${err}`));
    });
  });
}
