#!/usr/bin/env node
// npm start: builds quietly (tsc and the XS bundles; the output is shown only
// if the build fails), then runs the demo: `tally sim demo`.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const npm = process.env.npm_execpath;
const build = npm
  ? spawnSync(process.execPath, [npm, 'run', '--silent', 'build'], { cwd: root, encoding: 'utf8' })
  : spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, encoding: 'utf8', shell: process.platform === 'win32' });
if (build.status !== 0) {
  process.stdout.write(build.stdout ?? '');
  process.stderr.write(build.stderr ?? '');
  console.error(`npm start: the build failed${build.error ? ` (${build.error.message})` : ''}; see above`);
  process.exit(1);
}
const { run } = await import(new URL('../build/host/cli/main.js', import.meta.url).href);
process.exitCode = await run(['sim', 'demo', ...process.argv.slice(2)]);
