// SHA-256 on the host: node:crypto (the core's noble hash gives the same bytes, slower).
import { createHash, hash } from 'node:crypto';

export function sha256(...parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) {
    const d = hash('sha256', parts[0]!, 'buffer');
    return new Uint8Array(d.buffer, d.byteOffset, d.length);
  }
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  const d = h.digest();
  return new Uint8Array(d.buffer, d.byteOffset, d.length);
}
