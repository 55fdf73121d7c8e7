// Node side of the memory measurements: an instrumented XS worker
// (scripts/build-xsnap-memory.mjs) with the core loaded and, unless
// --no-preload, frozen as the XS linker freezes a preloaded module; and a
// heap fixed at a size (creation's "incremental": 0, as on a card) to find
// the smallest budget a run completes in. Used by test/xs/bench-memory.ts and
// test/xs/bench-memory-split.ts.
import { readFileSync } from 'node:fs';
import type { XsMemory } from './memory-probe.js';
import { XsHarness, bundlePath } from './harness.js';

export const preload = !process.argv.includes('--no-preload');
// This file runs as build/test/xs/memory-worker.js; the builder is plain JS in scripts/.
const builder = new URL('../../../scripts/build-xsnap-memory.mjs', import.meta.url).href;
const { buildXsnapMemory } = (await import(builder)) as { buildXsnapMemory(): string };
const binary = buildXsnapMemory();
export const env = { TALLY_XS_STACK: '1024' }; // the manifests' creation.stack

export interface Row {
  label: string;
  m: XsMemory;
}

/** Free heap slots and chunk bytes to leave once the heap is fixed. */
export interface Budget {
  slots: number;
  bytes: number;
}

const registerMem = async (h: XsHarness): Promise<void> => {
  await h.worker.evaluate("globalThis.tallyCommands.mem = () => { gc(); return JSON.parse(xsMemory()); };");
};

/** A worker with the core loaded and (emulated) preloaded; `preloaded` bundles are evaluated before the freeze, `bundles` after. */
export async function start(bundles: string[], preloaded: string[] = []): Promise<{ h: XsHarness; rows: Row[] }> {
  const rows: Row[] = [];
  const h = await XsHarness.start(bundles, undefined, {
    binary,
    env,
    beforeCore: async (x) => {
      await registerMem(x);
      rows.push({ label: 'engine + harness', m: (await x.call<XsMemory>('mem')).value });
    },
    afterCore: async (x) => {
      for (const b of preloaded) await x.worker.evaluate(readFileSync(bundlePath(b), 'utf8'));
      rows.push({ label: 'core bundle + base table', m: (await x.call<XsMemory>('mem')).value });
      if (preload) {
        // The linker refuses RegExp and generator instances (test/xs/preload.test.ts checks it too).
        await x.worker.evaluate(
          "{ const f = JSON.parse(xsPreloadFreeze()); if (f.regexps || f.generators) throw new Error('the XS linker would refuse the core: ' + JSON.stringify(f)); }",
        );
      }
    },
  });
  return { h, rows };
}

/**
 * Fixes the worker's heap and chunk space at `fix` free. The heap reserved
 * while loading is larger than the live data: ballast (kept alive) fills the
 * surplus first.
 */
export async function fixHeap(h: XsHarness, fix: Budget): Promise<void> {
  await h.worker.evaluate(`{
    gc();
    let m = JSON.parse(xsMemory());
    const ballast = (globalThis.memoryBallast = []);
    for (let i = m.heapSlots - m.slots - ${fix.slots} - 64; i > 0; i--) ballast.push({});
    gc();
    m = JSON.parse(xsMemory());
    const bytes = m.chunkBytes - m.chunks - ${fix.bytes} - 64;
    if (bytes > 0) ballast.push(new ArrayBuffer(bytes));
    globalThis.memoryFixed = JSON.parse(xsMemoryFix(${fix.slots}, ${fix.bytes}));
  }`);
}

/** True when `e` is the worker running out of its fixed heap. */
export function outOfMemory(e: unknown): boolean {
  return /code 11|not enough memory/.test(String((e as Error).message));
}

/** The smallest fixed budget (slots, or chunk bytes with slots plentiful) in which `attempt` completes (answers true). */
export async function smallestBudget(attempt: (fix: Budget) => Promise<boolean>, what: 'slots' | 'bytes', hi: number, step: number): Promise<number> {
  let lo = 0;
  while (hi - lo > step) {
    const mid = Math.round((lo + hi) / 2 / step) * step;
    const fix = what === 'slots' ? { slots: mid, bytes: 1 << 21 } : { slots: 1 << 17, bytes: mid };
    if (await attempt(fix)) hi = mid;
    else lo = mid;
  }
  return hi;
}
