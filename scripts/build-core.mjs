// Builds the XS bundles (esbuild):
//
//   build/xs/tally-core.js   the card core as the firmware ships it (ESM, one
//                            file, portable: no Node built-ins)
//   build/xs/prelude.js      the XS test/bench harness prelude (describe/it,
//                            console shim, host requests to the Node parent)
//   build/xs/tally-specs.js  every test/core/*.spec.ts plus test/core/golden.ts
//   build/xs/tally-bench.js  the benchmark operations (test/xs/bench-ops.ts)
//   build/xs/tally-bench-card.js  two card cores paying each other (test/xs/bench-card-ops.ts)
//
// The spec and bench bundles do NOT contain the core: every import of the
// core is redirected to `globalThis.TallyCore`, which the harness sets from
// tally-core.js, so XS tests exercise exactly the bytes the firmware ships.
import * as esbuild from 'esbuild';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
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
  ],
});
if (core) {
  const inputs = Object.keys(core.metafile.inputs);
  const bad = inputs.filter((p) => /node_modules\/cbor-x\/(node-index\.js|dist\/)/.test(p));
  if (bad.length) throw new Error(`build-core: cbor-x resolved to its Node build (${bad.join(', ')}), not the portable ESM build`);
}
report(core, 'core ');

// ---- 2. Harness bundles (core redirected to globalThis.TallyCore) ----------

const coreIndex = new Set(['index', 'index.js', 'index.ts']);

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
    build.onLoad({ filter: /.*/, namespace: 'tally-core' }, () => ({
      contents:
        "if (typeof globalThis.TallyCore !== 'object') throw new Error('globalThis.TallyCore is not set: load build/xs/tally-core.js first');\n" +
        'module.exports = globalThis.TallyCore;\n',
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

const [prelude, specs, bench, benchCard, benchMemory] = await Promise.all([
  build({ ...harness, plugins: [], entryPoints: [join(root, 'test/xs/prelude.ts')], outfile: join(outDir, 'prelude.js') }),
  build({
    ...harness,
    stdin: { contents: specsEntry, resolveDir: root, sourcefile: 'tally-specs-entry.js', loader: 'js' },
    outfile: join(outDir, 'tally-specs.js'),
  }),
  build({ ...harness, entryPoints: [join(root, 'test/xs/bench-ops.ts')], outfile: join(outDir, 'tally-bench.js') }),
  build({ ...harness, entryPoints: [join(root, 'test/xs/bench-card-ops.ts')], outfile: join(outDir, 'tally-bench-card.js') }),
  build({ ...harness, entryPoints: [join(root, 'test/xs/bench-memory-ops.ts')], outfile: join(outDir, 'tally-bench-memory.js') }),
]);
report(prelude, 'xs   ');
report(specs, `specs (${specFiles.length} files)`);
report(bench, 'bench');
report(benchCard, 'bench');
report(benchMemory, 'bench');
if (failed) process.exit(1);
