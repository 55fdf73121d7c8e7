// The build description, checked without the Moddable SDK: the partition
// table, the manifests' module maps (every import of every firmware module
// resolves the way XS resolves it, to our modules or to a module an included
// SDK manifest provides), the GATT service, and scripts/firmware.mjs.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TallyError } from '../../firmware/core/index.js';
import { OFFER_UUID, RX_UUID, SERVICE_UUID, TX_UUID } from '../../firmware/app/ble-ids.js';
import { BUTTON_IDS } from '../../firmware/app/buttons.js';
import { LEDGER_PARTITION, MIN_LEDGER_SECTORS, checkLayout, parsePartitions, parseSize } from '../../firmware/app/partitions.js';
import { TARGETS, json, modulesFor, providedFor, root, xsSpecifier, type Target } from './module-map.js';

const read = (p: string): string => readFileSync(join(root, p), 'utf8');
const code = (n: number) => (e: unknown) => (e as TallyError).code === n;

const FLASH_4MB = 4 * 1024 * 1024;

// From npm run bench:memory (docs/firmware-memory.md), with the core, app and
// UI modules preloaded: one card app's own peak (keys, ledger, screens, two
// payments by tap; the payee's, the larger), the RAM copies of preloaded
// objects it writes, and the device adapters, which stay in RAM (an upper
// bound); the alias table (one 4-byte pointer per aliasable preloaded object,
// outside the XS heap); the CoreInk's free RAM with BLE up; what ESP-IDF and
// Poco still need.
const ONE_CARD_APP_PEAK_SLOTS = 2304;
const PRELOAD_ALIAS_SLOTS = 159;
const DEVICE_MODULES_SLOTS = 1636;
const RUNTIME_SLOTS_MEASURED = ONE_CARD_APP_PEAK_SLOTS + PRELOAD_ALIAS_SLOTS + DEVICE_MODULES_SLOTS;
/** Headroom over the measured slots for what was not measured: the SDK's own objects (BLE, Poco, timers). */
const HEAP_HEADROOM = 1.15;
const ESP32_SLOT_BYTES = 16;
const ALIAS_TABLE_BYTES = 5261 * 4;
const COREINK_FREE_BYTES = 190_000;
const SYSTEM_RESERVE_BYTES = 8 * 1024;

/** Value imports of a TypeScript or JavaScript file (type-only imports vanish in the build). */
function valueImports(file: string): string[] {
  const text = read(file);
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*'([^']+)'|^\s*import\s+'([^']+)'/gm)) {
    if (m[5]) out.push(m[5]);
    else if (!m[2] && !/^\{\s*\}$/.test(m[3] ?? '') && !/^\{\s*(type\s+\w+\s*,?\s*)+\}$/.test(m[3] ?? '')) out.push(m[4]!);
  }
  return out;
}

describe('firmware: partition table', () => {
  const csv = read('manifests/partitions/tally-4mb.csv');

  it('is a valid 4 MB ESP-IDF table with the ledger partition the manifests open', () => {
    const parts = parsePartitions(csv);
    const ledger = checkLayout(parts, FLASH_4MB);
    assert.equal(ledger.name, LEDGER_PARTITION);
    assert.ok(ledger.size / 4096 >= MIN_LEDGER_SECTORS);
    const app = parts.find((p) => p.subtype === 'factory')!;
    assert.ok(app.size >= 0x200000, 'room for XS, the SDK, NimBLE and the app');
    for (const t of ['m5core_ink', 'esp32'] as const) {
      const target = json(`manifests/${TARGETS[t]}`);
      assert.equal(target.build.PARTITIONS_FILE, '$(TALLY)/manifests/partitions/tally-4mb.csv', t);
      assert.equal(target.config.tally.ledgerPartition, LEDGER_PARTITION, t);
    }
  });

  it('rejects broken tables with coded errors', () => {
    const good = parsePartitions(csv);
    const variant = (f: (p: ReturnType<typeof parsePartitions>) => void) => {
      const copy = good.map((p) => ({ ...p }));
      f(copy);
      return copy;
    };
    const cases: [string, ReturnType<typeof parsePartitions>, number][] = [
      ['overlap', variant((p) => (p.find((x) => x.name === LEDGER_PARTITION)!.offset = 0x300000)), 1013],
      ['past the end', variant((p) => (p.find((x) => x.name === LEDGER_PARTITION)!.size = 0x200000)), 1013],
      ['misaligned app', variant((p) => (p.find((x) => x.subtype === 'factory')!.offset = 0x11000)), 1013],
      ['half a sector', variant((p) => (p.find((x) => x.name === LEDGER_PARTITION)!.size = 0x1800)), 1013],
      ['tiny ledger', variant((p) => (p.find((x) => x.name === LEDGER_PARTITION)!.size = 0x10000)), 1013],
      ['no nvs', variant((p) => p.splice(p.findIndex((x) => x.subtype === 'nvs'), 1)), 1012],
      ['no ledger', variant((p) => p.splice(p.findIndex((x) => x.name === LEDGER_PARTITION), 1)), 1012],
      ['ledger as app', variant((p) => (p.find((x) => x.name === LEDGER_PARTITION)!.type = 'app')), 1012],
      ['ledger subtype', variant((p) => (p.find((x) => x.name === LEDGER_PARTITION)!.subtype = 'spiffs')), 1012],
      ['twice', variant((p) => p.push({ ...p[0]!, offset: 0x3f0000, size: 0x1000 })), 1012],
      ['over the table', variant((p) => (p[0]!.offset = 0x8000)), 1013],
    ];
    for (const [name, parts, c] of cases) assert.throws(() => checkLayout(parts, FLASH_4MB), code(c), name);
    assert.throws(() => parsePartitions('nvs, data, nvs, 0x9000'), code(1012));
    assert.throws(() => parsePartitions('nvs, data, nvs, , 0x6000'), code(1012));
    assert.throws(() => parsePartitions('bad name!, data, nvs, 0x9000, 0x6000'), code(1012));
    assert.throws(() => parseSize('12Q'), code(1012));
    assert.equal(parseSize('64K'), 65536);
    assert.equal(parseSize('1M'), 1048576);
  });
});

describe('firmware: manifests', () => {
  const main = json('manifests/manifest.json');

  it('keep cbor-x working (strip nothing) and run the device main', () => {
    assert.deepEqual(main.strip, [], 'strip "*" removes the Function names cbor-x reads at import');
    assert.equal(main.creation.main, 'tally/device/main');
    assert.equal(main.build.NAME, 'tally');
    assert.equal(main.typescript.compiler, 'node $(TALLY)/scripts/firmware.mjs tsc');
    assert.ok(main.platforms['esp32/m5core_ink'] && main.platforms.esp32 && main.platforms.lin && main.platforms['...'].error);
    assert.equal(main.modules['tally/core/index'], '$(TALLY)/build/xs/tally-core', 'the core ships as its bundle');
  });

  it('size the XS machine for a payment: cbor-x needs a 1024-slot stack', () => {
    for (const t of Object.keys(TARGETS) as Target[]) {
      const m = json(`manifests/${TARGETS[t]}`);
      const c = m.creation;
      assert.ok(c.stack >= 1024, `${t}: stack ${c.stack}`);
      if (t === 'lin') {
        assert.ok(c.heap.initial >= 4928 && c.chunk.initial >= 78848, `${t}: no smaller than the SDK's CoreInk default`);
        continue;
      }
      // ESP32: the core is preloaded (its ~300 KiB of objects live in flash),
      // and RAM is sized from npm run bench:memory (docs/firmware-memory.md).
      // mcconfig matches a preload entry with a `*` against .js modules only
      // (tools/mcconfig.js filterPreload), so TypeScript modules are named one by one.
      const appAndUi = modulesFor(t).modules.map((x) => x.specifier).filter((x) => /^tally\/(app|ui)\//.test(x));
      assert.deepEqual(m.preload, ['tally/core/index', ...appAndUi.sort()], `${t}: the core bundle and every app and UI module are preloaded`);
      assert.equal(c.static, 0, 'ESP32 RAM is in several blocks: no single static block');
      assert.ok(c.heap.initial >= RUNTIME_SLOTS_MEASURED * HEAP_HEADROOM, `${t}: heap ${c.heap.initial} slots, measured ${RUNTIME_SLOTS_MEASURED}`);
      assert.ok(c.chunk.initial >= 64 * 1024, `${t}: chunk ${c.chunk.initial}`);
      const xs = c.chunk.initial + c.heap.initial * ESP32_SLOT_BYTES + c.stack * ESP32_SLOT_BYTES;
      assert.ok(xs + ALIAS_TABLE_BYTES <= COREINK_FREE_BYTES - SYSTEM_RESERVE_BYTES, `${t}: ${xs} bytes of XS machine leave room for NimBLE and ESP-IDF`);
    }
  });

  for (const target of Object.keys(TARGETS) as Target[]) {
    it(`${target}: every module exists, and every import resolves as XS resolves it`, () => {
      const { modules, cFiles, includes } = modulesFor(target);
      const specifiers = new Set(modules.map((m) => m.specifier));
      const provided = providedFor(target, includes);
      for (const p of ['tally/device/buttons', 'tally/device/ledger-flash', 'tally/device/primitives', 'tally/device/radio', 'tally/device/screen', 'tally/core/index', 'tally/native/random', 'tally/device/main']) {
        assert.ok(specifiers.has(p), `${target} maps ${p}`);
      }
      assert.ok(!modules.some((m) => m.file.startsWith('firmware/types/')), 'our own declarations stay out of the build');
      assert.equal(cFiles.length, 1, 'one native random source');
      assert.ok(cFiles[0]!.endsWith(target === 'lin' ? 'random-lin.c' : 'random-esp32.c'));
      for (const m of modules) {
        if (m.file.endsWith('.js') && m.specifier === 'tally/core/index') continue; // the bundle: no imports
        for (const spec of valueImports(m.file)) {
          const name = xsSpecifier(m.specifier, spec);
          assert.ok(name !== undefined && (specifiers.has(name) || provided.has(name)), `${target}: ${m.file} imports '${spec}' (${name}), which the manifests do not provide`);
        }
      }
      const config = json(`manifests/${TARGETS[target]}`).config.tally;
      const ids = (config.buttons as { id: string; pin: number }[]).map((b) => b.id);
      assert.ok(ids.every((id) => (BUTTON_IDS as readonly string[]).includes(id)));
      if (target !== 'lin') {
        assert.deepEqual([...ids].sort(), [...BUTTON_IDS].sort(), 'all four buttons wired');
        const pins = (config.buttons as { pin: number }[]).map((b) => b.pin);
        assert.equal(new Set(pins).size, pins.length, 'one pin per button');
        assert.deepEqual({ port: config.serial.port, receive: config.serial.receive, transmit: config.serial.transmit }, { port: 0, receive: 3, transmit: 1 }, 'UART 0: the USB bridge');
        assert.deepEqual(json(`manifests/${TARGETS[target]}`).ble, { '*': ['$(TALLY)/firmware/bleservices/*'] });
        // UART 0 is free in a release build with the SDK's own sdkconfig (console and
        // logs off); SDKCONFIGPATH here would replace the CoreInk target's folder.
        const build = (json(`manifests/${TARGETS[target]}`).build ?? {}) as Record<string, string>;
        assert.ok(!('SDKCONFIGPATH' in build) && !('SDKCONFIGPATH' in (main.build ?? {})), `${target}: keep the SDK's sdkconfig (docs/firmware-sdk-checks.md)`);
      }
      if (target === 'esp32') {
        const used = [...Object.values(config.epaper as Record<string, number>)];
        assert.ok(['clock', 'out', 'select', 'dc', 'reset', 'busy'].every((k) => Number.isInteger(config.epaper[k])));
        const pins = (config.buttons as { pin: number }[]).map((b) => b.pin);
        assert.ok(!pins.some((p) => [config.epaper.clock, config.epaper.out, config.epaper.select, config.epaper.dc, config.epaper.reset, config.epaper.busy, 1, 3].includes(p)), `buttons clash with ${used}`);
      }
    });
  }

  it('resolves specifiers the way XS does', () => {
    assert.equal(xsSpecifier('tally/device/main', '../core/index.js'), 'tally/core/index');
    assert.equal(xsSpecifier('tally/device/main', './globals.js'), 'tally/device/globals');
    assert.equal(xsSpecifier('tally/ui/views', './font.mjs'), 'tally/ui/font');
    assert.equal(xsSpecifier('tally/app/app', 'timer'), 'timer');
    assert.equal(xsSpecifier('tally/app/app', 'commodetto/Poco'), 'commodetto/Poco');
    assert.equal(xsSpecifier('tally/a/b/c', '../../x.js'), undefined, 'XS resolves one ../ only');
    assert.equal(xsSpecifier('main', '../x.js'), undefined);
  });

  it('declares the GATT service the radio code looks for', () => {
    const s = json('firmware/bleservices/tally.json').service;
    assert.equal(s.uuid, SERVICE_UUID);
    assert.equal(s.characteristics.rx.uuid, RX_UUID);
    assert.equal(s.characteristics.tx.uuid, TX_UUID);
    assert.equal(s.characteristics.offer.uuid, OFFER_UUID);
    assert.match(s.characteristics.rx.properties, /writeNoResponse/);
    assert.equal(s.characteristics.tx.properties, 'notify');
    assert.ok(s.characteristics.rx.maxBytes >= 244, 'a full value at MTU 247');
  });
});

describe('firmware: scripts/firmware.mjs', () => {
  const script = join(root, 'scripts', 'firmware.mjs');
  const run = (args: string[], env: Record<string, string | undefined> = {}) => {
    const e: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, ...env })) if (v !== undefined) e[k] = v;
    return spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', env: e });
  };

  it('without $MODDABLE says how to install the Moddable SDK and fails', () => {
    const r = run(['build', '--target', 'm5core_ink'], { MODDABLE: undefined });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /npm i -g xs-dev/);
    assert.match(r.stderr, /xs-dev setup --device esp32/);
  });

  it('builds the mcconfig command for each target', () => {
    const key = 'ab'.repeat(32);
    let r = run(['build', '--target', 'm5core_ink', '--dry-run', '--authority', key.toUpperCase()]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), `mcconfig -m -p esp32/m5core_ink -t build ${join(root, 'manifests', 'manifest.json')} authorities=${key}`);
    r = run(['flash', '--target', 'esp32', '--port', '/dev/ttyUSB0', '--dry-run']);
    assert.equal(r.stdout.trim(), `UPLOAD_PORT=/dev/ttyUSB0 mcconfig -m -p esp32 ${join(root, 'manifests', 'manifest.json')}`);
    r = run(['flash', '--target', 'lin', '--dry-run', '--serial-device', '/dev/pts/4', '--debug']);
    assert.equal(r.stdout.trim(), `mcconfig -m -p lin -d ${join(root, 'manifests', 'manifest.json')} serialDevice=/dev/pts/4 tallyLog=1`);
  });

  it('refuses bad options with a usage error', () => {
    for (const args of [
      ['build'],
      ['build', '--target', 'arduino', '--dry-run'],
      ['flash', '--target', 'm5core_ink', '--dry-run'],
      ['build', '--target', 'lin', '--authority', 'xyz', '--dry-run'],
      ['build', '--target', 'esp32', '--serial-device', '/dev/pts/1', '--dry-run'],
      ['build', '--target', 'lin', '--bogus'],
      ['frobnicate'],
    ]) {
      const r = run(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /^firmware: /);
    }
  });

  it('tells whether the SDK leaves UART 0 to a release build', async () => {
    const m = (await import(pathToFileURL(script).href)) as { releaseUartZero(moddable: string): string };
    const sdk = mkdtempSync(join(tmpdir(), 'tally-sdk-'));
    try {
      assert.equal(m.releaseUartZero(sdk), 'unknown');
      const dir = join(sdk, 'build', 'devices', 'esp32', 'xsProj-esp32', 'main');
      mkdirSync(dir, { recursive: true });
      // Shapes of the SDK's file: one UART debugger for every build (older), or debugger_none.c unless -d/-i.
      writeFileSync(join(dir, 'CMakeLists.txt'), 'target_sources(${COMPONENT_TARGET} PRIVATE debugger_uart.c)\n');
      assert.equal(m.releaseUartZero(sdk), 'held');
      writeFileSync(join(dir, 'CMakeLists.txt'), 'if (INSTRUMENT EQUAL "1" OR mxDebug EQUAL "1")\n\ttarget_sources(${COMPONENT_TARGET} PRIVATE debugger_uart.c)\nelse()\n\ttarget_sources(${COMPONENT_TARGET} PRIVATE debugger_none.c)\nendif()\n');
      assert.equal(m.releaseUartZero(sdk), 'free');
    } finally {
      rmSync(sdk, { recursive: true, force: true });
    }
  });

  it('adapts the tsconfig mcconfig generates to TypeScript 7 and compiles where mcconfig expects the output', async () => {
    const m = (await import(pathToFileURL(script).href)) as {
      adaptTsconfig(j: unknown): { compilerOptions: Record<string, unknown> };
      commonDirectory(files: string[]): string;
    };
    const a = m.adaptTsconfig({ compilerOptions: { baseUrl: '/x', paths: { foo: ['lib/foo'], bar: ['/abs/bar'] } }, files: ['/src/app/a.ts', '/src/ui/b.ts'] });
    assert.equal(a.compilerOptions.baseUrl, undefined);
    assert.deepEqual(a.compilerOptions.paths, { foo: ['/x/lib/foo'], bar: ['/abs/bar'] });
    assert.equal(a.compilerOptions.rootDir, '/src');
    assert.equal(m.adaptTsconfig({ compilerOptions: { rootDir: '/sdk' }, files: ['/src/a.ts'] }).compilerOptions.rootDir, '/sdk', "the SDK's own rootDir wins");
    assert.equal(m.commonDirectory(['/a/b/c.ts', '/a/b/d/e.ts', '/a/bx/f.ts']), '/a');

    // End to end: a generated tsconfig in the modules directory, sources elsewhere.
    const dir = mkdtempSync(join(tmpdir(), 'tally-tsc-'));
    try {
      mkdirSync(join(dir, 'src', 'app'), { recursive: true });
      mkdirSync(join(dir, 'src', 'ui'), { recursive: true });
      mkdirSync(join(dir, 'modules'));
      writeFileSync(join(dir, 'src', 'ui', 'b.ts'), 'export const b: number = 2;\n');
      writeFileSync(join(dir, 'src', 'app', 'a.ts'), "import { b } from '../ui/b.js';\nimport t from 'timer';\nexport const a = b + t;\n");
      writeFileSync(join(dir, 'timer.d.ts'), 'declare module "timer" { const t: number; export default t; }\n');
      const generated = {
        compilerOptions: {
          baseUrl: './',
          forceConsistentCasingInFileNames: true,
          module: 'es2020',
          outDir: join(dir, 'modules'),
          paths: { 'tally/app/a': [join(dir, 'src/app/a')], 'tally/ui/b': [join(dir, 'src/ui/b')], timer: [join(dir, 'timer')] },
          lib: ['es2020'],
          sourceMap: true,
          target: 'ES2020',
          moduleResolution: 'bundler',
          strict: true,
        },
        files: [join(dir, 'src/app/a.ts'), join(dir, 'src/ui/b.ts')],
      };
      writeFileSync(join(dir, 'modules', 'tsconfig.json'), JSON.stringify(generated));
      const r = spawnSync(process.execPath, [script, 'tsc', '-p', join(dir, 'modules', 'tsconfig.json')], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      // mcmanifest.js expects $(MODULES_DIR) + source.slice(common directory, -3) + '.js'
      assert.ok(existsSync(join(dir, 'modules', 'app', 'a.js')));
      assert.ok(existsSync(join(dir, 'modules', 'ui', 'b.js')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
