// The card's crypto primitives on the Moddable SDK: hashing on the native
// `Digest` of the "crypt" module (SHA-256 and SHA-512 in C,
// modules/crypt/digest/kcl/fips180.c), the rest on @noble (the SDK has no
// Poly1305, Curve25519 or Ed25519). Manifests map `tally/device/primitives`
// here and include $(MODDABLE)/modules/crypt/digest/manifest.json.
import { Digest } from 'crypt';
import { noblePrimitives, type Primitives } from '../core/index.js';
import { digestPrimitives, type NativeDigestClass } from '../app/digest-primitives.js';
import type { OpenPrimitives } from './platform.js';

export const openPrimitives: OpenPrimitives = (log): Primitives => {
  // The SDK typings declare write() for strings and ArrayBuffers only; the C
  // side takes Uint8Array views too (modCrypt.c resolveBuffer -> xsmcGetBuffer).
  const p = digestPrimitives(Digest as unknown as NativeDigestClass, 'moddable crypt');
  if (p) return p;
  log('native digest failed its known-answer test: hashing with @noble');
  return noblePrimitives;
};
