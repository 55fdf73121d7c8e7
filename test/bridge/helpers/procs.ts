// The real processes of the bridge tests, each on a leash (leash.ts): socat
// making a pseudo-terminal pair, a virtual card holding one end, and the
// authority server on 127.0.0.1 with an ephemeral port and a temp SQLite file.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../../../', import.meta.url));
const leash = join(root, 'build/test/bridge/helpers/leash.js');
export const tallyBin = join(root, 'bin/tally.js');
const cardMain = join(root, 'build/simulator/serial-card.js');
/** No test process lives longer than this. */
const DEADLINE_S = 600;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function tempDir(prefix = 'tally-bridge-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export class Proc {
  readonly child: ChildProcess;
  private out = '';
  private err = '';
  private readonly waiters: { re: RegExp; resolve(m: RegExpMatchArray): void }[] = [];
  readonly exited: Promise<number | null>;

  constructor(cmd: string, args: string[], readonly name: string) {
    this.child = spawn(process.execPath, [leash, String(DEADLINE_S), cmd, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      this.out += s;
      this.check();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      this.err += s;
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  get stdout(): string {
    return this.out;
  }
  get stderr(): string {
    return this.err;
  }

  /** Waits for a line of stdout matching `re` (appearing after `from` characters). */
  waitFor(re: RegExp, timeoutMs = 10_000, from = 0): Promise<RegExpMatchArray> {
    const m = this.out.slice(from).match(re);
    if (m) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${this.name}: no ${re} within ${timeoutMs} ms; stderr: ${this.err.slice(-500)}`)), timeoutMs);
      this.waiters.push({ re, resolve: (x) => (clearTimeout(t), resolve(x)) });
      void from;
    });
  }

  private check(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      const m = this.out.match(w.re);
      if (m) {
        this.waiters.splice(i, 1);
        w.resolve(m);
      }
    }
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Asks the program to stop (SIGTERM), then waits for it. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    await this.exited;
  }

  /** Kills the program at once (SIGKILL through its leash). */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGUSR1');
    await this.exited;
  }
}

/** A pseudo-terminal pair: the card holds `a`, the bridge opens `b`. */
export class Pty {
  proc: Proc | undefined;
  constructor(
    readonly a: string,
    readonly b: string,
  ) {}

  async start(): Promise<void> {
    this.proc = new Proc('socat', ['-d', '-d', `pty,raw,echo=0,link=${this.a}`, `pty,raw,echo=0,link=${this.b}`], 'socat');
    const t0 = Date.now();
    while (!(existsSync(this.a) && existsSync(this.b))) {
      if (!this.proc.running) throw new Error(`socat exited: ${this.proc.stderr}`);
      if (Date.now() - t0 > 5000) throw new Error('socat made no pty pair');
      await sleep(10);
    }
  }

  /** Pulls the cable: socat dies at once and both ends vanish. */
  async cut(): Promise<void> {
    await this.proc?.kill();
    rmSync(this.a, { force: true });
    rmSync(this.b, { force: true });
  }

  async stop(): Promise<void> {
    await this.proc?.stop();
    rmSync(this.a, { force: true });
    rmSync(this.b, { force: true });
  }
}

export interface CardFiles {
  flash: string;
  keys: string;
}

/** One virtual card process on `port`. */
export class CardProc {
  proc: Proc | undefined;
  constructor(
    readonly port: string,
    readonly files: CardFiles,
    readonly authorityKey: string,
    readonly opts: { flashKib?: number; seed?: string } = {},
  ) {}

  async start(): Promise<void> {
    const args = [cardMain, '--port', this.port, '--flash', this.files.flash, '--keys', this.files.keys, '--authority-key', this.authorityKey];
    if (this.opts.flashKib) args.push('--flash-kib', String(this.opts.flashKib));
    if (this.opts.seed) args.push('--seed', this.opts.seed);
    this.proc = new Proc(process.execPath, args, 'serial-card');
    await this.proc.waitFor(/ready /, 15_000);
  }

  /** Waits until the card has its port open again (after the pty came back). */
  async ready(n: number): Promise<void> {
    const t0 = Date.now();
    while ((this.proc!.stdout.match(/ready /g) ?? []).length < n) {
      if (!this.proc!.running) throw new Error(`card exited: ${this.proc!.stderr}`);
      if (Date.now() - t0 > 10_000) throw new Error('the card did not reopen its port');
      await sleep(10);
    }
  }

  readyCount(): number {
    return (this.proc?.stdout.match(/ready /g) ?? []).length;
  }

  stop(): Promise<void> {
    return this.proc?.stop() ?? Promise.resolve();
  }
  kill(): Promise<void> {
    return this.proc?.kill() ?? Promise.resolve();
  }
}

/** The authority server as its own process (`tally authority start`). */
export class AuthorityProc {
  proc: Proc | undefined;
  url = '';
  publicKey = '';
  constructor(readonly dir: string) {}

  async start(): Promise<void> {
    this.proc = new Proc(process.execPath, [tallyBin, 'authority', 'start', '--db', join(this.dir, 'authority.db'), '--port', '0', '--workers', '0', '--block-interval-ms', '0'], 'authority');
    const m = await this.proc.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/, 20_000);
    this.url = m[1]!;
    const info = (await (await fetch(`${this.url}/authority`)).json()) as { publicKey: string };
    this.publicKey = info.publicKey;
  }

  async post(path: string, body: unknown): Promise<any> {
    const r = await fetch(this.url + path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const j = await r.json();
    if (!r.ok) throw new Error(`${path}: ${JSON.stringify(j)}`);
    return j;
  }

  async get(path: string): Promise<any> {
    const r = await fetch(this.url + path);
    const j = await r.json();
    if (!r.ok) throw new Error(`${path}: ${JSON.stringify(j)}`);
    return j;
  }

  stop(): Promise<void> {
    return this.proc?.stop() ?? Promise.resolve();
  }
}

/** Starts `tally ...`. */
export function startTally(args: string[]): Proc {
  return new Proc(process.execPath, [tallyBin, ...args], 'tally');
}

/** Runs `tally ...` (or waits for the one started) to the end; its exit code and output. */
export function runTally(args: string[], timeoutMs = 30_000, p = startTally(args)): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const t = setTimeout(() => void p.kill(), timeoutMs);
  return p.exited.then((code) => {
    clearTimeout(t);
    return { code, stdout: p.stdout, stderr: p.stderr };
  });
}
