// npm run bench:memory — what a card needs in RAM, measured on XS 13.3 (an
// instrumented xsnap-worker: scripts/build-xsnap-memory.mjs).
//
// Preload is emulated: the core bundle (firmware/core, noble, cbor-x, and the
// base-point table it precomputes at module evaluation) is loaded, collected,
// and then xsPreloadFreeze() does to every live object what the XS linker
// does (functions frozen; Map/Set/WeakMap/WeakSet/ArrayBuffer/TypedArray/Date
// read-only). What was live then is what preload puts in flash ("preloaded").
// Everything allocated afterwards is RAM. Figures:
//   slots   XS heap slots (16 bytes each on the ESP32, 32 on this 64-bit host)
//   chunks  XS chunk bytes on this host (strings, BigInts, buffers, arrays;
//           the preloaded row also holds the bytecode, which is flash on a device)
//   keys    property names and symbols created
// Rows "after ..." are live data after a full collection; "peak" rows come
// from re-running the steps in a heap fixed at a size (creation's
// "incremental": 0) and searching the smallest size that completes.
// Both cards, their authority and their flash (4 × 4 KiB, in chunks) share
// one machine, so the run-time rows are an upper bound for one card.
// --no-preload skips the freeze (everything mutable, as without preload).
import type { XsDirty, XsMemory } from './bench-memory-ops.js';
import { XsHarness } from './harness.js';

const SLOT_BYTES_ESP32 = 16;
// Each card's NOR flash, in memory (chunks): small, and subtracted in the report.
const FLASH_SECTORS = 4;
const FLASH_SECTOR_BYTES = 4096;
const preload = !process.argv.includes('--no-preload');
// This file runs as build/test/xs/bench-memory.js; the builder is plain JS in scripts/.
const builder = new URL('../../../scripts/build-xsnap-memory.mjs', import.meta.url).href;
const { buildXsnapMemory } = (await import(builder)) as { buildXsnapMemory(): string };
const binary = buildXsnapMemory();
const env = { TALLY_XS_STACK: '1024' }; // the manifests' creation.stack

interface Row {
  label: string;
  m: XsMemory;
}

const registerMem = async (h: XsHarness): Promise<void> => {
  await h.worker.evaluate("globalThis.tallyCommands.mem = () => { gc(); return JSON.parse(xsMemory()); };");
};

async function start(): Promise<{ h: XsHarness; rows: Row[] }> {
  const rows: Row[] = [];
  const h = await XsHarness.start(['tally-bench-memory.js'], undefined, {
    binary,
    env,
    beforeCore: async (x) => {
      await registerMem(x);
      rows.push({ label: 'engine + harness', m: (await x.call<XsMemory>('mem')).value });
    },
    afterCore: async (x) => {
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

let dirty: { before: XsDirty; after: XsDirty } | undefined;

/** Runs the steps in a fresh worker; with `fix`, the heap is fixed after preload to that many free slots/bytes. */
async function run(steps: string[], fix?: { slots: number; bytes: number }): Promise<Row[] | null> {
  const { h, rows } = await start();
  try {
    // The heap reserved while loading is larger than the live data: ballast
    // (kept alive) fills the surplus, then the heap and chunks are fixed.
    if (fix) {
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
    rows.push({ label: 'fixture loaded', m: (await h.call<XsMemory>('mem')).value });
    const before = preload && !fix ? (await h.call<XsDirty>('memDirty')).value : undefined;
    for (const step of steps) {
      const [op, name] = step.split(':');
      const args = { sectors: FLASH_SECTORS, sectorBytes: FLASH_SECTOR_BYTES, ...(name ? { name } : {}) };
      rows.push({ label: step, m: (await h.call<XsMemory>(op!, args)).value });
    }
    if (before) dirty = { before, after: (await h.call<XsDirty>('memDirty')).value };
    return rows;
  } catch (e) {
    if (fix && /code 11|not enough memory/.test(String((e as Error).message))) return null;
    throw e;
  } finally {
    await h.close().catch(() => undefined);
  }
}

/** The smallest fixed budget (slots, or chunk bytes with slots plentiful) in which the steps complete. */
async function peak(steps: string[], what: 'slots' | 'bytes', hi: number, step: number): Promise<number> {
  let lo = 0;
  while (hi - lo > step) {
    const mid = Math.round((lo + hi) / 2 / step) * step;
    const fix = what === 'slots' ? { slots: mid, bytes: 1 << 21 } : { slots: 1 << 17, bytes: mid };
    if (await run(steps, fix)) hi = mid;
    else lo = mid;
  }
  return hi;
}

const steps = ['memWorld', 'memCard:payer', 'memCard:payee', 'memPay:first', 'memPay:repeat'];
const rows = await run(steps);
if (!rows) throw new Error('unreachable');
const base = rows[1]!.m;
const kb = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
const flashBytes = FLASH_SECTORS * FLASH_SECTOR_BYTES;

console.log(`XS memory (${preload ? 'preload emulated' : 'no preload'}; stack ${env.TALLY_XS_STACK} slots)`);
console.log('| step | slots | ESP32 slot bytes | chunk bytes (host) | keys |');
console.log('| --- | ---: | ---: | ---: | ---: |');
const engine = rows[0]!.m;
console.log(`| preloaded: core bundle + base table | ${base.slots - engine.slots} | ${kb((base.slots - engine.slots) * SLOT_BYTES_ESP32)} | ${kb(base.chunks - engine.chunks)} | ${base.keys - engine.keys} |`);
const fixture = rows[2]!.m; // the test fixture's own code is not the card's
for (const r of rows.slice(3)) {
  const d = { slots: r.m.slots - fixture.slots, chunks: r.m.chunks - fixture.chunks, keys: r.m.keys - fixture.keys };
  console.log(`| RAM after ${r.label} | ${d.slots} | ${kb(d.slots * SLOT_BYTES_ESP32)} | ${kb(d.chunks)} | ${d.keys} |`);
}
if (dirty) {
  // Preloaded objects and module variables written at run time: a RAM copy each on a device
  // (here they are written in place, so the rows above do not hold them).
  const { before: b, after: a } = dirty;
  const slots = a.slots - b.slots;
  console.log(`| RAM aliases of preloaded objects written by the steps: ${a.instances - b.instances} objects, ${a.closures - b.closures} module variables | ${slots} | ${kb(slots * SLOT_BYTES_ESP32)} | ${kb(a.itemBytes - b.itemBytes)} (array items) | |`);
  console.log(`| RAM alias table (outside the XS heap): one pointer per aliasable preloaded object or variable, ${a.aliasable} (incl. built-ins) | | ${kb(a.aliasable * 4)} | | |`);
}
const cardSteps: [string, string[]][] = [
  ['authority + first key generation (one card)', ['memWorld', 'memCard:payer']],
  ['authority + two cards + first payment', steps.slice(0, 4)],
  ['authority + two cards + first and repeat payment', steps],
];
for (const [label, s] of cardSteps) {
  const slots = await peak(s, 'slots', 16384, 128);
  const bytes = await peak(s, 'bytes', 1 << 18, 4096);
  console.log(`| RAM peak: ${label} | ${slots} | ${kb(slots * SLOT_BYTES_ESP32)} | ${kb(bytes)} (incl. ${kb(flashBytes * Math.min(2, s.length - 1))} of in-memory flash) | |`);
}
