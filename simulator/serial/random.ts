// A virtual card's hardware random source: the operating system's, or for a
// reproducible run a seeded generator (SHA-256 of seed and counter: fine for
// simulation, never for a real card).
import { randomBytes } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Random } from '../../firmware/core/index.js';

export function cardRandom(seed?: string): Random {
  if (seed === undefined) return (n) => new Uint8Array(randomBytes(n));
  const key = new TextEncoder().encode(`tally/sim/random/${seed}`);
  let counter = 0;
  let pool = new Uint8Array(0);
  return (n) => {
    const out = new Uint8Array(n);
    let o = 0;
    while (o < n) {
      if (pool.length === 0) {
        const c = new Uint8Array(key.length + 4);
        c.set(key);
        new DataView(c.buffer).setUint32(key.length, counter++);
        pool = sha256(c);
      }
      const k = Math.min(pool.length, n - o);
      out.set(pool.subarray(0, k), o);
      pool = pool.subarray(k);
      o += k;
    }
    return out;
  };
}
