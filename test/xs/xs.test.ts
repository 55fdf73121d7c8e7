// Mocha entry for the XS engine (npm run test:xs).
//
// At load time (top-level await) it starts an xsnap worker, loads the harness
// prelude, the shipped core bundle (build/xs/tally-core.js) and the spec
// bundle (every test/core and test/firmware *.spec.ts, core imports redirected
// to that core),
// runs the specs inside XS, and closes the worker. It then registers one mocha
// test per XS spec result, so XS failures show up with the XS error text.
//
// 'xs and v8 agree' also runs the same spec modules on V8 (the tsc build,
// against the tsc-built core) and checks that both engines ran the same specs,
// all passing, and that test/core/golden.ts gives identical outputs.
import { deepStrictEqual } from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as core from '../../firmware/core/index.js';
import { goldenOutputs } from '../core/golden.js';
import { XsHarness } from './harness.js';
import type { XsSpecResult } from './prelude.js';

/** The folders of portable specs, as scripts/build-core.mjs bundles them. */
const SPEC_DIRS = ['core', 'firmware'];

type Fn = () => void | Promise<void>;
interface SpecResult {
  suite: string;
  name: string;
  ok: boolean;
  error?: string;
}

const key = (r: { suite: string; name: string }): string => (r.suite ? `${r.suite} › ${r.name}` : r.name);

/** Runs build/test/{core,firmware}/*.spec.js on V8 with a local describe/it, like the XS prelude does. */
async function runSpecsOnV8(): Promise<{ files: string[]; results: SpecResult[] }> {
  // The sources decide which specs exist (a stale build/ may hold deleted ones);
  // the XS bundle was made from the same dirs by scripts/build-core.mjs.
  const specs = SPEC_DIRS.flatMap((d) =>
    readdirSync(fileURLToPath(new URL(`../../../test/${d}/`, import.meta.url)))
      .filter((f) => f.endsWith('.spec.ts'))
      .sort()
      .map((f) => `${d}/${f}`),
  );
  const files = specs.map((f) => f.replace(/\.ts$/, '.js'));
  const g = globalThis as unknown as Record<'describe' | 'it', unknown>;
  const saved = { describe: g.describe, it: g.it };
  const tests: { suite: string; name: string; fn: Fn }[] = [];
  const stack: string[] = [];
  g.describe = (name: string, fn: () => void): void => {
    stack.push(name);
    try {
      fn();
    } finally {
      stack.pop();
    }
  };
  g.it = (name: string, fn: Fn): void => {
    tests.push({ suite: stack.join(' '), name, fn });
  };
  try {
    // A query string gives fresh module instances, so the specs register with
    // this collector even if mocha's V8 run has imported them already.
    for (const f of files) await import(`${pathToFileURL(fileURLToPath(new URL(`../${f}`, import.meta.url))).href}?xs-compare`);
  } finally {
    g.describe = saved.describe;
    g.it = saved.it;
  }
  const results: SpecResult[] = [];
  for (const t of tests) {
    try {
      await t.fn();
      results.push({ suite: t.suite, name: t.name, ok: true });
    } catch (e) {
      results.push({ suite: t.suite, name: t.name, ok: false, error: String(e) });
    }
  }
  return { files: specs, results };
}

interface XsRun {
  results: XsSpecResult[];
  golden: Record<string, string>;
  files: string[];
}

// A spec that never ends would hang mocha while it loads this file (no mocha
// timeout applies yet): the whole XS run gets a deadline instead.
const XS_DEADLINE_MS = Number(process.env.TALLY_XS_TIMEOUT_MS ?? 10 * 60_000);
let harness: XsHarness | undefined;

async function runXs(): Promise<XsRun> {
  const xs = (harness = await XsHarness.start(['tally-specs.js']));
  const deadline = setTimeout(() => xs.worker.kill(`did not finish the XS run within ${XS_DEADLINE_MS} ms`), XS_DEADLINE_MS);
  deadline.unref();
  try {
    const results = (await xs.call<XsSpecResult[]>('run')).value;
    const golden = (await xs.call<Record<string, string>>('golden')).value;
    const files = (await xs.call<string[]>('specFiles')).value;
    return { results, golden, files };
  } finally {
    clearTimeout(deadline);
    await xs.close(); // the worker must not outlive the run (mocha would hang)
  }
}

// Already closed after the run; this only guards against a future change
// leaving it open (close() is idempotent).
after(() => harness?.close());

let xsRun: XsRun | undefined;
let xsFailure: unknown;
try {
  xsRun = await runXs();
} catch (e) {
  xsFailure = e;
}

if (process.env.TALLY_XS_COST && xsRun) {
  for (const r of xsRun.results) console.log(`xs cost ${key(r)}: ${r.computrons ?? '?'} computrons`);
}

if (!xsRun) {
  describe('xs: harness', () => {
    it('loads the core and spec bundles into XS and runs them', () => {
      throw xsFailure instanceof Error ? xsFailure : new Error(String(xsFailure));
    });
  });
} else {
  const suites = new Map<string, XsSpecResult[]>();
  for (const r of xsRun.results) {
    const list = suites.get(r.suite) ?? [];
    list.push(r);
    suites.set(r.suite, list);
  }
  for (const [suite, results] of suites) {
    describe(`xs: ${suite || '(top level)'}`, () => {
      for (const r of results) {
        it(r.name, () => {
          if (!r.ok) {
            const e = new Error(r.error ?? 'failed in XS');
            e.stack = `XS: ${r.error ?? 'failed in XS'}`; // the XS text, not a meaningless Node stack
            throw e;
          }
        });
      }
    });
  }
}

describe('xs and v8 agree', () => {
  it('the same specs run and pass on both engines, and the golden outputs match', async () => {
    if (!xsRun) throw new Error('the XS run failed; see xs: harness');
    const v8 = await runSpecsOnV8();
    deepStrictEqual(xsRun.files, v8.files, 'spec files bundled for XS differ from test/{core,firmware}/*.spec.ts (stale build/xs? run npm run build)');
    deepStrictEqual(xsRun.results.map(key), v8.results.map(key), 'spec names (in order) differ between XS and V8');
    const failing = [
      ...xsRun.results.filter((r) => !r.ok).map((r) => `xs: ${key(r)}: ${r.error ?? ''}`),
      ...v8.results.filter((r) => !r.ok).map((r) => `v8: ${key(r)}: ${r.error ?? ''}`),
    ];
    if (failing.length) throw new Error(`specs failing:\n  ${failing.join('\n  ')}`);
    deepStrictEqual(xsRun.golden, goldenOutputs(core), 'golden outputs differ between XS (shipped bundle) and V8');
  });
});
