// The card's secret keys live in Moddable's preferences (NVS on the ESP32, a
// file on the desktop), never in the ledger partition, which the bridge dumps.
// Stored as hex text so every preference backend keeps them as written.
import Preference from 'preference';
import { fromHex, toHex } from '../core/index.js';
import type { KeyStore } from '../app/card-wiring.js';

const DOMAIN = 'tally';
const KEY = 'keys';

export const keyStore: KeyStore = {
  load(): Uint8Array | null {
    const v = Preference.get(DOMAIN, KEY);
    return typeof v === 'string' && /^[0-9a-f]{128}$/.test(v) ? fromHex(v) : null;
  },
  save(secrets: Uint8Array): void {
    Preference.set(DOMAIN, KEY, toHex(secrets));
  },
};
