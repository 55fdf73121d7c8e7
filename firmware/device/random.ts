// Random bytes for keys, tokens and Noise ephemerals: the hardware RNG. On the
// ESP32 that is esp_fill_random (with the radio off, the bootloader entropy
// source is switched on around it); on the desktop, getrandom(2). Both come
// from the small native module in ./native. There is no JavaScript fallback:
// a card without a true random source must not make keys.
import fillRandom from 'tally/native/random';
import { tallyError, type Random } from '../core/index.js';

export const random: Random = (n: number): Uint8Array => {
  if (!Number.isInteger(n) || n < 0 || n > 65536) throw tallyError(9001, `random: ${n} bytes`);
  const buffer = new ArrayBuffer(n);
  if (n) fillRandom(buffer);
  return new Uint8Array(buffer);
};
