// The portable test surface. Card-core specs import describe/it/assert and
// the host hooks from here, never from mocha or node:*, so the same compiled
// spec runs under mocha on V8 and inside the XS worker (test/xs/).
//
// On V8, mocha provides describe/it and test/portable/node-host.ts installs
// the host. Inside XS, the harness prelude installs its own describe/it and a
// host that asks the Node parent for vector files and random bytes.

export interface TestHost {
  /** Text of a file under test/vectors/, e.g. 'noise/cacophony-25519-chachapoly-sha256.json'. */
  vector(name: string): string;
  /** Cryptographically random bytes from the host (node:crypto on both engines). */
  randomBytes(n: number): Uint8Array;
  /** Which engine runs the spec. */
  readonly engine: 'v8' | 'xs';
}

type Fn = () => void | Promise<void>;
interface G {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: Fn): void;
  tallyTestHost?: TestHost;
}
const g = globalThis as unknown as G;

export const describe = (name: string, fn: () => void): void => g.describe(name, fn);
export const it = (name: string, fn: Fn): void => g.it(name, fn);

export function host(): TestHost {
  const h = g.tallyTestHost;
  if (!h) throw new Error('no test host installed (run through mocha or the XS harness)');
  return h;
}

export class AssertionError extends Error {}

export interface Assert {
  ok(v: unknown, msg?: string): asserts v;
  equal<T>(a: T, b: T, msg?: string): void;
  deepEqual(a: unknown, b: unknown, msg?: string): void;
  bytes(a: Uint8Array, b: Uint8Array, msg?: string): void;
  throwsCode(fn: () => unknown, code: number, msg?: string): Error & { code: number };
}

export const assert: Assert = {
  ok(v: unknown, msg = 'expected a truthy value'): asserts v {
    if (!v) throw new AssertionError(msg);
  },
  equal<T>(a: T, b: T, msg?: string): void {
    if (a !== b) throw new AssertionError(msg ?? `expected ${show(b)}, got ${show(a)}`);
  },
  deepEqual(a: unknown, b: unknown, msg?: string): void {
    if (show(a) !== show(b)) throw new AssertionError(msg ?? `expected ${show(b)}, got ${show(a)}`);
  },
  bytes(a: Uint8Array, b: Uint8Array, msg?: string): void {
    if (hex(a) !== hex(b)) throw new AssertionError(msg ?? `expected ${hex(b)}, got ${hex(a)}`);
  },
  /** Expects fn to throw an error carrying `code` (a TallyError). Returns it. */
  throwsCode(fn: () => unknown, code: number, msg?: string): Error & { code: number } {
    try {
      fn();
    } catch (e) {
      const c = (e as { code?: unknown }).code;
      if (c !== code) throw new AssertionError(`${msg ?? 'wrong error'}: expected code ${code}, got ${String(c)} (${String(e)})`);
      return e as Error & { code: number };
    }
    throw new AssertionError(`${msg ?? 'expected a throw'}: nothing thrown, expected code ${code}`);
  },
};

function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += (x < 16 ? '0' : '') + x.toString(16);
  return s;
}

function show(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x instanceof Uint8Array ? `h'${hex(x)}'` : typeof x === 'bigint' ? `${x}n` : x instanceof Map ? { map: [...x.entries()] } : x,
  );
}

/** Small deterministic generator for fuzz inputs (xorshift32); not for keys. */
export function fuzzRng(seed: number): { u32(): number; below(n: number): number; bytes(n: number): Uint8Array } {
  let s = seed >>> 0 || 1;
  const u32 = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  return {
    u32,
    below: (n) => u32() % n,
    bytes: (n) => {
      const b = new Uint8Array(n);
      for (let i = 0; i < n; i++) b[i] = u32() & 255;
      return b;
    },
  };
}

/** Deterministic bytes (xorshift32) as a random source, for fixtures and benchmarks only, never keys. */
export function seededBytes(seed: number): (n: number) => Uint8Array {
  return fuzzRng(seed).bytes;
}
