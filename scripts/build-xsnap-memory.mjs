// Builds build/xsnap-memory/xsnap-worker: @agoric/xsnap's worker (XS 13.3)
// plus test/xs/native/tally-memory.c (memory counters, fixed-size heap,
// preload emulation), for `npm run bench:memory` and test/xs/preload.test.ts.
// The sources are copied and patched under build/; node_modules is untouched.
// About a minute the first time; afterwards only when tally-memory.c changes.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkgDir = dirname(createRequire(import.meta.url).resolve('@agoric/xsnap/package.json'));
const out = join(root, 'build/xsnap-memory');
const bin = join(out, 'bin/lin/release/xsnap-worker');
const extension = join(root, 'test/xs/native/tally-memory.c');

export function xsnapMemoryPath() {
  return bin;
}

export function buildXsnapMemory() {
  if (existsSync(bin) && statSync(bin).mtimeMs > statSync(extension).mtimeMs) return bin;
  const sources = join(out, 'sources');
  rmSync(sources, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  cpSync(join(pkgDir, 'xsnap-native/xsnap/sources'), sources, { recursive: true });
  const patch = (file, from, to) => {
    const path = join(sources, file);
    const text = readFileSync(path, 'utf8');
    if (!text.includes(from)) throw new Error(`build-xsnap-memory: ${file} has no '${from}' (another @agoric/xsnap version?)`);
    writeFileSync(path, text.replace(from, to));
  };
  patch('xsnapPlatform.c', '#include "xsAll.h"', `#include "xsAll.h"\n#include "${extension}"`);
  patch(
    'xsnap-worker.c',
    'xsCreation* creation = &_creation;',
    'xsCreation* creation = &_creation;\n\ttally_memory_creation((void*)creation);',
  );
  patch(
    'xsnap-worker.c',
    'static void xsBuildAgent(xsMachine* the);',
    'static void xsBuildAgent(xsMachine* the);\n' +
      'extern void tally_memory_creation(void*);\n' +
      'extern void tally_xs_memory(xsMachine*), tally_xs_memory_fix(xsMachine*), tally_xs_preload_freeze(xsMachine*), tally_xs_preload_dirty(xsMachine*);',
  );
  patch(
    'xsnap-worker.c',
    ' \txsResult = xsNewHostFunction(fx_harden, 1);',
    '\txsResult = xsNewHostFunction(tally_xs_memory, 0);\n\txsDefine(xsGlobal, xsID("xsMemory"), xsResult, xsDontEnum);\n' +
      '\txsResult = xsNewHostFunction(tally_xs_memory_fix, 2);\n\txsDefine(xsGlobal, xsID("xsMemoryFix"), xsResult, xsDontEnum);\n' +
      '\txsResult = xsNewHostFunction(tally_xs_preload_freeze, 0);\n\txsDefine(xsGlobal, xsID("xsPreloadFreeze"), xsResult, xsDontEnum);\n' +
      '\txsResult = xsNewHostFunction(tally_xs_preload_dirty, 0);\n\txsDefine(xsGlobal, xsID("xsPreloadDirty"), xsResult, xsDontEnum);\n' +
      ' \txsResult = xsNewHostFunction(fx_harden, 1);',
  );
  const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
  console.error('build-xsnap-memory: compiling the instrumented xsnap-worker (about a minute)...');
  execFileSync(
    'make',
    ['-f', 'xsnap-worker.mk', 'GOAL=release', `MODDABLE=${join(pkgDir, 'moddable')}`, `TLS_DIR=${sources}`, `BUILD_DIR=${out}`, `XSNAP_VERSION=${version}`],
    { cwd: join(pkgDir, 'xsnap-native/xsnap/makefiles/lin'), stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (!existsSync(bin)) throw new Error(`build-xsnap-memory: make finished but ${bin} is missing`);
  return bin;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) console.log(buildXsnapMemory());
