// Installs the V8 test host for portable specs (loaded by .mocharc before any spec).
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { TestHost } from './spec.js';

const vectors = fileURLToPath(new URL('../../../test/vectors/', import.meta.url));

const nodeHost: TestHost = {
  vector: (name) => readFileSync(vectors + name, 'utf8'),
  randomBytes: (n) => new Uint8Array(randomBytes(n)),
  engine: 'v8',
};
(globalThis as { tallyTestHost?: TestHost }).tallyTestHost = nodeHost;
