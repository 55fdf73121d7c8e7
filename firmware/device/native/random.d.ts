// Declaration of the native module "tally/native/random" (random.js + random-<platform>.c).
// A module file (not `declare module`) so that mcconfig's generated `paths` entry can point at it.
/** Fills `buffer` with bytes from the hardware random source; throws if the source fails. */
export default function fillRandom(buffer: ArrayBuffer): void;
