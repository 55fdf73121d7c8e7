// The card's crypto primitives on the Moddable SDK: hashing on the native
// `Digest` of the "crypt" module (SHA-256 and SHA-512 in C,
// modules/crypt/digest/kcl/fips180.c), the rest on @noble (the SDK has no
// Poly1305, Curve25519 or Ed25519). Manifests map `tally/device/primitives`
// here and include $(MODDABLE)/modules/crypt/digest/manifest.json.
//
// No fallback to @noble's hashing: the core is preloaded, and noble's SHA-2
// writes module-scope scratch arrays that preload makes read-only. A digest
// that fails its known-answer test throws 2008; main.ts then shows it and
// starts no card.
import { Digest } from 'crypt';
import type { Primitives } from '../core/index.js';
import { requireDigestPrimitives, type NativeDigestClass } from '../app/digest-primitives.js';
import type { OpenPrimitives } from './platform.js';

export const openPrimitives: OpenPrimitives = (): Primitives =>
  // The SDK typings declare write() for strings and ArrayBuffers only; the C
  // side takes Uint8Array views too (modCrypt.c resolveBuffer -> xsmcGetBuffer).
  requireDigestPrimitives(Digest as unknown as NativeDigestClass, 'moddable crypt');
