// A fake of Moddable's `Digest` (the "crypt" module: modules/crypt/digest/
// crypt.js and modCrypt.c in the SDK) on node:crypto, for tests on Node and
// for the XS bench's host. It follows the SDK's behaviour:
//   - new Digest(type): MD5, SHA1, SHA224, SHA256, SHA384, SHA512; any other
//     name throws "crypt: unsupported digest";
//   - write(data): a string (its UTF-8 bytes), an ArrayBuffer, a typed array
//     of 1-byte elements or a DataView (its view only: xsmcGetBuffer); other
//     values throw "this is no buffer" (a TypeError);
//   - close(more?): the hash as a new ArrayBuffer; a truthy `more` keeps the
//     computation going (modCrypt.c saves and restores the context);
//   - reset(): starts over; blockSize and outputSize as the SDK reports them.
// One deliberate difference: after close() the SDK's context is finalized
// and a write or close without reset() silently hashes garbage; the fake
// throws instead, so a provider that forgets reset() fails its tests.
import { createHash, type Hash } from 'node:crypto';

const ALGORITHMS = {
  MD5: { node: 'md5', block: 64, output: 16 },
  SHA1: { node: 'sha1', block: 64, output: 20 },
  SHA224: { node: 'sha224', block: 64, output: 28 },
  SHA256: { node: 'sha256', block: 64, output: 32 },
  SHA384: { node: 'sha384', block: 128, output: 48 },
  SHA512: { node: 'sha512', block: 128, output: 64 },
} as const;
type DigestType = keyof typeof ALGORITHMS;

function bytesOf(data: unknown): Uint8Array {
  if (typeof data === 'string') return new TextEncoder().encode(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (data instanceof Uint8Array || data instanceof Int8Array || data instanceof Uint8ClampedArray || data instanceof DataView) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  throw new TypeError('this is no buffer');
}

export class FakeDigest {
  private readonly algorithm: (typeof ALGORITHMS)[DigestType];
  private hash: Hash;
  private closed = false;
  /** Calls into the "native" side, for tests that count them. */
  static calls = 0;

  constructor(type: string) {
    if (!Object.hasOwn(ALGORITHMS, type)) throw new Error('crypt: unsupported digest');
    this.algorithm = ALGORITHMS[type as DigestType];
    this.hash = createHash(this.algorithm.node);
    FakeDigest.calls++;
  }

  write(data: string | ArrayBuffer | ArrayBufferView): void {
    FakeDigest.calls++;
    const bytes = bytesOf(data);
    if (this.closed) throw new Error('fake crypt: write after close without reset (the SDK would hash garbage)');
    this.hash.update(bytes);
  }

  close(more?: boolean): ArrayBuffer {
    FakeDigest.calls++;
    if (this.closed) throw new Error('fake crypt: close after close without reset (the SDK would hash garbage)');
    const out = (more ? this.hash.copy() : this.hash).digest();
    if (!more) this.closed = true;
    return out.buffer.slice(out.byteOffset, out.byteOffset + out.length) as ArrayBuffer;
  }

  reset(): void {
    FakeDigest.calls++;
    this.hash = createHash(this.algorithm.node);
    this.closed = false;
  }

  get blockSize(): number {
    return this.algorithm.block;
  }

  get outputSize(): number {
    return this.algorithm.output;
  }

  /** crypt.js: reset, write each argument, close. */
  process(...parts: (string | ArrayBuffer | ArrayBufferView)[]): ArrayBuffer {
    this.reset();
    for (const p of parts) this.write(p);
    return this.close();
  }

  /** crypt.js: an alias of write. */
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.write(data);
  }
}
