// The firmware as mcconfig compiles it, without the Moddable SDK. For each
// target, the tsconfig mcconfig generates (tools/mcmanifest.js, TSConfigFile:
// its defaults, then our manifest's compilerOptions, `paths` for every module
// of the map, `files` = the .ts modules) goes through the manifest's own
// compiler command (`node scripts/firmware.mjs tsc`), with firmware/types
// standing in for the SDK's typings. Then every module the target ships (tsc's
// output where make picks it up, and the core bundle) goes through XS's parser
// and code generator in module mode: `new ModuleSource(text)` runs
// fxParseScript (xs/sources/xsModule.c), as xsc does for each module. The
// imports XS reports are resolved as XS resolves them, and each name imported
// from one of our modules must be one it exports: on a card, a miss is a
// SyntaxError at boot.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TARGETS, json, modulesFor, providedFor, root, xsSpecifier, type Module, type Target } from '../firmware/module-map.js';
import { XsHarness } from './harness.js';

/** One entry of ModuleSource#bindings (XS's shapes; a bare `import 'm'` shows as exportAllFrom without `as`). */
interface Binding {
  import?: string;
  importAllFrom?: string;
  export?: string;
  exportAllFrom?: string;
  as?: string;
  from?: string;
}

/** Native functions (`function f() @ "xs_name";`) need xsc's C mode, which ModuleSource lacks: checked against the C file instead. */
const HOST_FUNCTION = /^export default function (\w+)\([^)]*\) @ "(\w+)";$/m;

/** The tsconfig mcconfig writes into $(MODULES_DIR) for these modules (tools/mcmanifest.js, TSConfigFile#generate). */
function generatedTsconfig(modules: Module[], modulesDir: string): Record<string, unknown> {
  const manifest = json('manifests/manifest.json');
  const own = manifest.typescript.tsconfig.compilerOptions as Record<string, unknown>;
  const paths: Record<string, string[]> = {};
  const files: string[] = [];
  for (const m of modules) {
    if (!m.file.endsWith('.ts')) continue;
    paths[m.specifier] = [join(root, m.file.slice(0, -3))];
    files.push(join(root, m.file));
  }
  // tally/native/random.d (a .d.ts module): mcconfig maps its specifier without ".d".
  paths['tally/native/random'] = [join(root, 'firmware/device/native/random.d')];
  // The SDK's typings (manifest_typings.json, xs.d.ts, global.d.ts) are ours here: ambient module declarations.
  const sdkTypings = readdirSync(join(root, 'firmware/types')).filter((f) => f.endsWith('.d.ts')).map((f) => join(root, 'firmware/types', f));
  const types = (own.types as string[]).map((t) => join(root, t.replace('$(TALLY)/', '')));
  return {
    compilerOptions: {
      baseUrl: './',
      forceConsistentCasingInFileNames: true,
      module: 'es2020',
      outDir: modulesDir,
      paths,
      lib: ['es2020'],
      sourceMap: true,
      target: 'ES2020',
      ...own,
      types,
    },
    files: [...files, ...sdkTypings],
  };
}

// scripts/firmware.mjs, which runs as the manifest's compiler, also computes
// the directory mcconfig names tsc's output after.
const { commonDirectory } = (await import(pathToFileURL(join(root, 'scripts/firmware.mjs')).href)) as { commonDirectory(files: string[]): string };

/** Where make expects tsc's output for a .ts module: $(MODULES_DIR) + the path after the sources' common directory. */
function emitted(modulesDir: string, common: string, file: string): string {
  return join(modulesDir, relative(common, join(root, file)).slice(0, -3) + '.js');
}

describe('xs: the firmware compiled as mcconfig builds it (tsc, then the XS compiler)', function () {
  this.timeout(180_000);
  let h: XsHarness;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tally-mc-'));
    h = await XsHarness.start();
    await h.worker.evaluate('globalThis.tallyCommands.xsCompile = (msg) => new ModuleSource(msg.source).bindings;');
  });
  after(async () => {
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const compile = async (source: string): Promise<Binding[]> => (await h.call<Binding[]>('xsCompile', { source })).value;

  it('the XS compiler refuses what it would refuse on the build machine', async () => {
    await assert.rejects(compile('let x = ;'), /SyntaxError/);
    await assert.rejects(compile('export default function f(b) @ "xs_f";'), /SyntaxError/, 'host functions need xsc');
    assert.deepEqual(await compile("import { a as b } from './x.js'; export { b };"), [{ import: 'a', as: 'b', from: './x.js' }, { export: 'b' }]);
  });

  for (const target of Object.keys(TARGETS) as Target[]) {
    it(`${target}: every module tsc emits and the core bundle compile in XS, and every import links`, async () => {
      const { modules, cFiles, includes } = modulesFor(target);
      const provided = providedFor(target, includes);
      const modulesDir = join(dir, target, 'modules');
      mkdirSync(modulesDir, { recursive: true });
      const project = join(modulesDir, 'tsconfig.json');
      writeFileSync(project, JSON.stringify(generatedTsconfig(modules, modulesDir), null, '\t'));
      const tsc = spawnSync(process.execPath, [join(root, 'scripts/firmware.mjs'), 'tsc', '-p', project], { encoding: 'utf8' });
      assert.equal(tsc.status, 0, `${target}: tsc failed\n${tsc.stdout}${tsc.stderr}`);

      const common = commonDirectory(modules.filter((m) => m.file.endsWith('.ts')).map((m) => join(root, m.file)));
      const bindings = new Map<string, Binding[]>();
      for (const m of modules) {
        const path = m.file.endsWith('.ts') ? emitted(modulesDir, common, m.file) : join(root, m.file);
        assert.ok(existsSync(path), `${target}: ${m.specifier}: nothing at ${path}`);
        const source = readFileSync(path, 'utf8');
        const host = HOST_FUNCTION.exec(source);
        if (host) {
          const c = readFileSync(join(root, cFiles[0]!), 'utf8');
          assert.match(c, new RegExp(`\\bvoid ${host[2]}\\(xsMachine \\*the\\)`), `${target}: ${cFiles[0]} defines ${host[2]}`);
          bindings.set(m.specifier, [{ export: 'default' }]);
          continue;
        }
        try {
          bindings.set(m.specifier, await compile(source));
        } catch (e) {
          assert.fail(`${target}: XS cannot compile ${m.specifier} (${path.split(sep).slice(-2).join('/')}): ${(e as Error).message}`);
        }
      }
      assert.ok(bindings.get('tally/core/index')!.length > 20, 'the core bundle exports its surface');

      // What a module exports; undefined when it re-exports an SDK module (not checked here).
      const exportsOf = (spec: string, seen = new Set<string>()): Set<string> | undefined => {
        const out = new Set<string>();
        if (seen.has(spec)) return out;
        seen.add(spec);
        for (const b of bindings.get(spec)!) {
          if (b.export !== undefined) out.add(b.as ?? b.export);
          else if (b.exportAllFrom !== undefined && b.as !== undefined) out.add(b.as);
          else if (b.exportAllFrom !== undefined) {
            const from = xsSpecifier(spec, b.exportAllFrom);
            if (from === undefined || !bindings.has(from)) return undefined;
            const inner = exportsOf(from, seen);
            if (!inner) return undefined;
            for (const n of inner) if (n !== 'default') out.add(n);
          }
        }
        return out;
      };
      let links = 0;
      for (const [spec, list] of bindings) {
        for (const b of list) {
          const raw = b.from ?? b.importAllFrom ?? b.exportAllFrom;
          if (raw === undefined) continue;
          const name = xsSpecifier(spec, raw);
          assert.ok(name !== undefined && (bindings.has(name) || provided.has(name)), `${target}: ${spec} imports '${raw}' (${name}), which the manifests do not provide`);
          const imported = b.import ?? (b.from !== undefined ? b.export : undefined);
          if (imported === undefined || !bindings.has(name)) continue;
          const names = exportsOf(name);
          if (!names) continue;
          assert.ok(names.has(imported), `${target}: ${spec} imports '${imported}' from ${name}, which does not export it`);
          links++;
        }
      }
      assert.ok(links > 50, `${target}: ${links} imported names checked`);
    });
  }
});
