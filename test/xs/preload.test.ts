// The card core as Moddable preloads it (documentation/xs/preload.md in the
// SDK): the core bundle is loaded into the instrumented xsnap-worker
// (scripts/build-xsnap-memory.mjs), then xsPreloadFreeze() does to every live
// object what the XS linker does to a preloaded module's (functions frozen;
// Map, Set, WeakMap, WeakSet, ArrayBuffer, typed arrays, DataView and Date
// read-only; RegExp and generator instances counted, since the linker refuses
// them), after evaluating the core without the TextEncoder/TextDecoder globals
// as the linker does. A card then boots, makes its keys and pays another card twice, on
// the device's hashing provider: any run-time write to a preloaded buffer or
// collection would throw here as it would on the card.
import { deepStrictEqual, equal, match } from 'node:assert/strict';
import type { CardStatus } from '../../firmware/core/index.js';
import { readFileSync } from 'node:fs';
import { XsHarness, bundlePath } from './harness.js';
import type { PreloadPayment } from './preload-ops.js';

// This file runs as build/test/xs/preload.test.js; the builder is plain JS in scripts/.
const builder = new URL('../../../scripts/build-xsnap-memory.mjs', import.meta.url).href;
const ALLOWANCE = 100_00;
const FIRST = 12_50;
const REPEAT = 3_20;
// The linker evaluates preloaded modules before the firmware's main installs the
// TextEncoder/TextDecoder globals (firmware/device/globals.ts): hidden while they load.
const HIDE_TEXT_CODECS = 'globalThis.tallyText = [TextEncoder, TextDecoder]; delete globalThis.TextEncoder; delete globalThis.TextDecoder;';
const RESTORE_TEXT_CODECS = '[globalThis.TextEncoder, globalThis.TextDecoder] = globalThis.tallyText;';

interface Freeze {
  functions: number;
  readOnly: number;
  regexps: number;
  generators: number;
}

describe('xs: the core bundle under preload (emulated)', function () {
  this.timeout(180_000); // the first run compiles the instrumented worker (about a minute)
  let h: XsHarness;
  let freeze: Freeze;

  before(async () => {
    const { buildXsnapMemory } = (await import(builder)) as { buildXsnapMemory(): string };
    const binary = buildXsnapMemory();
    h = await XsHarness.start(['tally-preload.js'], undefined, {
      binary,
      env: { TALLY_XS_STACK: '1024' }, // the manifests' creation.stack
      beforeCore: (x) => x.worker.evaluate(HIDE_TEXT_CODECS).then(() => undefined),
      afterCore: (x) =>
        x.worker
          .evaluate(`globalThis.tallyPreloadFreeze = JSON.parse(xsPreloadFreeze()); ${RESTORE_TEXT_CODECS}`)
          .then(() => undefined),
    });
    freeze = (await h.call<Freeze>('preloadFreezeResult')).value;
  });
  after(() => h?.close());

  it('the linker would accept it: no RegExp or generator instance is alive after the core loads', () => {
    equal(freeze.regexps, 0, 'RegExp instances at module scope');
    equal(freeze.generators, 0, 'generator instances at module scope');
    equal(freeze.readOnly > 0 && freeze.functions > 0, true, 'the freeze applied to something');
  });

  it('the emulation is in force: @noble\'s own SHA-256 (module-scope scratch) throws', async () => {
    const error = (await h.call<string | null>('preloadNobleSha256')).value;
    match(error ?? 'returned', /TypeError: .*read-only/);
  });

  let boot: { provider: string; cards: CardStatus[] };
  it('boot and key generation of two cards on the native-digest provider', async () => {
    boot = (await h.call<typeof boot>('preloadBoot')).value;
    equal(boot.provider, 'host digest');
    for (const s of boot.cards) {
      deepStrictEqual([s.spent, s.received, s.available, s.pending], [0, 0, ALLOWANCE, 0]);
      match(s.cardId, /^[0-9a-f]{32}$/);
    }
  });

  const pay = async (amount: number, spent: number): Promise<void> => {
    const r = (await h.call<PreloadPayment>('preloadPay', { amount })).value;
    deepStrictEqual([r.payer, r.payee], ['done', 'done']);
    const { payerStatus: a, payeeStatus: b } = r;
    deepStrictEqual([a.spent, a.received, a.available, a.pending], [spent, 0, ALLOWANCE - spent, 0]);
    deepStrictEqual([b.spent, b.received, b.available, b.pending], [0, spent, ALLOWANCE, 0]);
  };

  it('a first payment between the two cards completes with the expected ledgers', async () => {
    equal(boot === undefined, false, 'boot ran');
    await pay(FIRST, FIRST);
  });

  it('a repeat payment between the same cards completes with the expected ledgers', async () => {
    await pay(REPEAT, FIRST + REPEAT);
  });
});

// The card app preloaded with the core, as the CoreInk and ESP32 manifests
// list it: the app and UI modules (here inside the app bench bundle, with
// the test fixture, which is frozen too) are evaluated before the freeze, so
// their module-scope objects are what the linker would put in flash. Then two
// card apps pay each other by tap twice: screens laid out into framebuffers,
// QR codes, the fragment layer at MTU 23, the card wiring and the core.
describe('xs: the card app preloaded with the core (emulated)', function () {
  this.timeout(180_000);
  let h: XsHarness;
  let freeze: Freeze;

  before(async () => {
    const { buildXsnapMemory } = (await import(builder)) as { buildXsnapMemory(): string };
    h = await XsHarness.start([], undefined, {
      binary: buildXsnapMemory(),
      env: { TALLY_XS_STACK: '1024' },
      beforeCore: (x) => x.worker.evaluate(HIDE_TEXT_CODECS).then(() => undefined),
      afterCore: async (x) => {
        await x.worker.evaluate(readFileSync(bundlePath('tally-bench-memory-app.js'), 'utf8'));
        await x.worker.evaluate(`globalThis.tallyAppFreeze = xsPreloadFreeze(); ${RESTORE_TEXT_CODECS}`);
      },
    });
    await h.worker.evaluate('globalThis.tallyCommands.appFreeze = () => JSON.parse(globalThis.tallyAppFreeze);');
    freeze = (await h.call<Freeze>('appFreeze')).value;
  });
  after(() => h?.close());

  it('the linker would accept the app and UI modules: no RegExp or generator instance alive', () => {
    equal(freeze.regexps, 0, 'RegExp instances at module scope');
    equal(freeze.generators, 0, 'generator instances at module scope');
  });

  it('two card apps boot, then pay each other by tap twice', async () => {
    await h.call('memAppWorld', { sectors: 4, sectorBytes: 4096 });
    await h.call('memApp', { name: 'payer' });
    await h.call('memApp', { name: 'payee' });
    // memAppPay throws unless both screens show a successful result, both links closed and the ledgers agree.
    await h.call('memAppPay');
    await h.call('memAppPay');
  });
});
