// The XS harness prelude: the first script evaluated in a fresh xsnap worker
// (bundled by scripts/build-core.mjs into build/xs/prelude.js, iife). It runs
// inside XS, never in Node; test/xs/worker.ts on the Node side answers its
// requests.
//
// It installs:
//   - describe/it, collecting (nested) suites for test/portable/spec.ts;
//   - globalThis.tallyTestHost, the XS TestHost: vector files and random
//     bytes are asked of the Node parent through issueCommand();
//   - a console shim (XS has none) forwarding to the parent;
//   - globalThis.handleCommand, a JSON command dispatcher. Commands are
//     `{ op, ...args }`; 'run' runs every collected spec, 'golden' returns the
//     golden outputs, and bundles loaded later can add ops to
//     globalThis.tallyCommands (the bench does).
//
// Requests to the parent are UTF-8 JSON `{ op: 'vector' | 'random' | 'log', ... }`;
// the parent answers 0x00 + the data (file text, random bytes, nothing) or
// 0x01 + an error text, which request() throws inside XS.
// Replies to handleCommand are UTF-8 JSON `{ ok: true, value }` or
// `{ ok: false, error }`.

type Fn = () => void | Promise<void>;

interface XsGlobals {
  issueCommand(req: ArrayBuffer): ArrayBuffer;
  resetMeter?: (limit: number, index: number) => number;
  currentMeterLimit?: () => number;
  handleCommand(req: ArrayBuffer): { result?: ArrayBuffer };
  describe(name: string, fn: () => void): void;
  it(name: string, fn: Fn): void;
  console: unknown;
  tallyTestHost: { engine: 'xs'; vector(name: string): string; randomBytes(n: number): Uint8Array };
  tallyCommands: Record<string, (msg: Record<string, unknown>) => unknown>;
  tallyGolden?: () => Record<string, string>;
  tallySpecFiles?: string[];
}

export interface XsSpecResult {
  suite: string;
  name: string;
  ok: boolean;
  error?: string;
  computrons?: number;
}

const g = globalThis as unknown as XsGlobals;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function toArrayBuffer(b: Uint8Array): ArrayBuffer {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? (b.buffer as ArrayBuffer) : (b.slice().buffer as ArrayBuffer);
}

// The parent answers 0x00 + data, or 0x01 + error text (thrown here, in XS).
function request(msg: Record<string, unknown>): Uint8Array {
  const answer = new Uint8Array(g.issueCommand(toArrayBuffer(encoder.encode(JSON.stringify(msg)))));
  if (answer[0] === 0) return answer.subarray(1);
  throw new Error(answer[0] === 1 ? decoder.decode(answer.subarray(1)) : `bad answer from the host to '${String(msg.op)}'`);
}

// ---- console (XS has none) -------------------------------------------------

function show(x: unknown): string {
  if (typeof x === 'string') return x;
  if (x instanceof Error) return String(x);
  try {
    const s = JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
    return s === undefined ? String(x) : s;
  } catch {
    return String(x);
  }
}
const logAt =
  (level: string) =>
  (...args: unknown[]): void => {
    request({ op: 'log', level, text: args.map(show).join(' ') });
  };
if (typeof g.console === 'undefined') {
  g.console = { log: logAt('log'), info: logAt('info'), debug: logAt('debug'), warn: logAt('warn'), error: logAt('error'), trace: logAt('trace') };
}

// ---- host ------------------------------------------------------------------

g.tallyTestHost = {
  engine: 'xs',
  vector: (name) => decoder.decode(request({ op: 'vector', name })),
  randomBytes: (n) => {
    const b = request({ op: 'random', n });
    if (b.length !== n) throw new Error(`host returned ${b.length} random bytes, asked ${n}`);
    return b;
  },
};

// ---- describe / it ---------------------------------------------------------

interface Test {
  suite: string;
  name: string;
  fn: Fn;
}
const tests: Test[] = [];
const stack: string[] = [];

g.describe = (name, fn) => {
  stack.push(name);
  try {
    const r = fn() as unknown;
    if (r && typeof (r as { then?: unknown }).then === 'function') throw new Error(`describe('${name}') must be synchronous`);
  } finally {
    stack.pop();
  }
};
g.it = (name, fn) => {
  tests.push({ suite: stack.join(' '), name, fn });
};

const meter = (): number | undefined => {
  if (typeof g.resetMeter !== 'function' || typeof g.currentMeterLimit !== 'function') return undefined;
  return g.resetMeter(g.currentMeterLimit(), 0) >>> 0; // the counter so far; restarts at 0
};

function errorText(e: unknown): string {
  if (!(e instanceof Error)) return `thrown non-Error: ${show(e)}`;
  const head = String(e);
  const stack = typeof e.stack === 'string' ? e.stack.trim() : '';
  return stack && stack !== head ? `${head}\n${stack.startsWith(head) ? stack.slice(head.length).trim() : stack}` : head;
}

async function runAll(): Promise<XsSpecResult[]> {
  const results: XsSpecResult[] = [];
  for (const t of tests) {
    const r: XsSpecResult = { suite: t.suite, name: t.name, ok: true };
    meter();
    try {
      await t.fn();
    } catch (e) {
      r.ok = false;
      r.error = errorText(e);
    }
    const c = meter();
    if (c !== undefined) r.computrons = c;
    results.push(r);
  }
  return results;
}

// ---- handleCommand ---------------------------------------------------------

g.tallyCommands = {
  run: () => runAll(),
  list: () => tests.map((t) => ({ suite: t.suite, name: t.name })),
  specFiles: () => g.tallySpecFiles ?? [],
  golden: () => {
    if (typeof g.tallyGolden !== 'function') throw new Error('the spec bundle (tally-specs.js) is not loaded');
    return g.tallyGolden();
  },
};

function reply(v: { ok: boolean; value?: unknown; error?: string }): ArrayBuffer {
  let text: string;
  try {
    text = JSON.stringify(v);
  } catch (e) {
    text = JSON.stringify({ ok: false, error: `result is not JSON: ${errorText(e)}` });
  }
  return toArrayBuffer(encoder.encode(text));
}

// xsnap drains the job queue after handleCommand returns and then reads
// `.result` from the returned object, so an async command resolves into it.
g.handleCommand = (req) => {
  const report: { result?: ArrayBuffer } = {};
  let msg: Record<string, unknown>;
  try {
    msg = JSON.parse(decoder.decode(new Uint8Array(req))) as Record<string, unknown>;
  } catch (e) {
    report.result = reply({ ok: false, error: `bad command: ${errorText(e)}` });
    return report;
  }
  const op = g.tallyCommands[String(msg.op)];
  if (!op) {
    report.result = reply({ ok: false, error: `unknown op '${String(msg.op)}'` });
    return report;
  }
  try {
    const v = op(msg);
    if (v && typeof (v as { then?: unknown }).then === 'function') {
      (v as Promise<unknown>).then(
        (value) => (report.result = reply({ ok: true, value })),
        (e: unknown) => (report.result = reply({ ok: false, error: errorText(e) })),
      );
    } else {
      report.result = reply({ ok: true, value: v });
    }
  } catch (e) {
    report.result = reply({ ok: false, error: errorText(e) });
  }
  return report;
};
