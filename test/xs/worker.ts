// Drives one xsnap-worker process (the XS engine from @agoric/xsnap) directly,
// without @agoric/xsnap's SES-based Node API. See /work/shared/XS-NOTES.md.
//
// Wire protocol (xsnap-native/xsnap/sources/xsnap-worker.c): netstrings
// `<decimal length>:<bytes>,` in both directions, parent -> XS on fd 3,
// XS -> parent on fd 4.
//   parent -> XS   'e' + source        evaluate a script (global eval), drain jobs
//                  '?' + bytes         call globalThis.handleCommand(ArrayBuffer)
//                  'q'                 quit
//                  '/' + bytes         answer to an issueCommand() request
//   XS -> parent   '.' + meter JSON + 0x01 + result bytes   command succeeded
//                  '!' + error text                         command threw
//                  '?' + bytes         XS code called issueCommand(bytes) while a
//                                      command runs; XS blocks until '/' comes back
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** The meter record xsnap-worker sends with every successful reply. */
export interface Meter {
  /** Computrons spent by this command (deterministic). */
  compute: number;
  /** Heap bytes reserved by the machine. */
  allocate: number;
  currentHeapCount: number;
  timestamps?: number[];
}

/** Answers an issueCommand() request from XS; the bytes go back to XS as its ArrayBuffer result. */
export type RequestHandler = (request: Uint8Array) => Uint8Array | Promise<Uint8Array>;

export interface XsWorkerOptions {
  /** Handles issueCommand() requests. Without one, a request fails the running command. */
  onRequest?: RequestHandler;
  /** Per-command computron limit (`-l`); exceeding it kills the worker (exit 17). Default: none. */
  meterLimit?: number;
  /** Another xsnap-worker build (build/xsnap-memory, for the memory bench). Default: @agoric/xsnap's. */
  binary?: string;
  /** Extra environment for the worker process. */
  env?: Record<string, string>;
}

/** Path of the xsnap-worker binary (scripts/ensure-xsnap.mjs builds it on install). */
export function xsnapWorkerPath(): string {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('@agoric/xsnap/package.json'));
  const bin = join(pkgDir, 'xsnap-native/xsnap/build/bin/lin/release/xsnap-worker');
  if (!existsSync(bin)) throw new Error(`xsnap-worker is missing at ${bin}: run \`node scripts/ensure-xsnap.mjs\``);
  return bin;
}

const EXIT_REASONS: Record<number, string> = {
  10: 'unhandled exception',
  11: 'not enough memory',
  12: 'no more keys',
  13: 'too much computation',
  15: 'stack overflow',
  16: 'fatal error',
  17: 'meter limit exceeded',
  18: 'I/O error',
};

interface Pending {
  resolve(r: { meter: Meter; result: Uint8Array }): void;
  reject(e: Error): void;
}

export class XsWorker {
  private readonly child: ChildProcess;
  private readonly toXs: Writable;
  private readonly fromXs: Readable;
  private readonly onRequest: RequestHandler | undefined;
  private inbox: Buffer = Buffer.alloc(0);
  private pending: Pending | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private dead: Error | null = null;
  private readonly exited: Promise<void>;

  constructor(options: XsWorkerOptions = {}) {
    this.onRequest = options.onRequest;
    const args = options.meterLimit ? ['-l', String(options.meterLimit)] : [];
    this.child = spawn(options.binary ?? xsnapWorkerPath(), args, {
      stdio: ['ignore', 'inherit', 'inherit', 'pipe', 'pipe'],
      ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
    });
    this.toXs = this.child.stdio[3] as Writable;
    this.fromXs = this.child.stdio[4] as Readable;
    this.toXs.on('error', (e) => this.die(new Error(`writing to xsnap-worker: ${e.message}`)));
    this.fromXs.on('data', (chunk: Buffer) => this.receive(chunk));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        const why = signal ? `signal ${signal}` : `code ${code}${code !== null && EXIT_REASONS[code] ? ` (${EXIT_REASONS[code]})` : ''}`;
        this.die(new Error(`xsnap-worker exited with ${why}`));
        resolve();
      });
      this.child.once('error', (e) => {
        this.die(e);
        resolve();
      });
    });
  }

  /** Evaluates a script (global eval) in XS and drains its job queue. */
  async evaluate(source: string): Promise<{ meter: Meter }> {
    const { meter } = await this.send(Buffer.concat([Buffer.from('e'), Buffer.from(source, 'utf8')]));
    return { meter };
  }

  /** Calls globalThis.handleCommand(bytes) in XS; result is the ArrayBuffer it returned (or its `.result`). */
  command(bytes: Uint8Array | string): Promise<{ meter: Meter; result: Uint8Array }> {
    const body = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    return this.send(Buffer.concat([Buffer.from('?'), body]));
  }

  /** Asks the worker to quit and waits for it; kills it if it does not exit within a second. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private closing: Promise<void> | undefined;

  private async shutdown(): Promise<void> {
    if (!this.dead) {
      try {
        this.write(Buffer.from('q'));
        this.toXs.end();
      } catch {
        /* already gone */
      }
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 1000);
      await this.exited;
      clearTimeout(timer);
    }
    await this.exited;
  }

  /** Kills the worker at once (a running command rejects). */
  kill(reason = 'killed'): void {
    this.die(new Error(`xsnap-worker ${reason}`));
    this.child.kill('SIGKILL');
  }

  // Commands run one at a time: the protocol has a single outstanding command.
  private send(message: Buffer): Promise<{ meter: Meter; result: Uint8Array }> {
    const run = (): Promise<{ meter: Meter; result: Uint8Array }> =>
      new Promise((resolve, reject) => {
        if (this.dead) return reject(this.dead);
        this.pending = { resolve, reject };
        this.write(message);
      });
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  private write(body: Uint8Array): void {
    this.toXs.write(Buffer.concat([Buffer.from(`${body.length}:`), body, Buffer.from(',')]));
  }

  private die(e: Error): void {
    if (!this.dead) this.dead = e;
    const p = this.pending;
    this.pending = null;
    p?.reject(e);
  }

  private receive(chunk: Buffer): void {
    this.inbox = this.inbox.length ? Buffer.concat([this.inbox, chunk]) : chunk;
    for (;;) {
      const colon = this.inbox.indexOf(0x3a);
      if (colon < 0) return;
      const header = this.inbox.subarray(0, colon).toString('latin1');
      if (!/^\d{1,10}$/.test(header)) return this.protocolError(`bad netstring length '${header.slice(0, 20)}'`);
      const len = Number(header);
      const end = colon + 1 + len;
      if (this.inbox.length < end + 1) return;
      if (this.inbox[end] !== 0x2c) return this.protocolError('netstring without trailing comma');
      const msg = this.inbox.subarray(colon + 1, end);
      this.inbox = this.inbox.subarray(end + 1);
      this.dispatch(Buffer.from(msg));
    }
  }

  private protocolError(what: string): void {
    this.die(new Error(`xsnap-worker protocol error: ${what}`));
    this.child.kill('SIGKILL');
  }

  private dispatch(msg: Buffer): void {
    const kind = msg[0];
    if (kind === 0x2e /* . */ || kind === 0x21 /* ! */) {
      const p = this.pending;
      this.pending = null;
      if (!p) return this.protocolError(`reply '${String.fromCharCode(kind)}' with no command outstanding`);
      if (kind === 0x21) return p.reject(new Error(`XS: ${msg.subarray(1).toString('utf8')}`));
      const sep = msg.indexOf(0x01);
      const meterText = msg.subarray(1, sep < 0 ? msg.length : sep).toString('utf8');
      let meter: Meter;
      try {
        meter = (meterText ? JSON.parse(meterText) : { compute: 0, allocate: 0, currentHeapCount: 0 }) as Meter;
      } catch {
        return p.reject(new Error(`xsnap-worker: unparsable meter record ${meterText.slice(0, 80)}`));
      }
      return p.resolve({ meter, result: sep < 0 ? new Uint8Array(0) : new Uint8Array(msg.subarray(sep + 1)) });
    }
    // Anything else is a request from XS (issueCommand frames it with '?').
    // XS is blocked until it gets a '/' answer, so always send one, or kill it.
    if (kind !== 0x3f /* ? */) return this.protocolError(`unexpected message prefix 0x${(kind ?? 0).toString(16)}`);
    const handler = this.onRequest;
    const fail = (e: unknown): void => {
      this.die(new Error(`issueCommand request handler failed: ${e instanceof Error ? e.message : String(e)}`));
      this.child.kill('SIGKILL');
    };
    if (!handler) return fail(new Error('no request handler installed'));
    try {
      Promise.resolve(handler(new Uint8Array(msg.subarray(1)))).then(
        (answer) => {
          if (!this.dead) this.write(Buffer.concat([Buffer.from('/'), answer]));
        },
        fail,
      );
    } catch (e) {
      fail(e);
    }
  }
}

/**
 * Turns an ES module bundle from esbuild into a script xsnap can evaluate.
 *
 * xsnap's 'e' evaluates a script, and a script cannot `export`; but the XS
 * tests and benchmarks must run the very bytes the firmware ships
 * (build/xs/tally-core.js), not a second build. So the text is used unchanged
 * except that esbuild's single closing `export { a as b, ... };` clause
 * becomes `globalThis.<name> = Object.freeze({ b: a, ... });`, and a
 * 'use strict' directive goes first (module code is always strict; the
 * directive also keeps the bundle's top-level declarations out of the global
 * object). We assert that the bundle has no import and exactly one export
 * statement, and that it is the last one, so nothing else can change meaning.
 */
export function esmBundleToScript(source: string, globalName: string): string {
  if (/^\s*import\s*[\s{*"'a-zA-Z_$]/m.test(source) || /\bimport\.meta\b/.test(source)) {
    throw new Error('core bundle has an import statement or import.meta: it must be self-contained');
  }
  const exports = source.match(/^\s*export\b/gm) ?? [];
  if (exports.length !== 1) throw new Error(`core bundle must have exactly one export statement, found ${exports.length}`);
  const m = /^export\s*\{([^}]*)\};?\s*$/m.exec(source);
  if (!m) throw new Error('core bundle export statement is not an `export { ... };` clause');
  const tail = source
    .slice(m.index + m[0].length)
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  if (tail.trim() !== '') throw new Error('core bundle export clause is not the last statement');
  const props = m[1]!
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((spec) => {
      const parts = /^([A-Za-z_$][\w$]*)(?:\s+as\s+([A-Za-z_$][\w$]*))?$/.exec(spec);
      if (!parts) throw new Error(`core bundle: cannot rewrite export specifier '${spec}'`);
      return `${parts[2] ?? parts[1]}: ${parts[1]}`;
    });
  const body = source.slice(0, m.index);
  const after = source.slice(m.index + m[0].length);
  return `'use strict';\n${body}globalThis.${globalName} = Object.freeze({ ${props.join(', ')} });\n${after}`;
}
