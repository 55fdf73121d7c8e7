// The card's secret keys live in Moddable's preferences (NVS on the ESP32, a
// file on the desktop), never in the ledger partition, which the bridge dumps.
// Stored as hex text so every preference backend keeps them as written.
// One value of 128 characters: more than the 63 bytes documentation/files/files.md
// promises on every platform, but within both backends this firmware builds
// with (ESP32: nvs_set_str, strings up to 4000 bytes; lin: a JSON file,
// modules/files/preference/lin/preference.js). Kept whole on purpose: one NVS
// write is atomic, while parts written one by one could mix old and new keys
// after a power cut. Domain and key stay within NVS's 15 characters.
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
