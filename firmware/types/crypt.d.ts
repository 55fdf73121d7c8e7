// Moddable's native digests ($MODDABLE/typings/crypt.d.ts; the module is
// modules/crypt/digest/crypt.js with modCrypt.c and kcl/fips180.c, included by
// $(MODDABLE)/modules/crypt/digest/manifest.json; documentation/crypt/crypt.md).
// Declared as the SDK's typings declare it: `write` is typed for strings and
// ArrayBuffers, though the C side (resolveBuffer -> xsmcGetBuffer) also takes
// byte-sized typed arrays and DataViews; the device adapter goes through its
// own interface (firmware/app/digest-primitives.ts) so it compiles against
// both declarations.
declare module 'crypt' {
  type DigestType = 'MD5' | 'SHA1' | 'SHA224' | 'SHA256' | 'SHA384' | 'SHA512';

  export class Digest {
    /** Throws "crypt: unsupported digest" for any other name. */
    constructor(type: DigestType);
    /** Adds bytes (a string is hashed as its UTF-8 bytes); any number of times. */
    write(message: string | ArrayBuffer): void;
    /** The hash. Finalizes the computation: call reset() before writing again. */
    close(): ArrayBuffer;
    /** Starts a new computation with the same algorithm. */
    reset(): void;
    get blockSize(): number;
    get outputSize(): number;
    update(message: string | ArrayBuffer): void;
  }
}
