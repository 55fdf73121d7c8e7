// How long a card's own work takes on an ESP32-class card (the tap-to-done
// latency adds it to the radio's time).
//
// The unit is the XS computron, the deterministic meter of the XS engine the
// firmware runs on. With `--engine xs` each call into a card is metered by
// XS itself. With `--engine v8` the simulator counts the primitive
// operations the card performs (world/crypto.ts) and prices them with the
// table below: per-operation costs measured in XS 13.3 with @noble 2.4
// (/work/shared/XS-NOTES.md and `npm run bench:xs`), plus a per-call cost for
// everything else (CBOR, ledger entries, the session state machines),
// calibrated so that a repeat payment costs each side what
// `npm run bench:card` measures (about 12.5 M computrons).
//
// Calibration (repeat payment, per call, model vs bench:card): payer hello
// 4.3 M vs 4.2 M, offer 4.4 vs 4.3, confirm 1.6 vs 1.6, receipt 2.5 vs 2.4;
// payee hello 8.6 vs 8.6, payment 3.9 vs 3.9. A first payment adds one
// certificate verification (2.06 M) on each side, as measured.
//
// Computrons become milliseconds at ESP32_COMPUTRONS_PER_MS: XS runs about
// 300 k computrons per ms on a desktop core (XS-NOTES: an Ed25519 signature,
// 1.57 M, in 5.3 ms); an ESP32 at 240 MHz runs XS some 20 times slower, so
// 15 k per ms. Flash time is the SPI NOR datasheet's: 0.7 ms per 256-byte
// page programmed, 45 ms per 4 KiB sector erased.
import type { CallCost } from '../engine/driver.js';
import type { Effects } from '../card/host.js';
import type { OpCounts } from './crypto.js';

export const ESP32_COMPUTRONS_PER_MS = 15_000;
export const FLASH_PAGE_MS = 0.7;
export const FLASH_ERASE_MS = 45;

/** Computrons per primitive operation (XS 13.3, noble 2.4, steady state). */
export const COMPUTRONS = {
  x25519: 1_010_000,
  x25519Keygen: 400_000,
  ed25519Sign: 1_250_000,
  ed25519Verify: 2_060_000,
  ed25519Keygen: 1_000_000,
  /** One SHA-256 compression (64 bytes): 0.55 M per KiB. */
  shaBlock: 32_000,
  /** Object set-up of one SHA-256 / HMAC call in noble. */
  shaCall: 25_000,
  hmacCall: 60_000,
  /** One Noise HKDF output (an HMAC on a cloned keyed state). */
  hkdfOutput: 120_000,
  hkdfCall: 80_000,
  /** ChaCha20-Poly1305: 0.12 M for 256 bytes. */
  aeadByte: 400,
  aeadCall: 20_000,
  /** Everything else in one call into the card: CBOR, ledger entries, state machines. */
  call: 150_000,
} as const;

export function computronsOfOps(ops: OpCounts): number {
  const c = COMPUTRONS;
  return (
    ops.x25519 * c.x25519 +
    ops.x25519Keygen * c.x25519Keygen +
    ops.ed25519Sign * c.ed25519Sign +
    ops.ed25519Verify * c.ed25519Verify +
    ops.ed25519Keygen * c.ed25519Keygen +
    ops.sha256 * c.shaCall +
    ops.shaBlocks * c.shaBlock +
    ops.hmac * c.hmacCall +
    ops.hmacBlocks * c.shaBlock +
    ops.hkdf * c.hkdfCall +
    ops.hkdfOutputs * c.hkdfOutput +
    ops.aead * c.aeadCall +
    ops.aeadBytes * c.aeadByte +
    c.call
  );
}

/** Computrons of one call: measured (XS) or modelled (V8). */
export function computronsOf(cost: CallCost): number {
  if (cost.computrons !== undefined) return cost.computrons;
  return cost.ops ? computronsOfOps(cost.ops) : 0;
}

export function flashMs(f: Effects['flash']): number {
  return Math.ceil(f.bytes / 256) * FLASH_PAGE_MS + f.erases * FLASH_ERASE_MS;
}

/** ESP32 milliseconds of one call into a card: its compute plus its flash work. */
export function callMs(cost: CallCost, effects: Effects): number {
  return computronsOf(cost) / ESP32_COMPUTRONS_PER_MS + flashMs(effects.flash);
}
