// The card's key store record: the secret halves of its two key pairs, as the
// device keeps them (ESP32 NVS, the simulator's key file). This never goes on
// any link; provisioning over serial sends only public keys.
//
//   0..32   Ed25519 seed
//   32..64  X25519 secret
import { concat } from '../bytes.js';
import { ArgumentError } from '../errors.js';
import { CardKeys, DhKey, KEY_BYTES, Signer } from '../identity.js';

export const KEY_STORE_BYTES = 2 * KEY_BYTES;

export function encodeKeyStore(keys: CardKeys): Uint8Array {
  return concat(keys.signer.exportSecret(), keys.dh.exportSecret());
}

export function decodeKeyStore(bytes: Uint8Array): CardKeys {
  if (!(bytes instanceof Uint8Array) || bytes.length !== KEY_STORE_BYTES) throw new ArgumentError('key store', `${KEY_STORE_BYTES} bytes`);
  return new CardKeys(new Signer(bytes.slice(0, KEY_BYTES)), new DhKey(bytes.slice(KEY_BYTES)));
}
