// Starts an XS worker with the harness prelude and the shipped core bundle,
// answers the prelude's host requests, and wraps its JSON commands.
// Shared by test/xs/xs.test.ts and test/xs/bench.ts (Node side).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { simQr } from '../../simulator/screen/qr.js';
import { fileURLToPath } from 'node:url';
import { digestRequest, isDigestRequest } from './host-digest.js';
import { XsWorker, esmBundleToScript, type Meter, type XsWorkerOptions } from './worker.js';

// This file runs as build/test/xs/harness.js.
const root = fileURLToPath(new URL('../../../', import.meta.url));
export const bundlePath = (name: string): string => `${root}build/xs/${name}`;
const vectorsDir = `${root}test/vectors/`;

const ok = (data: Uint8Array): Uint8Array => {
  const out = new Uint8Array(data.length + 1);
  out.set(data, 1);
  return out;
};
const err = (text: string): Uint8Array => Buffer.concat([Buffer.from([1]), Buffer.from(text, 'utf8')]);

/** Answers the prelude's issueCommand() requests: vector files, random bytes, console output; and the benches' digests and QR codes (as native modules would). */
export function hostRequests(request: Uint8Array): Uint8Array {
  if (isDigestRequest(request)) {
    try {
      return ok(digestRequest(request));
    } catch (e) {
      return err(`host digest: ${(e as Error).message}`);
    }
  }
  let msg: { op?: unknown; name?: unknown; n?: unknown; level?: unknown; text?: unknown };
  try {
    msg = JSON.parse(Buffer.from(request).toString('utf8')) as typeof msg;
  } catch {
    return err('host: request is not JSON');
  }
  switch (msg.op) {
    case 'vector': {
      const name = msg.name;
      if (typeof name !== 'string' || name === '' || name.startsWith('/') || name.split(/[\\/]/).includes('..')) {
        return err(`host: bad vector name ${JSON.stringify(name)}`);
      }
      try {
        return ok(readFileSync(vectorsDir + name));
      } catch (e) {
        return err(`host: cannot read test/vectors/${name}: ${(e as Error).message}`);
      }
    }
    case 'random': {
      const n = msg.n;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 1 << 20) return err(`host: bad random length ${String(n)}`);
      return ok(randomBytes(n));
    }
    case 'qr': {
      // As Moddable's native qrcode module answers (modules/data/qrcode: level M, versions up to
      // 6, one byte per module, row by row), from the simulator's encoder.
      if (typeof msg.text !== 'string') return err('host: qr needs a text');
      let m;
      try {
        m = simQr.encode(msg.text);
      } catch (e) {
        return err(`host: qr: ${(e as Error).message}`);
      }
      const out = new Uint8Array(1 + m.size * m.size);
      out[0] = m.size;
      for (let y = 0; y < m.size; y++) for (let x = 0; x < m.size; x++) out[1 + y * m.size + x] = m.isDark(x, y) ? 1 : 0;
      return ok(out);
    }
    case 'log': {
      const line = `[xs ${String(msg.level)}] ${String(msg.text)}\n`;
      (msg.level === 'warn' || msg.level === 'error' ? process.stderr : process.stdout).write(line);
      return ok(new Uint8Array(0));
    }
    default:
      return err(`host: unknown request op ${JSON.stringify(msg.op)}`);
  }
}

/** Another worker build, and hooks around loading the core bundle (the memory bench measures there). */
export interface StartOptions extends Pick<XsWorkerOptions, 'binary' | 'env'> {
  beforeCore?(h: XsHarness): Promise<void>;
  afterCore?(h: XsHarness): Promise<void>;
}

export class XsHarness {
  readonly worker: XsWorker;

  private constructor(worker: XsWorker) {
    this.worker = worker;
  }

  /** A fresh worker with the prelude, then the core bundle (as shipped), then each extra bundle. */
  static async start(extraBundles: string[] = [], meterLimit?: number, options: StartOptions = {}): Promise<XsHarness> {
    const worker = new XsWorker({ ...options, onRequest: hostRequests, ...(meterLimit ? { meterLimit } : {}) });
    const h = new XsHarness(worker);
    try {
      await h.load('prelude.js');
      await options.beforeCore?.(h);
      await worker.evaluate(esmBundleToScript(readFileSync(bundlePath('tally-core.js'), 'utf8'), 'TallyCore'));
      await options.afterCore?.(h);
      for (const b of extraBundles) await h.load(b);
    } catch (e) {
      await worker.close();
      throw e;
    }
    return h;
  }

  private async load(name: string): Promise<Meter> {
    try {
      return (await this.worker.evaluate(readFileSync(bundlePath(name), 'utf8'))).meter;
    } catch (e) {
      throw new Error(`loading build/xs/${name} into XS: ${(e as Error).message}`);
    }
  }

  /** Runs a prelude command (`{ op, ...args }`) and returns its JSON value; throws the XS error text. */
  async call<T>(op: string, args: Record<string, unknown> = {}): Promise<{ value: T; meter: Meter }> {
    const { meter, result } = await this.worker.command(JSON.stringify({ ...args, op }));
    if (result.length === 0) throw new Error(`XS command '${op}' returned nothing (a promise that never settled?)`);
    const r = JSON.parse(Buffer.from(result).toString('utf8')) as { ok: boolean; value?: T; error?: string };
    if (!r.ok) throw new Error(`XS command '${op}' failed: ${r.error ?? '?'}`);
    return { value: r.value as T, meter };
  }

  close(): Promise<void> {
    return this.worker.close();
  }
}
