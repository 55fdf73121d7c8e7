// Makes sure the XS engine binary (xsnap-worker, from @agoric/xsnap) exists.
// npm 11 can skip dependency install scripts, so this builds it by hand
// (make + gcc, about a minute) when the package's postinstall did not run.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
let pkgDir;
try {
  pkgDir = dirname(require.resolve('@agoric/xsnap/package.json'));
} catch {
  console.error('ensure-xsnap: @agoric/xsnap is not installed; run npm ci first');
  process.exit(1);
}
export const xsnapWorker = join(pkgDir, 'xsnap-native/xsnap/build/bin/lin/release/xsnap-worker');
if (!existsSync(xsnapWorker)) {
  console.error('ensure-xsnap: building xsnap-worker (the XS engine) from @agoric/xsnap sources...');
  execFileSync('npm', ['run', 'build:from-env'], { cwd: pkgDir, stdio: 'inherit' });
  if (!existsSync(xsnapWorker)) {
    console.error(`ensure-xsnap: build finished but ${xsnapWorker} is missing`);
    process.exit(1);
  }
}
