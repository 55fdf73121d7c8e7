// Repository rules that keep the card core portable and the docs honest.
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorTable } from '../../firmware/core/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const p = join(dir, name);
    if (statSync(join(root, p)).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

const importsOf = (file: string): string[] =>
  [...readFileSync(join(root, file), 'utf8').matchAll(/(?:^|\s)(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => (m[1] ?? m[2])!,
  );

describe('repository rules', () => {
  it('the card core imports neither Node nor Moddable, only its own files, @noble/* and cbor-x', () => {
    const node = new Set(builtinModules);
    const files = tsFiles('firmware/core');
    assert.ok(files.length > 5);
    for (const f of files) {
      for (const spec of importsOf(f)) {
        assert.ok(!spec.startsWith('node:') && !node.has(spec), `${f} imports the Node built-in ${spec}`);
        assert.ok(spec.startsWith('./') || spec.startsWith('../') || spec.startsWith('@noble/') || spec === 'cbor-x', `${f} imports ${spec}`);
        if (spec.startsWith('@noble/')) {
          assert.equal(f, 'firmware/core/primitives.ts', `${f} imports ${spec}: use the primitives port (firmware/core/primitives.ts)`);
        }
        if (spec.startsWith('../')) {
          const target = relative(root, join(root, f, '..', spec));
          assert.ok(target.startsWith('firmware/core/'), `${f} reaches outside the core: ${spec}`);
        }
      }
    }
  });

  it('code outside the core uses only its public surface (firmware/core/index)', () => {
    const dirs = ['host', 'simulator', 'firmware', 'test'].filter((d) => {
      try {
        return statSync(join(root, d)).isDirectory();
      } catch {
        return false;
      }
    });
    for (const d of dirs) {
      for (const f of tsFiles(d)) {
        if (f.startsWith('firmware/core/')) continue;
        for (const spec of importsOf(f)) {
          if (!spec.startsWith('.')) continue;
          const target = relative(root, join(root, f, '..', spec));
          if (target.startsWith('firmware/core/')) assert.equal(target, 'firmware/core/index.js', `${f} imports ${spec}: use the core's index`);
        }
      }
    }
  });

  it('every portable spec has its mocha entry, so it runs on V8 as well as XS', () => {
    for (const d of ['test/core', 'test/firmware']) {
      for (const f of readdirSync(join(root, d)).filter((n) => n.endsWith('.spec.ts'))) {
        const entry = join(root, d, f.replace('.spec.ts', '.test.ts'));
        assert.ok(readFileSync(entry, 'utf8').includes(`./${f.replace('.ts', '.js')}`), `${entry} must import ./${f.replace('.ts', '.js')}`);
      }
    }
  });

  it('docs/protocol.md lists exactly the error table of the code', () => {
    const doc = readFileSync(join(root, 'docs/protocol.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| (\d{4}) \| ([A-Z0-9_]+) \| (.+) \|$/gm)].map((m) => [Number(m[1]), m[2], m[3]]);
    const code = Object.entries(ErrorTable).map(([c, [n, m]]) => [Number(c), n, m]);
    assert.deepEqual(rows, code);
  });
});
