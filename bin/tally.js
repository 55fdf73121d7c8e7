#!/usr/bin/env node
// The `tally` command. The TypeScript sources are compiled to build/ by
// `npm run build` (npm start and npm test run it first).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../build/host/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  console.error('tally: not built yet. Run `npm run build` in the repository first.');
  process.exit(1);
}
const { run } = await import(main);
process.exitCode = await run(process.argv.slice(2));
