// A virtual card's key store: one file holding the 64 secret bytes
// (firmware/core/serial/keystore.ts), readable by its owner only. It stands
// for the ESP32's NVS partition; the ledger's flash image never holds keys.
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { CardKeys, KEY_STORE_BYTES, decodeKeyStore, encodeKeyStore } from '../../firmware/core/index.js';

/** The card's keys, or undefined for a blank card (no file yet). */
export function readKeyFile(path: string): CardKeys | undefined {
  if (!existsSync(path)) return undefined;
  if ((statSync(path).mode & 0o077) !== 0) throw new Error(`${path} is readable by others; chmod 600 it`);
  const b = readFileSync(path);
  if (b.length !== KEY_STORE_BYTES) throw new Error(`${path} is not a key store`);
  return decodeKeyStore(new Uint8Array(b.buffer, b.byteOffset, b.length));
}

/** Writes the keys atomically (a cut write leaves the card blank, never half-keyed). */
export function writeKeyFile(path: string, keys: CardKeys): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, encodeKeyStore(keys), { mode: 0o600 });
  renameSync(tmp, path);
}
