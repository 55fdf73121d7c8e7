// Verifies a range of packed signatures with node:crypto, caching one
// KeyObject per public key (building one costs more than a verification).
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { PackedJobs } from './jobs.js';

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** Most key objects one thread caches before it starts over. */
const KEY_CACHE_MAX = 100_000;

export class KeyCache {
  private readonly map = new Map<string, KeyObject | null>();
  get(raw: Uint8Array): KeyObject | null {
    const k = Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString('latin1');
    let o = this.map.get(k);
    if (o === undefined) {
      try {
        o = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
      } catch {
        o = null;
      }
      if (this.map.size >= KEY_CACHE_MAX) this.map.clear();
      this.map.set(k, o);
    }
    return o;
  }
}

export function verifyRange(p: PackedJobs, lo: number, hi: number, cache: KeyCache): void {
  for (let i = lo; i < hi; i++) {
    const at = p.keyIndex[i]! * 32;
    const key = cache.get(p.keys.subarray(at, at + 32));
    let ok = false;
    if (key) {
      try {
        ok = verify(null, p.msgs.subarray(p.offsets[i]!, p.offsets[i + 1]!), key, p.sigs.subarray(64 * i, 64 * i + 64));
      } catch {
        ok = false;
      }
    }
    p.results[i] = ok ? 1 : 0;
  }
}
