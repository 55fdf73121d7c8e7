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
// Three scenarios: the card cores driven directly, and the card apps
// (firmware/app + firmware/ui, preloaded with the core as the manifests do)
// paying by tap, both with two cards and their authority in one machine (an
// upper bound for one card); then one card app per machine
// (bench-memory-split.ts), which is each card's own peak. Also what the app
// and UI modules would take unpreloaded, what the device adapters take (they
// stay in RAM), and the alias table the manifests' preload list makes.
// --no-preload skips the freeze (everything mutable, as without preload).
import { readFileSync } from 'node:fs';
import type { XsDirty, XsMemory } from './memory-probe.js';
import { bundlePath } from './harness.js';
import { env, fixHeap, outOfMemory, preload, smallestBudget, start, type Budget, type Row } from './memory-worker.js';
import { splitPeaks } from './bench-memory-split.js';

const SLOT_BYTES_ESP32 = 16;
// Each card's NOR flash, in memory (chunks): small, and subtracted in the report.
const FLASH_SECTORS = 4;
const FLASH_SECTOR_BYTES = 4096;

type Dirty = { before: XsDirty; after: XsDirty };

/** The bundle with a scenario's operations, and whether it is preloaded with the core (the card app's is, as the manifests preload the app). */
interface Scenario {
  bundle: string;
  preload: boolean;
}

/** Runs the steps in a fresh worker with the scenario's bundle; with `fix`, the heap is fixed after preload to that many free slots/bytes. */
async function run(scenario: Scenario, steps: string[], fix?: Budget): Promise<{ rows: Row[]; dirty?: Dirty } | null> {
  const { h, rows } = scenario.preload ? await start([], [scenario.bundle]) : await start([scenario.bundle]);
  let dirty: Dirty | undefined;
  try {
    if (fix) await fixHeap(h, fix);
    rows.push({ label: 'fixture loaded', m: (await h.call<XsMemory>('mem')).value });
    const before = preload && !fix ? (await h.call<XsDirty>('memDirty')).value : undefined;
    for (const step of steps) {
      const [op, name] = step.split(':');
      const args = { sectors: FLASH_SECTORS, sectorBytes: FLASH_SECTOR_BYTES, ...(name ? { name } : {}) };
      rows.push({ label: step, m: (await h.call<XsMemory>(op!, args)).value });
    }
    if (before) dirty = { before, after: (await h.call<XsDirty>('memDirty')).value };
    return { rows, ...(dirty ? { dirty } : {}) };
  } catch (e) {
    if (fix && outOfMemory(e)) return null;
    throw e;
  } finally {
    await h.close().catch(() => undefined);
  }
}

async function peak(scenario: Scenario, steps: string[], what: 'slots' | 'bytes', hi: number, step: number): Promise<number> {
  return smallestBudget(async (fix) => (await run(scenario, steps, fix)) !== null, what, hi, step);
}

/** What a bundle of modules keeps alive once loaded after the preloaded core (and the `preloaded` bundles). */
async function modulesCost(bundle: string, preloaded: string[] = []): Promise<{ slots: number; chunks: number; keys: number }> {
  const { h } = await start([], preloaded);
  try {
    const before = (await h.call<XsMemory>('mem')).value;
    await h.worker.evaluate(readFileSync(bundlePath(bundle), 'utf8'));
    const after = (await h.call<XsMemory>('mem')).value;
    return { slots: after.slots - before.slots, chunks: after.chunks - before.chunks, keys: after.keys - before.keys };
  } finally {
    await h.close().catch(() => undefined);
  }
}

const kb = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
const flashBytes = FLASH_SECTORS * FLASH_SECTOR_BYTES;

/** One table: live data after each step, preload aliases, then the peaks of growing prefixes of the steps. */
async function report(title: string, scenario: Scenario, preloadedLabel: string, steps: string[], peaks: [string, number][]): Promise<void> {
  const result = await run(scenario, steps);
  if (!result) throw new Error('unreachable');
  const { rows, dirty } = result;
  const engine = rows[0]!.m;
  const base = rows[1]!.m;
  console.log(`\n${title}`);
  console.log('| step | slots | ESP32 slot bytes | chunk bytes (host) | keys |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  console.log(`| preloaded: ${preloadedLabel} | ${base.slots - engine.slots} | ${kb((base.slots - engine.slots) * SLOT_BYTES_ESP32)} | ${kb(base.chunks - engine.chunks)} | ${base.keys - engine.keys} |`);
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
  for (const [label, n] of peaks) {
    const s = steps.slice(0, n);
    const slots = await peak(scenario, s, 'slots', 16384, 128);
    const bytes = await peak(scenario, s, 'bytes', 1 << 18, 4096);
    console.log(`| RAM peak: ${label} | ${slots} | ${kb(slots * SLOT_BYTES_ESP32)} | ${kb(bytes)} (incl. ${kb(flashBytes * Math.min(2, s.length - 1))} of in-memory flash) | |`);
  }
}

console.log(`XS memory (${preload ? 'preload emulated' : 'no preload'}; stack ${env.TALLY_XS_STACK} slots)`);
await report('Card cores (firmware/core), driven directly', { bundle: 'tally-bench-memory.js', preload: false }, 'core bundle + base table', ['memWorld', 'memCard:payer', 'memCard:payee', 'memPay:first', 'memPay:repeat'], [
  ['authority + first key generation (one card)', 2],
  ['authority + two cards + first payment', 4],
  ['authority + two cards + first and repeat payment', 5],
]);
const mods = await modulesCost('tally-app-modules.js');
const devices = await modulesCost('tally-device-modules.js', ['tally-app-modules.js']);
// The alias table as the manifests preload: the core, app and UI modules (no test fixture).
const aliasable = await (async () => {
  const { h } = await start(['tally-bench-memory.js'], ['tally-app-modules.js']);
  try {
    return (await h.call<XsDirty>('memDirty')).value.aliasable;
  } finally {
    await h.close().catch(() => undefined);
  }
})();
await report(
  'Card apps (firmware/app + firmware/ui over the cores, preloaded with the core as the manifests do): screens laid out into framebuffers, native-like QR, tap link at MTU 23',
  { bundle: 'tally-bench-memory-app.js', preload: true },
  'core bundle + base table + app and UI modules (+ the test fixture)',
  ['memAppWorld', 'memApp:payer', 'memApp:payee', 'memAppPay:first', 'memAppPay:repeat'],
  [
    ['authority + one card app (keys, home screen)', 2],
    ['authority + two card apps + first payment by tap', 4],
    ['authority + two card apps + first and repeat payment by tap', 5],
  ],
);
console.log(`| RAM the app and UI modules would take if they were not preloaded | ${mods.slots} | ${kb(mods.slots * SLOT_BYTES_ESP32)} | ${kb(mods.chunks)} (incl. their bytecode: flash on a card) | ${mods.keys} |`);
console.log(`| RAM the CoreInk device adapters take (not preloaded; SDK modules stood in for, the app and UI modules they import counted again) | ≤ ${devices.slots} | ${kb(devices.slots * SLOT_BYTES_ESP32)} | ${kb(devices.chunks)} (incl. their bytecode) | ${devices.keys} |`);
console.log(`| RAM alias table with the core, app and UI modules preloaded (no test fixture): ${aliasable} aliasable objects and variables (incl. built-ins) | | ${kb(aliasable * 4)} | | |`);

// One card per machine: each card's own peak (bench-memory-split.ts).
const split = await splitPeaks(FLASH_SECTORS, FLASH_SECTOR_BYTES);
console.log('\nOne card app per XS machine (core and app preloaded; the peer in another worker, GATT values relayed at MTU 23)');
console.log('| card | RAM peak: slots | ESP32 slot bytes | chunk bytes (host) |');
console.log('| --- | ---: | ---: | ---: |');
for (const role of ['payer', 'payee'] as const) {
  const { slots, bytes } = split[role];
  console.log(`| ${role}: keys, certificate, ledger, app, screens, two payments by tap | ${slots} | ${kb(slots * SLOT_BYTES_ESP32)} | ${kb(bytes)} (incl. ${kb(flashBytes)} of in-memory flash) |`);
}
