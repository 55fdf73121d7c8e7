// Builds the XS bundles (esbuild):
//
//   build/xs/tally-core.js   the card core as the firmware ships it (ESM, one
//                            file, portable: no Node built-ins)
//   build/xs/prelude.js      the XS test/bench harness prelude (describe/it,
//                            console shim, host requests to the Node parent)
//   build/xs/tally-specs.js  every test/core/*.spec.ts plus test/core/golden.ts
//   build/xs/tally-bench.js  the benchmark operations (test/xs/bench-ops.ts)
//   build/xs/tally-bench-card.js  two card cores paying each other (test/xs/bench-card-ops.ts)
//   build/xs/tally-bench-memory.js, tally-bench-memory-app.js, tally-preload.js
//                            memory bench (cores; card apps) and preload test (test/xs/*-ops.ts)
//   build/xs/tally-app-modules.js  every module of firmware/app and firmware/ui, their
//                            exports kept alive: what the card app's modules hold in RAM
//   build/xs/tally-device-modules.js  the CoreInk device adapters over SDK stand-ins (ditto)
//
// The spec and bench bundles do NOT contain the core: every import of the
// core is redirected to `globalThis.TallyCore`, which the harness sets from
// tally-core.js, so XS tests exercise exactly the bytes the firmware ships.
import * as esbuild from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'build/xs');
const coreDir = join(root, 'firmware/core');
mkdirSync(outDir, { recursive: true });

// Shared by every XS bundle.
const common = {
  bundle: true,
  target: 'es2022',
  // XS 13.3 fails when a class with instance fields constructs itself from its
  // own static initializer (noble does); lowering class fields avoids it.
  supported: { 'class-field': false, 'class-static-field': false },
  // No minification: cbor-x dispatches on constructor names, and TallyError
  // names its errors after their class; keepNames stops esbuild's renaming of
  // colliding top-level names from changing Function#name.
  minify: false,
  keepNames: true,
  legalComments: 'inline',
  logLevel: 'warning',
  metafile: true,
};

const kB = (n) => `${(n / 1024).toFixed(1)} kB`;

function report(result, label) {
  if (!result) return;
  for (const [file, out] of Object.entries(result.metafile.outputs)) {
    const byPkg = new Map();
    for (const [input, { bytesInOutput }] of Object.entries(out.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = m ? m[1] : input.startsWith('firmware/core/') ? 'firmware/core' : input.split('/').slice(0, 2).join('/');
      byPkg.set(key, (byPkg.get(key) ?? 0) + bytesInOutput);
    }
    const parts = [...byPkg].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${kB(v)}`);
    console.log(`build-core: ${label} ${file} ${kB(out.bytes)} (${parts.join(', ')})`);
  }
}

// ---- Preload safety ---------------------------------------------------------
//
// The firmware lists the core in its manifest's "preload": its module bodies
// run at build time and their objects go to flash (Moddable SDK,
// documentation/xs/preload.md). The XS linker refuses RegExp and generator
// instances there, and preloaded Map/Set/WeakMap/WeakSet/ArrayBuffer/typed
// array instances are read-only at run time ("XS linker warnings.md").
// cbor-x 1.6.x makes some of those at module scope; these substitutions make
// each on first use instead, in RAM, with the same behaviour. Each must match
// exactly as often as stated, so a cbor-x update that moves the code fails
// the build instead of silently shipping the original. Checked by the RFC 8949
// vectors and the CBOR fuzzers on V8 and XS, and test/xs/preload.test.ts.
const PRELOAD_SUBSTITUTIONS = {
  'cbor-x/decode.js': [
    // Module-scope RegExp (record keys as object literal names): compiled on first use.
    ['const validName = /^[a-zA-Z_$][a-zA-Z\\d_$]*$/', 'let validNameRe\nconst validName = { test: (s) => (validNameRe ??= /^[a-zA-Z_$][a-zA-Z\\d_$]*$/).test(s) }', 1],
    // Module-scope WeakSet of errors from nested decodes: made on the first such error.
    ['const nestedDecodeErrors = new WeakSet()', 'let nestedDecodeErrors', 1],
    ['if (nestedDecodeErrors.has(error)) {', 'if (nestedDecodeErrors && nestedDecodeErrors.has(error)) {', 1],
    ['nestedDecodeErrors.add(error)', '(nestedDecodeErrors ??= new WeakSet()).add(error)', 1],
    // Float scratch (half-float decoding, roundFloat32): allocated on first use.
    [
      'let f32Array = new Float32Array(1)\nlet u8Array = new Uint8Array(f32Array.buffer, 0, 4)',
      'let f32Array, u8Array\nfunction floatScratch() {\n\tif (!f32Array) {\n\t\tf32Array = new Float32Array(1)\n\t\tu8Array = new Uint8Array(f32Array.buffer, 0, 4)\n\t}\n}',
      1,
    ],
    ['\tu8Array[3] = (byte0 & 0x80) |', '\tfloatScratch()\n\tu8Array[3] = (byte0 & 0x80) |', 1],
    ['\tf32Array[0] = float32Number', '\tfloatScratch()\n\tf32Array[0] = float32Number', 1],
  ],
  'cbor-x/encode.js': [
    // Module-scope RegExp (bundled strings): compiled on first use.
    ['const hasNonLatin = /[\\u0080-\\uFFFF]/', 'let hasNonLatinRe\nconst hasNonLatin = { test: (s) => (hasNonLatinRe ??= /[\\u0080-\\uFFFF]/).test(s) }', 1],
  ],
};

const preloadSafe = {
  name: 'preload-safe',
  setup(build) {
    build.onLoad({ filter: /node_modules[\\/]cbor-x[\\/](decode|encode)\.js$/ }, async (args) => {
      const key = args.path.split(sep).join('/').replace(/^.*node_modules\//, '');
      let text = await readFile(args.path, 'utf8');
      const errors = [];
      for (const [from, to, count] of PRELOAD_SUBSTITUTIONS[key] ?? []) {
        const found = text.split(from).length - 1;
        if (found !== count) errors.push({ text: `preload substitution in ${key}: expected ${count} of ${JSON.stringify(from)}, found ${found} (another cbor-x version?)` });
        else text = text.split(from).join(to);
      }
      return errors.length ? { errors } : { contents: text, loader: 'js' };
    });
  },
};

// ---- 1. The card core, as shipped -------------------------------------------

// esbuild has already printed the errors (logLevel): note the failure, build
// the other bundles, and exit 1 at the end without a Node stack.
let failed = 0;
const build = (options) =>
  esbuild.build(options).catch((e) => {
    failed++;
    rmSync(options.outfile, { force: true }); // never leave a stale bundle behind
    console.error(`build-core: building ${relative(root, options.outfile)} failed (${e.errors?.length ?? '?'} error(s), above)`);
    return null;
  });

// The entry evaluates the precomputes at module load: under XS preload that
// happens on the build machine and their tables go to flash (docs/firmware-memory.md).
const coreEntry = [
  "export * from './firmware/core/index.ts';",
  "import { precomputeBaseTable } from './firmware/core/primitives.ts';",
  'precomputeBaseTable();',
  '',
].join('\n');

const core = await build({
  ...common,
  stdin: { contents: coreEntry, resolveDir: root, sourcefile: 'tally-core-entry.js', loader: 'js' },
  outfile: join(outDir, 'tally-core.js'),
  format: 'esm',
  platform: 'neutral',
  mainFields: ['module', 'main'],
  // cbor-x: without the "node" condition its exports map yields ./index.js
  // (the browser/ESM build, no node:buffer); noble is ESM-only.
  conditions: ['module', 'import'],
  plugins: [
    {
      name: 'no-node-builtins',
      setup(build) {
        build.onResolve({ filter: /^node:|^(buffer|crypto|fs|path|os|util|stream|events|module|url)$/ }, (args) => ({
          errors: [{ text: `the card core must not import Node built-in '${args.path}' (imported by ${args.importer})` }],
        }));
      },
    },
    preloadSafe,
  ],
});
if (core) {
  const inputs = Object.keys(core.metafile.inputs);
  const bad = inputs.filter((p) => /node_modules\/cbor-x\/(node-index\.js|dist\/)/.test(p));
  if (bad.length) throw new Error(`build-core: cbor-x resolved to its Node build (${bad.join(', ')}), not the portable ESM build`);
  // `#private` fields become module-scope WeakMaps here (class fields are
  // lowered), which preload makes read-only: keep secrets as firmware/core/hidden.ts does.
  if (readFileSync(join(outDir, 'tally-core.js'), 'utf8').includes('__privateAdd(')) {
    throw new Error('build-core: the core bundle uses #private fields (esbuild lowers them to WeakMaps, read-only under XS preload); see firmware/core/hidden.ts');
  }
}
report(core, 'core ');

// ---- 2. Harness bundles (core redirected to globalThis.TallyCore) ----------

const coreIndex = new Set(['index', 'index.js', 'index.ts']);
const coreExports = core ? Object.entries(core.metafile.outputs).find(([f]) => f.endsWith('tally-core.js'))[1].exports : [];

/** Redirects imports of the card core to the already-loaded core bundle. */
const coreRedirect = {
  name: 'tally-core-redirect',
  setup(build) {
    build.onResolve({ filter: /^\.{0,2}\// }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const abs = resolve(args.resolveDir, args.path);
      if (abs !== coreDir && !abs.startsWith(coreDir + sep)) return undefined;
      const importer = args.importer ? resolve(args.importer) : '';
      if (importer.startsWith(coreDir + sep)) return undefined; // never reached: the core is not bundled here
      const rel = relative(coreDir, abs).split(sep).join('/');
      if (!coreIndex.has(rel)) {
        return {
          errors: [
            {
              text:
                `'${args.path}' reaches into the card core (firmware/core/${rel}). ` +
                `Tests and benchmarks may import only the core's public surface, firmware/core/index.js, ` +
                `so that on XS they run against the shipped bundle build/xs/tally-core.js. ` +
                `Export what you need from firmware/core/index.ts instead.`,
            },
          ],
        };
      }
      return { path: 'globalThis.TallyCore', namespace: 'tally-core' };
    });
    // An ES module binding each export once: esbuild then links importers to
    // these names directly. (A CommonJS `module.exports` stand-in would be
    // wrapped by __toESM in every importing module, a getter closure per core
    // export each time: about 2,100 XS slots per importer that the card,
    // where imports are plain bindings, never spends.)
    build.onLoad({ filter: /.*/, namespace: 'tally-core' }, () => ({
      contents:
        "const core = globalThis.TallyCore;\n" +
        "if (typeof core !== 'object') throw new Error('globalThis.TallyCore is not set: load build/xs/tally-core.js first');\n" +
        `export const { ${coreExports.join(', ')} } = core;\n`,
      loader: 'js',
    }));
  },
};

const harness = {
  ...common,
  format: 'iife',
  platform: 'neutral',
  mainFields: ['module', 'main'],
  conditions: ['module', 'import'],
  plugins: [coreRedirect],
};

// Portable specs: the card core's (test/core) and the card app's (test/firmware:
// the app, screens and fragment layer run on XS against the shipped core).
const SPEC_DIRS = ['core', 'firmware'];
const specFiles = SPEC_DIRS.flatMap((d) =>
  readdirSync(join(root, 'test', d))
    .filter((f) => f.endsWith('.spec.ts'))
    .sort()
    .map((f) => `${d}/${f}`),
);

const specsEntry = [
  '// Generated by scripts/build-core.mjs: every test/{core,firmware}/*.spec.ts, then the golden outputs.',
  ...specFiles.map((f) => `import './test/${f}';`),
  "import { goldenOutputs } from './test/core/golden.ts';",
  'globalThis.tallySpecFiles = ' + JSON.stringify(specFiles) + ';',
  'globalThis.tallyGolden = () => goldenOutputs(globalThis.TallyCore);',
  '',
].join('\n');

// The app and UI modules the firmware loads into RAM (not preloaded): the
// memory bench loads this after the core and counts what it keeps alive.
const appModuleFiles = ['app', 'ui'].flatMap((d) =>
  readdirSync(join(root, 'firmware', d))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort()
    .map((f) => `firmware/${d}/${f}`),
);
/**
 * An entry that imports each file and keeps its exported values alive: the
 * values, not the namespace objects, since esbuild's namespaces hold a getter
 * closure per export, which XS modules on a card do not have.
 */
const keepAliveEntry = (what, files, global) =>
  [
    `// Generated by scripts/build-core.mjs: ${what}, their exports kept alive.`,
    ...files.map((f, i) => `import * as m${i} from './${f}';`),
    `globalThis.${global} = [${files.map((_, i) => `Object.values(m${i})`).join(', ')}];`,
    '',
  ].join('\n');
const appModulesEntry = keepAliveEntry('every firmware/app and firmware/ui module', appModuleFiles, 'tallyAppModules');

// The device adapters of the CoreInk build (firmware/device, mapped as
// manifests/targets/m5core_ink.json maps them; main.ts, which starts the app,
// left out), which stay in RAM: the memory bench loads this after the preloaded
// core and app and counts what it keeps alive. The Moddable SDK modules they
// import are empty stand-ins, and the app and UI modules they import are
// bundled again, so the figure is an upper bound for our own code.
const coreInkModules = JSON.parse(readFileSync(join(root, 'manifests/targets/m5core_ink.json'), 'utf8')).modules;
const mainModules = JSON.parse(readFileSync(join(root, 'manifests/manifest.json'), 'utf8')).modules;
const deviceMap = Object.fromEntries(
  Object.entries({ ...mainModules, ...coreInkModules })
    .filter(([k, v]) => k.startsWith('tally/device/') && typeof v === 'string')
    .map(([k, v]) => [k, `${v.replace('$(TALLY)/', '')}.ts`]),
);
const deviceModuleFiles = [...new Set(Object.values(deviceMap))].filter((f) => f !== 'firmware/device/main.ts').sort();
const deviceModulesEntry = keepAliveEntry('the CoreInk device adapters', deviceModuleFiles, 'tallyDeviceModules');
const sdkStandIns = {
  name: 'sdk-stand-ins',
  setup(build) {
    build.onResolve({ filter: /^tally\/(device|native)\// }, (args) => {
      if (args.path === 'tally/native/random') return { path: args.path, namespace: 'sdk' }; // a host function in C
      const file = deviceMap[args.path];
      if (!file) return { errors: [{ text: `no CoreInk module for ${args.path}` }] };
      return { path: join(root, file) };
    });
    build.onResolve({ filter: /^[a-z][^.]*$/ }, (args) => (args.path.startsWith('tally/') ? undefined : { path: args.path, namespace: 'sdk' }));
    build.onLoad({ filter: /.*/, namespace: 'sdk' }, () => ({
      contents: 'class SdkStandIn {}\nexport default SdkStandIn;\nexport const Bytes = SdkStandIn, Digest = SdkStandIn, File = SdkStandIn;\n',
      loader: 'js',
    }));
  },
};

const [prelude, specs, bench, benchCard, benchMemory, benchMemoryApp, appModules, deviceModules, preloadOps] = await Promise.all([
  build({ ...harness, plugins: [], entryPoints: [join(root, 'test/xs/prelude.ts')], outfile: join(outDir, 'prelude.js') }),
  build({
    ...harness,
    stdin: { contents: specsEntry, resolveDir: root, sourcefile: 'tally-specs-entry.js', loader: 'js' },
    outfile: join(outDir, 'tally-specs.js'),
  }),
  build({ ...harness, entryPoints: [join(root, 'test/xs/bench-ops.ts')], outfile: join(outDir, 'tally-bench.js') }),
  build({ ...harness, entryPoints: [join(root, 'test/xs/bench-card-ops.ts')], outfile: join(outDir, 'tally-bench-card.js') }),
  build({ ...harness, entryPoints: [join(root, 'test/xs/bench-memory-ops.ts')], outfile: join(outDir, 'tally-bench-memory.js') }),
  build({ ...harness, entryPoints: [join(root, 'test/xs/bench-memory-app-ops.ts')], outfile: join(outDir, 'tally-bench-memory-app.js') }),
  build({
    ...harness,
    stdin: { contents: appModulesEntry, resolveDir: root, sourcefile: 'tally-app-modules-entry.js', loader: 'js' },
    outfile: join(outDir, 'tally-app-modules.js'),
  }),
  build({
    ...harness,
    plugins: [coreRedirect, sdkStandIns],
    stdin: { contents: deviceModulesEntry, resolveDir: root, sourcefile: 'tally-device-modules-entry.js', loader: 'js' },
    outfile: join(outDir, 'tally-device-modules.js'),
  }),
  build({ ...harness, entryPoints: [join(root, 'test/xs/preload-ops.ts')], outfile: join(outDir, 'tally-preload.js') }),
]);
report(prelude, 'xs   ');
report(specs, `specs (${specFiles.length} files)`);
report(bench, 'bench');
report(benchCard, 'bench');
report(benchMemory, 'bench');
report(benchMemoryApp, 'bench');
report(appModules, `bench (${appModuleFiles.length} app modules)`);
report(deviceModules, `bench (${deviceModuleFiles.length} device modules)`);
report(preloadOps, 'test ');
if (failed) process.exit(1);
